#include "shared/metrics.h"

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shared/node_metrics.h"

namespace fedsync {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CountersRenderWithHelpTypeAndLabels) {
  MetricsRegistry registry;
  Counter* plain = registry.AddCounter("x_total", "Things.");
  Counter* by_child = registry.AddCounter("y_total", "Per child \"quoted\".", "child");
  EXPECT_EQ(registry.AddCounter("x_total", "again"), plain);
  plain->Increment(3);
  by_child->IncrementFor("luyang", 2);
  by_child->IncrementFor("luyang");
  EXPECT_EQ(by_child->Value("luyang"), 3);
  const std::string text = registry.RenderText();
  EXPECT_THAT(text, HasSubstr("# HELP x_total Things.\n# TYPE x_total counter\nx_total 3\n"));
  EXPECT_THAT(text, HasSubstr("# HELP y_total Per child \\\"quoted\\\".\n"));
  EXPECT_THAT(text, HasSubstr("y_total{child=\"luyang\"} 3\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  Histogram* latency = registry.AddHistogram("l_seconds", "Latency.", {0.01, 0.1, 1});
  for (double value : {0.005, 0.05, 0.05, 5.0}) latency->Observe(value);
  const std::string text = registry.RenderText();
  EXPECT_THAT(text, HasSubstr("# TYPE l_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("l_seconds_bucket{le=\"0.01\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("l_seconds_bucket{le=\"0.1\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("l_seconds_bucket{le=\"1\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("l_seconds_bucket{le=\"+Inf\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("l_seconds_sum 5.105\n"));
  EXPECT_THAT(text, HasSubstr("l_seconds_count 4\n"));
}

TEST(MetricsTest, CollectorsRunAtEachScrapeUntilRemoved) {
  MetricsRegistry registry;
  int calls = 0;
  int id = registry.AddCollector([&](MetricsWriter* writer) {
    ++calls;
    writer->Gauge("g", "A gauge.", 1796012646.292, {{"node", "hefei"}});
  });
  EXPECT_THAT(registry.RenderText(), HasSubstr("g{node=\"hefei\"} 1796012646.292\n"));
  registry.RemoveCollector(id);
  EXPECT_THAT(registry.RenderText(), Not(HasSubstr("g{")));
  EXPECT_EQ(calls, 1);
}

TEST(NodeMetricsTest, StatusBecomesLagAndConnectionGauges) {
  v1::GetStatusResponse status;
  status.set_level(v1::CITY);
  status.set_max_seq(120);
  status.mutable_parent()->set_connected(true);
  status.mutable_parent()->set_acked_seq(110);
  const absl::Time now = absl::FromUnixSeconds(1000);
  status.mutable_parent()->set_last_ack_unix_millis(990 * 1000);
  v1::ChildStatus* behind = status.add_children();
  behind->set_node_id("luyang");
  behind->set_connected(true);
  behind->set_watermark(90);
  behind->set_child_max_seq(95);
  behind->set_last_seen_unix_millis(997 * 1000);
  v1::ChildStatus* current = status.add_children();
  current->set_node_id("baohe");
  current->set_watermark(7);
  current->set_child_max_seq(7);
  MetricsWriter writer;
  WriteStatusMetrics(status, now, &writer);
  const std::string& text = writer.text();
  EXPECT_THAT(text, HasSubstr("fedsync_uplink_lag_seq 10\n"));
  EXPECT_THAT(text, HasSubstr("fedsync_uplink_lag_seconds 10\n"));
  EXPECT_THAT(text, HasSubstr("fedsync_children_connected 1\n"));
  EXPECT_THAT(text, HasSubstr("fedsync_child_lag_seq{child=\"luyang\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("fedsync_child_lag_seconds{child=\"luyang\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("fedsync_child_lag_seconds{child=\"baohe\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("fedsync_child_connected{child=\"baohe\"} 0\n"));
}

}  // namespace
}  // namespace fedsync
