// The uplink: the child side of the Sync stream, shared by district and city nodes.
// One thread keeps one stream to the parent: dial, Hello, wait for Welcome, send the
// outbox in batches (a window in flight), apply acks, send heartbeats when idle, and on
// any failure reconnect with exponential backoff, jitter and a cap. A second thread per
// stream reads; commands from the parent run on a command thread of their own so the
// reader never blocks. Every loop ends on Stop(). Thread-safe.
//
// The stream itself has no deadline (it lives as long as the link); liveness comes from
// heartbeats, HTTP/2 keepalive and the Welcome timeout.
//
// Over TLS the parent's certificate must name the parent's id (server_name) and be a
// node's: one that carries an operator role (OU) is refused (kPermissionDenied, in the
// link's last error) before any message from it is taken or any batch is sent, so an
// operator's certificate cannot pose as a parent to push catalogs, targets or commands.
#ifndef FEDSYNC_SHARED_UPLINK_H_
#define FEDSYNC_SHARED_UPLINK_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fedsync/v1/admin.pb.h"
#include "fedsync/v1/federation.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "shared/backoff.h"
#include "shared/outbox.h"
#include "shared/uplink_session.h"
#include "shared/work_queue.h"

namespace fedsync {

struct UplinkOptions {
  std::string target;  // HOST:PORT of the parent
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // With TLS credentials: the parent's id, which its certificate must name (the target
  // is an address). Empty: the target's host.
  std::string server_name;
  UplinkIdentity identity;
  int batch_cells = 500;
  int window = 4;
  absl::Duration heartbeat = absl::Seconds(5);
  absl::Duration welcome_timeout = absl::Seconds(10);
  BackoffPolicy backoff;
  // Called (on the uplink's command thread) with every target list the parent sends.
  std::function<void(const v1::TargetList&)> on_targets;
  // Called (on the same thread) with a catalog the parent sends down.
  std::function<void(const v1::Catalog&)> on_catalog;
  // The catalog version to report in each Hello (identity.catalog_version when unset).
  std::function<int64_t()> catalog_version;
};

// Runs a command from the parent; must call `reply` exactly once (from any thread).
using CommandHandler =
    std::function<void(const v1::Command& command, std::function<void(v1::CommandResult)> reply)>;

class Uplink {
 public:
  static constexpr size_t kMaxRejectedKept = 100;

  Uplink(Outbox* outbox, UplinkOptions options, CommandHandler handler);
  ~Uplink();  // Stop()s

  // `admin_address` is told to the parent in every Hello (where operators reach this
  // node); it is known only once the node's server listens.
  void Start(const std::string& admin_address);
  // Ends the stream and every loop; returns when the threads have joined.
  void Stop();
  // New cells may be in the outbox.
  void Notify();
  // Drops the current stream and dials again at once.
  void Reconnect();
  // Drops the current stream, starts a new epoch once it has ended (so that no ack of
  // the old stream lands in the new epoch) and dials again: the parent then replaces
  // every cell it holds from this node. Returns when the new epoch has started; false
  // at the deadline.
  bool Resync(absl::Time deadline);
  // Waits until the parent acknowledged every seq up to `seq`; false at the deadline.
  bool WaitForAck(uint64_t seq, absl::Time deadline);

  v1::ParentLinkStatus Status() const;

 private:
  void Run();
  absl::Status RunStream();
  void ReadLoop(grpc::ClientReaderWriter<v1::UpMessage, v1::DownMessage>* stream,
                UplinkSession* session);
  void HandleCommand(const v1::Command& command);

  Outbox* const outbox_;
  UplinkOptions options_;  // identity.admin_address is set once, in Start()
  const CommandHandler handler_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Federation::Stub> stub_;
  WorkQueue commands_{"uplink-commands"};

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool reconnect_ ABSL_GUARDED_BY(mu_) = false;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool reader_done_ ABSL_GUARDED_BY(mu_) = false;
  bool restart_ ABSL_GUARDED_BY(mu_) = false;  // the session asked for a new stream
  // What went wrong on this stream at the child's end (a Welcome or ack it could not
  // take, its outbox failing); the stream ends and reconnects after a backoff.
  absl::Status stream_error_ ABSL_GUARDED_BY(mu_);
  bool resync_ ABSL_GUARDED_BY(mu_) = false;   // start a new epoch before the next Hello
  int64_t epochs_started_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::deque<v1::CommandResult> results_ ABSL_GUARDED_BY(mu_);
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t acked_seq_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_ack_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  // Cells the parent refused, most recent last, and how many since start.
  std::deque<v1::RejectedCell> rejected_ ABSL_GUARDED_BY(mu_);
  int64_t rejected_total_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar changed_;
  std::thread thread_;
};

// Channel arguments for long-lived streams: keepalive pings and reconnect backoff.
grpc::ChannelArguments LongLivedChannelArguments();

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_UPLINK_H_
