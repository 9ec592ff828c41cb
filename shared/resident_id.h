// Resident identity numbers (居民身份证号码), GB 11643-1999: 18 characters,
//   RRRRRR YYYYMMDD SSS C
// a 6-digit region code (where the birth was first registered), the birth date, a
// 3-digit sequence number (odd for men, even for women) and a check character from
// ISO 7064 MOD 11-2 ('0'-'9' or an uppercase 'X' for ten).
//
// An ID number is personal data: no message produced here contains the number or any
// part of it, so a reason can go into an error, a log line or an import report as is.
// Stateless and thread-safe.
#ifndef FEDSYNC_SHARED_RESIDENT_ID_H_
#define FEDSYNC_SHARED_RESIDENT_ID_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace fedsync {

// The check character for the first 17 characters of an ID: '0'-'9' or 'X'.
// Returns '\0' when `first17` is not exactly 17 ASCII digits.
char ResidentIdCheckChar(absl::string_view first17);

// OK when `id` is a well-formed ID number whose birth date lies between 1900-01-01 and
// `today` inclusive. Otherwise kInvalidArgument whose message is a bare reason
// ("check character mismatch", "birth date is not a real date", ...) for the caller to
// prefix with the field name; it never quotes the ID. A lowercase 'x' is refused:
// GB 11643 prints an uppercase X, and accepting both would give one person two keys.
absl::Status ValidateResidentId(absl::string_view id, absl::CivilDay today);
// The same with `today` as "YYYY-MM-DD"; kInvalidArgument when `today` is not a date.
absl::Status ValidateResidentId(absl::string_view id, absl::string_view today);

// The birth date of a valid ID as "YYYY-MM-DD". Empty when `id` is too short or its
// date characters are not a real date; call ValidateResidentId first.
std::string ResidentIdBirthDate(absl::string_view id);

// Whether the sequence number (the 17th character) is odd. False for a malformed ID;
// call ValidateResidentId first.
bool ResidentIdIsMale(absl::string_view id);

// region6 + birth_yyyymmdd + the 3-digit sequence + its check character. Returns an
// empty string when region6 is not 6 digits, birth_yyyymmdd not 8 digits, or sequence3
// outside 0..999. It does not judge the region or the date: that is the validator's job.
std::string MakeResidentId(absl::string_view region6, absl::string_view birth_yyyymmdd,
                           int sequence3);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_RESIDENT_ID_H_
