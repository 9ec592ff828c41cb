#include "city_node/idle_streams.h"

#include "gtest/gtest.h"

namespace fedsync {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

struct FakeStream : IdleStreams::Stream {
  absl::Time last_heard;
  int closed = 0;
  int cancelled = 0;
  grpc::Status status;
  absl::Time LastHeard() const override { return last_heard; }
  void Close(grpc::Status s) override {
    ++closed;
    status = s;
  }
  void Cancel() override { ++cancelled; }
};

TEST(IdleStreamsTest, ClosesOnlyStreamsSilentLongerThanTheTimeoutAndEachOnce) {
  FakeClock clock(kStart);
  IdleStreams idle(absl::Seconds(60), &clock);
  FakeStream quiet, chatty, gone;
  quiet.last_heard = chatty.last_heard = gone.last_heard = kStart;
  idle.Add(&quiet);
  idle.Add(&chatty);
  idle.Add(&gone);
  idle.Remove(&gone);

  clock.Advance(absl::Seconds(60));
  EXPECT_EQ(idle.Sweep(), 0);  // exactly the timeout is not over it
  chatty.last_heard = clock.Now();
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(idle.Sweep(), 1);
  EXPECT_EQ(quiet.closed, 1);
  EXPECT_EQ(quiet.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_NE(quiet.status.error_message().find("silent for 1m"), std::string::npos)
      << quiet.status.error_message();
  EXPECT_EQ(chatty.closed, 0);
  EXPECT_EQ(gone.closed, 0);

  clock.Advance(absl::Minutes(5));
  EXPECT_EQ(idle.Sweep(), 1);  // chatty now; quiet is not closed twice
  EXPECT_EQ(quiet.closed, 1);
  EXPECT_EQ(chatty.closed, 1);
  EXPECT_EQ(quiet.cancelled, 1);  // closed a sweep ago and not ended
  EXPECT_EQ(chatty.cancelled, 0);
  idle.Remove(&quiet);  // it ended
  idle.Remove(&chatty);
  clock.Advance(absl::Minutes(5));
  EXPECT_EQ(idle.Sweep(), 0);
  EXPECT_EQ(quiet.cancelled, 1);  // never touched once removed
  EXPECT_EQ(chatty.cancelled, 0);
}

// A stream closed for silence whose close does not complete (its peer stopped reading,
// so the write in flight never does) is cancelled at the next sweep, and at every
// sweep after until it ends; one that ended in time is not.
TEST(IdleStreamsTest, CancelsAClosedStreamThatHasNotEndedByTheNextSweep) {
  FakeClock clock(kStart);
  IdleStreams idle(absl::Seconds(60), &clock);
  FakeStream stuck, ends;
  stuck.last_heard = ends.last_heard = kStart;
  idle.Add(&stuck);
  idle.Add(&ends);
  clock.Advance(absl::Seconds(61));
  EXPECT_EQ(idle.Sweep(), 2);
  EXPECT_EQ(stuck.cancelled, 0);  // a close gets one sweep period to finish
  idle.Remove(&ends);
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(idle.Sweep(), 0);
  EXPECT_EQ(stuck.cancelled, 1);
  EXPECT_EQ(ends.cancelled, 0);
  clock.Advance(absl::Seconds(5));
  idle.Sweep();
  EXPECT_EQ(stuck.cancelled, 2);
  idle.Remove(&stuck);
  idle.Sweep();
  EXPECT_EQ(stuck.cancelled, 2);
  EXPECT_EQ(stuck.closed, 1);
}

}  // namespace
}  // namespace fedsync
