#include "shared/backoff.h"

#include <algorithm>
#include <cmath>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"

namespace fedsync {
namespace {
double SharedUniform01() {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen;
  absl::MutexLock lock(&mu);
  return absl::Uniform(*gen, 0.0, 1.0);
}
}  // namespace

Backoff::Backoff(BackoffPolicy policy, std::function<double()> uniform01)
    : policy_(policy), uniform01_(uniform01 ? std::move(uniform01) : SharedUniform01) {}

absl::Duration Backoff::Next() {
  double base = absl::ToDoubleSeconds(policy_.initial) *
                std::pow(policy_.multiplier, std::min(attempt_, 62));
  base = std::min(base, absl::ToDoubleSeconds(policy_.cap));
  ++attempt_;
  double factor = 1.0 + policy_.jitter * (2.0 * uniform01_() - 1.0);
  double seconds = std::min(base * factor, absl::ToDoubleSeconds(policy_.cap));
  return absl::Seconds(std::max(seconds, 0.0));
}

}  // namespace fedsync
