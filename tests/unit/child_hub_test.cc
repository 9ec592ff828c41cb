#include "city_node/child_hub.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "city_node/child_targets.h"
#include "gtest/gtest.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

// A stream that keeps what the hub sends it.
class FakeStream : public StreamHandle {
 public:
  void Send(v1::DownMessage message) override {
    absl::MutexLock lock(&mu_);
    if (message.has_ack()) acks_.push_back(message.ack());
    if (message.has_welcome()) welcomed_ = true;
    if (message.has_targets()) targets_.push_back(message.targets());
    if (message.has_command()) commands_.push_back(message.command());
  }
  void Close(grpc::Status status) override {
    absl::MutexLock lock(&mu_);
    if (!closed_) closed_code_ = status.error_code();
    closed_ = true;
  }

  bool WaitForWelcome() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&welcomed_), absl::Seconds(10));
  }
  bool WaitForAcks(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return acks_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
  }
  // Waits for the `count`th target list and returns the last one received.
  v1::TargetList WaitForTargets(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return targets_.size() >= count; };
    EXPECT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10)));
    return targets_.empty() ? v1::TargetList() : targets_.back();
  }
  size_t target_lists() const {
    absl::MutexLock lock(&mu_);
    return targets_.size();
  }
  bool WaitForCommands(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return commands_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
  }
  bool WaitForClose() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&closed_), absl::Seconds(10));
  }
  std::vector<v1::Ack> acks() const {
    absl::MutexLock lock(&mu_);
    return acks_;
  }
  grpc::StatusCode closed_code() const {
    absl::MutexLock lock(&mu_);
    return closed_code_;
  }

 private:
  mutable absl::Mutex mu_;
  bool welcomed_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  grpc::StatusCode closed_code_ ABSL_GUARDED_BY(mu_) = grpc::StatusCode::OK;
  std::vector<v1::Ack> acks_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::TargetList> targets_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Command> commands_ ABSL_GUARDED_BY(mu_);
};

v1::CellBatch TotalBatch(uint64_t batch_id, int64_t value, uint64_t seq) {
  v1::CellBatch batch;
  batch.set_batch_id(batch_id);
  batch.set_child_max_seq(100);  // never caught up: no report to record
  v1::Cell* cell = batch.add_cells();
  cell->set_metric("returned_students_total");
  cell->set_period("2026");
  cell->set_value(value);
  cell->set_status(v1::OK);
  cell->set_seq(seq);
  return batch;
}

class ChildHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = NodeStore::Open(":memory:", CityMigrations());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    store_->SetPublishedListener([this] { commits_publishing_.fetch_add(1); });
    hub_ = std::make_unique<ChildHub>(store_.get(), &catalogs_);
  }
  void TearDown() override { hub_->Shutdown(); }

  uint64_t Connect(const std::string& child, FakeStream* stream) {
    const uint64_t id = hub_->Register(stream);
    hub_->OnHello(id, HelloFrom(child));
    EXPECT_TRUE(stream->WaitForWelcome());
    return id;
  }
  static v1::Hello HelloFrom(const std::string& child) {
    v1::Hello hello;
    hello.set_node_id(child);
    hello.set_level(v1::DISTRICT);
    hello.set_epoch(7);
    hello.set_max_seq(100);
    return hello;
  }

  // Holds the store's write lock and keeps the applier busy (in a hello that waits for
  // that lock) until Release(): everything posted meanwhile queues behind it.
  void HoldApplier(FakeStream* stream) {
    holder_ = std::thread([this] {
      absl::Status status = store_->Write([this](Database*, PublishedCells*) {
        holding_.Notify();
        release_.WaitForNotification();
        return absl::OkStatus();
      });
      EXPECT_TRUE(status.ok());
    });
    holding_.WaitForNotification();
    hub_->OnHello(hub_->Register(stream), HelloFrom("blocker"));
  }
  void Release() {
    release_.Notify();
    holder_.join();
  }

  // Runs `sql` on the city's store in one write transaction.
  absl::Status ExecuteInStore(const std::string& sql) {
    return store_->Write([&](Database* db, PublishedCells*) { return db->Execute(sql); });
  }

  // What CityNode::SetTarget does: stores luyang's target and reads its list in one
  // transaction, then sends the list down after the commit.
  void SetLuyangTarget(int64_t value) {
    v1::TargetList list;
    uint64_t version = 0;
    absl::Status status = store_->Write([&](Database* db, PublishedCells*) -> absl::Status {
      v1::Target target;
      target.set_child_id("luyang");
      target.set_metric("certifications_by_type");
      target.set_period("2026");
      target.set_value(value);
      target.set_set_by("hefei");
      RETURN_IF_ERROR(PutChildTarget(db, target));
      ASSIGN_OR_RETURN(list, TargetsForChild(db, "luyang"));
      version = hub_->NextTargetsVersion();
      return absl::OkStatus();
    });
    ASSERT_TRUE(status.ok()) << status;
    hub_->SendTargets("luyang", std::move(list), version);
  }
  static int64_t OnlyValue(const v1::TargetList& list) {
    EXPECT_EQ(list.targets_size(), 1);
    return list.targets_size() == 1 ? list.targets(0).value() : -1;
  }

  int64_t OwnTotal() {
    int64_t total = -1;
    absl::Status status = store_->Read([&](Database* db) {
      auto cells = ReadPublishedCells(db, "returned_students_total", "2026");
      if (!cells.ok()) return cells.status();
      for (const v1::Cell& cell : *cells) total = cell.value();
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok());
    return total;
  }

  // Streams outlive the hub's Shutdown() in TearDown, which closes them.
  FakeStream luyang_, yaohai_, blocker_, stranger_;
  CatalogHolder catalogs_{Catalog::Default()};
  std::unique_ptr<NodeStore> store_;
  std::unique_ptr<ChildHub> hub_;
  std::atomic<int> commits_publishing_{0};
  absl::Notification holding_;
  absl::Notification release_;
  std::thread holder_;
};

TEST_F(ChildHubTest, BackToBackBatchesShareOneCommitAndEachIsAckedAfterIt) {
  const uint64_t luyang_id = Connect("luyang", &luyang_);
  const uint64_t yaohai_id = Connect("yaohai", &yaohai_);
  HoldApplier(&blocker_);
  for (uint64_t i = 1; i <= 3; ++i) {
    hub_->OnBatch(luyang_id, TotalBatch(i, 10 * static_cast<int64_t>(i), i));
    hub_->OnBatch(yaohai_id, TotalBatch(i, static_cast<int64_t>(i), i));
  }
  // Nothing has committed, so nothing may be acknowledged.
  EXPECT_TRUE(luyang_.acks().empty());
  EXPECT_TRUE(yaohai_.acks().empty());
  Release();
  ASSERT_TRUE(luyang_.WaitForAcks(3));
  ASSERT_TRUE(yaohai_.WaitForAcks(3));
  // Five in one transaction; the last waits for the next run (see ApplyQueuedBatches).
  EXPECT_EQ(commits_publishing_.load(), 2);
  for (const FakeStream* stream : {&luyang_, &yaohai_}) {
    std::vector<v1::Ack> acks = stream->acks();
    ASSERT_EQ(acks.size(), 3u);
    for (uint64_t i = 0; i < 3; ++i) {
      EXPECT_EQ(acks[i].batch_id(), i + 1);
      EXPECT_EQ(acks[i].watermark(), i + 1);
    }
  }
  EXPECT_EQ(OwnTotal(), 33);
}

TEST_F(ChildHubTest, AFailingBatchClosesOnlyItsOwnStream) {
  const uint64_t luyang_id = Connect("luyang", &luyang_);
  const uint64_t yaohai_id = Connect("yaohai", &yaohai_);
  // yaohai's row goes (as if lost): its batches cannot be applied.
  ASSERT_TRUE(ExecuteInStore("DELETE FROM children WHERE child_id = 'yaohai'").ok());
  HoldApplier(&blocker_);
  // The first two share a transaction, which fails; each is then tried alone.
  hub_->OnBatch(yaohai_id, TotalBatch(1, 5, 1));
  hub_->OnBatch(luyang_id, TotalBatch(1, 10, 1));
  hub_->OnBatch(luyang_id, TotalBatch(2, 12, 2));
  Release();
  ASSERT_TRUE(yaohai_.WaitForClose());
  EXPECT_EQ(yaohai_.closed_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(luyang_.WaitForAcks(2));
  EXPECT_EQ(luyang_.acks()[0].watermark(), 1u);
  EXPECT_EQ(luyang_.acks()[1].watermark(), 2u);
  EXPECT_TRUE(yaohai_.acks().empty());
  EXPECT_EQ(OwnTotal(), 12);
}

// A failed batch must not be overtaken by the next one of its stream: that one's
// watermark would pass the failed cells, and the child would never send them again.
TEST_F(ChildHubTest, NoBatchOfAStreamAppliesAfterOneOfItsBatchesFailed) {
  const uint64_t luyang_id = Connect("luyang", &luyang_);
  const uint64_t yaohai_id = Connect("yaohai", &yaohai_);
  // yaohai's cell with seq 1 cannot be stored (an injected storage error); seq 2 could.
  ASSERT_TRUE(ExecuteInStore("CREATE TRIGGER fail_seq_1 BEFORE INSERT ON child_cells "
                             "WHEN NEW.child_id = 'yaohai' AND NEW.seq = 1 "
                             "BEGIN SELECT RAISE(ABORT, 'injected'); END;")
                  .ok());
  HoldApplier(&blocker_);
  hub_->OnBatch(yaohai_id, TotalBatch(1, 5, 1));
  hub_->OnBatch(yaohai_id, TotalBatch(2, 6, 2));
  hub_->OnBatch(luyang_id, TotalBatch(1, 10, 1));
  hub_->OnBatch(luyang_id, TotalBatch(2, 12, 2));
  Release();
  ASSERT_TRUE(yaohai_.WaitForClose());
  EXPECT_EQ(yaohai_.closed_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(luyang_.WaitForAcks(2));
  EXPECT_TRUE(yaohai_.acks().empty());
  uint64_t watermark = 99;
  ASSERT_TRUE(store_
                  ->Read([&](Database* db) -> absl::Status {
                    ASSIGN_OR_RETURN(watermark, ChildWatermark(db, "yaohai"));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(watermark, 0u);
  EXPECT_EQ(OwnTotal(), 12);
}

TEST_F(ChildHubTest, AReplayedBatchIsAckedAgainAndCountedOnce) {
  const uint64_t luyang_id = Connect("luyang", &luyang_);
  HoldApplier(&blocker_);
  hub_->OnBatch(luyang_id, TotalBatch(1, 10, 1));
  hub_->OnBatch(luyang_id, TotalBatch(2, 10, 1));  // the same cell again
  Release();
  ASSERT_TRUE(luyang_.WaitForAcks(2));
  EXPECT_EQ(luyang_.acks()[1].watermark(), 1u);
  EXPECT_EQ(OwnTotal(), 10);
  hub_->OnBatch(luyang_id, TotalBatch(3, 10, 1));  // and once more, on its own
  ASSERT_TRUE(luyang_.WaitForAcks(3));
  EXPECT_EQ(OwnTotal(), 10);
}

TEST_F(ChildHubTest, ABatchBeforeHelloClosesItsStream) {
  hub_->OnBatch(hub_->Register(&stranger_), TotalBatch(1, 10, 1));
  ASSERT_TRUE(stranger_.WaitForClose());
  EXPECT_EQ(stranger_.closed_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

// Two sets for one child that commit in one order and send in the other: the child
// must end with the list read last, not the one sent last.
TEST_F(ChildHubTest, AnOlderTargetListSentLateDoesNotReplaceANewerOne) {
  Connect("luyang", &luyang_);
  luyang_.WaitForTargets(1);  // the (empty) list after the welcome
  v1::TargetList older;
  older.add_targets()->set_value(10);
  const uint64_t older_version = hub_->NextTargetsVersion();
  v1::TargetList newer;
  newer.add_targets()->set_value(20);
  const uint64_t newer_version = hub_->NextTargetsVersion();
  EXPECT_TRUE(hub_->SendTargets("luyang", newer, newer_version));
  EXPECT_FALSE(hub_->SendTargets("luyang", older, older_version));
  EXPECT_EQ(OnlyValue(luyang_.WaitForTargets(2)), 20);
  EXPECT_EQ(luyang_.target_lists(), 2u);
}

// A target set after a hello read the child's list, and sent before that hello's
// stream is registered, must still reach the child on its new stream. The set runs
// from the published-listener, which the hello's commit calls between its read and the
// registration (a new epoch takes the child's old cells out of the sums).
TEST_F(ChildHubTest, ATargetSetDuringAHelloReachesTheNewStream) {
  const uint64_t luyang_id = Connect("luyang", &luyang_);
  hub_->OnBatch(luyang_id, TotalBatch(1, 10, 1));
  ASSERT_TRUE(luyang_.WaitForAcks(1));
  std::atomic<bool> set_on_next_publish{true};
  store_->SetPublishedListener([&] {
    if (set_on_next_publish.exchange(false)) SetLuyangTarget(30);
  });
  FakeStream reconnected;
  v1::Hello hello = HelloFrom("luyang");
  hello.set_epoch(8);
  hub_->OnHello(hub_->Register(&reconnected), hello);
  ASSERT_TRUE(reconnected.WaitForWelcome());
  EXPECT_FALSE(set_on_next_publish.load());
  EXPECT_EQ(OnlyValue(reconnected.WaitForTargets(1)), 30);
  hub_->Shutdown();  // before `reconnected` goes
  store_->SetPublishedListener(nullptr);
}

v1::NodeResult ResultOf(const std::string& node, const std::string& message) {
  v1::NodeResult result;
  result.set_node_id(node);
  result.set_ok(true);
  result.set_message(message);
  return result;
}

// During sync --wait a child answers for itself and the nodes below it; a result it
// gives under another child's id is dropped, whichever answer arrives first, so the
// operator sees each child's own answer (or the child as missing).
TEST_F(ChildHubTest, AChildCannotAnswerForAnotherChild) {
  const uint64_t luyang = Connect("luyang", &luyang_);
  const uint64_t yaohai = Connect("yaohai", &yaohai_);
  Connect("shushan", &stranger_);  // connected, asked nothing, never answers
  v1::Command command;
  command.set_command_id("sync-1");
  command.mutable_sync();
  CommandOutcome outcome;
  std::thread runner([&] {
    outcome = hub_->RunCommand({"luyang", "yaohai"}, command, /*wait=*/true,
                               absl::Now() + absl::Seconds(30));
  });
  EXPECT_TRUE(luyang_.WaitForCommands(1));
  EXPECT_TRUE(yaohai_.WaitForCommands(1));
  v1::CommandResult forged;
  forged.set_command_id("sync-1");
  *forged.add_results() = ResultOf("luyang", "acked seq 5");
  *forged.add_results() = ResultOf("below_luyang", "acked seq 2");  // a node below it
  *forged.add_results() = ResultOf("yaohai", "forged by luyang");   // asked, answers itself
  *forged.add_results() = ResultOf("shushan", "forged by luyang");  // a child not asked
  hub_->OnCommandResult(luyang, forged);
  v1::CommandResult own;
  own.set_command_id("sync-1");
  *own.add_results() = ResultOf("yaohai", "acked seq 7");
  hub_->OnCommandResult(yaohai, own);
  runner.join();

  std::vector<std::string> results;
  for (const v1::NodeResult& result : outcome.results) {
    results.push_back(result.node_id() + ": " + result.message());
  }
  std::sort(results.begin(), results.end());
  EXPECT_EQ(results, (std::vector<std::string>{"below_luyang: acked seq 2", "luyang: acked seq 5",
                                               "yaohai: acked seq 7"}));
  EXPECT_TRUE(outcome.missing.empty());
}

}  // namespace
}  // namespace fedsync
