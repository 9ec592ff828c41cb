// The rate at which one child may send cells to its parent (DESIGN.md, guarantee 6),
// beside the limits on one message (shared/limits.h): a token bucket per child, refilled
// at cells_per_second up to burst_cells; every batch costs its cells, at least 1. A
// batch over it is refused whole with kResourceExhausted before it reaches the
// database; other children are not affected.
//
// The live cells a child may hold are capped where they can be counted exactly, as its
// batch is stored (ChildCells::set_max_cells_per_child): here, before the database, an
// update of a cell held already cannot be told from a new one.
//
// Plain C++, no gRPC; time from a Clock. Thread-safe.
#ifndef FEDSYNC_CITY_NODE_CHILD_LIMITS_H_
#define FEDSYNC_CITY_NODE_CHILD_LIMITS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "fedsync/v1/federation.pb.h"
#include "shared/clock.h"
#include "shared/limits.h"
#include "shared/token_bucket.h"

namespace fedsync {

struct ChildLimitsConfig {
  int64_t cells_per_second = kDefaultChildCellsPerSecond;  // sustained, from one child
  int64_t burst_cells = 10 * kDefaultChildCellsPerSecond;  // at once after a pause
};

class ChildLimits {
 public:
  // `clock` must outlive this.
  ChildLimits(ChildLimitsConfig config, const Clock* clock);

  // Ok when `batch` from `child` is within its rate (and takes its cells from it);
  // kResourceExhausted naming the rate when not.
  absl::Status AdmitBatch(const std::string& child, const v1::CellBatch& batch);

  const ChildLimitsConfig& config() const { return config_; }

 private:
  const ChildLimitsConfig config_;
  const Clock* const clock_;
  absl::Mutex mu_;
  std::map<std::string, TokenBucket> buckets_ ABSL_GUARDED_BY(mu_);  // by child
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_CHILD_LIMITS_H_
