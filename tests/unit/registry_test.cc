// The district's registries as a domain object (district_node/registry.h) on a real
// SQLite file: the record life cycle with its audit trail, bulk import all-or-nothing
// and with skipping, listing, and the start/end dates that keep past stock right.
#include "district_node/registry.h"

#include <unistd.h>

#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "district_node/exact_cells.h"
#include "district_node/registry_store.h"
#include "gtest/gtest.h"
#include "shared/aggregator.h"
#include "shared/catalog.h"
#include "shared/demo_data.h"
#include "shared/resident_id.h"
#include "tests/unit/record_test_support.h"

namespace fedsync {
namespace {

// 2026-11-30 12:00 in Beijing.
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 30, 4, 0, 0),
                                        absl::UTCTimeZone());

v1::Record HardshipCase(int sequence, const std::string& filed = "2021-06-01") {
  v1::Record record;
  v1::HardshipCase* h = record.mutable_hardship_case();
  h->set_head_name("王建国");
  h->set_resident_id(MakeResidentId("340103", "19480512", sequence));
  h->set_household_size(2);
  h->set_hardship_type(v1::SERIOUS_ILLNESS);
  h->set_filed_date(filed);
  h->set_status(v1::HARDSHIP_ACTIVE);
  h->set_community("杏花村街道杏花社区");
  return record;
}

v1::Record Enterprise(const std::string& registered) {
  v1::Record record;
  v1::Enterprise* e = record.mutable_enterprise();
  e->set_name("合肥侨兴科技有限公司");
  e->set_credit_code("91350100M000100Y43");
  e->set_funding_type(v1::OVERSEAS_CHINESE_FUNDED);
  e->set_source_country("SG");
  e->set_industry(v1::INDUSTRY_I_INFORMATION_TECHNOLOGY);
  e->set_founding_year(2012);
  e->set_community("林店街道金池社区");
  e->set_registered_date(registered);
  return record;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/registry_test_" + std::to_string(::getpid()) + ".db";
    Cleanup();
    auto store = NodeStore::Open(path_, DistrictMigrations());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    registry_ =
        std::make_unique<Registry>(store_.get(), &clock_, &cells_, [this] { ++changes_; });
  }
  void TearDown() override {
    registry_.reset();
    store_.reset();
    Cleanup();
  }
  void Cleanup() {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"})
      std::filesystem::remove(path_ + suffix);
  }

  absl::StatusOr<v1::ImportResponse> Import(const std::vector<v1::Record>& records,
                                            bool skip_invalid = false) {
    ImportOptions options;
    options.skip_invalid = skip_invalid;
    auto session = registry_->BeginImport(
        RegistryKindOf(records.front())->name, options);
    if (!session.ok()) return session.status();
    for (const v1::Record& record : records) {
      absl::Status added = (*session)->Add(record);
      if (!added.ok()) return added;
    }
    return registry_->FinishImport("importer", session->get());
  }

  int64_t Count(const std::string& kind, v1::RecordStatus status = v1::RECORD_STATUS_UNSPECIFIED) {
    v1::ListRecordsRequest request;
    request.set_kind(kind);
    request.set_status(status);
    request.set_page_size(1000);
    auto page = registry_->List(request);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->entries_size() : -1;
  }

  // The exact stock of `metric` at the end of `year`, from what the store would publish.
  int64_t StockAt(const std::string& metric, const std::string& year) {
    ExactCellMap cells;
    EXPECT_TRUE(store_->Read([&](Database* db) -> absl::Status {
      auto records = LoadAllRecords(db);
      if (!records.ok()) return records.status();
      cells = Aggregator(Catalog::Default(), absl::CivilDay(2026, 11, 30)).Compute(*records);
      return absl::OkStatus();
    }).ok());
    auto it = cells.find(CellKey{metric, year, ""});
    return it == cells.end() ? 0 : it->second.value;
  }

  // The stored exact cell (kept incrementally) of `metric` for `period` and `dims`,
  // checked against a full recompute of the records.
  int64_t StoredCell(const std::string& metric, const std::string& period,
                     const std::string& dims) {
    ExactCell stored, recomputed;
    EXPECT_TRUE(
        store_
            ->Read([&](Database* db) -> absl::Status {
              auto table = ExactCellTable::Prepare(db);
              if (!table.ok()) return table.status();
              auto cell = table->Get(CellKey{metric, period, dims});
              if (!cell.ok()) return cell.status();
              stored = *cell;
              auto records = LoadAllRecords(db);
              if (!records.ok()) return records.status();
              ExactCellMap cells =
                  Aggregator(Catalog::Default(), absl::CivilDay(2026, 11, 30)).Compute(*records);
              recomputed = cells[CellKey{metric, period, dims}];
              return absl::OkStatus();
            })
            .ok());
    EXPECT_EQ(stored.value, recomputed.value) << metric << " " << period << " " << dims;
    return stored.value;
  }

  std::string path_;
  FakeClock clock_{kNow};
  CellUpdater cells_{Catalog::Default(), &clock_};
  std::unique_ptr<NodeStore> store_;
  std::unique_ptr<Registry> registry_;
  int changes_ = 0;
};

TEST_F(RegistryTest, LifeCycleWithHistory) {
  auto created = registry_->Create("clerk.li", HardshipCase(13));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->status(), v1::ACTIVE);
  EXPECT_EQ(created->start_date(), "2021-06-01");
  const int64_t id = created->id();

  auto again = registry_->Create("clerk.li", HardshipCase(13));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(again.status().message(), "update it instead"));

  v1::GetRecordRequest get;
  get.set_kind("hardship_cases");
  get.set_key(created->record().hardship_case().resident_id());
  auto by_key = registry_->Get(get);
  ASSERT_TRUE(by_key.ok()) << by_key.status();
  EXPECT_EQ(by_key->id(), id);

  v1::UpdateRecordRequest update;
  update.set_id(id);
  *update.mutable_record() = HardshipCase(13);
  update.mutable_record()->mutable_hardship_case()->set_status(v1::HARDSHIP_LIFTED);
  update.mutable_record()->mutable_hardship_case()->set_lifted_date("2025-09-30");
  auto lifted = registry_->Update("clerk.wang", update);
  ASSERT_TRUE(lifted.ok()) << lifted.status();
  EXPECT_EQ(lifted->status(), v1::LEFT);
  EXPECT_EQ(lifted->end_date(), "2025-09-30");

  v1::UpdateRecordRequest rekey = update;
  rekey.mutable_record()->mutable_hardship_case()->set_resident_id(
      MakeResidentId("340103", "19480512", 15));
  EXPECT_EQ(registry_->Update("clerk.wang", rekey).status().code(),
            absl::StatusCode::kInvalidArgument);

  v1::DeleteRecordRequest remove;
  remove.set_kind("hardship_cases");
  remove.set_id(id);
  EXPECT_EQ(registry_->Delete("clerk.li", remove).status().code(),
            absl::StatusCode::kInvalidArgument) << "a delete needs a reason";
  remove.set_reason("moved to another district");
  auto deleted = registry_->Delete("clerk.li", remove);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->status(), v1::DELETED);
  EXPECT_EQ(deleted->end_date(), "2025-09-30") << "the earlier of lifted and deleted";
  EXPECT_EQ(registry_->Update("clerk.wang", update).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(registry_->Delete("clerk.li", remove).status().code(),
            absl::StatusCode::kFailedPrecondition);

  v1::RestoreRecordRequest restore;
  restore.set_kind("hardship_cases");
  restore.set_id(id);
  auto restored = registry_->Restore("clerk.zhao", restore);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->status(), v1::LEFT);

  v1::GetHistoryRequest history_request;
  history_request.set_kind("hardship_cases");
  history_request.set_id(id);
  auto history = registry_->History(history_request);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->entries_size(), 4);
  struct Expected {
    std::string operation, operator_id, detail;
  };
  const Expected expected[] = {{"create", "clerk.li", ""},
                               {"update", "clerk.wang", "status,lifted_date"},
                               {"delete", "clerk.li", "reason: moved to another district"},
                               {"restore", "clerk.zhao", ""}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(history->entries(i).operation(), expected[i].operation);
    EXPECT_EQ(history->entries(i).operator_(), expected[i].operator_id);
    EXPECT_EQ(history->entries(i).detail(), expected[i].detail);
    EXPECT_EQ(history->entries(i).at(), "2026-11-30T04:00:00.000Z");
  }
  EXPECT_EQ(changes_, 4) << "every committed write is reported";
  history_request.set_id(id + 100);
  EXPECT_EQ(registry_->History(history_request).status().code(), absl::StatusCode::kNotFound);
}

// Two clerks read the same record; the first saves a new phone, the second (from the
// copy read before) a new household size. The second is refused and changes nothing,
// so the first's phone is not silently undone; read again, it goes through.
TEST_F(RegistryTest, AnUpdateFromAStaleReadIsRefusedNotUndoingAnother) {
  auto created = registry_->Create("clerk.li", HardshipCase(13));
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Record read_by_both = created->record();

  v1::UpdateRecordRequest first;
  first.set_id(created->id());
  *first.mutable_expected() = read_by_both;
  *first.mutable_record() = read_by_both;
  first.mutable_record()->mutable_hardship_case()->set_phone("13905510001");
  ASSERT_TRUE(registry_->Update("clerk.a", first).ok());

  v1::UpdateRecordRequest second;
  second.set_id(created->id());
  *second.mutable_expected() = read_by_both;
  *second.mutable_record() = read_by_both;
  second.mutable_record()->mutable_hardship_case()->set_household_size(5);
  auto refused = registry_->Update("clerk.b", second);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "read it again")) << refused.status();

  v1::GetRecordRequest get;
  get.set_kind("hardship_cases");
  get.set_id(created->id());
  auto now = registry_->Get(get);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->record().hardship_case().phone(), "13905510001");
  EXPECT_NE(now->record().hardship_case().household_size(), 5);

  *second.mutable_expected() = now->record();
  *second.mutable_record() = now->record();
  second.mutable_record()->mutable_hardship_case()->set_household_size(5);
  auto redone = registry_->Update("clerk.b", second);
  ASSERT_TRUE(redone.ok()) << redone.status();
  EXPECT_EQ(redone->record().hardship_case().phone(), "13905510001");
  EXPECT_EQ(redone->record().hardship_case().household_size(), 5);
}

// Stray spaces are not part of a record: a key typed with them finds it, and an update
// that adds them changes nothing, so the audit log records no change.
TEST_F(RegistryTest, StraySpacesNeitherMissAKeyNorCountAsAChange) {
  auto created = registry_->Create("clerk.li", HardshipCase(13));
  ASSERT_TRUE(created.ok()) << created.status();
  v1::GetRecordRequest get;
  get.set_kind("hardship_cases");
  get.set_key(" " + created->record().hardship_case().resident_id() + "\u3000");
  auto found = registry_->Get(get);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id(), created->id());

  v1::UpdateRecordRequest update;
  update.set_id(created->id());
  *update.mutable_record() = created->record();
  update.mutable_record()->mutable_hardship_case()->set_head_name(
      created->record().hardship_case().head_name() + " ");
  update.mutable_record()->mutable_hardship_case()->set_household_size(4);
  auto updated = registry_->Update("clerk.wang", update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  v1::GetHistoryRequest history;
  history.set_kind("hardship_cases");
  history.set_id(created->id());
  auto changes = registry_->History(history);
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_FALSE(changes->entries().empty());
  const std::string last = changes->entries(changes->entries_size() - 1).ShortDebugString();
  EXPECT_NE(last.find("household_size"), std::string::npos) << last;
  EXPECT_EQ(last.find("head_name"), std::string::npos) << last;
}

TEST_F(RegistryTest, InvalidRecordIsRejectedNamingTheField) {
  v1::Record bad = Enterprise("2019-04-01");
  bad.mutable_enterprise()->set_credit_code("91350100M000100Y44");
  auto created = registry_->Create("local", bad);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(created.status().message(), "enterprises.credit_code: check character mismatch");
  EXPECT_EQ(Count("enterprises"), 0);
  EXPECT_EQ(changes_, 0);
}

TEST_F(RegistryTest, PastStockStaysRightAfterRecordsLeave) {
  auto enterprise = registry_->Create("local", Enterprise("2019-04-01"));
  ASSERT_TRUE(enterprise.ok()) << enterprise.status();
  auto family = registry_->Create("local", HardshipCase(13, "2020-03-01"));
  ASSERT_TRUE(family.ok()) << family.status();
  EXPECT_EQ(StockAt("enterprises_total", "2024"), 1);

  v1::DeleteRecordRequest closed;
  closed.set_kind("enterprises");
  closed.set_id(enterprise->id());
  closed.set_reason("closed");
  closed.set_end_date("2024-06-30");
  ASSERT_TRUE(registry_->Delete("local", closed).ok());
  EXPECT_EQ(StockAt("enterprises_total", "2023"), 1) << "history kept";
  EXPECT_EQ(StockAt("enterprises_total", "2024"), 0);
  EXPECT_EQ(StockAt("enterprises_total", "2026"), 0);

  v1::DeleteRecordRequest mistake;
  mistake.set_kind("hardship_cases");
  mistake.set_id(family->id());
  mistake.set_reason("typed into the wrong registry");
  mistake.set_entered_in_error(true);
  EXPECT_EQ(StockAt("hardship_cases_total", "2021"), 1);
  ASSERT_TRUE(registry_->Delete("local", mistake).ok());
  EXPECT_EQ(StockAt("hardship_cases_total", "2020"), 0) << "never counted";
  EXPECT_EQ(StockAt("hardship_cases_total", "2021"), 0);
}

// Certificates are counted by their issue date: a deleted one leaves every period that
// had not ended before its end date (the current year's count), and stays in the past
// ones; entered in error, it leaves them all; restored, it is back.
TEST_F(RegistryTest, DeletedCertificateLeavesThePeriodsNotEndedBeforeItsEndDate) {
  auto generated = GeneratedRecords(*FindRegistryKind("study_certificates"), 3, 7, 2026);
  ASSERT_TRUE(generated.ok()) << generated.status();
  const char* issued[] = {"2025-05-10", "2026-02-10", "2026-03-10"};
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    v1::Record record = (*generated)[i];
    record.mutable_study_certificate()->set_issue_date(issued[i]);
    record.mutable_study_certificate()->set_outcome(v1::APPROVED);
    auto created = registry_->Create("local", record);
    ASSERT_TRUE(created.ok()) << created.status();
    ids.push_back(created->id());
  }
  const std::string metric = "certifications_issued_by_year";
  ASSERT_EQ(StoredCell(metric, "2025", "type=study"), 1);
  ASSERT_EQ(StoredCell(metric, "2026", "type=study"), 2);

  v1::DeleteRecordRequest remove;
  remove.set_kind("study_certificates");
  remove.set_reason("issued twice");
  remove.set_id(ids[0]);  // of 2025, deleted today: 2025 ended before
  ASSERT_TRUE(registry_->Delete("local", remove).ok());
  remove.set_id(ids[1]);  // of 2026, deleted today: out of 2026
  ASSERT_TRUE(registry_->Delete("local", remove).ok());
  EXPECT_EQ(StoredCell(metric, "2025", "type=study"), 1) << "history kept";
  EXPECT_EQ(StoredCell(metric, "2026", "type=study"), 1);

  remove.set_id(ids[2]);
  remove.set_entered_in_error(true);
  ASSERT_TRUE(registry_->Delete("local", remove).ok());
  EXPECT_EQ(StoredCell(metric, "2026", "type=study"), 0);

  v1::RestoreRecordRequest restore;
  restore.set_kind("study_certificates");
  restore.set_id(ids[1]);
  ASSERT_TRUE(registry_->Restore("local", restore).ok());
  EXPECT_EQ(StoredCell(metric, "2026", "type=study"), 1);
}

TEST_F(RegistryTest, ImportIsAllOrNothingOrSkipsAndIsIdempotent) {
  std::vector<v1::Record> records = {HardshipCase(11), HardshipCase(13), HardshipCase(15)};
  std::vector<v1::Record> with_bad = records;
  with_bad.push_back(HardshipCase(17));
  with_bad.back().mutable_hardship_case()->set_household_size(0);
  with_bad.push_back(HardshipCase(11));  // the key of row 1 again

  auto rejected = Import(with_bad);
  ASSERT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(rejected.status().message(),
                                "row 4: hardship_cases.household_size: must be between 1 and 30"))
      << rejected.status().message();
  EXPECT_TRUE(absl::StrContains(rejected.status().message(),
                                "row 5: hardship_cases.resident_id: the same key as row 1"))
      << rejected.status().message();
  EXPECT_EQ(Count("hardship_cases"), 0) << "nothing stored";
  EXPECT_EQ(changes_, 0);

  auto skipped = Import(with_bad, /*skip_invalid=*/true);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->created(), 3);
  EXPECT_EQ(skipped->skipped(), 2);
  ASSERT_EQ(skipped->errors_size(), 2);
  EXPECT_EQ(skipped->errors(0).row(), 4);
  EXPECT_EQ(skipped->errors(0).field(), "household_size");
  EXPECT_EQ(Count("hardship_cases"), 3);

  records[1].mutable_hardship_case()->set_household_size(4);
  auto again = Import(records);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->created(), 0);
  EXPECT_EQ(again->updated(), 1);
  EXPECT_EQ(again->unchanged(), 2);
  EXPECT_EQ(Count("hardship_cases"), 3) << "no duplicates";
}

TEST_F(RegistryTest, AidVisitsNeedTheirHousehold) {
  v1::Record visit;
  v1::AidVisit* v = visit.mutable_aid_visit();
  v->set_household_resident_id(MakeResidentId("340103", "19480512", 13));
  v->set_visit_date("2026-01-20");
  v->set_aid_kind(v1::CONDOLENCE_VISIT);
  v->set_amount_yuan(500);
  v->set_community("杏花村街道杏花社区");
  auto orphan = Import({visit});
  ASSERT_EQ(orphan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(orphan.status().message(), "household_resident_id"));
  ASSERT_TRUE(registry_->Create("local", HardshipCase(13)).ok());
  auto imported = Import({visit});
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->created(), 1);
}

TEST_F(RegistryTest, AidVisitsToADeletedHardshipCaseAreRefused) {
  auto family = registry_->Create("local", HardshipCase(13));
  ASSERT_TRUE(family.ok()) << family.status();
  v1::DeleteRecordRequest remove;
  remove.set_kind("hardship_cases");
  remove.set_id(family->id());
  remove.set_reason("moved away");
  ASSERT_TRUE(registry_->Delete("local", remove).ok());
  v1::Record visit;
  v1::AidVisit* v = visit.mutable_aid_visit();
  v->set_household_resident_id(HardshipCase(13).hardship_case().resident_id());
  v->set_visit_date("2026-01-20");
  v->set_aid_kind(v1::CONDOLENCE_VISIT);
  v->set_amount_yuan(500);
  v->set_community("杏花村街道杏花社区");
  auto refused = registry_->Create("local", visit);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_TRUE(absl::StartsWith(refused.status().message(), "aid_visits.household_resident_id: "))
      << refused.status();
  EXPECT_FALSE(absl::StrContains(refused.status().message(), v->household_resident_id()));
  EXPECT_EQ(Count("aid_visits"), 0);

  v1::RestoreRecordRequest restore;
  restore.set_kind("hardship_cases");
  restore.set_id(family->id());
  ASSERT_TRUE(registry_->Restore("local", restore).ok());
  EXPECT_TRUE(registry_->Create("local", visit).ok());
}

// Names are stored trimmed, so stray spaces make no second person; invisible
// characters are refused, naming the field.
TEST_F(RegistryTest, TextIsTrimmedAndInvisibleCharactersRefused) {
  const v1::Record figure = CommunityFigure();
  const std::string name = figure.community_figure().name();
  auto created = registry_->Create("local", figure);
  ASSERT_TRUE(created.ok()) << created.status();

  v1::Record spaced = figure;
  spaced.mutable_community_figure()->set_name(absl::StrCat("\xE3\x80\x80", name, "  "));
  auto again = registry_->Create("local", spaced);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists) << again.status();

  v1::UpdateRecordRequest update;
  update.set_id(created->id());
  *update.mutable_record() = spaced;
  update.mutable_record()->mutable_community_figure()->set_community(
      absl::StrCat(" ", figure.community_figure().community(), "\n"));
  auto updated = registry_->Update("local", update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->record().community_figure().name(), name);
  EXPECT_EQ(updated->record().community_figure().community(),
            figure.community_figure().community());
  EXPECT_EQ(Count("community_figures"), 1);

  struct Case {
    const char* what;
    std::string text;
  };
  for (const Case& test : std::vector<Case>{{"zero-width space", "\xE2\x80\x8B"},
                                            {"right-to-left mark", "\xE2\x80\x8F"},
                                            {"word joiner", "\xE2\x81\xA0"},
                                            {"byte order mark", "\xEF\xBB\xBF"},
                                            {"C1 control", "\xC2\x85"}}) {
    v1::Record invisible = figure;
    invisible.mutable_community_figure()->set_name(absl::StrCat(name, test.text));
    auto refused = registry_->Create("local", invisible);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << test.what;
    EXPECT_TRUE(absl::StartsWith(refused.status().message(),
                                 "community_figures.name: contains invisible characters"))
        << test.what << ": " << refused.status();
  }
  EXPECT_EQ(Count("community_figures"), 1);
}

TEST_F(RegistryTest, ListPagesFiltersAndSearches) {
  auto students = GeneratedRecords(*FindRegistryKind("returned_students"), 120, 3, 2026);
  ASSERT_TRUE(students.ok());
  ASSERT_TRUE(Import(*students).ok());

  v1::ListRecordsRequest request;
  request.set_kind("returned_students");
  int pages = 0, seen = 0;
  do {
    auto page = registry_->List(request);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    seen += page->entries_size();
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, 120);

  const std::string community = (*students)[0].returned_student().community();
  const std::string surname = (*students)[0].returned_student().name().substr(0, 3);
  int in_community = 0, with_surname = 0, registered_2025 = 0;
  for (const v1::Record& record : *students) {
    in_community += record.returned_student().community() == community;
    with_surname += absl::StrContains(record.returned_student().name(), surname);
    registered_2025 += absl::StartsWith(record.returned_student().registered_date(), "2025");
  }
  struct Filter {
    std::function<void(v1::ListRecordsRequest*)> set;
    int expected;
  };
  const Filter filters[] = {
      {[&](v1::ListRecordsRequest* r) { r->set_community(community); }, in_community},
      {[&](v1::ListRecordsRequest* r) { r->set_name_contains(surname); }, with_surname},
      {[&](v1::ListRecordsRequest* r) {
         r->set_start_from("2025-01-01");
         r->set_start_to("2025-12-31");
       }, registered_2025},
      {[&](v1::ListRecordsRequest* r) { r->set_status(v1::ACTIVE); }, 120},
      {[&](v1::ListRecordsRequest* r) { r->set_status(v1::DELETED); }, 0},
      {[&](v1::ListRecordsRequest* r) { r->set_name_contains("%"); }, 0},
  };
  for (const Filter& filter : filters) {
    v1::ListRecordsRequest filtered;
    filtered.set_kind("returned_students");
    filtered.set_page_size(1000);
    filter.set(&filtered);
    auto page = registry_->List(filtered);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->entries_size(), filter.expected) << filtered.ShortDebugString();
  }

  v1::ListRecordsRequest bad;
  bad.set_kind("returned_students");
  bad.set_page_token("abc");
  EXPECT_EQ(registry_->List(bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad.set_page_token("");
  bad.set_page_size(5000);
  EXPECT_EQ(registry_->List(bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad.set_kind("nope");
  EXPECT_EQ(registry_->List(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedsync
