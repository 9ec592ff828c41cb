// Catalog distribution across real processes: a newer catalog pushed at the province
// reaches the city and its district, each reports the version it runs, the new metric
// is computed and rolled up, and an older or an unsafe catalog is refused.
#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "shared/admin_client.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

constexpr char kNewMetric[] = R"pb(
  metrics {
    id: "returned_students_by_employer"
    title_en: "Returned overseas students by employer type"
    title_zh: "归国留学人员(按就业单位类型)"
    registries: "returned_students"
    dimensions { name: "employer" field: "employer_type" binning: ENUM_NAME }
    time_basis: STOCK
    period_type: YEAR
    disclosure { method: SUPPRESSION threshold: 3 }
  }
)pb";

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tree = StartDemoTree(dir_);
    ASSERT_TRUE(tree.ok()) << tree.status();
    province_ = std::move(tree->province);
    city_ = std::move(tree->city);
    luyang_ = std::move(tree->luyang);
  }

  // The province's catalog as text, with `version` and `extra` appended.
  std::string CatalogFile(const std::string& name, int version, const std::string& extra) {
    CommandOutput shown = RunFedctl(province_->address(), "anhui", {"catalog", "show"});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    // Drop the version line; the file states its own.
    std::string text = shown.out;
    if (absl::StartsWith(text, "version:")) text = text.substr(text.find('\n') + 1);
    const std::string path = dir_.File(name);
    std::ofstream(path) << "version: " << version << "\n" << text << extra;
    return path;
  }

  // `fedctl catalog push` of `file` to node `id` at `at`.
  CommandOutput Push(const std::string& at, const std::string& id, const std::string& file) {
    return RunFedctl(at, id, {"catalog", "push", file});
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> province_, city_, luyang_;
};

TEST_F(CatalogTest, NewerCatalogReachesEveryNodeAndItsMetricRollsUp) {
  const std::string v2 = CatalogFile("v2.textproto", 2, kNewMetric);
  CommandOutput pushed = Push(province_->address(), "anhui", v2);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;

  absl::Status adopted = WaitFor([&]() -> absl::Status {
    for (const auto& [address, id] :
         std::vector<std::pair<std::string, std::string>>{{province_->address(), "anhui"},
                                                          {city_->address(), "hefei"},
                                                          {luyang_->address(), "luyang"}}) {
      auto status = Admin(address, id).Status();
      if (!status.ok()) return status.status();
      if (status->catalog_version() != 2) {
        return absl::UnavailableError(absl::StrCat(status->node_id(), " runs version ",
                                                   status->catalog_version()));
      }
      for (const v1::ChildStatus& child : status->children()) {
        if (child.catalog_version() != 2) {
          return absl::UnavailableError(child.node_id() + " reported an older version");
        }
      }
    }
    // The new metric is computed at the district and summed above it.
    auto rollup = Admin(province_->address(), "anhui").Rollup("returned_students_by_employer");
    if (!rollup.ok()) return rollup.status();
    if (rollup->cells().empty()) return absl::UnavailableError("no cells of the new metric yet");
    return CheckTreeConverged(province_->address(), "anhui");
  });
  EXPECT_TRUE(adopted.ok()) << adopted;
}

TEST_F(CatalogTest, OlderUnsafeOrMisplacedCatalogsAreRefused) {
  const std::string v2 = CatalogFile("v2.textproto", 2, "");
  ASSERT_EQ(Push(province_->address(), "anhui", v2).exit_code, 0);

  CommandOutput again = Push(province_->address(), "anhui", v2);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(again.err, "not newer")) << again.err;

  const std::string unsafe = CatalogFile(
      "unsafe.textproto", 3,
      R"pb(metrics { id: "students_by_id" registries: "returned_students" time_basis: STOCK
                     period_type: YEAR disclosure { method: SUPPRESSION threshold: 3 }
                     dimensions { name: "who" field: "resident_id" binning: CATEGORY_MAP
                                  categories { key: "x" value: "y" } } })pb");
  CommandOutput refused = Push(province_->address(), "anhui", unsafe);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(refused.err, "students_by_id")) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "resident_id")) << refused.err;

  CommandOutput at_city = Push(city_->address(), "hefei", CatalogFile("v4.textproto", 4, ""));
  EXPECT_EQ(at_city.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(at_city.err, "top of the tree")) << at_city.err;

  auto status = Admin(province_->address(), "anhui").Status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->catalog_version(), 2);
}

// A catalog that would switch a district's filter off is refused where it is pushed,
// naming the metric, and nothing is adopted.
TEST_F(CatalogTest, ACatalogBelowThePrivacyFloorIsRefusedAtTheTop) {
  for (const char* disclosure : {"disclosure { method: NONE } about_persons: false",
                                        "disclosure { method: SUPPRESSION threshold: 1 }"}) {
    const std::string below = CatalogFile(
        "below.textproto", 2,
        absl::StrCat(
            R"pb(metrics { id: "students_exact" registries: "returned_students" time_basis: STOCK
                           period_type: YEAR
                           dimensions { name: "degree" field: "degree" binning: ENUM_NAME })pb",
            disclosure, " }"));
    CommandOutput refused = Push(province_->address(), "anhui", below);
    EXPECT_EQ(refused.exit_code, 1) << disclosure;
    EXPECT_TRUE(absl::StrContains(refused.err, "privacy floor")) << refused.err;
    EXPECT_TRUE(absl::StrContains(refused.err, "students_exact")) << refused.err;
  }
  // A suppressed count of one cell of the default's tables (the doctorates), which the
  // audit could not relate to them, is refused as well.
  const std::string unlinked = CatalogFile(
      "unlinked.textproto", 2,
      "metrics { id: \"doctorates\" registries: \"returned_students\" time_basis: STOCK "
      "period_type: YEAR filters { field: \"degree\" values: \"DOCTORATE\" } "
      "disclosure { method: SUPPRESSION threshold: 3 } }");
  CommandOutput refused = Push(province_->address(), "anhui", unlinked);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(refused.err, "doctorates")) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "suppression audit")) << refused.err;
  auto status = Admin(province_->address(), "anhui").Status();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->catalog_version(), 1);
}

// A district whose floor is above the catalog's threshold suppresses what the catalog
// alone would publish.
TEST_F(CatalogTest, ADistrictRunsTheCatalogAtItsOwnHigherFloor) {
  auto strict = StartNode(dir_, "shushan", "district", "127.0.0.1:0", {},
                          {"--demo-data=luyang", "--min-suppression-threshold=20"});
  ASSERT_TRUE(strict.ok()) << strict.status();
  auto usual = Admin(luyang_->address(), "luyang").Rollup("returned_students_by_region");
  ASSERT_TRUE(usual.ok()) << usual.status();
  auto key = [](const v1::Cell& cell) {
    return absl::StrCat(cell.period(), "/",
                        absl::StrJoin(cell.dims(), ",", [](std::string* out, const auto& dim) {
                          absl::StrAppend(out, dim.key(), "=", dim.value());
                        }));
  };
  std::map<std::string, v1::Cell> usual_cells;
  for (const v1::RollupCell& cell : usual->cells()) usual_cells[key(cell.cell())] = cell.cell();
  auto raised = Admin((*strict)->address(), "shushan").Rollup("returned_students_by_region");
  ASSERT_TRUE(raised.ok()) << raised.status();
  ASSERT_EQ(raised->cells_size(), static_cast<int>(usual_cells.size()));
  int newly_suppressed = 0;
  for (const v1::RollupCell& cell : raised->cells()) {
    const v1::Cell& usual_cell = usual_cells[key(cell.cell())];
    if (usual_cell.status() == v1::OK && usual_cell.value() < 20) {
      EXPECT_EQ(cell.cell().status(), v1::SUPPRESSED) << usual_cell.ShortDebugString();
      ++newly_suppressed;
    }
  }
  EXPECT_GT(newly_suppressed, 0) << "the demo data has no region of 3 to 19 students";
}

// A CELL_KEY metric pushed from the top: the district publishes it PERTURBED, the sums
// above are PERTURBED, and the tree still verifies (verify.h re-derives those statuses).
TEST_F(CatalogTest, CellKeyMetricIsPublishedPerturbedAndRollsUp) {
  const std::string v2 = CatalogFile("v2.textproto", 2, R"pb(
    metrics {
      id: "returned_students_by_employer_perturbed"
      registries: "returned_students"
      dimensions { name: "employer" field: "employer_type" binning: ENUM_NAME }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: CELL_KEY }
    }
  )pb");
  CommandOutput pushed = Push(province_->address(), "anhui", v2);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  absl::Status perturbed = WaitFor([&]() -> absl::Status {
    for (const auto& [address, id] : std::vector<std::pair<std::string, std::string>>{
             {luyang_->address(), "luyang"}, {province_->address(), "anhui"}}) {
      auto rollup = Admin(address, id).Rollup("returned_students_by_employer_perturbed");
      if (!rollup.ok()) return rollup.status();
      if (rollup->cells().empty()) return absl::UnavailableError("no perturbed cells yet");
      for (const v1::RollupCell& cell : rollup->cells()) {
        if (cell.cell().status() != v1::PERTURBED) {
          return absl::UnavailableError(absl::StrCat(cell.node_id(), " has a cell ",
                                                     v1::CellStatus_Name(cell.cell().status())));
        }
        if (cell.cell().value() == 1) return absl::InternalError("a perturbed count of 1");
      }
    }
    return CheckTreeConverged(province_->address(), "anhui");
  });
  EXPECT_TRUE(perturbed.ok()) << perturbed;
}

}  // namespace
}  // namespace fedsync::testing
