// Calendar dates as registries store them: "YYYY-MM-DD" text, parsed into
// absl::CivilDay. Strict on purpose: a registry date is typed by a person or comes from
// a spreadsheet, and "2024-2-3", "2024-02-30" or "2024-02-03 " are mistakes to report,
// not to repair. Stateless and thread-safe.
#ifndef FEDSYNC_SHARED_CIVIL_DATE_H_
#define FEDSYNC_SHARED_CIVIL_DATE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace fedsync {

// True and sets *out when `text` is exactly "YYYY-MM-DD" (ASCII digits, years
// 0001-9999) naming a day that exists. False otherwise; *out is then unchanged.
bool ParseDate(absl::string_view text, absl::CivilDay* out);

// "YYYY-MM-DD" with a four-digit, zero-padded year; the inverse of ParseDate for years
// 1-9999.
std::string FormatDate(absl::CivilDay day);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_CIVIL_DATE_H_
