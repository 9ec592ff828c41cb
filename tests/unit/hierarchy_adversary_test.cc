// The hierarchy adversary against suppression (Guarantee 2): a district cell that is
// SUPPRESSED travels without its value, so the city's total minus the other districts'
// published values, and the province's total minus the other cities', recover nothing.
// The test builds two worlds that differ only in the suppressed cell's true value and
// checks that everything the city and the province hold is the same in both, and that
// the attacker's difference is the same number in both (so it cannot be the true value).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "city_node/child_cells.h"
#include "gtest/gtest.h"
#include "absl/strings/str_cat.h"
#include "shared/privacy_filter.h"
#include "shared/resident_id.h"
#include "tests/unit/cell_test_support.h"

namespace fedsync {
namespace {

constexpr char kMetric[] = "returned_students_total";  // SUPPRESSION, threshold 3

// One parent node's database and its children's cells.
class Parent {
 public:
  explicit Parent(std::shared_ptr<const Catalog> catalog = Catalog::Default(),
                  std::string metric = kMetric)
      : metric_(std::move(metric)), catalogs_(std::move(catalog)) {
    auto db = Database::Open(":memory:");
    EXPECT_TRUE(db.ok());
    db_ = std::move(*db);
    EXPECT_TRUE(Migrate(db_.get(), CityMigrations()).ok());
    auto published = PublishedCells::Open(db_.get());
    EXPECT_TRUE(published.ok());
    published_ = std::move(*published);
  }

  // `child` sends `cell` (value and status as published) as its whole state.
  void Receive(const std::string& child, const CellValue& cell) {
    v1::Hello hello;
    hello.set_node_id(child);
    hello.set_level(v1::DISTRICT);
    hello.set_epoch(1);
    ASSERT_TRUE(cells_.ApplyHello(db_.get(), published_.get(), hello, 1000).ok());
    v1::CellBatch batch;
    batch.set_batch_id(1);
    v1::Cell* out = batch.add_cells();
    out->set_metric(metric_);
    out->set_period("2026");
    out->set_status(cell.status);
    if (cell.status != v1::SUPPRESSED) out->set_value(cell.value);
    out->set_seq(1);
    auto ack = cells_.ApplyBatch(db_.get(), published_.get(), child, batch, 2000);
    ASSERT_TRUE(ack.ok()) << ack.status();
    ASSERT_EQ(ack->rejected_size(), 0);
  }

  // This node's own published total: what travels further up.
  CellValue Own() const {
    auto cells = ReadPublishedCells(db_.get(), metric_, "2026");
    EXPECT_TRUE(cells.ok());
    EXPECT_EQ(cells->size(), 1u);
    return cells->empty() ? CellValue{} : CellValue{(*cells)[0].value(), (*cells)[0].status()};
  }

  // Every child cell this node holds, as an operator could read it.
  std::vector<std::pair<std::string, CellValue>> Held() const {
    auto cells = ReadChildCells(db_.get(), metric_, "2026");
    EXPECT_TRUE(cells.ok());
    std::vector<std::pair<std::string, CellValue>> held;
    for (const v1::RollupCell& cell : *cells) {
      held.push_back({cell.node_id(), CellValue{cell.cell().value(), cell.cell().status()}});
    }
    return held;
  }

 private:
  std::string metric_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<PublishedCells> published_;
  CatalogHolder catalogs_;
  ChildCells cells_{&catalogs_};
};

// What a district publishes for a total of `n` records.
CellValue DistrictPublishes(int64_t n) {
  const CellKey key{kMetric, "2026", ""};
  CellMap published = FilterForPublication(*Catalog::Default(), {{key, ExactCell{n, n, 0}}});
  EXPECT_EQ(published.count(key), 1u);
  return published[key];
}

struct World {
  std::vector<std::pair<std::string, CellValue>> city_held, province_held;
  CellValue city_total, province_total;
};

// Luyang has `luyang` records (suppressed when 1 or 2); yaohai 12 and shushan 20 in
// Hefei; Wuhu's one district 9.
World Build(int64_t luyang) {
  Parent hefei, wuhu, anhui;
  hefei.Receive("luyang", DistrictPublishes(luyang));
  hefei.Receive("yaohai", DistrictPublishes(12));
  hefei.Receive("shushan", DistrictPublishes(20));
  wuhu.Receive("jinghu", DistrictPublishes(9));
  anhui.Receive("hefei", hefei.Own());
  anhui.Receive("wuhu", wuhu.Own());
  return World{hefei.Held(), anhui.Held(), hefei.Own(), anhui.Own()};
}

TEST(HierarchyAdversaryTest, SuppressedDistrictCellIsNotRecoverableAbove) {
  const World one = Build(1), two = Build(2);
  EXPECT_EQ(DistrictPublishes(1).status, v1::SUPPRESSED);
  EXPECT_EQ(DistrictPublishes(2).status, v1::SUPPRESSED);
  // Everything above the district is identical in both worlds.
  EXPECT_EQ(one.city_held, two.city_held);
  EXPECT_EQ(one.province_held, two.province_held);
  EXPECT_TRUE(one.city_total == two.city_total);
  EXPECT_TRUE(one.province_total == two.province_total);
  EXPECT_EQ(one.city_total.status, v1::PARTIAL);
  EXPECT_EQ(one.province_total.status, v1::PARTIAL);
  // The attack: city total minus the other districts; province minus the other city.
  for (const World* world : {&one, &two}) {
    int64_t others = 0;
    for (const auto& [child, cell] : world->city_held) {
      if (child != "luyang") others += cell.value;
    }
    EXPECT_EQ(world->city_total.value - others, 0) << "recovered a suppressed value";
    int64_t other_cities = 0;
    for (const auto& [child, cell] : world->province_held) {
      if (child != "hefei") other_cities += cell.value;
    }
    EXPECT_EQ(world->province_total.value - other_cities - others, 0);
  }
  // A control: with 3 records the cell is published, and the same attack then only
  // reads what was published anyway.
  const World three = Build(3);
  EXPECT_EQ(three.city_total.status, v1::OK);
  EXPECT_EQ(three.city_total.value, 3 + 12 + 20);
}

// The hierarchy adversary against the noisy methods: the city's total minus the other
// districts' published values, and the province's minus the other city's, recover
// exactly Luyang's published (perturbed or noisy) value, never more: over many
// districts (record keys, or DP draws) it differs from the true count most of the time,
// and every sum above carries the noisy status.
struct NoisyCase {
  const char* method;
  const char* metric;
  v1::CellStatus status;
  int min_differing;  // of kNoisyTrials, how often the recovered value must differ
};

constexpr int kNoisyTrials = 30;

std::shared_ptr<const Catalog> NoisyCatalog() {
  auto catalog = Catalog::FromText(absl::StrCat(DefaultCatalogText(), R"pb(
    metrics {
      id: "students_cell_key" registries: "returned_students"
      time_basis: STOCK period_type: YEAR disclosure { method: CELL_KEY }
    }
    metrics {
      id: "students_dp" registries: "returned_students"
      time_basis: STOCK period_type: YEAR
      disclosure { method: DP epsilon: "1/2" budget: "10" }
    })pb"));
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return *catalog;
}

v1::Record Student(int sequence) {
  v1::Record record;
  v1::ReturnedStudent* s = record.mutable_returned_student();
  s->set_name("孙丽");
  s->set_resident_id(MakeResidentId("340102", "19930707", sequence));
  s->set_gender(ResidentIdIsMale(s->resident_id()) ? v1::MALE : v1::FEMALE);
  s->set_birth_date("1993-07-07");
  s->set_study_country("AU");
  s->set_degree(v1::BACHELOR);
  s->set_return_year(2018);
  s->set_community("林店街道金池社区");
  s->set_registered_date("2026-01-05");
  return record;
}

// What a district with `n` students publishes for `metric`, through its whole pipeline
// (records, exact cells, the filter; the DP ledger), its record keys from `secret`.
CellValue NoisyDistrictPublishes(const std::shared_ptr<const Catalog>& catalog,
                                 const std::string& metric, int n, const std::string& secret) {
  auto keyer = privacy::RecordKeyer::Create(secret);
  EXPECT_TRUE(keyer.ok());
  cell_testing::District district(catalog, absl::CivilDay(2026, 11, 30),
                                  std::make_shared<const privacy::RecordKeyer>(*keyer));
  for (int i = 0; i < n; ++i) {
    auto created = district.registry().Create("test", Student(i + 1));
    EXPECT_TRUE(created.ok()) << created.status();
  }
  CellValue out{0, v1::CELL_STATUS_UNSPECIFIED};
  EXPECT_TRUE(district.store().Read([&](Database* db) -> absl::Status {
    auto cells = ReadPublishedCells(db, metric, "2026");
    if (!cells.ok()) return cells.status();
    EXPECT_EQ(cells->size(), 1u);
    if (!cells->empty()) out = CellValue{(*cells)[0].value(), (*cells)[0].status()};
    return absl::OkStatus();
  }).ok());
  return out;
}

class NoisyHierarchyAdversaryTest : public ::testing::TestWithParam<NoisyCase> {};

TEST_P(NoisyHierarchyAdversaryTest, DifferencesAboveRecoverOnlyThePublishedValue) {
  const NoisyCase& test = GetParam();
  const std::shared_ptr<const Catalog> catalog = NoisyCatalog();
  constexpr int kLuyang = 5;
  int differing = 0;
  for (int trial = 0; trial < kNoisyTrials; ++trial) {
    const std::string secret = absl::StrCat("trial ", trial, " secret, at least 32 bytes long");
    const CellValue luyang = NoisyDistrictPublishes(catalog, test.metric, kLuyang, secret + "L");
    const CellValue yaohai = NoisyDistrictPublishes(catalog, test.metric, 12, secret + "Y");
    const CellValue jinghu = NoisyDistrictPublishes(catalog, test.metric, 9, secret + "J");
    ASSERT_EQ(luyang.status, test.status);
    Parent hefei(catalog, test.metric), wuhu(catalog, test.metric), anhui(catalog, test.metric);
    hefei.Receive("luyang", luyang);
    hefei.Receive("yaohai", yaohai);
    wuhu.Receive("jinghu", jinghu);
    anhui.Receive("hefei", hefei.Own());
    anhui.Receive("wuhu", wuhu.Own());
    EXPECT_EQ(hefei.Own().status, test.status);
    EXPECT_EQ(anhui.Own().status, test.status);
    int64_t others = 0;
    for (const auto& [child, cell] : hefei.Held()) {
      if (child != "luyang") others += cell.value;
    }
    const int64_t from_city = hefei.Own().value - others;
    int64_t other_cities = 0;
    for (const auto& [child, cell] : anhui.Held()) {
      if (child != "hefei") other_cities += cell.value;
    }
    const int64_t from_province = anhui.Own().value - other_cities - others;
    // Post-processing of published values yields the published value, nothing more.
    EXPECT_EQ(from_city, luyang.value);
    EXPECT_EQ(from_province, luyang.value);
    differing += from_city != kLuyang;
  }
  EXPECT_GE(differing, test.min_differing)
      << "the attacker recovered the true count too often";
}

// Cell key (D=2, V=1.05): noise 0 with probability 47/140 for a count of 5, so about 20
// of 30 differ; DP with epsilon 1/2: noise 0 about a quarter of the time.
INSTANTIATE_TEST_SUITE_P(
    Methods, NoisyHierarchyAdversaryTest,
    ::testing::Values(NoisyCase{"cell_key", "students_cell_key", v1::PERTURBED, 10},
                      NoisyCase{"dp", "students_dp", v1::NOISY, 12}),
    [](const ::testing::TestParamInfo<NoisyCase>& info) { return std::string(info.param.method); });

}  // namespace
}  // namespace fedsync
