#include "shared/metric_query.h"

#include "absl/strings/str_cat.h"
#include "shared/period.h"

namespace fedsync {

absl::Status CheckMetricPeriod(const v1::MetricDef& metric, absl::string_view period) {
  absl::StatusOr<Period> parsed = ParsePeriod(period);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("period: ", parsed.status().message()));
  }
  if (parsed->type != metric.period_type()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period: ", metric.id(), " is reported per ", v1::PeriodType_Name(metric.period_type()),
        ", not per ", v1::PeriodType_Name(parsed->type)));
  }
  return absl::OkStatus();
}

absl::StatusOr<const v1::MetricDef*> CheckRollupQuery(const Catalog& catalog,
                                                      const std::string& metric,
                                                      const std::string& period) {
  if (metric.empty()) return absl::InvalidArgumentError("metric: required");
  const v1::MetricDef* found = catalog.Find(metric);
  if (found == nullptr) {
    return absl::NotFoundError(absl::StrCat("metric: '", metric.substr(0, kMaxEchoedInput),
                                            "' is not in this node's catalog"));
  }
  if (!period.empty()) {
    absl::Status checked = CheckMetricPeriod(*found, period);
    if (!checked.ok()) return checked;
  }
  return found;
}

}  // namespace fedsync
