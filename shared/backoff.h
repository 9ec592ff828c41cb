// Exponential backoff with jitter and a cap, for reconnects and retries.
// Delay n (from 0) is min(cap, initial * multiplier^n), then scaled by a uniform factor
// in [1 - jitter, 1 + jitter] (and capped again). Reset() after a success. Not
// thread-safe; the random source is injected so tests are deterministic.
#ifndef FEDSYNC_SHARED_BACKOFF_H_
#define FEDSYNC_SHARED_BACKOFF_H_

#include <functional>

#include "absl/time/time.h"

namespace fedsync {

struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration cap = absl::Seconds(10);
  double multiplier = 2.0;
  double jitter = 0.2;  // 0..1
};

class Backoff {
 public:
  // `uniform01` returns a value in [0, 1); defaults to a process-wide random source.
  explicit Backoff(BackoffPolicy policy, std::function<double()> uniform01 = nullptr);

  absl::Duration Next();
  void Reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  std::function<double()> uniform01_;
  int attempt_ = 0;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_BACKOFF_H_
