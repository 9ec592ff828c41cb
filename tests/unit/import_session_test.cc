// A bulk import's exact cells (district_node/import_session.h): the new rows'
// contributions are computed as rows arrive, as period ranges, and corrected in Apply for
// rows that were not new. Whatever the mix — many rows into the same cells, rows
// unchanged or updated, rows skipped, the catalog or the calendar moving on before the
// import finishes — the stored cells equal a full recompute; an import that fails
// changes no cell. The random mix of imports with other writes is
// cell_updater_property_test.cc.
#include "district_node/import_session.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "district_node/cell_updater.h"
#include "district_node/registry.h"
#include "district_node/registry_store.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"
#include "shared/civil_date.h"
#include "shared/demo_data.h"
#include "shared/resident_id.h"
#include "tests/unit/record_test_support.h"
#include "tests/unit/cell_test_support.h"

namespace fedsync {
namespace {

using cell_testing::Differences;
using cell_testing::NoonInChina;
using cell_testing::PrintExact;
using cell_testing::PrintPublished;
using cell_testing::ReadPublished;

v1::Record HardshipCase(int sequence) {
  v1::Record record;
  v1::HardshipCase* h = record.mutable_hardship_case();
  h->set_head_name("王建国");
  h->set_resident_id(MakeResidentId("340103", "19480512", sequence));
  h->set_household_size(2);
  h->set_hardship_type(sequence % 2 == 0 ? v1::SERIOUS_ILLNESS : v1::DISABILITY);
  h->set_filed_date("2021-06-01");
  h->set_status(v1::HARDSHIP_ACTIVE);
  h->set_community("杏花村街道杏花社区");
  return record;
}

// Visit `number` to household `sequence`: one a day from 2025-01-01.
v1::Record AidVisit(int sequence, int number) {
  v1::Record record;
  v1::AidVisit* v = record.mutable_aid_visit();
  v->set_household_resident_id(MakeResidentId("340103", "19480512", sequence));
  v->set_visit_date(FormatDate(absl::CivilDay(2025, 1, 1) + number));
  v->set_aid_kind(number % 3 == 0 ? v1::CONDOLENCE_VISIT : v1::CASH_AID);
  v->set_amount_yuan(100 + number);
  v->set_community("杏花村街道杏花社区");
  return record;
}

class ImportSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = NodeStore::Open(":memory:", DistrictMigrations());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    registry_ = std::make_unique<Registry>(store_.get(), &clock_, &cells_);
  }

  std::vector<v1::Record> Students(int count, uint64_t seed = 5) {
    auto records = GeneratedRecords(*FindRegistryKind("returned_students"), count, seed, 2026);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *records : std::vector<v1::Record>();
  }

  absl::StatusOr<std::unique_ptr<ImportSession>> Begin(const std::vector<v1::Record>& records,
                                                       bool skip_invalid) {
    ImportOptions options;
    options.skip_invalid = skip_invalid;
    auto session = registry_->BeginImport(RegistryKindOf(records.front())->name, options);
    if (!session.ok()) return session.status();
    for (const v1::Record& record : records) {
      absl::Status added = (*session)->Add(record);
      if (!added.ok()) return added;
    }
    return session;
  }

  absl::StatusOr<v1::ImportResponse> Import(const std::vector<v1::Record>& records,
                                            bool skip_invalid = false) {
    auto session = Begin(records, skip_invalid);
    if (!session.ok()) return session.status();
    return registry_->FinishImport("importer", session->get());
  }

  ExactCellMap Stored() {
    absl::StatusOr<ExactCellMap> stored;
    EXPECT_TRUE(store_->Read([&](Database* db) {
      stored = CellUpdater::ReadStored(db);
      return absl::OkStatus();
    }).ok());
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : ExactCellMap();
  }

  CellMap Published() {
    absl::StatusOr<CellMap> published;
    EXPECT_TRUE(store_->Read([&](Database* db) {
      published = ReadPublished(db, *cells_.catalog());
      return absl::OkStatus();
    }).ok());
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? *published : CellMap();
  }

  void ExpectMatchesRecompute(const std::string& context) {
    absl::StatusOr<ExactCellMap> full;
    absl::StatusOr<ContributionMap> shares;
    ASSERT_TRUE(store_->Read([&](Database* db) {
      full = cells_.ComputeAll(db, cells_.Today());
      shares = cells_.ComputeAllShares(db, cells_.Today());
      return absl::OkStatus();
    }).ok());
    ASSERT_TRUE(full.ok()) << full.status();
    ASSERT_TRUE(shares.ok()) << shares.status();
    const ExactCellMap stored = Stored();
    EXPECT_TRUE(stored == *full) << context << ": exact cells differ from a recompute:"
                                 << Differences(stored, *full, PrintExact);
    const CellMap want = FilterForPublication(*cells_.catalog(), *full, *shares);
    const CellMap published = Published();
    EXPECT_TRUE(published == want) << context << ": published cells differ:"
                                   << Differences(published, want, PrintPublished);
  }

  absl::Status EnsureCurrent() {
    return store_->Write([&](Database* db, PublishedCells* published) {
      return cells_.EnsureCurrent(db, published).status();
    });
  }

  ExactCell StoredCell(const std::string& metric, const std::string& period,
                       const std::string& dims = "") {
    const ExactCellMap stored = Stored();
    auto it = stored.find(CellKey{metric, period, dims});
    return it == stored.end() ? ExactCell{} : it->second;
  }

  // The contributors to every cell of `metric` in `period`.
  int64_t Contributors(const std::string& metric, const std::string& period) {
    int64_t total = 0;
    for (const auto& [key, cell] : Stored()) {
      if (key.metric == metric && key.period == period) total += cell.contributors;
    }
    return total;
  }

  FakeClock clock_{NoonInChina(absl::CivilDay(2026, 12, 10))};
  CellUpdater cells_{cell_testing::CatalogWithEveryPeriodType(), &clock_,
                     cell_testing::TestKeyer()};
  std::unique_ptr<NodeStore> store_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(ImportSessionTest, RowsIntoTheSameCellsManyTimesEqualARecompute) {
  ASSERT_TRUE(EnsureCurrent().ok());
  const std::vector<v1::Record> students = Students(800);
  auto imported = Import(students);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->created(), 800);
  ExpectMatchesRecompute("800 new students");
  const ExactCell total = StoredCell("returned_students_total", "2026");
  EXPECT_EQ(total.value, 800);
  EXPECT_EQ(total.contributors, 800);

  // The same file again: nothing changes, the cells neither.
  const ExactCellMap before = Stored();
  auto again = Import(students);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->unchanged(), 800);
  EXPECT_TRUE(Stored() == before) << Differences(Stored(), before, PrintExact);

  // Half of them changed, and 200 new: updates move records between cells.
  std::vector<v1::Record> mixed(students.begin(), students.begin() + 400);
  for (v1::Record& record : mixed) {
    v1::ReturnedStudent* student = record.mutable_returned_student();
    student->set_degree(student->degree() == v1::MASTER ? v1::DOCTORATE : v1::MASTER);
  }
  for (const v1::Record& record : Students(200, /*seed=*/99)) mixed.push_back(record);
  auto updated = Import(mixed);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->updated(), 400);
  EXPECT_EQ(updated->created() + updated->unchanged(), 200);
  ExpectMatchesRecompute("400 changed, 200 more");
}

// Audit rows of created records are written many per statement: each record still has
// its own, at the time of the import, which is also when the record was created.
TEST_F(ImportSessionTest, EveryCreatedRecordHasItsAuditEntry) {
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 12, 10, 3, 4, 5), absl::UTCTimeZone()) +
             absl::Milliseconds(678));
  std::vector<v1::Record> students = Students(150);  // two statements of 64, then 22 rows
  ASSERT_TRUE(Import({students.begin(), students.begin() + 10}).ok());
  students[3].mutable_returned_student()->set_degree(v1::POSTDOCTORAL);
  auto imported = Import(students);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ASSERT_EQ(imported->created(), 140);
  ASSERT_EQ(imported->updated(), 1);
  v1::ListRecordsRequest list;
  list.set_kind("returned_students");
  list.set_page_size(1000);
  auto page = registry_->List(list);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->entries_size(), 150);
  std::map<std::string, int> operations;
  for (const v1::RecordEntry& entry : page->entries()) {
    v1::GetHistoryRequest request;
    request.set_kind("returned_students");
    request.set_id(entry.id());
    auto history = registry_->History(request);
    ASSERT_TRUE(history.ok()) << history.status();
    ASSERT_GE(history->entries_size(), 1) << "record " << entry.id();
    const v1::AuditEntry& first = history->entries(0);
    EXPECT_EQ(first.record_id(), entry.id());
    EXPECT_EQ(first.operator_(), "importer");
    EXPECT_EQ(first.at(), "2026-12-10T03:04:05.678Z");
    EXPECT_EQ(entry.created_at(), first.at()) << "record " << entry.id();
    for (const v1::AuditEntry& audit : history->entries()) ++operations[audit.operation()];
  }
  EXPECT_EQ(operations["import_create"], 150);
  EXPECT_EQ(operations["import_update"], 1);
  EXPECT_EQ(operations.size(), 2u);
}

TEST_F(ImportSessionTest, AnImportThatFailsInTheMiddleChangesNoCell) {
  for (int sequence : {11, 13}) {
    ASSERT_TRUE(registry_->Create("clerk", HardshipCase(sequence)).ok());
  }
  ASSERT_TRUE(Import(Students(50)).ok());
  const ExactCellMap cells_before = Stored();
  const CellMap published_before = Published();
  ASSERT_FALSE(cells_before.empty());

  // Found only while storing: the household of row 150 has no case file. Rows before it
  // were written, and their cells changed, in the transaction that rolls back.
  std::vector<v1::Record> visits;
  for (int number = 0; number < 300; ++number) {
    visits.push_back(AidVisit(number == 149 ? 15 : (number % 2 == 0 ? 11 : 13), number));
  }
  auto orphan = Import(visits);
  ASSERT_EQ(orphan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(orphan.status().message(), "row 150")) << orphan.status();

  // Found as rows arrive: row 250 of 500 is invalid.
  std::vector<v1::Record> students = Students(500, /*seed=*/17);
  students[249].mutable_returned_student()->set_registered_date("2026-02-30");
  auto invalid = Import(students);
  ASSERT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(invalid.status().message(), "row 250")) << invalid.status();

  EXPECT_TRUE(Stored() == cells_before) << Differences(Stored(), cells_before, PrintExact);
  EXPECT_TRUE(Published() == published_before);
  ExpectMatchesRecompute("after two failed imports");
}

// A deleted record changes only once restored, through an import as through
// UpdateRecord: one entered in error would otherwise count again under new dates.
TEST_F(ImportSessionTest, AnImportDoesNotChangeADeletedRecord) {
  std::vector<v1::Record> students = Students(3);
  ASSERT_TRUE(Import(students).ok());
  v1::ListRecordsRequest list;
  list.set_kind("returned_students");
  auto listed = registry_->List(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->entries_size(), 3);
  v1::DeleteRecordRequest remove;
  remove.set_kind("returned_students");
  remove.set_id(listed->entries(0).id());
  remove.set_reason("never studied abroad");
  remove.set_entered_in_error(true);
  ASSERT_TRUE(registry_->Delete("clerk", remove).ok());
  const ExactCellMap before = Stored();
  // The deleted one is the record listed first; change its date in the import.
  v1::Record changed = listed->entries(0).record();
  changed.mutable_returned_student()->set_registered_date("2020-02-01");
  auto refused = Import({changed});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "restore it first"))
      << refused.status();
  auto skipped = Import({changed}, /*skip_invalid=*/true);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->updated(), 0);
  EXPECT_EQ(skipped->error_count(), 1);
  EXPECT_TRUE(Stored() == before);
}

// The same data again for a deleted record is refused like changed data: reporting it
// "unchanged" would tell the operator it is in the registry.
TEST_F(ImportSessionTest, AnUnchangedRowOfADeletedRecordIsRefusedToo) {
  std::vector<v1::Record> students = Students(3);
  ASSERT_TRUE(Import(students).ok());
  v1::GetRecordRequest get;
  get.set_kind("returned_students");
  get.set_key(students[1].returned_student().resident_id());
  auto entry = registry_->Get(get);
  ASSERT_TRUE(entry.ok()) << entry.status();
  v1::DeleteRecordRequest remove;
  remove.set_kind("returned_students");
  remove.set_id(entry->id());
  remove.set_reason("moved away");
  ASSERT_TRUE(registry_->Delete("clerk", remove).ok());
  const ExactCellMap before = Stored();

  auto refused = Import(students);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  EXPECT_TRUE(absl::StartsWith(refused.status().message(), "1 invalid row(s)")) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(),
                                absl::StrCat("row 2: returned_students.resident_id: record ",
                                             entry->id(), " is deleted; restore it first")))
      << refused.status();
  auto skipped = Import(students, /*skip_invalid=*/true);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->unchanged(), 2);
  EXPECT_EQ(skipped->skipped(), 1);
  ASSERT_EQ(skipped->errors_size(), 1);
  EXPECT_EQ(skipped->errors(0).row(), 2);
  EXPECT_TRUE(Stored() == before);
  auto still = registry_->Get(get);
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_EQ(still->status(), v1::DELETED);
}

// Visits to a family whose case file is deleted are refused, naming the field but not
// the resident ID.
TEST_F(ImportSessionTest, VisitsToADeletedHardshipCaseAreRowErrors) {
  auto family = registry_->Create("clerk", HardshipCase(11));
  ASSERT_TRUE(family.ok()) << family.status();
  ASSERT_TRUE(registry_->Create("clerk", HardshipCase(13)).ok());
  v1::DeleteRecordRequest remove;
  remove.set_kind("hardship_cases");
  remove.set_id(family->id());
  remove.set_reason("moved away");
  ASSERT_TRUE(registry_->Delete("clerk", remove).ok());
  const ExactCellMap before = Stored();
  const std::vector<v1::Record> visits = {AidVisit(13, 1), AidVisit(11, 2)};
  auto refused = Import(visits);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(),
                                "row 2: aid_visits.household_resident_id: the hardship case "
                                "with this resident_id is deleted; restore it first"))
      << refused.status();
  EXPECT_FALSE(absl::StrContains(refused.status().message(),
                                 HardshipCase(11).hardship_case().resident_id()));
  EXPECT_TRUE(Stored() == before);
  auto skipped = Import(visits, /*skip_invalid=*/true);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->created(), 1);
  EXPECT_EQ(skipped->skipped(), 1);
  ExpectMatchesRecompute("visits to a deleted case skipped");
}

// A rejection counts rows, not their errors.
TEST_F(ImportSessionTest, ARejectionCountsInvalidRowsNotErrors) {
  std::vector<v1::Record> students = Students(3);
  v1::ReturnedStudent* bad = students[1].mutable_returned_student();
  bad->set_study_country("CN");
  bad->set_name("");
  bad->set_community("");
  auto refused = Import(students);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  EXPECT_TRUE(absl::StartsWith(refused.status().message(), "1 invalid row(s), nothing imported"))
      << refused.status();
  auto skipped = Import(students, /*skip_invalid=*/true);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->error_count(), 3);
  EXPECT_EQ(skipped->skipped(), 1);
}

// Surrounding spaces do not make a second record: the key is of the trimmed text.
TEST_F(ImportSessionTest, SpacesAroundKeyTextDoNotMakeANewRecord) {
  const std::vector<v1::Record> figures = {CommunityFigure()};
  ASSERT_TRUE(Import(figures).ok());
  v1::Record spaced = figures.front();
  v1::CommunityFigure* figure = spaced.mutable_community_figure();
  figure->set_name(absl::StrCat(" \xE3\x80\x80", figure->name(), "\t "));
  figure->set_community(absl::StrCat(figure->community(), " "));
  auto again = Import({spaced});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->created(), 0);
  EXPECT_EQ(again->unchanged(), 1);
  v1::ListRecordsRequest list;
  list.set_kind("community_figures");
  auto listed = registry_->List(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->entries_size(), 1);
  EXPECT_EQ(listed->entries(0).record().community_figure().name(),
            figures.front().community_figure().name());
}

TEST_F(ImportSessionTest, SkippedRowsCountInNoCell) {
  for (int sequence : {11, 13}) {
    ASSERT_TRUE(registry_->Create("clerk", HardshipCase(sequence)).ok());
  }
  std::vector<v1::Record> visits;
  for (int number = 0; number < 120; ++number) {
    visits.push_back(AidVisit(number % 4 == 0 ? 15 : (number % 2 == 0 ? 11 : 13), number));
  }
  visits[7].mutable_aid_visit()->set_amount_yuan(-5);  // invalid as it arrives
  auto imported = Import(visits, /*skip_invalid=*/true);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->created(), 89);
  EXPECT_EQ(imported->skipped(), 31);
  ExpectMatchesRecompute("aid visits with 31 skipped");
}

TEST_F(ImportSessionTest, ACatalogThatChangedBeforeTheImportFinishedIsCountedRowByRow) {
  ASSERT_TRUE(Import(Students(100)).ok());
  auto session = Begin(Students(300, /*seed=*/23), /*skip_invalid=*/false);
  ASSERT_TRUE(session.ok()) << session.status();
  // A newer catalog arrives, and another write brings the cells to it, while the rows
  // of the import were computed under the old one.
  auto newer = Catalog::FromText(absl::StrCat(DefaultCatalogText(), R"pb(
    metrics {
      id: "students_by_degree_monthly"
      registries: "returned_students"
      dimensions { name: "degree" field: "degree" binning: ENUM_NAME }
      time_basis: EVENT
      date_field: "registered_date"
      period_type: MONTH
      disclosure { method: SUPPRESSION threshold: 3 }
    })pb"));
  ASSERT_TRUE(newer.ok()) << newer.status();
  cells_.SetCatalog(*newer);
  ASSERT_TRUE(EnsureCurrent().ok());
  auto imported = registry_->FinishImport("importer", session->get());
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->created(), 300);
  ExpectMatchesRecompute("imported across a catalog change");
  EXPECT_EQ(StoredCell("returned_students_total", "2026").value, 400);
}

TEST_F(ImportSessionTest, ANewYearBeforeTheImportFinishedCountsTheRowsInIt) {
  clock_.Set(NoonInChina(absl::CivilDay(2026, 12, 31)));
  ASSERT_TRUE(Import(Students(100)).ok());
  auto session = Begin(Students(300, /*seed=*/29), /*skip_invalid=*/false);
  ASSERT_TRUE(session.ok()) << session.status();
  clock_.Set(NoonInChina(absl::CivilDay(2027, 1, 1)));
  auto imported = registry_->FinishImport("importer", session->get());
  ASSERT_TRUE(imported.ok()) << imported.status();
  ExpectMatchesRecompute("imported across new year");
  EXPECT_EQ(StoredCell("returned_students_total", "2027").value, 400);
  EXPECT_EQ(Contributors("students_by_degree_quarterly_perturbed", "2027-Q1"), 400);
}

}  // namespace
}  // namespace fedsync
