#include "shared/metrics.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fedsync {
namespace {

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.15g", value);
}

std::string LabelText(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string text = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) text.push_back(',');
    absl::StrAppend(&text, labels[i].first, "=\"", EscapeMetricLabelValue(labels[i].second),
                    "\"");
  }
  text.push_back('}');
  return text;
}

void AppendHeader(std::string* text, const std::string& name, const std::string& help,
                  const char* type) {
  absl::StrAppend(text, "# HELP ", name, " ", EscapeMetricLabelValue(help), "\n", "# TYPE ",
                  name, " ", type, "\n");
}

}  // namespace

std::string EscapeMetricLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '"') {
      out.append("\\\"");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::atomic<int64_t>& Counter::Child(const std::string& label_value) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<std::atomic<int64_t>>& child = children_[label_value];
  if (child == nullptr) child = std::make_unique<std::atomic<int64_t>>(0);
  return *child;
}

int64_t Counter::Value(const std::string& label_value) const {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(label_value);
  return it == children_.end() ? 0 : it->second->load(std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<int64_t>[upper_bounds_.size()]) {
  for (size_t i = 0; i < upper_bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double value) {
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    if (value <= upper_bounds_[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(static_cast<int64_t>(std::llround(value * 1e9)),
                       std::memory_order_relaxed);
}

void MetricsWriter::Gauge(const std::string& name, const std::string& help, double value,
                          const MetricLabels& labels) {
  GaugeFamily(name, help, {{labels, value}});
}

void MetricsWriter::GaugeFamily(const std::string& name, const std::string& help,
                                const std::vector<std::pair<MetricLabels, double>>& samples) {
  AppendHeader(&text_, name, help, "gauge");
  for (const auto& [labels, value] : samples) {
    absl::StrAppend(&text_, name, LabelText(labels), " ", FormatValue(value), "\n");
  }
}

Counter* MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                     const std::string& label_name) {
  absl::MutexLock lock(&mu_);
  auto& entry = counters_[name];
  if (entry.second == nullptr) {
    entry.first = help;
    entry.second.reset(new Counter(label_name));
    // An unlabelled counter shows 0 before its first increment, so rates start at once.
    if (label_name.empty()) entry.second->Increment(0);
  }
  return entry.second.get();
}

Histogram* MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> upper_bounds) {
  absl::MutexLock lock(&mu_);
  auto& entry = histograms_[name];
  if (entry.second == nullptr) {
    entry.first = help;
    entry.second.reset(new Histogram(std::move(upper_bounds)));
  }
  return entry.second.get();
}

int MetricsRegistry::AddCollector(std::function<void(MetricsWriter*)> collector) {
  absl::MutexLock lock(&mu_);
  const int id = next_collector_id_++;
  collectors_[id] = std::move(collector);
  return id;
}

void MetricsRegistry::RemoveCollector(int id) {
  absl::MutexLock lock(&mu_);
  collectors_.erase(id);
}

std::string MetricsRegistry::RenderText() const {
  absl::MutexLock lock(&mu_);
  std::string text;
  for (const auto& [name, entry] : counters_) {
    AppendHeader(&text, name, entry.first, "counter");
    const Counter& counter = *entry.second;
    absl::MutexLock counter_lock(&counter.mu_);
    for (const auto& [label_value, value] : counter.children_) {
      MetricLabels labels;
      if (!counter.label_name_.empty()) labels.emplace_back(counter.label_name_, label_value);
      absl::StrAppend(&text, name, LabelText(labels), " ", value->load(), "\n");
    }
  }
  for (const auto& [name, entry] : histograms_) {
    AppendHeader(&text, name, entry.first, "histogram");
    const Histogram& histogram = *entry.second;
    int64_t cumulative = 0;
    for (size_t i = 0; i < histogram.upper_bounds_.size(); ++i) {
      cumulative += histogram.buckets_[i].load();
      absl::StrAppend(&text, name, "_bucket{le=\"", FormatValue(histogram.upper_bounds_[i]),
                      "\"} ", cumulative, "\n");
    }
    const int64_t count = histogram.count_.load();
    absl::StrAppend(&text, name, "_bucket{le=\"+Inf\"} ", count, "\n", name, "_sum ",
                    FormatValue(static_cast<double>(histogram.sum_nanos_.load()) / 1e9), "\n",
                    name, "_count ", count, "\n");
  }
  for (const auto& [id, collector] : collectors_) {
    MetricsWriter writer;
    collector(&writer);
    text.append(writer.text());
  }
  return text;
}

MetricsRegistry& DefaultMetrics() {
  static MetricsRegistry* registry = new MetricsRegistry;
  return *registry;
}

}  // namespace fedsync
