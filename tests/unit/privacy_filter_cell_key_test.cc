// Cell-key perturbation in the district's pipeline: the catalog's CELL_KEY parameters,
// FilterCell's PERTURBED output, the node secret kept in the district database, the same
// published values after a restart, and the time adversary (two releases around one
// changed record do not reveal the change exactly).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "district_node/node_secret.h"
#include "district_node/registry_store.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"
#include "shared/cell_key_table.h"
#include "shared/privacy_filter.h"
#include "shared/registry_kinds.h"
#include "shared/resident_id.h"
#include "shared/status_macros.h"
#include "tests/unit/cell_test_support.h"

namespace fedsync {
namespace {

using cell_testing::District;

std::shared_ptr<const Catalog> CellKeyCatalog(const std::string& disclosure) {
  auto catalog = Catalog::FromText(absl::StrCat(
      R"pb(
        version: 1
        metrics { id: "students_perturbed" registries: "returned_students" time_basis: STOCK
                  period_type: YEAR
                  disclosure { method: CELL_KEY)pb",
      disclosure, R"pb(}
                       }
    metrics {
      id: "students_by_degree_perturbed"
      registries: "returned_students"
      dimensions { name: "degree" field: "degree" binning: ENUM_NAME }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: CELL_KEY }
    }
  )pb"));
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return catalog.ok() ? *catalog : nullptr;
}

TEST(CellKeyCatalogTest, ParametersAreCheckedWhenTheCatalogLoads) {
  struct Case {
    std::string disclosure;
    bool ok;
  };
  const Case cases[] = {
      {"", true},
      {"max_noise: 3 variance_numerator: 2 variance_denominator: 1 forbidden_up_to: 2", true},
      {"max_noise: 2 variance_numerator: 21 variance_denominator: 20 forbidden_up_to: 1", true},
      {"max_noise: 9", false},
      {"max_noise: -1", false},
      {"variance_numerator: 3", false},  // half of V
      {"variance_numerator: -1 variance_denominator: 2", false},
      {"forbidden_up_to: 3", false},                                          // js > D
      {"max_noise: 1 variance_numerator: 2 variance_denominator: 1", false},  // V > D^2
  };
  for (const Case& c : cases) {
    auto catalog = Catalog::FromText(absl::StrCat(
        "version: 1 metrics { id: \"m\" registries: \"returned_students\" time_basis: STOCK "
        "period_type: YEAR disclosure { method: CELL_KEY ",
        c.disclosure, " } }"));
    EXPECT_EQ(catalog.ok(), c.ok) << c.disclosure << ": " << catalog.status();
  }
}

TEST(CellKeyFilterTest, PublishesPerturbedCountsWithinTheTable) {
  std::shared_ptr<const Catalog> catalog = CellKeyCatalog("");
  ASSERT_NE(catalog, nullptr);
  const CellKey key{"students_perturbed", "2026", ""};
  std::set<int> noises;
  for (int64_t value : {1, 2, 3, 5, 40}) {
    for (uint32_t cell_key = 0; cell_key < 4000; ++cell_key) {
      const uint32_t spread = cell_key * 1073741u;  // keys across the whole range
      std::optional<CellValue> out = FilterCell(*catalog, key, ExactCell{value, value, spread});
      ASSERT_TRUE(out.has_value());
      EXPECT_EQ(out->status, v1::PERTURBED);
      EXPECT_EQ(out->value, privacy::PerturbationTable::Default().Perturb(value, spread).value());
      EXPECT_LE(std::abs(out->value - value), 2);
      EXPECT_NE(out->value, 1) << "js = 1: a published count is never 1";
      EXPECT_GE(out->value, 0);
      noises.insert(static_cast<int>(out->value - value));
    }
  }
  EXPECT_EQ(noises, (std::set<int>{-2, -1, 0, 1, 2}));
  // Nothing to publish without contributors, as for every method.
  EXPECT_FALSE(FilterCell(*catalog, key, ExactCell{}).has_value());
}

v1::Record Student(int sequence, v1::Degree degree) {
  v1::Record record;
  v1::ReturnedStudent* s = record.mutable_returned_student();
  s->set_name("王芳");
  s->set_resident_id(MakeResidentId("340104", "19920304", sequence));
  s->set_gender(ResidentIdIsMale(s->resident_id()) ? v1::MALE : v1::FEMALE);
  s->set_birth_date("1992-03-04");
  s->set_study_country("DE");
  s->set_degree(degree);
  s->set_return_year(2019);
  s->set_community("林店街道金池社区");
  s->set_registered_date("2020-06-01");
  return record;
}

// A district on a database file, as district_node opens it: the secret from the file.
struct FileDistrict {
  explicit FileDistrict(const std::string& path, std::shared_ptr<const Catalog> catalog)
      : clock(cell_testing::NoonInChina(absl::CivilDay(2026, 11, 30))) {
    auto opened = NodeStore::Open(path, DistrictMigrations());
    EXPECT_TRUE(opened.ok()) << opened.status();
    store = std::move(*opened);
    EXPECT_TRUE(store
                    ->Write([&](Database* db, PublishedCells*) -> absl::Status {
                      ASSIGN_OR_RETURN(secret, LoadOrCreateRecordKeySecret(db));
                      return absl::OkStatus();
                    })
                    .ok());
    auto keyer = privacy::RecordKeyer::Create(secret);
    EXPECT_TRUE(keyer.ok());
    cells = std::make_unique<CellUpdater>(std::move(catalog), &clock,
                                          std::make_shared<const privacy::RecordKeyer>(*keyer));
    registry = std::make_unique<Registry>(store.get(), &clock, cells.get());
  }
  FakeClock clock;
  std::string secret;
  std::unique_ptr<NodeStore> store;
  std::unique_ptr<CellUpdater> cells;
  std::unique_ptr<Registry> registry;
};

TEST(CellKeyPipelineTest, SameRecordsPublishTheSameValuesAfterARestart) {
  std::shared_ptr<const Catalog> catalog = CellKeyCatalog("");
  ASSERT_NE(catalog, nullptr);
  const std::string dir = ::testing::TempDir() + "/cell_key_restart_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  CellMap before;
  std::string secret;
  {
    FileDistrict district(dir + "/luyang.db", catalog);
    secret = district.secret;
    EXPECT_EQ(secret.size(), 32u);
    for (int i = 0; i < 30; ++i) {
      auto created = district.registry->Create(
          "test", Student(2 * i + 1, i % 3 == 0 ? v1::DOCTORATE : v1::MASTER));
      ASSERT_TRUE(created.ok()) << created.status();
    }
    auto published = cell_testing::ReadPublished(*district.store, *catalog);
    ASSERT_TRUE(published.ok());
    before = *published;
  }
  ASSERT_FALSE(before.empty());
  for (const auto& [key, value] : before) EXPECT_EQ(value.status, v1::PERTURBED) << key.metric;
  {
    // A restart: the same secret from the file, and a full recompute from the records
    // gives exactly what the incremental writes published.
    FileDistrict district(dir + "/luyang.db", catalog);
    EXPECT_EQ(district.secret, secret);
    ASSERT_TRUE(
        district.store
            ->Write([&](Database* db, PublishedCells* published) {
              return district.cells->Recompute(db, published, district.cells->Today()).status();
            })
            .ok());
    auto after = cell_testing::ReadPublished(*district.store, *catalog);
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(*after == before);
  }
  // Another district database draws its own secret.
  FileDistrict other(dir + "/yaohai.db", catalog);
  EXPECT_NE(other.secret, secret);
  std::filesystem::remove_all(dir);
}

TEST(CellKeyPipelineTest, IncrementalKeysMatchARecomputeAndReturnWithTheRecords) {
  std::shared_ptr<const Catalog> catalog = CellKeyCatalog("");
  ASSERT_NE(catalog, nullptr);
  District district(catalog, absl::CivilDay(2026, 11, 30));
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(district.registry().Create("test", Student(2 * i + 1, v1::MASTER)).ok());
  }
  district.ExpectMatchesRecompute("12 students");
  auto before = cell_testing::ReadPublished(district.store(), *catalog);
  ASSERT_TRUE(before.ok());
  auto created = district.registry().Create("test", Student(99, v1::MASTER));
  ASSERT_TRUE(created.ok());
  district.ExpectMatchesRecompute("one more");
  v1::DeleteRecordRequest remove;
  remove.set_kind("returned_students");
  remove.set_id(created->id());
  remove.set_reason("test");
  remove.set_entered_in_error(true);
  ASSERT_TRUE(district.registry().Delete("test", remove).ok());
  district.ExpectMatchesRecompute("and gone again");
  // The same set of records again: the same keys, the same noise, nothing new learnt.
  auto after = cell_testing::ReadPublished(district.store(), *catalog);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(*after == *before);
}

// The time adversary: a cell of n records is released, one record joins, the cell is
// released again. Over many districts (secrets), the difference of the two releases
// equals the true change (+1) only about as often as two independent noises coincide
// (sum of p(v)^2 = 0.2645 for the default table), and is often something else in both
// directions. Deterministic: the secrets are fixed.
TEST(CellKeyPipelineTest, TimeAdversaryCannotReadTheChangeExactly) {
  std::shared_ptr<const Catalog> catalog = CellKeyCatalog("");
  ASSERT_NE(catalog, nullptr);
  const CellKey key{"students_perturbed", "2026", ""};
  constexpr int kTrials = 3000;
  std::map<int64_t, int> differences;
  for (int trial = 0; trial < kTrials; ++trial) {
    auto keyer = privacy::RecordKeyer::Create(
        absl::StrCat("district secret ", trial, " padded to 32 bytes at least"));
    ASSERT_TRUE(keyer.ok());
    const int64_t n = 5 + trial % 20;
    ExactCell cell;
    for (int64_t i = 0; i < n; ++i) {
      cell.value += 1;
      cell.contributors += 1;
      cell.perturbation_key += keyer->KeyOf(absl::StrCat("returned_students:", i));
    }
    const int64_t first = FilterCell(*catalog, key, cell)->value;
    cell.value += 1;
    cell.contributors += 1;
    cell.perturbation_key += keyer->KeyOf("returned_students:newcomer");
    const int64_t second = FilterCell(*catalog, key, cell)->value;
    ++differences[second - first];
  }
  const double exact_share = static_cast<double>(differences[1]) / kTrials;
  EXPECT_GT(exact_share, 0.20);
  EXPECT_LT(exact_share, 0.33) << "the difference reveals the change too often";
  EXPECT_GT(differences[0] + differences[-1] + differences[-2], kTrials / 10)
      << "a record joined, yet the releases must often not even go up";
  EXPECT_GT(differences[3] + differences[4] + differences[5], kTrials / 20);
  for (const auto& [difference, count] : differences) {
    EXPECT_LE(std::abs(difference - 1), 4) << "noise is bounded by D on each release";
  }
}

// A district database of schema version 5 whose exact cells were current (keys did not
// exist yet) is migrated to version 6: the migration forgets the catalog the cells were
// computed under, so the next check recomputes them all, perturbation keys included.
TEST(CellKeyPipelineTest, MigrationToVersion6RecomputesTheKeys) {
  std::shared_ptr<const Catalog> catalog = CellKeyCatalog("");
  ASSERT_NE(catalog, nullptr);
  const absl::CivilDay today(2026, 11, 30);
  // The state rows a current version-6 database holds for these records and catalog.
  std::map<std::string, std::string> current_state;
  {
    District reference(catalog, today);
    for (int sequence : {11, 13, 15}) {
      ASSERT_TRUE(reference.registry().Create("test", Student(sequence, v1::MASTER)).ok());
    }
    ASSERT_TRUE(reference.store().Read([&](Database* db) -> absl::Status {
      ASSIGN_OR_RETURN(Statement rows, db->Prepare("SELECT key, value FROM exact_cells_state"));
      while (true) {
        ASSIGN_OR_RETURN(bool row, rows.Step());
        if (!row) break;
        current_state[rows.ColumnText(0)] = rows.ColumnText(1);
      }
      return absl::OkStatus();
    }).ok());
  }
  ASSERT_EQ(current_state.count("catalog"), 1u);
  const std::string path =
      ::testing::TempDir() + "/cell_key_migration_" + std::to_string(::getpid()) + ".db";
  auto remove_files = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  };
  remove_files();
  {
    const Migrations version5(DistrictMigrations().begin(), DistrictMigrations().begin() + 5);
    auto old = NodeStore::Open(path, version5);
    ASSERT_TRUE(old.ok()) << old.status();
    ASSERT_TRUE((*old)->Write([&](Database* db, PublishedCells*) -> absl::Status {
      const RegistryKind& kind = *FindRegistryKind("returned_students");
      ASSIGN_OR_RETURN(RegistryTable table, RegistryTable::Prepare(db, kind));
      for (int sequence : {11, 13, 15}) {
        const v1::Record record = Student(sequence, v1::MASTER);
        RETURN_IF_ERROR(table.Insert(ColumnsOf(kind, RecordPayload(record))).status());
      }
      // The exact cells as version 5 kept them, and state saying they are current.
      RETURN_IF_ERROR(db->Execute(
          "INSERT INTO exact_cells VALUES('students_perturbed', '2026', '', 3, 3)"));
      ASSIGN_OR_RETURN(Statement state,
                       db->Prepare("INSERT INTO exact_cells_state(key, value) VALUES(?, ?)"));
      for (const auto& [key, value] : current_state) {
        state.Reset();
        state.Bind(1, key).Bind(2, value);
        RETURN_IF_ERROR(state.Run());
      }
      return absl::OkStatus();
    }).ok());
  }
  FakeClock clock(cell_testing::NoonInChina(today));
  CellUpdater cells(catalog, &clock, cell_testing::TestKeyer());
  auto store = NodeStore::Open(path, DistrictMigrations());
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<bool> recomputed;
  ASSERT_TRUE((*store)->Write([&](Database* db, PublishedCells* published) -> absl::Status {
    recomputed = cells.EnsureCurrent(db, published);
    return recomputed.status();
  }).ok());
  EXPECT_TRUE(*recomputed) << "the migration must make the stored cells stale";
  ASSERT_TRUE((*store)->Read([&](Database* db) -> absl::Status {
    ASSIGN_OR_RETURN(ExactCellMap stored, CellUpdater::ReadStored(db));
    ASSIGN_OR_RETURN(ExactCellMap full, cells.ComputeAll(db, today));
    EXPECT_TRUE(stored == full);
    auto it = stored.find(CellKey{"students_perturbed", "2026", ""});
    EXPECT_TRUE(it != stored.end() && it->second.value == 3 && it->second.perturbation_key != 0);
    return absl::OkStatus();
  }).ok());
  store->reset();
  remove_files();
}

}  // namespace
}  // namespace fedsync
