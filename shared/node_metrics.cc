#include "shared/node_metrics.h"

#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#ifndef FEDSYNC_VERSION
#define FEDSYNC_VERSION "unknown"
#endif

namespace fedsync {
namespace {

// Latencies from 0.5 ms (a small batch in WAL mode) to 10 s (a stalled disk).
std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
}

struct Metrics {
  Counter* batches_sent;
  Counter* cells_sent;
  Counter* acks_received;
  Counter* cells_rejected_by_parent;
  Counter* batches_received;
  Counter* cells_received;
  Counter* cells_rejected;
  Counter* batches_failed;
  Histogram* apply_latency;
  Counter* publishes;
  Counter* cells_published;
  Histogram* publish_latency;
};

const Metrics& Get() {
  static const Metrics* metrics = [] {
    MetricsRegistry& r = DefaultMetrics();
    return new Metrics{
        r.AddCounter("fedsync_uplink_batches_sent_total", "Cell batches sent to the parent."),
        r.AddCounter("fedsync_uplink_cells_sent_total", "Cells sent to the parent."),
        r.AddCounter("fedsync_uplink_acks_received_total",
                     "Acknowledgements received from the parent."),
        r.AddCounter("fedsync_uplink_cells_rejected_total",
                     "Cells the parent acknowledged as rejected."),
        r.AddCounter("fedsync_batches_received_total",
                     "Cell batches received from children and applied, by child.", "child"),
        r.AddCounter("fedsync_cells_received_total",
                     "Cells received from children and applied, by child.", "child"),
        r.AddCounter("fedsync_cells_rejected_total",
                     "Cells from children rejected by validation, by child.", "child"),
        r.AddCounter("fedsync_batches_failed_total",
                     "Children's batches that could not be applied (storage errors), by child.",
                     "child"),
        r.AddHistogram("fedsync_apply_latency_seconds",
                       "Time to apply one child's batch in one transaction.", LatencyBuckets()),
        r.AddCounter("fedsync_publishes_total", "Publications of the registries (district)."),
        r.AddCounter("fedsync_cells_published_total",
                     "Published cells changed by publications (district)."),
        r.AddHistogram("fedsync_publish_latency_seconds",
                       "Time to recompute and publish the registries' cells (district).",
                       LatencyBuckets()),
    };
  }();
  return *metrics;
}

int64_t FileSize(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : 0;
}

double SecondsSince(int64_t unix_millis, absl::Time now) {
  return std::max(0.0, absl::ToDoubleSeconds(now - absl::FromUnixMillis(unix_millis)));
}

const absl::Time kProcessStart = absl::Now();

}  // namespace

std::string NodeLevelName(v1::NodeLevel level) {
  if (level == v1::NODE_LEVEL_UNSPECIFIED) return "";
  return absl::AsciiStrToLower(v1::NodeLevel_Name(level));
}

const char* FedsyncVersion() { return FEDSYNC_VERSION; }

void RecordBatchSent(int cells) {
  Get().batches_sent->Increment();
  Get().cells_sent->Increment(cells);
}

void RecordAckReceived(int rejected_cells) {
  Get().acks_received->Increment();
  Get().cells_rejected_by_parent->Increment(rejected_cells);
}

void RecordBatchApplied(const std::string& child, int cells, int rejected_cells,
                        absl::Duration apply_latency) {
  Get().batches_received->IncrementFor(child);
  Get().cells_received->IncrementFor(child, cells - rejected_cells);
  if (rejected_cells > 0) Get().cells_rejected->IncrementFor(child, rejected_cells);
  Get().apply_latency->Observe(absl::ToDoubleSeconds(apply_latency));
}

void RecordBatchFailed(const std::string& child) { Get().batches_failed->IncrementFor(child); }

void RecordPublished(int changed_cells, absl::Duration latency) {
  Get().publishes->Increment();
  Get().cells_published->Increment(changed_cells);
  Get().publish_latency->Observe(absl::ToDoubleSeconds(latency));
}

void WriteStatusMetrics(const v1::GetStatusResponse& status, absl::Time now,
                        MetricsWriter* writer) {
  writer->Gauge("fedsync_max_seq", "The newest seq of this node's published cells.",
                static_cast<double>(status.max_seq()));
  writer->Gauge("fedsync_published_cells", "Cells this node publishes.",
                static_cast<double>(status.published_cells()));
  writer->Gauge("fedsync_catalog_version", "The catalog version this node runs.",
                static_cast<double>(status.catalog_version()));
  if (status.has_parent()) {
    const v1::ParentLinkStatus& parent = status.parent();
    const uint64_t lag = status.max_seq() > parent.acked_seq()
                             ? status.max_seq() - parent.acked_seq() : 0;
    // Behind the parent since at least the last ack (or since this process started).
    const double lag_seconds =
        lag == 0 ? 0
                 : parent.last_ack_unix_millis() > 0
                       ? SecondsSince(parent.last_ack_unix_millis(), now)
                       : std::max(0.0, absl::ToDoubleSeconds(now - kProcessStart));
    writer->Gauge("fedsync_uplink_connected", "1 when the stream to the parent is up.",
                  parent.connected() ? 1 : 0);
    writer->Gauge("fedsync_uplink_lag_seq", "Published seqs the parent has not acknowledged.",
                  static_cast<double>(lag));
    writer->Gauge("fedsync_uplink_lag_seconds",
                  "Seconds since the last ack while seqs are unacknowledged; 0 when caught up.",
                  lag_seconds);
    if (parent.last_ack_unix_millis() > 0) {
      writer->Gauge("fedsync_uplink_last_ack_timestamp_seconds",
                    "When the parent last acknowledged a batch (Unix time).",
                    static_cast<double>(parent.last_ack_unix_millis()) / 1000.0);
    }
  }
  int connected = 0;
  std::vector<std::pair<MetricLabels, double>> up, lag_seq, lag_seconds, cells, last_seen;
  for (const v1::ChildStatus& child : status.children()) {
    const MetricLabels labels = {{"child", child.node_id()}};
    if (child.connected()) ++connected;
    const uint64_t lag = child.child_max_seq() > child.watermark()
                             ? child.child_max_seq() - child.watermark() : 0;
    up.emplace_back(labels, child.connected() ? 1 : 0);
    lag_seq.emplace_back(labels, static_cast<double>(lag));
    lag_seconds.emplace_back(labels, lag == 0 || child.last_seen_unix_millis() <= 0
                                         ? 0
                                         : SecondsSince(child.last_seen_unix_millis(), now));
    cells.emplace_back(labels, static_cast<double>(child.cell_count()));
    if (child.last_seen_unix_millis() > 0) {
      last_seen.emplace_back(labels, static_cast<double>(child.last_seen_unix_millis()) / 1000.0);
    }
  }
  if (status.level() == v1::DISTRICT) return;
  writer->Gauge("fedsync_children_known", "Children this node holds cells from.",
                status.children_size());
  writer->Gauge("fedsync_children_connected", "Children with a Sync stream open now.",
                connected);
  writer->GaugeFamily("fedsync_child_connected", "1 when the child's stream is open.", up);
  writer->GaugeFamily("fedsync_child_lag_seq",
                      "The child's newest seq (as it last said) minus the seq held here.",
                      lag_seq);
  writer->GaugeFamily("fedsync_child_lag_seconds",
                      "Seconds since last contact while behind the child; 0 when caught up.",
                      lag_seconds);
  writer->GaugeFamily("fedsync_child_cells", "Cells held from the child.", cells);
  writer->GaugeFamily("fedsync_child_last_seen_timestamp_seconds",
                      "When the child was last heard from (Unix time).", last_seen);
}

int RegisterNodeMetrics(MetricsRegistry* registry, NodeMetricsSource source) {
  Get();  // the hot-path metrics show from the first scrape, at 0
  return registry->AddCollector([source = std::move(source)](MetricsWriter* writer) {
    writer->Gauge("fedsync_build_info", "The build's version, and this node's id and level.", 1,
                  {{"version", FedsyncVersion()}, {"node", source.node_id},
                   {"level", source.level}});
    writer->Gauge("fedsync_start_time_seconds", "When this process started (Unix time).",
                  absl::ToDoubleSeconds(kProcessStart - absl::UnixEpoch()));
    writer->Gauge("fedsync_database_size_bytes", "The database file with its WAL.",
                  static_cast<double>(FileSize(source.db_path) +
                                      FileSize(source.db_path + "-wal")));
    absl::StatusOr<v1::GetStatusResponse> status = source.status();
    writer->Gauge("fedsync_status_ok", "1 when the node's status could be read for this scrape.",
                  status.ok() ? 1 : 0);
    if (status.ok()) WriteStatusMetrics(*status, absl::Now(), writer);
  });
}

HttpHandler MetricsHandler(MetricsRegistry* registry) {
  return [registry](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = registry->RenderText();
    return response;
  };
}

}  // namespace fedsync
