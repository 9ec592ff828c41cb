#include "shared/token_bucket.h"

#include <algorithm>

namespace fedsync {

TokenBucket::TokenBucket(double rate, double capacity, absl::Time now)
    : rate_(rate), capacity_(capacity), tokens_(capacity), last_(now) {}

void TokenBucket::Refill(absl::Time now) {
  // A clock that steps back refills nothing (and does not drain the bucket).
  if (now <= last_) return;
  tokens_ = std::min(capacity_, tokens_ + rate_ * absl::ToDoubleSeconds(now - last_));
  last_ = now;
}

bool TokenBucket::TryTake(double tokens, absl::Time now) {
  Refill(now);
  if (tokens > tokens_) return false;
  tokens_ -= tokens;
  return true;
}

double TokenBucket::Available(absl::Time now) {
  Refill(now);
  return tokens_;
}

}  // namespace fedsync
