#include "shared/backoff.h"

#include "gtest/gtest.h"

namespace fedsync {
namespace {

TEST(BackoffTest, GrowsExponentiallyUpToTheCap) {
  BackoffPolicy policy{absl::Milliseconds(100), absl::Seconds(1), 2.0, 0.0};
  Backoff backoff(policy, [] { return 0.5; });
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(100));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(200));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(400));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(800));
  EXPECT_EQ(backoff.Next(), absl::Seconds(1));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(backoff.Next(), absl::Seconds(1));
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(100));
}

TEST(BackoffTest, JitterStaysWithinItsBandAndUnderTheCap) {
  BackoffPolicy policy{absl::Milliseconds(100), absl::Seconds(1), 2.0, 0.2};
  for (double uniform : {0.0, 0.25, 0.5, 0.999}) {
    Backoff backoff(policy, [uniform] { return uniform; });
    absl::Duration first = backoff.Next();
    EXPECT_GE(first, absl::Milliseconds(80));
    EXPECT_LE(first, absl::Milliseconds(120));
    for (int i = 0; i < 10; ++i) EXPECT_LE(backoff.Next(), absl::Seconds(1));
  }
  Backoff low(policy, [] { return 0.0; });
  Backoff high(policy, [] { return 0.999; });
  EXPECT_LT(low.Next(), high.Next());  // jitter spreads retries apart
}

}  // namespace
}  // namespace fedsync
