#include "city_node/child_limits.h"

#include <limits>

#include "city_node/child_cells.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"
#include "shared/database.h"
#include "shared/limits.h"
#include "shared/migrations.h"
#include "shared/privacy_parameters.h"

namespace fedsync {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

v1::CellBatch Batch(int cells, int tombstones = 0) {
  v1::CellBatch batch;
  for (int i = 0; i < cells + tombstones; ++i) {
    v1::Cell* cell = batch.add_cells();
    cell->set_metric("m");
    cell->set_seq(i + 1);
    cell->set_deleted(i >= cells);
  }
  return batch;
}

TEST(ChildLimitsTest, RateIsATokenBucketPerChild) {
  FakeClock clock(kStart);
  ChildLimits limits({/*cells_per_second=*/100, /*burst_cells=*/300}, &clock);
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(300)).ok());
  absl::Status fast = limits.AdmitBatch("a", Batch(1));
  EXPECT_EQ(fast.code(), absl::StatusCode::kResourceExhausted) << fast;
  EXPECT_NE(fast.message().find("100 cells/s"), absl::string_view::npos) << fast;
  // An empty batch costs one cell: a flood of them is limited too; so do tombstones.
  EXPECT_FALSE(limits.AdmitBatch("a", Batch(0)).ok());
  EXPECT_TRUE(limits.AdmitBatch("b", Batch(0, 300)).ok());
  EXPECT_FALSE(limits.AdmitBatch("b", Batch(0, 1)).ok());
  clock.Advance(absl::Seconds(2));
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(200)).ok());
  EXPECT_FALSE(limits.AdmitBatch("a", Batch(1)).ok());
}

TEST(ChildLimitsTest, CellValuesBeyondTheBoundAreInvalidSoSumsCannotOverflow) {
  const std::shared_ptr<const Catalog> catalog = Catalog::Default();
  const DimensionDomains domains(*catalog);
  const v1::MetricDef& metric = catalog->proto().metrics(0);
  v1::Cell cell;
  cell.set_metric(metric.id());
  cell.set_period("2025");
  for (const v1::Dimension& dimension : metric.dimensions()) {
    v1::DimensionValue* dim = cell.add_dims();
    dim->set_key(dimension.name());
    dim->set_value(DimensionValues(metric, dimension).front());
  }
  cell.set_status(v1::OK);
  cell.set_seq(1);
  for (int64_t value : {int64_t{0}, kMaxCellValue, -kMaxCellValue}) {
    cell.set_value(value);
    EXPECT_TRUE(ChildCells::ValidateCell(*catalog, domains, cell).ok()) << value;
  }
  for (int64_t value : {kMaxCellValue + 1, -kMaxCellValue - 1, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max()}) {
    cell.set_value(value);
    absl::Status status = ChildCells::ValidateCell(*catalog, domains, cell);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << value;
  }
}

}  // namespace
}  // namespace fedsync
