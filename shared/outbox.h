// What the uplink needs from a node's published cells: the outbox of the sync
// protocol. Implemented by NodeStore over SQLite and by an in-memory fake in tests.
// Implementations are thread-safe.
#ifndef FEDSYNC_SHARED_OUTBOX_H_
#define FEDSYNC_SHARED_OUTBOX_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "fedsync/v1/federation.pb.h"

namespace fedsync {

class Outbox {
 public:
  virtual ~Outbox() = default;

  virtual uint64_t epoch() const = 0;
  virtual uint64_t max_seq() const = 0;
  // The highest seq the parent acknowledged in this epoch, persisted.
  virtual uint64_t last_acked_seq() const = 0;
  // The highest seq a parent can hold from this node's database as it is now: the
  // highest ever read out to send, stored in the database before the cells leave. A
  // parent whose watermark is above it holds seqs the database no longer has (it went
  // back: a restore from a backup, or commits lost in a power cut) and may reuse for
  // other cells. Storage that never goes back (memory) vouches for its max_seq.
  virtual uint64_t vouched_seq() const { return max_seq(); }

  // Cells with seq > `after_seq`, in seq order, at most `limit`.
  virtual absl::StatusOr<std::vector<v1::Cell>> CellsAfter(uint64_t after_seq, int limit) = 0;
  // Persists that the parent holds everything up to `watermark`.
  virtual absl::Status RecordAck(uint64_t watermark) = 0;
  // Starts a new epoch: the parent will replace every cell it holds from this node.
  virtual absl::Status StartNewEpoch() = 0;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_OUTBOX_H_
