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
#include "shared/privacy_filter.h"

namespace fedsync {
namespace {

constexpr char kMetric[] = "returned_students_total";  // SUPPRESSION, threshold 3

// One parent node's database and its children's cells.
class Parent {
 public:
  Parent() {
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
    out->set_metric(kMetric);
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
    auto cells = ReadPublishedCells(db_.get(), kMetric, "2026");
    EXPECT_TRUE(cells.ok());
    EXPECT_EQ(cells->size(), 1u);
    return cells->empty() ? CellValue{} : CellValue{(*cells)[0].value(), (*cells)[0].status()};
  }

  // Every child cell this node holds, as an operator could read it.
  std::vector<std::pair<std::string, CellValue>> Held() const {
    auto cells = ReadChildCells(db_.get(), kMetric, "2026");
    EXPECT_TRUE(cells.ok());
    std::vector<std::pair<std::string, CellValue>> held;
    for (const v1::RollupCell& cell : *cells) {
      held.push_back({cell.node_id(), CellValue{cell.cell().value(), cell.cell().status()}});
    }
    return held;
  }

 private:
  std::unique_ptr<Database> db_;
  std::unique_ptr<PublishedCells> published_;
  CatalogHolder catalogs_{Catalog::Default()};
  ChildCells cells_{&catalogs_};
};

// What a district publishes for a total of `n` records.
CellValue DistrictPublishes(int64_t n) {
  std::optional<CellValue> out =
      FilterCell(*Catalog::Default(), CellKey{kMetric, "2026", ""}, ExactCell{n, n, 0});
  EXPECT_TRUE(out.has_value());
  return out.value_or(CellValue{});
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

}  // namespace
}  // namespace fedsync
