#include "city_node/idle_streams.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "shared/logging.h"

namespace fedsync {

IdleStreams::IdleStreams(absl::Duration idle_timeout, const Clock* clock)
    : idle_timeout_(idle_timeout), clock_(clock) {}

IdleStreams::~IdleStreams() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (sweeper_.joinable()) sweeper_.join();
}

void IdleStreams::Start() {
  sweeper_ = std::thread([this] {
    // A few sweeps per timeout: a stream is closed within 1.25 timeouts of silence.
    const absl::Duration period =
        std::clamp(idle_timeout_ / 4, absl::Milliseconds(50), absl::Seconds(5));
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
        if (mu_.AwaitWithTimeout(absl::Condition(&stopping), period)) return;
      }
      Sweep();
    }
  });
}

void IdleStreams::Add(Stream* stream) {
  absl::MutexLock lock(&mu_);
  streams_.insert(stream);
}

void IdleStreams::Remove(Stream* stream) {
  absl::MutexLock lock(&mu_);
  streams_.erase(stream);
}

int IdleStreams::Sweep() {
  const absl::Time now = clock_->Now();
  int closed = 0;
  // Closed under the lock, so that no stream is deleted while it is being closed
  // (Remove waits); Close only queues the stream's Finish.
  absl::MutexLock lock(&mu_);
  for (auto it = streams_.begin(); it != streams_.end();) {
    Stream* stream = *it;
    const absl::Duration silent = now - stream->LastHeard();
    if (silent <= idle_timeout_) {
      ++it;
      continue;
    }
    it = streams_.erase(it);  // closed once; its Remove later finds nothing
    stream->Close(
        grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                     absl::StrCat("nothing heard on this stream for ", absl::FormatDuration(silent),
                                  " (the parent closes a stream silent for ",
                                  absl::FormatDuration(idle_timeout_), ")")));
    ++closed;
  }
  if (closed > 0) LogInfo("child.idle_closed", {{"streams", closed}});
  return closed;
}

}  // namespace fedsync
