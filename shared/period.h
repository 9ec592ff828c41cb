// Periods are strings that carry their type: "2026" (year), "2026-Q3" (quarter),
// "2026-11" (month). Stock metrics are evaluated on a period's last day.
#ifndef FEDSYNC_SHARED_PERIOD_H_
#define FEDSYNC_SHARED_PERIOD_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "fedsync/v1/catalog.pb.h"

namespace fedsync {

// The period of `type` that contains `day`.
std::string PeriodOf(absl::CivilDay day, v1::PeriodType type);

struct Period {
  v1::PeriodType type;
  absl::CivilDay first_day;
  absl::CivilDay last_day;
};

// The period of `type` that contains `day`, as its days (PeriodOf gives its text).
Period PeriodContaining(absl::CivilDay day, v1::PeriodType type);

// kInvalidArgument unless `text` is a well-formed period of any type.
absl::StatusOr<Period> ParsePeriod(absl::string_view text);

// The period after `period` (same type). `period` must parse.
std::string NextPeriod(absl::string_view period);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PERIOD_H_
