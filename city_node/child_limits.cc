#include "city_node/child_limits.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "shared/status_macros.h"

namespace fedsync {
ChildLimits::ChildLimits(ChildLimitsConfig config, LiveCellCounter counter, const Clock* clock)
    : config_(config), counter_(std::move(counter)), clock_(clock) {}

int64_t ChildLimits::AddedCells(const v1::CellBatch& batch) {
  return std::count_if(batch.cells().begin(), batch.cells().end(),
                       [](const v1::Cell& cell) { return !cell.deleted(); });
}

ChildLimits::ChildState& ChildLimits::StateOf(const std::string& child) {
  auto it = children_.find(child);
  if (it == children_.end()) {
    it = children_
             .emplace(child, ChildState{TokenBucket(static_cast<double>(config_.cells_per_second),
                                                    static_cast<double>(config_.burst_cells),
                                                    clock_->Now())})
             .first;
  }
  return it->second;
}

absl::Status ChildLimits::Take(ChildState& state, const std::string& child,
                               const v1::CellBatch& batch, int64_t added) {
  // Every batch costs at least one token, so a flood of empty batches is limited too.
  const double cost = std::max<double>(1, batch.cells_size());
  if (!state.bucket.TryTake(cost, clock_->Now())) {
    return absl::ResourceExhaustedError(
        absl::StrCat("child ", child, " sends faster than its limit of ", config_.cells_per_second,
                     " cells/s (burst ", config_.burst_cells, "); retry later"));
  }
  if (state.held_bound >= 0) state.held_bound += added;
  return absl::OkStatus();
}

absl::Status ChildLimits::AdmitBatch(const std::string& child, const v1::CellBatch& batch,
                                     int64_t unacknowledged_cells) {
  const int64_t added = AddedCells(batch);
  {
    absl::MutexLock lock(&mu_);
    ChildState& state = StateOf(child);
    if (added == 0 || (state.held_bound >= 0 && state.held_bound + added <= config_.max_cells)) {
      return Take(state, child, batch, added);
    }
  }
  // Near the limit, or not known yet: count what is held, without the lock.
  absl::StatusOr<int64_t> count = counter_(child);
  if (!count.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot count the cells held from ", child, ": ", count.status().message()));
  }
  absl::MutexLock lock(&mu_);
  ChildState& state = StateOf(child);
  state.held_bound = *count + unacknowledged_cells;
  if (state.held_bound + added > config_.max_cells) {
    return absl::ResourceExhaustedError(
        absl::StrCat("child ", child, " holds ", state.held_bound, " cells here; ", added,
                     " more would pass its limit of ", config_.max_cells, " cells"));
  }
  return Take(state, child, batch, added);
}

}  // namespace fedsync
