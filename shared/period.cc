#include "shared/period.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fedsync {

std::string PeriodOf(absl::CivilDay day, v1::PeriodType type) {
  switch (type) {
    case v1::QUARTER:
      return absl::StrFormat("%04d-Q%d", day.year(), (day.month() - 1) / 3 + 1);
    case v1::MONTH:
      return absl::StrFormat("%04d-%02d", day.year(), day.month());
    default:
      return absl::StrFormat("%04d", day.year());
  }
}

Period PeriodContaining(absl::CivilDay day, v1::PeriodType type) {
  switch (type) {
    case v1::QUARTER: {
      const absl::CivilMonth first(day.year(), (day.month() - 1) / 3 * 3 + 1);
      return Period{v1::QUARTER, absl::CivilDay(first), absl::CivilDay(first + 3) - 1};
    }
    case v1::MONTH: {
      const absl::CivilMonth month(day);
      return Period{v1::MONTH, absl::CivilDay(month), absl::CivilDay(month + 1) - 1};
    }
    default:
      return Period{v1::YEAR, absl::CivilDay(day.year(), 1, 1), absl::CivilDay(day.year(), 12, 31)};
  }
}

absl::StatusOr<Period> ParsePeriod(absl::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("period '", text.substr(0, 20),
                     "' is not YYYY, YYYY-Qn or YYYY-MM"));
  };
  int year = 0;
  if (text.size() < 4 || !absl::SimpleAtoi(text.substr(0, 4), &year) || year < 1900 ||
      year > 9999) {
    return bad();
  }
  for (char c : text.substr(0, 4)) {
    if (c < '0' || c > '9') return bad();
  }
  if (text.size() == 4) {
    return Period{v1::YEAR, absl::CivilDay(year, 1, 1), absl::CivilDay(year, 12, 31)};
  }
  if (text.size() == 7 && text[4] == '-' && text[5] == 'Q' && text[6] >= '1' &&
      text[6] <= '4') {
    int quarter = text[6] - '0';
    absl::CivilMonth first(year, (quarter - 1) * 3 + 1);
    return Period{v1::QUARTER, absl::CivilDay(first), absl::CivilDay(first + 3) - 1};
  }
  if (text.size() == 7 && text[4] == '-' && text[5] >= '0' && text[5] <= '1' &&
      text[6] >= '0' && text[6] <= '9') {
    int month = (text[5] - '0') * 10 + (text[6] - '0');
    if (month < 1 || month > 12) return bad();
    absl::CivilMonth first(year, month);
    return Period{v1::MONTH, absl::CivilDay(first), absl::CivilDay(first + 1) - 1};
  }
  return bad();
}

std::string NextPeriod(absl::string_view period) {
  absl::StatusOr<Period> parsed = ParsePeriod(period);
  if (!parsed.ok()) return "";
  return PeriodOf(parsed->last_day + 1, parsed->type);
}

}  // namespace fedsync
