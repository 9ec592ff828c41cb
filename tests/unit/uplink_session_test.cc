#include "shared/uplink_session.h"

#include <atomic>
#include <ctime>
#include <functional>
#include <map>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "fedsync/v1/federation.grpc.pb.h"
#include "gtest/gtest.h"
#include "shared/server_runner.h"
#include "shared/uplink.h"

namespace fedsync {
namespace {

// An outbox in memory: cells 1..n, one per seq.
class FakeOutbox : public Outbox {
 public:
  explicit FakeOutbox(uint64_t cells) : max_seq_(cells) {}
  uint64_t epoch() const override { return epoch_; }
  uint64_t max_seq() const override { return max_seq_; }
  uint64_t last_acked_seq() const override { return acked_; }
  absl::StatusOr<std::vector<v1::Cell>> CellsAfter(uint64_t after, int limit) override {
    std::vector<v1::Cell> cells;
    for (uint64_t seq = after + 1; seq <= max_seq_ && cells.size() < static_cast<size_t>(limit);
         ++seq) {
      v1::Cell cell;
      cell.set_metric("returned_students_total");
      cell.set_period("2026");
      cell.set_seq(seq);
      cells.push_back(cell);
    }
    return cells;
  }
  absl::Status RecordAck(uint64_t watermark) override {
    acked_ = watermark;
    return absl::OkStatus();
  }
  absl::Status StartNewEpoch() override {
    ++epoch_;
    acked_ = 0;
    return absl::OkStatus();
  }

  uint64_t epoch_ = 7;
  uint64_t max_seq_;
  uint64_t acked_ = 0;
};

UplinkIdentity Identity() { return UplinkIdentity{"luyang", v1::DISTRICT, "", 1, ""}; }

v1::Welcome WelcomeAt(uint64_t epoch, uint64_t watermark) {
  v1::Welcome welcome;
  welcome.set_epoch(epoch);
  welcome.set_watermark(watermark);
  return welcome;
}

v1::Ack AckOf(uint64_t batch_id, uint64_t watermark) {
  v1::Ack ack;
  ack.set_batch_id(batch_id);
  ack.set_watermark(watermark);
  return ack;
}

TEST(UplinkSessionTest, HelloCarriesIdentityEpochAndSeqs) {
  FakeOutbox outbox(12);
  outbox.acked_ = 10;
  UplinkSession session(&outbox, {"luyang", v1::DISTRICT, "anhui/hefei/luyang", 1, "127.0.0.1:1"}, 5, 2);
  v1::UpMessage hello = session.Hello();
  ASSERT_TRUE(hello.has_hello());
  EXPECT_EQ(hello.hello().node_id(), "luyang");
  EXPECT_EQ(hello.hello().path(), "anhui/hefei/luyang");
  EXPECT_EQ(hello.hello().epoch(), 7u);
  EXPECT_EQ(hello.hello().last_acked_seq(), 10u);
  EXPECT_EQ(hello.hello().max_seq(), 12u);
}

TEST(UplinkSessionTest, SendsFromTheWatermarkInBatchesWithinTheWindow) {
  FakeOutbox outbox(12);
  UplinkSession session(&outbox, Identity(), 5, 2);
  EXPECT_FALSE(session.CanSend());  // not welcomed yet
  auto action = session.OnWelcome(WelcomeAt(7, 1));
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(*action, UplinkSession::WelcomeAction::kStream);

  auto first = session.NextBatch();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->batch().cells(0).seq(), 2u);
  EXPECT_EQ((*first)->batch().cells_size(), 5);
  auto second = session.NextBatch();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->batch().cells(0).seq(), 7u);
  EXPECT_FALSE(session.CanSend());  // window of 2 is full
  auto third = session.NextBatch();
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->has_value());

  ASSERT_TRUE(session.OnAck(AckOf((*first)->batch().batch_id(), 6)).ok());
  EXPECT_EQ(outbox.acked_, 6u);
  third = session.NextBatch();
  ASSERT_TRUE(third.ok() && third->has_value());
  EXPECT_EQ((*third)->batch().cells_size(), 1);  // seq 12 only
  EXPECT_EQ(session.sent_seq(), 12u);
  EXPECT_FALSE(session.CanSend());
}

TEST(UplinkSessionTest, AcksMustMatchTheOldestBatchInFlight) {
  FakeOutbox outbox(3);
  UplinkSession session(&outbox, Identity(), 1, 4);
  ASSERT_TRUE(session.OnWelcome(WelcomeAt(7, 0)).ok());
  ASSERT_TRUE(session.NextBatch().ok());
  ASSERT_TRUE(session.NextBatch().ok());
  EXPECT_EQ(session.OnAck(AckOf(2, 2)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(session.OnAck(AckOf(1, 1)).ok());
  EXPECT_TRUE(session.OnAck(AckOf(2, 2)).ok());
  EXPECT_EQ(session.acked_seq(), 2u);
}

TEST(UplinkSessionTest, RejectedCellsAreKept) {
  FakeOutbox outbox(1);
  UplinkSession session(&outbox, Identity(), 10, 1);
  ASSERT_TRUE(session.OnWelcome(WelcomeAt(7, 0)).ok());
  ASSERT_TRUE(session.NextBatch().ok());
  v1::Ack ack = AckOf(1, 1);
  ack.add_rejected()->set_reason("metric: not in this node's catalog");
  ASSERT_TRUE(session.OnAck(ack).ok());
  ASSERT_EQ(session.rejected().size(), 1u);
  EXPECT_EQ(session.acked_seq(), 1u);
}

TEST(UplinkSessionTest, ParentBehindWhatItAckedMeansANewEpoch) {
  FakeOutbox outbox(20);
  outbox.acked_ = 15;  // the parent once held 15, now says 9: restored from a backup
  UplinkSession session(&outbox, Identity(), 5, 2);
  auto action = session.OnWelcome(WelcomeAt(7, 9));
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(*action, UplinkSession::WelcomeAction::kRestart);
  EXPECT_EQ(outbox.epoch_, 8u);
  EXPECT_EQ(outbox.acked_, 0u);
  EXPECT_FALSE(session.welcomed());
}

TEST(UplinkSessionTest, ParentAheadOfThisNodeMeansANewEpoch) {
  FakeOutbox outbox(5);
  UplinkSession session(&outbox, Identity(), 5, 2);
  auto action = session.OnWelcome(WelcomeAt(7, 9));
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(*action, UplinkSession::WelcomeAction::kRestart);
}

TEST(UplinkSessionTest, WelcomeForAnotherEpochIsAnError) {
  FakeOutbox outbox(5);
  UplinkSession session(&outbox, Identity(), 5, 2);
  EXPECT_EQ(session.OnWelcome(WelcomeAt(3, 0)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(UplinkSessionTest, WelcomeAheadOfTheAckedSeqIsRecorded) {
  FakeOutbox outbox(10);
  outbox.acked_ = 4;  // an ack lost in a crash; the parent had committed up to 8
  UplinkSession session(&outbox, Identity(), 5, 2);
  ASSERT_TRUE(session.OnWelcome(WelcomeAt(7, 8)).ok());
  EXPECT_EQ(outbox.acked_, 8u);
  auto batch = session.NextBatch();
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_EQ((*batch)->batch().cells(0).seq(), 9u);
}

// An uplink of luyang to a parent on loopback port `port`, in plaintext.
UplinkOptions LoopbackUplink(int port) {
  UplinkOptions options;
  options.target = absl::StrCat("127.0.0.1:", port);
  options.credentials = grpc::InsecureChannelCredentials();
  options.identity = Identity();
  return options;
}

// A parent, over real gRPC on loopback, that answers every Hello with a Welcome for
// another epoch: a Welcome the child cannot take.
class WrongEpochParent final : public v1::Federation::CallbackService {
 public:
  grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage>* Sync(
      grpc::CallbackServerContext*) override {
    return new Reactor(this);
  }
  int hellos() const { return hellos_.load(); }

 private:
  class Reactor final : public grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage> {
   public:
    explicit Reactor(WrongEpochParent* parent) : parent_(parent) { StartRead(&in_); }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::OK);  // no write is ever outstanding then
        return;
      }
      if (in_.has_hello()) {
        ++parent_->hellos_;
        out_.mutable_welcome()->set_epoch(in_.hello().epoch() + 1);
        StartWrite(&out_);
      }
      StartRead(&in_);
    }
    void OnWriteDone(bool) override {}
    void OnDone() override { delete this; }

   private:
    WrongEpochParent* const parent_;
    v1::UpMessage in_;
    v1::DownMessage out_;
  };
  std::atomic<int> hellos_{0};
};

// A Welcome (or an ack) the child cannot take ends the stream, and the child dials
// again after its backoff, not at once: the same failure would come back, and each
// Hello costs the parent a write.
TEST(UplinkTest, AFailedWelcomeReconnectsAfterABackoff) {
  WrongEpochParent parent;
  auto server = StartServer("127.0.0.1:0", grpc::InsecureServerCredentials(), {&parent});
  ASSERT_TRUE(server.ok()) << server.status();
  FakeOutbox outbox(3);
  UplinkOptions options = LoopbackUplink(server->port);
  Uplink uplink(&outbox, options,
                [](const v1::Command&, auto reply) { reply(v1::CommandResult()); });
  const absl::Time start = absl::Now();
  uplink.Start("");
  while (parent.hellos() < 4 && absl::Now() < start + absl::Seconds(20)) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const absl::Duration took = absl::Now() - start;
  ASSERT_GE(parent.hellos(), 4);
  // Three waits of at least 80%, 160% and 320% of 100 ms (the default backoff).
  EXPECT_GE(took, absl::Milliseconds(560)) << "4 hellos in " << took;
  EXPECT_TRUE(absl::StrContains(uplink.Status().last_error(), "epoch"))
      << uplink.Status().last_error();
  uplink.Stop();
  server->server->Shutdown(std::chrono::system_clock::now());
}

// A parent that welcomes the first stream and sends it a command, ends it when told,
// and never answers a later Hello.
class OneWelcomeParent final : public v1::Federation::CallbackService {
 public:
  grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage>* Sync(
      grpc::CallbackServerContext*) override {
    absl::MutexLock lock(&mu_);
    auto* reactor = new Reactor(streams_++ == 0);
    if (first_ == nullptr) first_ = reactor;
    return reactor;
  }
  // Ends the first stream.
  void EndFirst() {
    absl::MutexLock lock(&mu_);
    first_->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "going away"));
  }
  int streams() {
    absl::MutexLock lock(&mu_);
    return streams_;
  }

 private:
  class Reactor final : public grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage> {
   public:
    explicit Reactor(bool welcome) : welcome_(welcome) { StartRead(&in_); }
    void OnReadDone(bool ok) override {
      if (!ok) {
        if (!welcome_) Finish(grpc::Status::OK);  // the first is ended by EndFirst
        return;
      }
      if (in_.has_hello() && welcome_) {
        out_[0].mutable_welcome()->set_epoch(in_.hello().epoch());
        out_[1].mutable_command()->set_command_id("c1");
        StartWrite(&out_[0]);
      }
      StartRead(&in_);
    }
    void OnWriteDone(bool ok) override {
      if (ok && !sent_command_) {
        sent_command_ = true;
        StartWrite(&out_[1]);
      }
    }
    void OnDone() override { delete this; }

   private:
    const bool welcome_;
    bool sent_command_ = false;  // touched only by the write chain
    v1::UpMessage in_;
    v1::DownMessage out_[2];
  };
  absl::Mutex mu_;
  int streams_ ABSL_GUARDED_BY(mu_) = 0;
  Reactor* first_ ABSL_GUARDED_BY(mu_) = nullptr;
};

double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// A command's result that is ready while the stream is down waits for the next Welcome;
// the uplink waits for it asleep, not spinning.
TEST(UplinkTest, AResultReadyBeforeTheWelcomeWaitsWithoutSpinning) {
  OneWelcomeParent parent;
  auto server = StartServer("127.0.0.1:0", grpc::InsecureServerCredentials(), {&parent});
  ASSERT_TRUE(server.ok()) << server.status();
  FakeOutbox outbox(0);
  UplinkOptions options = LoopbackUplink(server->port);
  options.welcome_timeout = absl::Seconds(30);
  absl::Mutex mu;
  std::function<void(v1::CommandResult)> reply;  // the command's, held back
  Uplink uplink(&outbox, options, [&](const v1::Command&, auto done) {
    absl::MutexLock lock(&mu);
    reply = std::move(done);
  });
  uplink.Start("");
  auto wait_until = [](const std::function<bool()>& condition) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (!condition() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
    return condition();
  };
  ASSERT_TRUE(wait_until([&] {
    absl::MutexLock lock(&mu);
    return reply != nullptr;
  }));
  parent.EndFirst();
  ASSERT_TRUE(wait_until([&] { return parent.streams() >= 2; }));  // Hello sent, unanswered
  reply(v1::CommandResult());
  const double cpu_before = ProcessCpuSeconds();
  absl::SleepFor(absl::Milliseconds(500));  // the window over which CPU is measured
  const double cpu = ProcessCpuSeconds() - cpu_before;
  EXPECT_LT(cpu, 0.25) << "the process burnt " << cpu << " s of CPU in 0.5 s, waiting";
  uplink.Stop();
  server->server->Shutdown(std::chrono::system_clock::now());
}

// A parent that takes the first batch of the first stream, then ends every stream at
// its next batch (a batch it cannot store: a full disk, a child over its cell limit).
class AckOnceThenFailParent final : public v1::Federation::CallbackService {
 public:
  grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage>* Sync(
      grpc::CallbackServerContext*) override {
    return new Reactor(this, streams_.fetch_add(1) == 0);
  }
  int hellos() const { return hellos_.load(); }

 private:
  class Reactor final : public grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage> {
   public:
    Reactor(AckOnceThenFailParent* parent, bool first) : parent_(parent), first_(first) {
      StartRead(&in_);
    }
    void OnReadDone(bool ok) override {
      absl::MutexLock lock(&mu_);
      if (!ok) {
        FinishLocked(grpc::Status::OK);
        return;
      }
      if (in_.has_hello()) {
        ++parent_->hellos_;
        out_.Clear();
        out_.mutable_welcome()->set_epoch(in_.hello().epoch());
        out_.mutable_welcome()->set_watermark(in_.hello().last_acked_seq());
        writing_ = true;
        StartWrite(&out_);
      } else if (in_.has_batch()) {
        if (first_ && !acked_) {
          acked_ = true;
          ack_.Clear();
          ack_.mutable_ack()->set_batch_id(in_.batch().batch_id());
          ack_.mutable_ack()->set_watermark(in_.batch().cells(in_.batch().cells_size() - 1).seq());
          if (!writing_) {
            writing_ = true;
            StartWrite(&ack_);
          } else {
            ack_pending_ = true;
          }
        } else {
          FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "parent storage error"));
          return;
        }
      }
      StartRead(&in_);
    }
    void OnWriteDone(bool) override {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ack_pending_) {
        ack_pending_ = false;
        writing_ = true;
        StartWrite(&ack_);
        return;
      }
      if (finish_pending_) DoFinish();
    }
    void OnDone() override { delete this; }

   private:
    void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      if (finishing_) return;
      finishing_ = true;
      status_ = status;
      if (writing_) {
        finish_pending_ = true;
      } else {
        DoFinish();
      }
    }
    void DoFinish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      if (finished_) return;
      finished_ = true;
      Finish(status_);
    }
    AckOnceThenFailParent* const parent_;
    const bool first_;
    absl::Mutex mu_;
    bool acked_ = false, writing_ = false, ack_pending_ = false, finishing_ = false,
         finish_pending_ = false, finished_ = false;
    grpc::Status status_;
    v1::UpMessage in_;
    v1::DownMessage out_, ack_;
  };
  std::atomic<int> streams_{0};
  std::atomic<int> hellos_{0};
};

TEST(UplinkTest, AStreamThatFailsWithoutProgressBacksOffAfterARecentAck) {
  AckOnceThenFailParent parent;
  auto server = StartServer("127.0.0.1:0", grpc::InsecureServerCredentials(), {&parent});
  ASSERT_TRUE(server.ok()) << server.status();
  FakeOutbox outbox(10);
  UplinkOptions options = LoopbackUplink(server->port);
  options.batch_cells = 1;
  options.window = 1;
  Uplink uplink(&outbox, options,
                [](const v1::Command&, auto reply) { reply(v1::CommandResult()); });
  uplink.Start("");
  const absl::Time first_failure_by = absl::Now();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (parent.hellos() < 5 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_GE(parent.hellos(), 5);
  // Four waits after failures with no ack: 100, 200, 400 and 800 ms less 20% jitter at
  // the least. Resetting the backoff on the first stream's ack redials every ~100 ms.
  EXPECT_GE(absl::Now() - first_failure_by, absl::Milliseconds(1000));
  EXPECT_EQ(outbox.acked_, 1u) << "only the first stream's batch was taken";
  uplink.Stop();
  server->server->Shutdown(std::chrono::system_clock::now());
}

}  // namespace
}  // namespace fedsync
