// The exact cells a district keeps (district_node/cell_updater.h): stock at the end of
// past periods stays right while records come, change and leave later; the full
// recompute runs exactly when the stored cells are stale (new or migrated database,
// other catalog, new calendar period). The random property test is
// cell_updater_property_test.cc.
#include "district_node/cell_updater.h"

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "district_node/registry.h"
#include "district_node/registry_store.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"
#include "shared/resident_id.h"
#include "tests/unit/cell_test_support.h"

namespace fedsync {
namespace {

using cell_testing::District;

v1::Record Student(int sequence, const std::string& registered) {
  v1::Record record;
  v1::ReturnedStudent* s = record.mutable_returned_student();
  s->set_name("李明");
  s->set_resident_id(MakeResidentId("340103", "19900512", sequence));
  s->set_gender(ResidentIdIsMale(s->resident_id()) ? v1::MALE : v1::FEMALE);
  s->set_birth_date("1990-05-12");
  s->set_study_country("GB");
  s->set_degree(v1::MASTER);
  s->set_return_year(2017);
  s->set_community("林店街道金池社区");
  s->set_registered_date(registered);
  return record;
}

// The stored exact value of the returned students' total, by year.
std::map<int, int64_t> StudentsByYear(District& district) {
  std::map<int, int64_t> by_year;
  EXPECT_TRUE(district.store().Read([&](Database* db) -> absl::Status {
    auto stored = CellUpdater::ReadStored(db);
    if (!stored.ok()) return stored.status();
    for (const auto& [key, cell] : *stored) {
      if (key.metric == "returned_students_total") by_year[std::stoi(key.period)] = cell.value;
    }
    return absl::OkStatus();
  }).ok());
  return by_year;
}

TEST(CellUpdaterTest, PastStockStaysRightAfterLaterChanges) {
  District district(Catalog::Default(), absl::CivilDay(2026, 3, 10));
  std::map<char, int64_t> ids;
  auto create = [&](char name, int sequence, const std::string& registered) {
    auto created = district.registry().Create("test", Student(sequence, registered));
    ASSERT_TRUE(created.ok()) << created.status();
    ids[name] = created->id();
  };
  auto remove = [&](char name, const std::string& end_date, bool in_error) {
    v1::DeleteRecordRequest request;
    request.set_kind("returned_students");
    request.set_id(ids[name]);
    request.set_reason("test");
    request.set_end_date(end_date);
    request.set_entered_in_error(in_error);
    ASSERT_TRUE(district.registry().Delete("test", request).ok());
  };
  create('A', 11, "2019-05-01");
  create('B', 13, "2020-02-01");
  create('C', 15, "2022-07-01");
  create('D', 17, "2024-01-10");

  struct Step {
    std::string what;
    std::function<void()> action;
    std::map<int, int64_t> expected;  // year -> students in the registry at its end
  };
  const std::vector<Step> steps = {
      {"as created", [] {},
       {{2019, 1}, {2020, 2}, {2021, 2}, {2022, 3}, {2023, 3}, {2024, 4}, {2025, 4}, {2026, 4}}},
      {"a record entering this year leaves past years alone",
       [&] { create('E', 19, "2026-03-01"); },
       {{2019, 1}, {2020, 2}, {2021, 2}, {2022, 3}, {2023, 3}, {2024, 4}, {2025, 4}, {2026, 5}}},
      {"a record leaving today still counts at the end of every past year",
       [&] { remove('A', "", false); },
       {{2019, 1}, {2020, 2}, {2021, 2}, {2022, 3}, {2023, 3}, {2024, 4}, {2025, 4}, {2026, 4}}},
      {"a record that left in mid-2023 counts up to 2022",
       [&] { remove('B', "2023-06-30", false); },
       {{2019, 1}, {2020, 2}, {2021, 2}, {2022, 3}, {2023, 2}, {2024, 3}, {2025, 3}, {2026, 3}}},
      {"backdating a record's entry adds it to the years before",
       [&] {
         v1::UpdateRecordRequest update;
         update.set_id(ids['C']);
         *update.mutable_record() = Student(15, "2018-03-01");
         ASSERT_TRUE(district.registry().Update("test", update).ok());
       },
       {{2018, 1}, {2019, 2}, {2020, 3}, {2021, 3}, {2022, 3}, {2023, 2}, {2024, 3}, {2025, 3},
        {2026, 3}}},
      {"restoring a record that left brings back the years after it left",
       [&] {
         v1::RestoreRecordRequest restore;
         restore.set_kind("returned_students");
         restore.set_id(ids['B']);
         ASSERT_TRUE(district.registry().Restore("test", restore).ok());
       },
       {{2018, 1}, {2019, 2}, {2020, 3}, {2021, 3}, {2022, 3}, {2023, 3}, {2024, 4}, {2025, 4},
        {2026, 4}}},
      {"a new year: last year's stock is kept, this year's starts from it",
       [&] {
         district.clock().Set(cell_testing::NoonInChina(absl::CivilDay(2027, 1, 5)));
         create('F', 21, "2027-01-02");
       },
       {{2018, 1}, {2019, 2}, {2020, 3}, {2021, 3}, {2022, 3}, {2023, 3}, {2024, 4}, {2025, 4},
        {2026, 4}, {2027, 5}}},
      {"a record deleted as entered in error never counted, in any year",
       [&] { remove('D', "", true); },
       {{2018, 1}, {2019, 2}, {2020, 3}, {2021, 3}, {2022, 3}, {2023, 3}, {2024, 3}, {2025, 3},
        {2026, 3}, {2027, 4}}},
  };
  for (const Step& step : steps) {
    step.action();
    EXPECT_EQ(StudentsByYear(district), step.expected) << step.what;
    district.ExpectMatchesRecompute(step.what);
  }
}

TEST(CellUpdaterTest, RecomputesExactlyWhenTheStoredCellsAreStale) {
  District district(Catalog::Default(), absl::CivilDay(2026, 3, 10));
  ASSERT_TRUE(district.registry().Create("test", Student(11, "2019-05-01")).ok());
  auto other = Catalog::FromText(absl::StrCat(DefaultCatalogText(), R"pb(
    metrics {
      id: "returned_students_quarterly"
      registries: "returned_students"
      time_basis: STOCK
      period_type: QUARTER
      disclosure { method: SUPPRESSION threshold: 3 }
    })pb"));
  ASSERT_TRUE(other.ok()) << other.status();
  CellUpdater other_updater(*other, &district.clock());

  struct Case {
    std::string what;
    std::function<void()> before;
    const CellUpdater* updater;
    bool recomputes;
  };
  auto move_to = [&](absl::CivilDay day) {
    return [&district, day] { district.clock().Set(cell_testing::NoonInChina(day)); };
  };
  const Case cases[] = {
      {"computed by the first write already", [] {}, &district.cells(), false},
      {"a day later", move_to(absl::CivilDay(2026, 3, 11)), &district.cells(), false},
      {"the last day of the year (yearly stock only)", move_to(absl::CivilDay(2026, 12, 31)),
       &district.cells(), false},
      {"a new year", move_to(absl::CivilDay(2027, 1, 1)), &district.cells(), true},
      {"checked again", [] {}, &district.cells(), false},
      {"another catalog", [] {}, &other_updater, true},
      {"its quarter rolls over", move_to(absl::CivilDay(2027, 4, 1)), &other_updater, true},
      {"back to the first catalog", [] {}, &district.cells(), true},
  };
  for (const Case& c : cases) {
    c.before();
    bool recomputed = false;
    ASSERT_TRUE(district.store().Write([&](Database* db, PublishedCells* published) -> absl::Status {
      auto result = c.updater->EnsureCurrent(db, published);
      if (!result.ok()) return result.status();
      recomputed = *result;
      return absl::OkStatus();
    }).ok());
    EXPECT_EQ(recomputed, c.recomputes) << c.what;
  }
  district.ExpectMatchesRecompute("after the checks");
}

// A database from before the exact cells existed (schema version 2) gets them at its
// first check after the migration.
TEST(CellUpdaterTest, DatabaseFromBeforeTheExactCellsIsComputedOnOpen) {
  const std::string path =
      ::testing::TempDir() + "/cell_updater_test_" + std::to_string(::getpid()) + ".db";
  auto remove_files = [&] {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  };
  remove_files();
  {
    const Migrations version2(DistrictMigrations().begin(), DistrictMigrations().begin() + 2);
    auto old = NodeStore::Open(path, version2);
    ASSERT_TRUE(old.ok()) << old.status();
    ASSERT_TRUE((*old)->Write([](Database* db, PublishedCells*) -> absl::Status {
      const RegistryKind& kind = *FindRegistryKind("returned_students");
      auto table = RegistryTable::Prepare(db, kind);
      if (!table.ok()) return table.status();
      for (int sequence : {11, 13, 15}) {
        const v1::Record record = Student(sequence, "2021-01-04");
        auto id = table->Insert(ColumnsOf(kind, RecordPayload(record)));
        if (!id.ok()) return id.status();
      }
      return absl::OkStatus();
    }).ok());
  }
  FakeClock clock(cell_testing::NoonInChina(absl::CivilDay(2026, 3, 10)));
  CellUpdater cells(Catalog::Default(), &clock);
  auto store = NodeStore::Open(path, DistrictMigrations());
  ASSERT_TRUE(store.ok()) << store.status();
  bool recomputed = false;
  ASSERT_TRUE((*store)->Write([&](Database* db, PublishedCells* published) -> absl::Status {
    auto result = cells.EnsureCurrent(db, published);
    if (!result.ok()) return result.status();
    recomputed = *result;
    return absl::OkStatus();
  }).ok());
  EXPECT_TRUE(recomputed);
  ASSERT_TRUE((*store)->Read([&](Database* db) -> absl::Status {
    auto stored = CellUpdater::ReadStored(db);
    if (!stored.ok()) return stored.status();
    auto it = stored->find(CellKey{"returned_students_total", "2026", ""});
    EXPECT_TRUE(it != stored->end() && it->second.value == 3);
    return absl::OkStatus();
  }).ok());
  EXPECT_GT((*store)->max_seq(), 0u) << "published";
  store->reset();
  remove_files();
}

}  // namespace
}  // namespace fedsync
