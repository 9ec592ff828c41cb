// Bytes on the wire: what an idle child sends per heartbeat, and what one changed cell
// costs inside a batch (with the parent's ack), from the messages the real uplink
// session builds, framed as gRPC sends them: the message, gRPC's 5-byte length prefix
// and a 9-byte HTTP/2 DATA frame header (TCP/IP and TLS record overhead not counted).
//   wire_bench
#include <cstdio>

#include "absl/time/clock.h"
#include "bench/bench_util.h"
#include "shared/uplink_session.h"

namespace {
constexpr size_t kFraming = 5 + 9;  // gRPC length prefix + HTTP/2 DATA frame header
}  // namespace

int main() {
  using namespace fedsync;         // NOLINT: a benchmark's main
  using namespace fedsync::bench;  // NOLINT
  // A district's year: 41 cells; twenty districts' worth (820) fill a 500-cell batch.
  std::vector<v1::Cell> cells;
  for (int district = 0; district < 20; ++district) {
    for (v1::Cell& cell : DistrictYear(district, 2026)) cells.push_back(std::move(cell));
  }
  MemoryOutbox outbox(1, cells);
  UplinkSession session(&outbox, UplinkIdentity{"luyang", v1::DISTRICT, "", 1, ""}, 500, 4);
  v1::Welcome welcome;
  welcome.set_epoch(1);
  if (!session.OnWelcome(welcome).ok()) return 1;

  const size_t heartbeat = session.Heartbeat(absl::Now()).ByteSizeLong() + kFraming;
  auto batch = session.NextBatch();
  if (!batch.ok() || !batch->has_value()) return 1;
  const v1::CellBatch& sent = (**batch).batch();
  v1::DownMessage ack;
  ack.mutable_ack()->set_batch_id(sent.batch_id());
  ack.mutable_ack()->set_watermark(sent.cells(sent.cells_size() - 1).seq());
  const double per_cell =
      static_cast<double>((**batch).ByteSizeLong() + kFraming + ack.ByteSizeLong() + kFraming) /
      static_cast<double>(sent.cells_size());

  std::printf("%-48s %12s %12s %8s\n", "figure", "fedsync", "baseline", "ratio");
  PrintFigure("bytes per idle heartbeat (framed)", static_cast<double>(heartbeat), 0, "bytes",
              "<= 100", heartbeat <= 100);
  PrintFigure("bytes per changed cell in a batch, with its ack", per_cell, 0, "bytes", "-");
  if (sent.cells_size() != 500) {
    std::fprintf(stderr, "wire_bench: expected a full batch of 500 cells\n");
    return 1;
  }
  return 0;
}
