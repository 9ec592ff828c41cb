// The field-level rules of record validation (record_validation.h), one method per
// kind of field: text, enums, resident IDs, credit codes, dates, countries, phones,
// amounts. A FieldChecker collects FieldErrors for one record; each check returns
// whether the field passed, so that rules relating two fields run only on fields that
// are sound on their own.
//
// Reasons name the rule, never the value: they end up in import reports, gRPC statuses
// and logs. Not thread-safe; one checker per record.
#ifndef FEDSYNC_SHARED_FIELD_CHECKER_H_
#define FEDSYNC_SHARED_FIELD_CHECKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace fedsync {

// One problem with one field of a record. `field` is the proto field name
// ("resident_id"), or "kind" when the record has no kind set; `reason` is free of
// personal values.
struct FieldError {
  std::string field;
  std::string reason;
};

// Generous bounds that still stop a pasted paragraph from becoming a name.
inline constexpr int kMaxNameChars = 50;
inline constexpr int kMaxTextChars = 100;
inline constexpr int kEarliestBirthYear = 1900;
// No text field is longer in bytes, even before trimming: what one record may weigh
// stays far below a message's 4 MiB (shared/limits.h), so that fedctl can refuse an
// oversized cell by its row (record_csv.h) instead of a batch failing at the district.
inline constexpr int kMaxFieldBytes = 1024;

class FieldChecker {
 public:
  explicit FieldChecker(absl::CivilDay today) : today_(today) {}

  std::vector<FieldError> TakeErrors() { return std::move(errors_); }
  void Fail(absl::string_view field, absl::string_view reason);

  // Text of at most `max_chars` code points, judged without leading and trailing
  // spaces (record_normalization.h), without control characters (C0, DEL, C1) and
  // invisible format characters (Unicode Cf: U+200B..U+200F, U+2060, U+FEFF, ...);
  // blank counts as missing.
  bool Text(absl::string_view field, absl::string_view value, bool required, int max_chars);
  // `valid` is the generated *_IsValid: proto3 keeps unknown enum numbers from the wire.
  bool Enum(absl::string_view field, int value, bool (*valid)(int), bool required);
  bool ResidentId(absl::string_view field, absl::string_view id);
  bool CreditCode(absl::string_view field, absl::string_view code);
  // A real YYYY-MM-DD date, not after today. An empty optional date passes with
  // *present = false.
  bool Date(absl::string_view field, absl::string_view text, absl::CivilDay* day);
  bool OptionalDate(absl::string_view field, absl::string_view text, absl::CivilDay* day,
                    bool* present);
  // A birth date: a date, and not before 1900.
  bool BirthDate(absl::string_view field, absl::string_view text, absl::CivilDay* day);
  // ISO 3166-1 alpha-2, outside mainland China.
  bool Country(absl::string_view field, absl::string_view code);
  // Empty, or a mainland mobile or landline number.
  bool Phone(absl::string_view field, absl::string_view phone);
  bool Range(absl::string_view field, int64_t value, int64_t low, int64_t high);
  bool NonNegative(absl::string_view field, int64_t value);
  // A date that must not precede the birth date encoded in a valid resident ID.
  void NotBeforeIdBirth(absl::string_view field, absl::CivilDay day, absl::string_view id);

  absl::CivilDay today() const { return today_; }

 private:
  absl::CivilDay today_;
  std::vector<FieldError> errors_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_FIELD_CHECKER_H_
