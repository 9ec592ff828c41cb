#include "shared/call_watchdog.h"

#include <algorithm>

namespace fedsync {

CallWatchdog::CallWatchdog(const Clock* clock, bool start_thread) : clock_(clock) {
  if (start_thread) sweeper_ = std::thread([this] { Run(); });
}

CallWatchdog::~CallWatchdog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (sweeper_.joinable()) sweeper_.join();
}

CallWatchdog& CallWatchdog::Default() {
  static CallWatchdog* watchdog = new CallWatchdog(Clock::Real(), /*start_thread=*/true);
  return *watchdog;
}

CallWatchdog::Guard::~Guard() {
  if (watchdog_ != nullptr) watchdog_->Remove(id_);
}

bool CallWatchdog::Guard::expired() const {
  return watchdog_ != nullptr && watchdog_->Expired(id_);
}

CallWatchdog::Guard CallWatchdog::Watch(std::function<void()> cancel, absl::Duration max) {
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_id_++;
  calls_[id] = Call{clock_->Now() + max, std::move(cancel)};
  return Guard(this, id);
}

CallWatchdog::Guard CallWatchdog::Watch(grpc::ServerContext* context, absl::Duration max) {
  return Watch([context] { context->TryCancel(); }, max);
}

void CallWatchdog::Remove(uint64_t id) {
  absl::MutexLock lock(&mu_);
  calls_.erase(id);
}

bool CallWatchdog::Expired(uint64_t id) {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(id);
  return it != calls_.end() && it->second.expired;
}

int CallWatchdog::Sweep() {
  const absl::Time now = clock_->Now();
  int cancelled = 0;
  // Cancelled under the lock, so that no call's guard (and context) goes while it is
  // being cancelled; TryCancel only marks the call.
  absl::MutexLock lock(&mu_);
  for (auto& [id, call] : calls_) {
    if (call.expired || now < call.deadline) continue;
    call.expired = true;
    call.cancel();
    ++cancelled;
  }
  return cancelled;
}

void CallWatchdog::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      // Deadlines are minutes to hours away; a sweep a second is plenty.
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::Seconds(1))) return;
    }
    Sweep();
  }
}

}  // namespace fedsync
