// The parent side of the Sync streams: which child is on which stream, the one writer
// thread that applies children's hellos and batches to the database (ChildCells), and
// commands routed down to children with their results gathered on the way back.
//
// Batches that arrive back to back (from any streams, with no hello or heartbeat work
// queued between them) are applied together in one transaction, up to
// kMaxBatchesPerTransaction and leaving the last queued one for the next transaction;
// each is acknowledged only after its commit, in arrival order. If that transaction
// fails, each of its batches is retried in a transaction of its own, so that a failing
// batch closes only its own stream; that stream is detached first, so none of its later
// batches applies past the failed one.
//
// Stream reactors call the On* methods from gRPC callback threads; those never block:
// database work is posted to the applier. Messages go back to a stream only through the
// hub and under its lock, so a stream that has ended is never written to. Thread-safe.
#ifndef FEDSYNC_CITY_NODE_CHILD_HUB_H_
#define FEDSYNC_CITY_NODE_CHILD_HUB_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "city_node/child_cells.h"
#include "fedsync/v1/admin.pb.h"
#include "fedsync/v1/federation.pb.h"
#include "grpcpp/support/status.h"
#include "shared/node_store.h"
#include "shared/token_bucket.h"
#include "shared/work_queue.h"

namespace fedsync {

// What the hub needs of a stream. Implemented by ChildStream (federation_service.h).
class StreamHandle {
 public:
  virtual ~StreamHandle() = default;
  // Queues a message; never blocks.
  virtual void Send(v1::DownMessage message) = 0;
  // Ends the stream with `status` (once; later calls do nothing).
  virtual void Close(grpc::Status status) = 0;
};

struct CommandOutcome {
  std::vector<v1::NodeResult> results;
  std::vector<std::string> missing;  // targeted children that did not answer
};

class ChildHub {
 public:
  static constexpr size_t kMaxBatchesPerTransaction = 16;
  static constexpr int kMaxCellsPerTransaction = 8000;

  ChildHub(NodeStore* store, const CatalogHolder* catalogs);
  ~ChildHub();  // Shutdown()s

  // Reads the running sums from the stored child cells, so that the first batch after a
  // start does not wait for it. Call before any stream is registered.
  absl::Status LoadSums();

  // The live cells one child may hold here (ChildCells::set_max_cells_per_child); a
  // batch past it closes the child's stream with RESOURCE_EXHAUSTED. Call before the
  // node serves.
  void SetMaxCellsPerChild(int64_t max_cells) { cells_.set_max_cells_per_child(max_cells); }

  uint64_t Register(StreamHandle* stream);
  void Unregister(uint64_t stream_id);

  void OnHello(uint64_t stream_id, const v1::Hello& hello);
  void OnBatch(uint64_t stream_id, v1::CellBatch batch);
  void OnCommandResult(uint64_t stream_id, const v1::CommandResult& result);
  void OnHeartbeat(uint64_t stream_id, const v1::Heartbeat& heartbeat);

  // Target lists reach a child in the order they were read from the database, whatever
  // order the readers call in: each list carries a version taken with
  // NextTargetsVersion() inside the write transaction that read it (writes are
  // serialised, so versions follow commit order), and the hub keeps each child's newest
  // list, sends it on every Welcome, and drops a list older than the one it holds.
  uint64_t NextTargetsVersion() { return next_targets_version_.fetch_add(1) + 1; }

  // Sends `child_id` its whole target list, read at `version`, now; false when it is
  // not connected (it gets the list with its next Welcome) or when a newer list was
  // offered already (that one is what the child holds or will be sent).
  bool SendTargets(const std::string& child_id, v1::TargetList targets, uint64_t version);

  // Sends `command` to each of `children` that is connected; the rest are `missing`
  // at once. With `wait`, gathers results until every reached child answered or the
  // deadline passed. A child's answer may carry results of the nodes below it, but a
  // result it gives under the id of another child of this node is dropped (and
  // logged, at most once a minute, as child.foreign_results_dropped).
  CommandOutcome RunCommand(const std::vector<std::string>& children, v1::Command command,
                            bool wait, absl::Time deadline);

  // Sends `catalog` to every connected child; returns their ids. A child that connects
  // later with an older version gets it after its Welcome.
  std::vector<std::string> BroadcastCatalog(const v1::Catalog& catalog);

  // Connected children and when each was last heard from.
  std::map<std::string, absl::Time> Connected() const;

  // Closes every stream (UNAVAILABLE) and stops the applier after what it holds.
  void Shutdown();

 private:
  struct PendingCommand {
    std::set<std::string> expected;
    std::set<std::string> answered;
    std::vector<v1::NodeResult> results;
  };
  struct QueuedBatch {
    uint64_t ticket;
    uint64_t stream_id;
    v1::CellBatch batch;
    ChildCells::CheckedBatch checked;  // on the receiving thread, not the writer's
  };
  // Posts `task` to the applier in ticket order (every applier task takes a ticket).
  void PostToApplier(std::function<void()> task) ABSL_LOCKS_EXCLUDED(queue_mu_);
  // Applies the batch holding `ticket` and the batches queued right after it, unless an
  // earlier run took it already.
  void ApplyQueuedBatches(uint64_t ticket) ABSL_LOCKS_EXCLUDED(queue_mu_, mu_);
  // Applies `run` in one transaction and acks each batch after the commit; on failure
  // retries each batch on its own.
  void ApplyRun(std::vector<QueuedBatch> run) ABSL_LOCKS_EXCLUDED(mu_);
  void SendTo(uint64_t stream_id, v1::DownMessage message) ABSL_LOCKS_EXCLUDED(mu_);
  void CloseStream(uint64_t stream_id, grpc::Status status) ABSL_LOCKS_EXCLUDED(mu_);
  // Closes the stream and forgets whose it is, so that none of its queued batches apply.
  void DetachAndClose(uint64_t stream_id, grpc::Status status) ABSL_LOCKS_EXCLUDED(mu_);
  std::string ChildOf(uint64_t stream_id) const ABSL_LOCKS_EXCLUDED(mu_);
  // Counts `dropped` results `child` gave under another child's id; logs the count
  // now and then.
  void WarnForeignResults(const std::string& child, int64_t dropped)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Keeps `targets` as the child's newest list when `version` is newer than the one
  // held; false when it is older (or the same).
  bool OfferTargets(const std::string& child_id, v1::TargetList targets, uint64_t version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  struct VersionedTargets {
    uint64_t version = 0;
    v1::TargetList targets;
  };

  NodeStore* const store_;
  const CatalogHolder* const catalogs_;
  ChildCells cells_;
  WorkQueue applier_{"child-applier"};

  // Batches waiting for the applier, in ticket order. A run of consecutive tickets has
  // no other applier task between its batches, so it may share one transaction.
  absl::Mutex queue_mu_;
  uint64_t next_ticket_ ABSL_GUARDED_BY(queue_mu_) = 1;
  std::deque<QueuedBatch> queued_batches_ ABSL_GUARDED_BY(queue_mu_);

  mutable absl::Mutex mu_;
  uint64_t next_stream_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<uint64_t, StreamHandle*> streams_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> child_of_stream_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> stream_of_child_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> last_seen_ ABSL_GUARDED_BY(mu_);
  // The last ended periods each child is known to have reported for (from heartbeats),
  // so that an idle child's heartbeats write nothing once its report is recorded.
  std::map<std::string, std::string> reported_for_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, PendingCommand> pending_ ABSL_GUARDED_BY(mu_);
  // One warning a minute, with the count since the last one.
  TokenBucket foreign_results_log_ ABSL_GUARDED_BY(mu_){1.0 / 60, 1, absl::Now()};
  int64_t foreign_results_unlogged_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> next_targets_version_{0};
  // Each child's newest target list (see NextTargetsVersion).
  std::map<std::string, VersionedTargets> targets_ ABSL_GUARDED_BY(mu_);
  absl::CondVar command_answered_;
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_CHILD_HUB_H_
