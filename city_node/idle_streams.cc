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
  closed_.erase(stream);
}

int IdleStreams::Sweep() {
  const absl::Time now = clock_->Now();
  int closed = 0;
  // Closed and cancelled under the lock, so that no stream is deleted meanwhile (Remove
  // waits); Close only queues the stream's Finish, Cancel only marks its call.
  absl::MutexLock lock(&mu_);
  // Closed a sweep ago and still here: stuck behind a write its peer does not read.
  for (Stream* stream : closed_) stream->Cancel();
  for (auto it = streams_.begin(); it != streams_.end();) {
    Stream* stream = *it;
    const absl::Duration silent = now - stream->LastHeard();
    if (silent <= idle_timeout_) {
      ++it;
      continue;
    }
    it = streams_.erase(it);  // closed once
    closed_.insert(stream);   // and cancelled at the next sweep if it has not ended
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
