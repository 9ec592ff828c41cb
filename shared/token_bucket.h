// A token bucket: `rate` tokens a second flow in, up to `capacity`; a request for n
// tokens passes when the bucket holds n, and takes them. Time is passed in by the
// caller (from a Clock), so the bucket is tested with a fake clock. Starts full.
// Not thread-safe: the owner guards it.
#ifndef FEDSYNC_SHARED_TOKEN_BUCKET_H_
#define FEDSYNC_SHARED_TOKEN_BUCKET_H_

#include "absl/time/time.h"

namespace fedsync {

class TokenBucket {
 public:
  // `rate` > 0 tokens a second; `capacity` > 0 (the largest burst).
  TokenBucket(double rate, double capacity, absl::Time now);

  // Takes `tokens` when the bucket holds that many at `now`; otherwise takes nothing
  // and returns false. A request above the capacity never passes.
  bool TryTake(double tokens, absl::Time now);

  // Tokens held at `now` (refilled up to then).
  double Available(absl::Time now);

 private:
  void Refill(absl::Time now);

  const double rate_;
  const double capacity_;
  double tokens_;
  absl::Time last_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_TOKEN_BUCKET_H_
