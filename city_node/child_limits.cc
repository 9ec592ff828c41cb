#include "city_node/child_limits.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace fedsync {

ChildLimits::ChildLimits(ChildLimitsConfig config, const Clock* clock)
    : config_(config), clock_(clock) {}

absl::Status ChildLimits::AdmitBatch(const std::string& child, const v1::CellBatch& batch) {
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(child);
  if (it == buckets_.end()) {
    it = buckets_
             .emplace(child, TokenBucket(static_cast<double>(config_.cells_per_second),
                                         static_cast<double>(config_.burst_cells), clock_->Now()))
             .first;
  }
  // Every batch costs at least one token, so a flood of empty batches is limited too.
  const double cost = std::max<double>(1, batch.cells_size());
  if (!it->second.TryTake(cost, clock_->Now())) {
    return absl::ResourceExhaustedError(
        absl::StrCat("child ", child, " sends faster than its limit of ", config_.cells_per_second,
                     " cells/s (burst ", config_.burst_cells, "); retry later"));
  }
  return absl::OkStatus();
}

}  // namespace fedsync
