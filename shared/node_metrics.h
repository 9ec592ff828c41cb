// The metrics every node exports on /metrics (see metrics.h), by name: the Record*
// calls are the one-line hooks in the uplink, the child hub and the publisher, and the
// node collector turns the node's status (GetStatusResponse) into gauges at each
// scrape: build info, seq, database size, the parent link and every child's lag.
// Labels carry node ids only, never personal data. Thread-safe.
#ifndef FEDSYNC_SHARED_NODE_METRICS_H_
#define FEDSYNC_SHARED_NODE_METRICS_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fedsync/v1/admin.pb.h"
#include "shared/http_server.h"
#include "shared/metrics.h"

namespace fedsync {

// Child side (uplink): a batch of `cells` written to the parent's stream.
void RecordBatchSent(int cells);
// Child side: an acknowledgement arrived; `rejected_cells` the parent refused.
void RecordAckReceived(int rejected_cells);
// Parent side (child hub): a child's batch applied and acknowledged.
void RecordBatchApplied(const std::string& child, int cells, int rejected_cells,
                        absl::Duration apply_latency);
// Parent side: a child's batch could not be applied (storage error).
void RecordBatchFailed(const std::string& child);
// District: one publication of the registries, changing `changed_cells` cells.
void RecordPublished(int changed_cells, absl::Duration latency);

struct NodeMetricsSource {
  std::string node_id;
  std::string level;    // "district", "city", ...
  std::string db_path;  // its size (with the WAL) is exported
  // The node's status, read at each scrape.
  std::function<absl::StatusOr<v1::GetStatusResponse>()> status;
};

// Registers the node collector with `registry`; returns the collector id, to remove it
// (RemoveCollector) before whatever `source.status` uses goes away.
int RegisterNodeMetrics(MetricsRegistry* registry, NodeMetricsSource source);

// The collector's work, for tests: the gauges for `status` as of `now`.
void WriteStatusMetrics(const v1::GetStatusResponse& status, absl::Time now,
                        MetricsWriter* writer);

// GET /metrics: `registry` in the Prometheus text format.
HttpHandler MetricsHandler(MetricsRegistry* registry);

// "district", "city", "province", "national"; "" when unspecified.
std::string NodeLevelName(v1::NodeLevel level);

// The build's version (the CMake project version).
const char* FedsyncVersion();

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_NODE_METRICS_H_
