#include "shared/call_watchdog.h"

#include "gtest/gtest.h"

namespace fedsync {
namespace {

TEST(CallWatchdogTest, CancelsOnlyCallsPastTheirMaximumOnceAndForgetsFinishedOnes) {
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  CallWatchdog watchdog(&clock, /*start_thread=*/false);
  int slow_cancelled = 0, quick_cancelled = 0, done_cancelled = 0;
  CallWatchdog::Guard slow = watchdog.Watch([&] { ++slow_cancelled; }, absl::Minutes(1));
  CallWatchdog::Guard quick = watchdog.Watch([&] { ++quick_cancelled; }, absl::Hours(1));
  {
    CallWatchdog::Guard done = watchdog.Watch([&] { ++done_cancelled; }, absl::Seconds(1));
  }  // the handler returned: its call is no longer watched
  EXPECT_EQ(watchdog.Sweep(), 0);
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(watchdog.Sweep(), 1);
  EXPECT_EQ(watchdog.Sweep(), 0);
  EXPECT_EQ(slow_cancelled, 1);
  EXPECT_TRUE(slow.expired());
  EXPECT_EQ(quick_cancelled, 0);
  EXPECT_FALSE(quick.expired());
  EXPECT_EQ(done_cancelled, 0);
}

}  // namespace
}  // namespace fedsync
