#include "shared/token_bucket.h"

#include "gtest/gtest.h"

namespace fedsync {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST(TokenBucketTest, StartsFullAndRefillsAtItsRateUpToCapacity) {
  TokenBucket bucket(/*rate=*/100, /*capacity=*/500, kStart);
  EXPECT_TRUE(bucket.TryTake(500, kStart));
  EXPECT_FALSE(bucket.TryTake(1, kStart));
  EXPECT_FALSE(bucket.TryTake(101, kStart + absl::Seconds(1)));
  EXPECT_TRUE(bucket.TryTake(100, kStart + absl::Seconds(1)));
  EXPECT_DOUBLE_EQ(bucket.Available(kStart + absl::Milliseconds(1500)), 50);
  // A long pause fills it to the capacity, no more.
  EXPECT_DOUBLE_EQ(bucket.Available(kStart + absl::Hours(1)), 500);
  EXPECT_FALSE(bucket.TryTake(501, kStart + absl::Hours(2)));
}

TEST(TokenBucketTest, ARefusedRequestTakesNothingAndTimeGoingBackRefillsNothing) {
  TokenBucket bucket(10, 20, kStart);
  EXPECT_TRUE(bucket.TryTake(15, kStart));
  EXPECT_FALSE(bucket.TryTake(6, kStart));
  EXPECT_TRUE(bucket.TryTake(5, kStart));
  EXPECT_DOUBLE_EQ(bucket.Available(kStart - absl::Seconds(10)), 0);
  EXPECT_DOUBLE_EQ(bucket.Available(kStart + absl::Seconds(1)), 10);
}

}  // namespace
}  // namespace fedsync
