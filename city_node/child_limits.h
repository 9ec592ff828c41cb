// What one child may put into its parent (DESIGN.md, guarantee 6), beside the limits on
// one message (shared/limits.h): the live cells it may hold here, and the rate of cells
// it may send (a token bucket per child, refilled at cells_per_second up to burst_cells;
// every batch costs its cells, at least 1). A batch over either limit is refused whole
// with kResourceExhausted before it reaches the database; other children are not
// affected.
//
// Live cells are counted by a caller-supplied function (in the node, the counts the
// parent keeps in memory: ChildHub::LiveCells) only when an upper bound kept here would
// reach the limit: the bound grows by each admitted batch's non-deleted cells (an update
// of a held cell counts as new, so it only overestimates) and is counted again near the
// limit. What the count may miss is the batches admitted but not yet acknowledged, which
// the caller passes in, so the limit holds whatever is in flight.
//
// Plain C++, no gRPC; time from a Clock. Thread-safe: the count runs outside the lock.
#ifndef FEDSYNC_CITY_NODE_CHILD_LIMITS_H_
#define FEDSYNC_CITY_NODE_CHILD_LIMITS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "fedsync/v1/federation.pb.h"
#include "shared/clock.h"
#include "shared/limits.h"
#include "shared/token_bucket.h"

namespace fedsync {

struct ChildLimitsConfig {
  int64_t max_cells = kDefaultChildMaxCells;  // live cells one child may hold at this node
  int64_t cells_per_second = kDefaultChildCellsPerSecond;  // sustained, from one child
  int64_t burst_cells = 10 * kDefaultChildCellsPerSecond;  // at once after a pause
};

class ChildLimits {
 public:
  // The live cells held from a child now; an error refuses its batch as kUnavailable.
  using LiveCellCounter = std::function<absl::StatusOr<int64_t>(const std::string& child)>;

  // `clock` must outlive this.
  ChildLimits(ChildLimitsConfig config, LiveCellCounter counter, const Clock* clock);

  // Ok when `batch` from `child` is within its limits (and counts it against them);
  // kResourceExhausted naming the limit when not. `unacknowledged_cells`: non-deleted
  // cells of this child's batches admitted earlier and not acknowledged yet.
  absl::Status AdmitBatch(const std::string& child, const v1::CellBatch& batch,
                          int64_t unacknowledged_cells);

  // The cells of `batch` that may add a live cell (those that are not tombstones).
  static int64_t AddedCells(const v1::CellBatch& batch);

  const ChildLimitsConfig& config() const { return config_; }

 private:
  struct ChildState {
    TokenBucket bucket;
    int64_t held_bound = -1;  // an upper bound of the live cells held; -1: unknown
  };
  ChildState& StateOf(const std::string& child) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the batch's tokens from `state` and adds its cells to the bound.
  absl::Status Take(ChildState& state, const std::string& child, const v1::CellBatch& batch,
                    int64_t added) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ChildLimitsConfig config_;
  const LiveCellCounter counter_;
  const Clock* const clock_;
  absl::Mutex mu_;
  std::map<std::string, ChildState> children_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_CHILD_LIMITS_H_
