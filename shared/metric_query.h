// Checks of what an operator asks about a metric (a rollup, a target) against the
// catalog, shared by every node so that the same mistake gets the same words
// everywhere. Each error names the field and echoes at most 64 characters of the
// input, so that a status never grows past what gRPC carries in its trailers.
#ifndef FEDSYNC_SHARED_METRIC_QUERY_H_
#define FEDSYNC_SHARED_METRIC_QUERY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fedsync/v1/catalog.pb.h"
#include "shared/catalog.h"

namespace fedsync {

// The longest piece of an operator's input echoed in an error.
inline constexpr size_t kMaxEchoedInput = 64;

// OK when `period` is a period of `metric`'s type; kInvalidArgument
// "period: <why it does not parse>" or
// "period: <metric> is reported per YEAR, not per QUARTER".
absl::Status CheckMetricPeriod(const v1::MetricDef& metric, absl::string_view period);

// The metric a rollup asks for, in `catalog`. kInvalidArgument "metric: required" for an
// empty metric, kNotFound "metric: '<metric>' is not in this node's catalog", and
// CheckMetricPeriod's errors for a period given (an empty period means every period).
absl::StatusOr<const v1::MetricDef*> CheckRollupQuery(const Catalog& catalog,
                                                      const std::string& metric,
                                                      const std::string& period);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_METRIC_QUERY_H_
