// What a node accepts from its peers at most (DESIGN.md, guarantee 6). What exceeds a
// limit gets a clear status, is not stored, and the node keeps serving everyone else.
#ifndef FEDSYNC_SHARED_LIMITS_H_
#define FEDSYNC_SHARED_LIMITS_H_

#include <algorithm>
#include <cstdint>

#include "absl/time/time.h"

namespace fedsync {

// The largest message a server receives (gRPC answers RESOURCE_EXHAUSTED beyond it).
// A child's batch is at most about 1 MiB (UplinkSession::kDefaultBatchBytes).
inline constexpr int kMaxReceiveMessageBytes = 4 << 20;

// The largest answer an operator's client reads (fedctl, AdminClient, verify): a
// whole-history rollup of a province holds every child's cells, past gRPC's 4 MiB
// default. A node sends what it has; above this the client says to give a period.
inline constexpr int kMaxOperatorAnswerBytes = 256 << 20;

// The most cells a parent takes in one batch; a child sends at most its batch_cells
// (default 500), which the node config keeps within this.
inline constexpr int kMaxCellsPerBatch = 5000;

// The largest magnitude of a cell's value a parent accepts (a count, or a sum of yuan;
// noise may make it negative): more is refused as invalid. It keeps every sum exact in
// int64: 9,000 children at the bound still fit.
inline constexpr int64_t kMaxCellValue = 1'000'000'000'000'000;

// A connection that has not finished its TLS (or HTTP/2) handshake after this long is
// dropped by the server.
inline constexpr int kHandshakeTimeoutMillis = 10'000;

// The longest a registry import or export may run at a district, whatever the client's
// own deadline (fedctl's is 10 minutes): past it the call is cancelled.
inline constexpr int64_t kMaxRegistryStreamMillis = 3'600'000;

// Per child at a parent, unless its config says otherwise (city_node/child_limits.h):
// the live cells one child may hold, and the cells a second it may send (a district
// publishes a few thousand cells; a full resync of the largest stays well within).
inline constexpr int64_t kDefaultChildMaxCells = 1'000'000;
inline constexpr int64_t kDefaultChildCellsPerSecond = 50'000;

// A parent closes a child's stream from which nothing (not even a heartbeat, which a
// child sends every 5 s by default) has been heard for this long.
inline constexpr int64_t kDefaultChildIdleMillis = 60'000;

// The longest a sync command with --wait keeps an admin call (and its server thread)
// waiting for results, whatever the request or the caller's deadline says.
inline constexpr int64_t kMaxCommandWaitMillis = 300'000;

// The time a command may take at the node it reaches: the command's own, bounded by
// kMaxCommandWaitMillis, or `fallback` for a command that carries none.
inline absl::Duration CommandTimeout(int64_t timeout_millis, absl::Duration fallback) {
  if (timeout_millis <= 0) return fallback;
  return absl::Milliseconds(std::min(timeout_millis, kMaxCommandWaitMillis));
}

// Of `left` for a command, what its children get: less the way back up, a fifth of it
// and at most a second, so that their answers arrive before this node's deadline.
inline absl::Duration ChildCommandTimeout(absl::Duration left) {
  return left - std::min(left / 5, absl::Seconds(1));
}

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_LIMITS_H_
