#include "city_node/child_hub.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "city_node/child_targets.h"
#include "city_node/completeness.h"
#include "shared/grpc_status.h"
#include "shared/logging.h"
#include "shared/node_metrics.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

bool IsNodeId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ChildHub::ChildHub(NodeStore* store, const CatalogHolder* catalogs)
    : store_(store), catalogs_(catalogs), cells_(catalogs) {}

ChildHub::~ChildHub() { Shutdown(); }

absl::Status ChildHub::LoadSums() {
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(store_->Read([&](Database* db) { return cells_.LoadSums(db); }));
  LogInfo("sums.loaded", {{"cells", static_cast<int64_t>(cells_.sum_count())},
                          {"millis", absl::ToInt64Milliseconds(absl::Now() - start)}});
  return absl::OkStatus();
}

uint64_t ChildHub::Register(StreamHandle* stream) {
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_stream_id_++;
  streams_[id] = stream;
  if (shut_down_) stream->Close(grpc::Status(grpc::StatusCode::UNAVAILABLE, "shutting down"));
  return id;
}

void ChildHub::Unregister(uint64_t stream_id) {
  absl::MutexLock lock(&mu_);
  streams_.erase(stream_id);
  auto child = child_of_stream_.find(stream_id);
  if (child == child_of_stream_.end()) return;
  auto current = stream_of_child_.find(child->second);
  if (current != stream_of_child_.end() && current->second == stream_id) {
    LogInfo("child.disconnected", {{"child", child->second}});
    stream_of_child_.erase(current);
  }
  child_of_stream_.erase(child);
}

void ChildHub::SendTo(uint64_t stream_id, v1::DownMessage message) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream_id);
  if (it != streams_.end()) it->second->Send(std::move(message));
}

void ChildHub::CloseStream(uint64_t stream_id, grpc::Status status) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream_id);
  if (it != streams_.end()) it->second->Close(std::move(status));
}

void ChildHub::DetachAndClose(uint64_t stream_id, grpc::Status status) {
  absl::MutexLock lock(&mu_);
  auto child = child_of_stream_.find(stream_id);
  if (child != child_of_stream_.end()) {
    auto current = stream_of_child_.find(child->second);
    if (current != stream_of_child_.end() && current->second == stream_id) {
      stream_of_child_.erase(current);
    }
    child_of_stream_.erase(child);
  }
  auto it = streams_.find(stream_id);
  if (it != streams_.end()) it->second->Close(std::move(status));
}

std::string ChildHub::ChildOf(uint64_t stream_id) const {
  absl::MutexLock lock(&mu_);
  auto it = child_of_stream_.find(stream_id);
  return it == child_of_stream_.end() ? "" : it->second;
}

void ChildHub::OnHello(uint64_t stream_id, const v1::Hello& hello) {
  if (!IsNodeId(hello.node_id())) {
    CloseStream(stream_id, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "hello.node_id: lower-case letters, digits, '_', '-'"));
    return;
  }
  PostToApplier([this, stream_id, hello] {
    absl::StatusOr<v1::Welcome> welcome;
    absl::StatusOr<v1::TargetList> targets;
    uint64_t targets_version = 0;
    absl::Status status = store_->Write([&](Database* db, PublishedCells* published) {
      welcome = cells_.ApplyHello(db, published, hello, absl::ToUnixMillis(absl::Now()));
      if (!welcome.ok()) return welcome.status();
      if (welcome->watermark() == hello.max_seq()) {
        RETURN_IF_ERROR(RecordReport(db, hello.node_id(), absl::Now()));
      }
      targets = TargetsForChild(db, hello.node_id());
      targets_version = NextTargetsVersion();
      return targets.status();
    });
    if (absl::IsFailedPrecondition(status)) {  // a child ahead of this node's catalog
      LogWarning("child.hello_refused", {{"child", hello.node_id()}, {"reason", status.message()}});
      CloseStream(stream_id,
                  grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(status.message())));
      return;
    }
    if (!status.ok()) {
      LogError("child.hello_failed", {{"child", hello.node_id()}, {"error", status.message()}});
      CloseStream(stream_id, grpc::Status(grpc::StatusCode::UNAVAILABLE, "parent storage error"));
      return;
    }
    absl::MutexLock lock(&mu_);
    auto stream = streams_.find(stream_id);
    if (stream == streams_.end()) return;  // gone while we applied
    auto previous = stream_of_child_.find(hello.node_id());
    if (previous != stream_of_child_.end() && previous->second != stream_id) {
      auto old = streams_.find(previous->second);
      if (old != streams_.end()) {
        old->second->Close(grpc::Status(grpc::StatusCode::ABORTED, "superseded by a new stream"));
      }
      child_of_stream_.erase(previous->second);
    }
    stream_of_child_[hello.node_id()] = stream_id;
    child_of_stream_[stream_id] = hello.node_id();
    last_seen_[hello.node_id()] = absl::Now();
    LogInfo("child.connected", {{"child", hello.node_id()}, {"epoch", hello.epoch()},
                                {"watermark", welcome->watermark()},
                                {"child_max_seq", hello.max_seq()}});
    v1::DownMessage message;
    *message.mutable_welcome() = *welcome;
    stream->second->Send(std::move(message));
    // A list set after this hello's read may have been offered meanwhile: send the
    // newest.
    OfferTargets(hello.node_id(), std::move(*targets), targets_version);
    v1::DownMessage targets_message;
    *targets_message.mutable_targets() = targets_[hello.node_id()].targets;
    stream->second->Send(std::move(targets_message));
    const std::shared_ptr<const Catalog> catalog = catalogs_->Get();
    if (hello.catalog_version() < catalog->version()) {
      v1::DownMessage catalog_message;
      *catalog_message.mutable_catalog() = catalog->proto();
      stream->second->Send(std::move(catalog_message));
    }
  });
}

void ChildHub::PostToApplier(std::function<void()> task) {
  absl::MutexLock lock(&queue_mu_);
  ++next_ticket_;
  applier_.Post(std::move(task));
}

void ChildHub::OnBatch(uint64_t stream_id, v1::CellBatch batch) {
  ChildCells::CheckedBatch checked = ChildCells::Check(catalogs_->Get(), batch);
  absl::MutexLock lock(&queue_mu_);
  const uint64_t ticket = next_ticket_++;
  queued_batches_.push_back(QueuedBatch{ticket, stream_id, std::move(batch), std::move(checked)});
  if (!applier_.Post([this, ticket] { ApplyQueuedBatches(ticket); })) {
    queued_batches_.pop_back();  // shutting down: the stream is being closed
  }
}

void ChildHub::ApplyQueuedBatches(uint64_t ticket) {
  std::vector<QueuedBatch> run;
  {
    absl::MutexLock lock(&queue_mu_);
    // The run: the batches with consecutive tickets from `ticket` on. When several are
    // queued, the last stays for the next run: a child refills its window only when
    // acks come back, and meanwhile the applier has that batch to work on.
    size_t available = 0;
    while (available < queued_batches_.size() &&
           queued_batches_[available].ticket == ticket + available) {
      ++available;
    }
    const size_t take =
        std::min(kMaxBatchesPerTransaction, available > 1 ? available - 1 : available);
    int cells = 0;
    while (run.size() < take &&
           (run.empty() ||
            cells + queued_batches_.front().batch.cells_size() <= kMaxCellsPerTransaction)) {
      cells += queued_batches_.front().batch.cells_size();
      run.push_back(std::move(queued_batches_.front()));
      queued_batches_.pop_front();
    }
  }
  // Empty: an earlier run took this batch.
  if (!run.empty()) ApplyRun(std::move(run));
}

void ChildHub::ApplyRun(std::vector<QueuedBatch> run) {
  // Only the stream that last said Hello for a child may write its cells; the applier
  // is the only place that changes that, so the check holds while we apply.
  std::vector<std::string> children;
  std::vector<QueuedBatch> accepted;
  for (QueuedBatch& queued : run) {
    std::string child = ChildOf(queued.stream_id);
    if (child.empty()) {
      CloseStream(queued.stream_id, grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                                 "a batch before a welcomed hello"));
      continue;
    }
    children.push_back(std::move(child));
    accepted.push_back(std::move(queued));
  }
  if (accepted.empty()) return;
  std::vector<ChildCells::ChildBatch> batches;
  for (size_t i = 0; i < accepted.size(); ++i) {
    batches.push_back(
        ChildCells::ChildBatch{&children[i], &accepted[i].batch, &accepted[i].checked});
  }
  absl::StatusOr<std::vector<v1::Ack>> acks;
  const absl::Time apply_start = absl::Now();
  absl::Status status = store_->Write([&](Database* db, PublishedCells* published) {
    const int64_t now = absl::ToUnixMillis(absl::Now());
    acks = cells_.ApplyBatches(db, published, batches, now);
    if (!acks.ok()) return acks.status();
    std::set<std::string> progressed;
    for (size_t i = 0; i < accepted.size(); ++i) {
      const v1::CellBatch& batch = accepted[i].batch;
      // The batch ends with the child's newest seq: after it, this node is up to date.
      const bool caught_up = batch.cells_size() > 0 &&
                             batch.cells(batch.cells_size() - 1).seq() == batch.child_max_seq();
      if (caught_up) RETURN_IF_ERROR(RecordReport(db, children[i], absl::Now()));
      // Progress toward this child's targets moves with its cells.
      if (progressed.insert(children[i]).second) {
        RETURN_IF_ERROR(ChildTargetProgress(db, children[i], now).status());
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    if (accepted.size() > 1) {
      // Find the batch that fails: each on its own, in order.
      for (QueuedBatch& queued : accepted) {
        std::vector<QueuedBatch> alone;
        alone.push_back(std::move(queued));
        ApplyRun(std::move(alone));
      }
      return;
    }
    // Detached first, so that no later batch of this stream is applied: its watermark
    // would pass this batch's cells, and the child would never send them again.
    if (status.code() == absl::StatusCode::kResourceExhausted) {
      LogWarning("child.limit_exceeded", {{"child", children[0]}, {"reason", status.message()}});
      DetachAndClose(accepted[0].stream_id, ToGrpcStatus(status));
      return;
    }
    LogError("child.batch_failed", {{"child", children[0]}, {"error", status.message()}});
    RecordBatchFailed(children[0]);
    DetachAndClose(accepted[0].stream_id,
                   grpc::Status(grpc::StatusCode::UNAVAILABLE, "parent storage error"));
    return;
  }
  const absl::Duration apply_time = absl::Now() - apply_start;
  for (size_t i = 0; i < accepted.size(); ++i) {
    v1::Ack& ack = (*acks)[i];
    RecordBatchApplied(children[i], accepted[i].batch.cells_size(), ack.rejected_size(),
                       apply_time);
    if (ack.rejected_size() > 0) {
      LogWarning("child.cells_rejected", {{"child", children[i]},
                                          {"count", ack.rejected_size()},
                                          {"first_reason", ack.rejected(0).reason()}});
    }
    {
      absl::MutexLock lock(&mu_);
      last_seen_[children[i]] = absl::Now();
    }
    v1::DownMessage message;
    *message.mutable_ack() = std::move(ack);
    SendTo(accepted[i].stream_id, std::move(message));
  }
}

void ChildHub::OnCommandResult(uint64_t stream_id, const v1::CommandResult& result) {
  absl::MutexLock lock(&mu_);
  auto child = child_of_stream_.find(stream_id);
  auto pending = pending_.find(result.command_id());
  if (child == child_of_stream_.end() || pending == pending_.end()) return;
  if (!pending->second.answered.insert(child->second).second) return;
  int64_t dropped = 0;
  for (const v1::NodeResult& node_result : result.results()) {
    // A child answers for itself and the nodes below it, never for a sibling: a result
    // naming another child of this node is not that child's answer.
    if (node_result.node_id() != child->second &&
        (last_seen_.count(node_result.node_id()) > 0 ||
         pending->second.expected.count(node_result.node_id()) > 0)) {
      ++dropped;
      continue;
    }
    pending->second.results.push_back(node_result);
  }
  if (dropped > 0) WarnForeignResults(child->second, dropped);
  command_answered_.SignalAll();
}

void ChildHub::WarnForeignResults(const std::string& child, int64_t dropped) {
  // A child that keeps doing it would fill the log: one line a minute, with the count
  // since the last one. Ids and counts only: a result's text is the child's.
  foreign_results_unlogged_ += dropped;
  if (!foreign_results_log_.TryTake(1, absl::Now())) return;
  LogWarning("child.foreign_results_dropped",
             {{"child", child}, {"results", foreign_results_unlogged_}});
  foreign_results_unlogged_ = 0;
}

void ChildHub::OnHeartbeat(uint64_t stream_id, const v1::Heartbeat& heartbeat) {
  const std::string periods = absl::StrJoin(LastEndedPeriods(absl::Now()), ",");
  {
    absl::MutexLock lock(&mu_);
    auto child = child_of_stream_.find(stream_id);
    if (child == child_of_stream_.end()) return;
    last_seen_[child->second] = absl::Now();
    // Reported for these periods already: nothing to write (most heartbeats).
    auto reported = reported_for_.find(child->second);
    if (reported != reported_for_.end() && reported->second == periods) return;
  }
  // An idle child still reports: if this node holds its newest seq, it is up to date.
  PostToApplier([this, stream_id, periods, max_seq = heartbeat.max_seq()] {
    const std::string child = ChildOf(stream_id);
    if (child.empty()) return;
    bool recorded = false;
    absl::Status status = store_->Write([&](Database* db, PublishedCells*) -> absl::Status {
      ASSIGN_OR_RETURN(uint64_t watermark, ChildWatermark(db, child));
      if (watermark != max_seq) return absl::OkStatus();
      recorded = true;
      return RecordReport(db, child, absl::Now());
    });
    if (!status.ok()) {
      LogWarning("child.report_failed", {{"child", child}, {"error", status.message()}});
    } else if (recorded) {
      absl::MutexLock lock(&mu_);
      reported_for_[child] = periods;
    }
  });
}

bool ChildHub::OfferTargets(const std::string& child_id, v1::TargetList targets, uint64_t version) {
  VersionedTargets& held = targets_[child_id];
  if (version <= held.version) return false;
  held.version = version;
  held.targets = std::move(targets);
  return true;
}

bool ChildHub::SendTargets(const std::string& child_id, v1::TargetList targets, uint64_t version) {
  absl::MutexLock lock(&mu_);
  if (!OfferTargets(child_id, std::move(targets), version)) return false;
  auto stream = stream_of_child_.find(child_id);
  if (stream == stream_of_child_.end()) return false;
  auto handle = streams_.find(stream->second);
  if (handle == streams_.end()) return false;
  v1::DownMessage message;
  *message.mutable_targets() = targets_[child_id].targets;
  handle->second->Send(std::move(message));
  return true;
}

CommandOutcome ChildHub::RunCommand(const std::vector<std::string>& children,
                                    v1::Command command, bool wait, absl::Time deadline) {
  CommandOutcome outcome;
  absl::MutexLock lock(&mu_);
  PendingCommand& pending = pending_[command.command_id()];
  for (const std::string& child : children) {
    auto stream = stream_of_child_.find(child);
    auto handle = stream == stream_of_child_.end() ? streams_.end() : streams_.find(stream->second);
    if (handle == streams_.end()) {
      outcome.missing.push_back(child);
      continue;
    }
    v1::DownMessage message;
    *message.mutable_command() = command;
    handle->second->Send(std::move(message));
    pending.expected.insert(child);
  }
  if (wait) {
    while (pending.answered.size() < pending.expected.size() && !shut_down_) {
      if (command_answered_.WaitWithDeadline(&mu_, deadline)) break;
    }
    for (const std::string& child : pending.expected) {
      if (pending.answered.count(child) == 0) outcome.missing.push_back(child);
    }
    outcome.results = std::move(pending.results);
  }
  pending_.erase(command.command_id());
  return outcome;
}

std::vector<std::string> ChildHub::BroadcastCatalog(const v1::Catalog& catalog) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> sent_to;
  for (const auto& [child, stream_id] : stream_of_child_) {
    auto stream = streams_.find(stream_id);
    if (stream == streams_.end()) continue;
    v1::DownMessage message;
    *message.mutable_catalog() = catalog;
    stream->second->Send(std::move(message));
    sent_to.push_back(child);
  }
  return sent_to;
}

std::map<std::string, absl::Time> ChildHub::Connected() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, absl::Time> connected;
  for (const auto& [child, stream] : stream_of_child_) {
    auto seen = last_seen_.find(child);
    connected[child] = seen == last_seen_.end() ? absl::InfinitePast() : seen->second;
  }
  return connected;
}

void ChildHub::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [id, stream] : streams_) {
      stream->Close(grpc::Status(grpc::StatusCode::UNAVAILABLE, "parent shutting down"));
    }
    command_answered_.SignalAll();
  }
  applier_.Stop();
}

}  // namespace fedsync
