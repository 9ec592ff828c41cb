#include "shared/metric_query.h"

#include "gtest/gtest.h"

namespace fedsync {
namespace {

TEST(CheckRollupQueryTest, NamesTheFieldAndEchoesAtMost64Characters) {
  struct Case {
    std::string metric;
    std::string period;
    absl::StatusCode code;
    std::string message;
  };
  const std::string long_metric(20000, 'm');
  for (const Case& test : std::vector<Case>{
           {"returned_students_total", "", absl::StatusCode::kOk, ""},
           {"returned_students_total", "2026", absl::StatusCode::kOk, ""},
           {"", "", absl::StatusCode::kInvalidArgument, "metric: required"},
           {"", "2026", absl::StatusCode::kInvalidArgument, "metric: required"},
           {"no_such_metric", "", absl::StatusCode::kNotFound,
            "metric: 'no_such_metric' is not in this node's catalog"},
           {long_metric, "", absl::StatusCode::kNotFound,
            "metric: '" + std::string(64, 'm') + "' is not in this node's catalog"},
           {"returned_students_total", "2026-Q1", absl::StatusCode::kInvalidArgument,
            "period: returned_students_total is reported per YEAR, not per QUARTER"},
           {"returned_students_total", "2026-03", absl::StatusCode::kInvalidArgument,
            "period: returned_students_total is reported per YEAR, not per MONTH"},
           {"returned_students_total", "2026-13", absl::StatusCode::kInvalidArgument,
            "period: period '2026-13' is not YYYY, YYYY-Qn or YYYY-MM"},
       }) {
    absl::StatusOr<const v1::MetricDef*> found =
        CheckRollupQuery(*Catalog::Default(), test.metric, test.period);
    const std::string label = test.metric.substr(0, 30) + " " + test.period;
    EXPECT_EQ(found.status().code(), test.code) << label << ": " << found.status();
    if (found.ok()) {
      EXPECT_EQ((*found)->id(), test.metric) << label;
    } else {
      EXPECT_EQ(found.status().message(), test.message) << label;
    }
  }
}

}  // namespace
}  // namespace fedsync
