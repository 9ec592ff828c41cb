#include "shared/civil_date.h"

#include "absl/strings/str_format.h"

namespace fedsync {
namespace {

// Parses `text` as unsigned ASCII decimal; false on any other character. Hand-written
// because absl::SimpleAtoi accepts signs and surrounding whitespace.
bool ParseDigits(absl::string_view text, int* out) {
  if (text.empty()) return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

}  // namespace

bool ParseDate(absl::string_view text, absl::CivilDay* out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int year = 0, month = 0, day = 0;
  if (!ParseDigits(text.substr(0, 4), &year) || !ParseDigits(text.substr(5, 2), &month) ||
      !ParseDigits(text.substr(8, 2), &day)) {
    return false;
  }
  if (year < 1) return false;
  // CivilDay normalises out-of-range fields (Feb 30 becomes Mar 1 or 2), so a day
  // exists exactly when normalisation left every field as written.
  const absl::CivilDay parsed(year, month, day);
  if (parsed.year() != year || parsed.month() != month || parsed.day() != day) return false;
  *out = parsed;
  return true;
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

}  // namespace fedsync
