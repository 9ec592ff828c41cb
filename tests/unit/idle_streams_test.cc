#include "city_node/idle_streams.h"

#include "gtest/gtest.h"

namespace fedsync {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

struct FakeStream : IdleStreams::Stream {
  absl::Time last_heard;
  int closed = 0;
  grpc::Status status;
  absl::Time LastHeard() const override { return last_heard; }
  void Close(grpc::Status s) override {
    ++closed;
    status = s;
  }
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
  idle.Remove(&quiet);  // after being closed: nothing left to remove, no harm
  idle.Remove(&chatty);
}

}  // namespace
}  // namespace fedsync
