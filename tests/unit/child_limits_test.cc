#include "city_node/child_limits.h"

#include <limits>
#include <map>

#include "city_node/child_cells.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"
#include "shared/database.h"
#include "shared/limits.h"
#include "shared/migrations.h"

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

// Live cells as a database would hold them, and how often they were counted.
struct FakeHoldings {
  std::map<std::string, int64_t> held;
  int counts = 0;
  ChildLimits::LiveCellCounter Counter() {
    return [this](const std::string& child) -> absl::StatusOr<int64_t> {
      ++counts;
      return held[child];
    };
  }
};

TEST(ChildLimitsTest, CellsHeldPerChildAreCappedAndOtherChildrenUnaffected) {
  FakeClock clock(kStart);
  FakeHoldings holdings;
  ChildLimits limits({/*max_cells=*/100, /*cells_per_second=*/1'000'000,
                      /*burst_cells=*/1'000'000},
                     holdings.Counter(), &clock);
  holdings.held["a"] = 60;
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(40), 0).ok());
  EXPECT_EQ(holdings.counts, 1);
  // The 40 are not acknowledged yet: the stream says so.
  absl::Status over = limits.AdmitBatch("a", Batch(1), /*unacknowledged_cells=*/40);
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted) << over;
  EXPECT_NE(over.message().find("limit of 100 cells"), absl::string_view::npos) << over;
  // Tombstones only take cells away: always within the cap.
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(0, 30), 0).ok());
  // Another child is counted on its own.
  EXPECT_TRUE(limits.AdmitBatch("b", Batch(100), 0).ok());

  // Once the 40 are applied (held 100, nothing in flight), still full; after the
  // tombstones are applied, there is room again.
  holdings.held["a"] = 100;
  EXPECT_FALSE(limits.AdmitBatch("a", Batch(1), 0).ok());
  holdings.held["a"] = 70;
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(30), 0).ok());
}

TEST(ChildLimitsTest, BatchesInFlightCountAgainstTheCap) {
  FakeClock clock(kStart);
  FakeHoldings holdings;
  ChildLimits limits({100, 1'000'000, 1'000'000}, holdings.Counter(), &clock);
  holdings.held["a"] = 10;
  // The database shows 10, but 80 more are admitted and not yet acknowledged.
  absl::Status over = limits.AdmitBatch("a", Batch(20), /*unacknowledged_cells=*/80);
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted) << over;
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(10), 80).ok());
}

TEST(ChildLimitsTest, CountsOnlyNearTheLimit) {
  FakeClock clock(kStart);
  FakeHoldings holdings;
  ChildLimits limits({1000, 1'000'000, 1'000'000}, holdings.Counter(), &clock);
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(limits.AdmitBatch("a", Batch(100), 0).ok());
  EXPECT_EQ(holdings.counts, 1);  // the first batch: nothing known yet
  // The bound says 900; the database holds fewer (updates of the same cells), so the
  // bound is re-read rather than the batch refused.
  holdings.held["a"] = 300;
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(200), 0).ok());
  EXPECT_EQ(holdings.counts, 2);
}

TEST(ChildLimitsTest, RateIsATokenBucketPerChild) {
  FakeClock clock(kStart);
  FakeHoldings holdings;
  ChildLimits limits({1'000'000, /*cells_per_second=*/100, /*burst_cells=*/300}, holdings.Counter(),
                     &clock);
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(300), 0).ok());
  absl::Status fast = limits.AdmitBatch("a", Batch(1), 0);
  EXPECT_EQ(fast.code(), absl::StatusCode::kResourceExhausted) << fast;
  EXPECT_NE(fast.message().find("100 cells/s"), absl::string_view::npos) << fast;
  // An empty batch costs one cell: a flood of them is limited too.
  EXPECT_FALSE(limits.AdmitBatch("a", Batch(0), 0).ok());
  EXPECT_TRUE(limits.AdmitBatch("b", Batch(300), 0).ok());
  clock.Advance(absl::Seconds(2));
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(200), 0).ok());
  EXPECT_FALSE(limits.AdmitBatch("a", Batch(1), 0).ok());
}

TEST(ChildLimitsTest, ARefusedBatchTakesNoTokensAndAFailedCountRefusesAsUnavailable) {
  FakeClock clock(kStart);
  bool fail = false;
  int64_t held = 0;
  ChildLimits limits(
      {100, 100, 300},
      [&](const std::string&) -> absl::StatusOr<int64_t> {
        if (fail) return absl::InternalError("disk");
        return held;
      },
      &clock);
  held = 100;
  EXPECT_FALSE(limits.AdmitBatch("a", Batch(50), 0).ok());
  held = 0;
  EXPECT_TRUE(limits.AdmitBatch("a", Batch(100), 0).ok());  // the bucket is still full
  fail = true;
  EXPECT_EQ(limits.AdmitBatch("b", Batch(1), 0).code(), absl::StatusCode::kUnavailable);
}

TEST(ChildLimitsTest, CellValuesBeyondTheBoundAreInvalidSoSumsCannotOverflow) {
  const std::shared_ptr<const Catalog> catalog = Catalog::Default();
  v1::Cell cell;
  cell.set_metric(catalog->proto().metrics(0).id());
  cell.set_period("2025");
  for (const v1::Dimension& dimension : catalog->proto().metrics(0).dimensions()) {
    v1::DimensionValue* dim = cell.add_dims();
    dim->set_key(dimension.name());
    dim->set_value("x");
  }
  cell.set_status(v1::OK);
  cell.set_seq(1);
  for (int64_t value : {int64_t{0}, kMaxCellValue, -kMaxCellValue}) {
    cell.set_value(value);
    EXPECT_TRUE(ChildCells::ValidateCell(*catalog, cell).ok()) << value;
  }
  for (int64_t value : {kMaxCellValue + 1, -kMaxCellValue - 1, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max()}) {
    cell.set_value(value);
    absl::Status status = ChildCells::ValidateCell(*catalog, cell);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << value;
  }
}

}  // namespace
}  // namespace fedsync
