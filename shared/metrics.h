// A small Prometheus metrics registry and its text exposition (format 0.0.4), for the
// node's /metrics endpoint. Counters and histograms are cheap to update on the hot path
// (a histogram with atomics only; a counter with a short lock to find its label's slot,
// then an atomic add); values that are cheaper to read when scraped than to keep up to
// date (connected children, lag, database size) come from collectors, functions run
// at each scrape that write whole families.
//
// Label values must never carry personal data: node ids, metric ids and fixed words
// only. Thread-safe. Metrics are created once and live as long as the registry (the
// process, for DefaultMetrics()).
#ifndef FEDSYNC_SHARED_METRICS_H_
#define FEDSYNC_SHARED_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace fedsync {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count, optionally split by one label's value.
class Counter {
 public:
  void Increment(int64_t by = 1) { Child("").fetch_add(by, std::memory_order_relaxed); }
  void IncrementFor(const std::string& label_value, int64_t by = 1) {
    Child(label_value).fetch_add(by, std::memory_order_relaxed);
  }
  int64_t Value(const std::string& label_value = "") const;

 private:
  friend class MetricsRegistry;
  explicit Counter(std::string label_name) : label_name_(std::move(label_name)) {}
  std::atomic<int64_t>& Child(const std::string& label_value);

  const std::string label_name_;  // empty: an unlabelled counter
  mutable absl::Mutex mu_;
  // unique_ptr keeps each atomic at a stable address while the map grows.
  std::map<std::string, std::unique_ptr<std::atomic<int64_t>>> children_ ABSL_GUARDED_BY(mu_);
};

// Cumulative buckets of observed values (seconds for latencies).
class Histogram {
 public:
  void Observe(double value);
  int64_t Count() const { return count_.load(std::memory_order_relaxed); }

 private:
  friend class MetricsRegistry;
  explicit Histogram(std::vector<double> upper_bounds);

  const std::vector<double> upper_bounds_;  // ascending; +Inf is implicit
  std::unique_ptr<std::atomic<int64_t>[]> buckets_;  // not cumulative; one per bound
  std::atomic<int64_t> count_{0};
  std::atomic<int64_t> sum_nanos_{0};  // sum * 1e9: atomics on integers are lock-free
};

// What a collector writes: whole families, each with its samples.
class MetricsWriter {
 public:
  void Gauge(const std::string& name, const std::string& help, double value,
             const MetricLabels& labels = {});
  // Several samples of one gauge family, one per label set.
  void GaugeFamily(const std::string& name, const std::string& help,
                   const std::vector<std::pair<MetricLabels, double>>& samples);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Names follow Prometheus conventions (fedsync_..._total for counters). Creating the
  // same name twice returns the first metric. `label_name` splits a counter by one label.
  Counter* AddCounter(const std::string& name, const std::string& help,
                      const std::string& label_name = "");
  Histogram* AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> upper_bounds);

  // Runs `collector` at every scrape; returns an id for RemoveCollector. A collector
  // must not call back into the registry.
  int AddCollector(std::function<void(MetricsWriter*)> collector);
  void RemoveCollector(int id);

  // Every metric in the text exposition format, families sorted by name, collectors'
  // families after them.
  std::string RenderText() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::pair<std::string, std::unique_ptr<Counter>>> counters_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::pair<std::string, std::unique_ptr<Histogram>>> histograms_
      ABSL_GUARDED_BY(mu_);
  int next_collector_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<int, std::function<void(MetricsWriter*)>> collectors_ ABSL_GUARDED_BY(mu_);
};

// The process's registry, served by the node's /metrics.
MetricsRegistry& DefaultMetrics();

// A label value or help text escaped for the exposition format.
std::string EscapeMetricLabelValue(const std::string& value);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_METRICS_H_
