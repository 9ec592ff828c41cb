// The child side of one Sync stream as a state machine, with no gRPC in it:
//   Hello -> (Welcome) -> batches of cells with seq above the parent's watermark, at
//   most `window` unacknowledged -> acks move the watermark and free the window.
// A Welcome whose watermark is behind what the parent once acknowledged (a parent
// restored from an old backup) or ahead of what this node's database can vouch for (a
// child restored from one, or that lost commits in a power cut, even if it has written
// past the watermark since: Outbox::vouched_seq) means the two copies cannot be
// reconciled by seq: the session starts a new epoch and asks for a restart, and the
// parent replaces this node's cells.
// Not thread-safe: the Uplink serialises calls.
#ifndef FEDSYNC_SHARED_UPLINK_SESSION_H_
#define FEDSYNC_SHARED_UPLINK_SESSION_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fedsync/v1/federation.pb.h"
#include "shared/outbox.h"

namespace fedsync {

struct UplinkIdentity {
  std::string node_id;
  v1::NodeLevel level = v1::DISTRICT;
  std::string path;
  int64_t catalog_version = 0;
  std::string admin_address;  // where operators reach this node
};

class UplinkSession {
 public:
  enum class WelcomeAction { kStream, kRestart };

  // A batch holds at most `batch_cells` cells and, past its first cell, at most
  // `batch_bytes` bytes of cells.
  UplinkSession(Outbox* outbox, UplinkIdentity identity, int batch_cells, int window,
                size_t batch_bytes = kDefaultBatchBytes);
  static constexpr size_t kDefaultBatchBytes = 1 << 20;

  v1::UpMessage Hello() const;
  // What an idle child sends: the time and its newest seq (a parent holding that seq
  // knows the child is up to date).
  v1::UpMessage Heartbeat(absl::Time now) const;
  // kFailedPrecondition when the parent answers for another epoch.
  absl::StatusOr<WelcomeAction> OnWelcome(const v1::Welcome& welcome);
  // The next batch, or nullopt when there is nothing to send or the window is full.
  absl::StatusOr<std::optional<v1::UpMessage>> NextBatch();
  // kFailedPrecondition for an ack that does not match the oldest batch in flight.
  absl::Status OnAck(const v1::Ack& ack);

  bool welcomed() const { return welcomed_; }
  // True when a batch could be sent now (welcomed, window open, newer cells exist).
  bool CanSend() const;
  uint64_t sent_seq() const { return sent_seq_; }
  uint64_t acked_seq() const { return acked_seq_; }
  int in_flight() const { return static_cast<int>(in_flight_.size()); }
  // Cells the parent rejected, newest last, at most kMaxRejected.
  const std::deque<v1::RejectedCell>& rejected() const { return rejected_; }
  static constexpr size_t kMaxRejected = 1000;

 private:
  struct InFlight {
    uint64_t batch_id;
    uint64_t last_seq;
  };

  Outbox* outbox_;
  UplinkIdentity identity_;
  int batch_cells_;
  int window_;
  size_t batch_bytes_;
  bool welcomed_ = false;
  uint64_t sent_seq_ = 0;
  uint64_t acked_seq_ = 0;
  uint64_t next_batch_id_ = 1;
  std::deque<InFlight> in_flight_;
  std::deque<v1::RejectedCell> rejected_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_UPLINK_SESSION_H_
