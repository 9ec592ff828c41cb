#include "shared/field_checker.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "shared/civil_date.h"
#include "shared/countries.h"
#include "shared/credit_code.h"
#include "shared/record_normalization.h"
#include "shared/resident_id.h"

namespace fedsync {
namespace {

// Code points, counted as bytes that do not continue a UTF-8 sequence (protobuf
// strings are valid UTF-8 by the time they get here).
int CharCount(absl::string_view text) {
  int count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool HasControlChar(absl::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

// Unicode's format characters (general category Cf) as of Unicode 15: invisible, they
// make two texts that look the same differ (a zero-width space in a name is a second
// person). Inclusive ranges, ascending.
struct CodePointRange {
  char32_t first, last;
};
constexpr CodePointRange kFormatCharacters[] = {
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},
    {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},
    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F},
};

// The code point of the UTF-8 sequence at text[*i], advancing *i past it. Text here
// is valid UTF-8 (protobuf strings); a stray byte counts as itself.
char32_t NextCodePoint(absl::string_view text, size_t* i) {
  const auto lead = static_cast<unsigned char>(text[*i]);
  int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  char32_t code = length == 1   ? lead
                  : length == 2 ? lead & 0x1F
                  : length == 3 ? lead & 0x0F
                                : lead & 0x07;
  if (*i + length > text.size()) length = 1;
  for (int k = 1; k < length; ++k) {
    code = (code << 6) | (static_cast<unsigned char>(text[*i + k]) & 0x3F);
  }
  *i += length;
  return code;
}

// Invisible characters: C1 controls (U+0080..U+009F) and format characters.
bool HasInvisibleChar(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const char32_t code = NextCodePoint(text, &i);
    if (code >= 0x80 && code <= 0x9F) return true;
    for (const CodePointRange& range : kFormatCharacters) {
      if (code < range.first) break;
      if (code <= range.last) return true;
    }
  }
  return false;
}

bool AllDigits(absl::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

// Mainland mobile numbers: 11 digits, 1 then 3-9.
bool IsMobileNumber(absl::string_view phone) {
  return phone.size() == 11 && AllDigits(phone) && phone[0] == '1' && phone[1] >= '3' &&
         phone[1] <= '9';
}

// Landlines: an area code of 0 plus 2-3 digits (010, 0551), an optional '-', and a
// 7-8 digit local number. Area codes never start 00 (that is the international prefix).
bool IsLandlineNumber(absl::string_view phone) {
  if (phone.size() < 2 || phone[0] != '0' || phone[1] == '0') return false;
  const size_t dash = phone.find('-');
  if (dash == absl::string_view::npos) {
    return AllDigits(phone) && phone.size() >= 10 && phone.size() <= 12;
  }
  const absl::string_view area = phone.substr(0, dash);
  const absl::string_view local = phone.substr(dash + 1);
  return AllDigits(area) && area.size() >= 3 && area.size() <= 4 && AllDigits(local) &&
         local.size() >= 7 && local.size() <= 8;
}

}  // namespace

void FieldChecker::Fail(absl::string_view field, absl::string_view reason) {
  errors_.push_back({std::string(field), std::string(reason)});
}

bool FieldChecker::Text(absl::string_view field, absl::string_view value, bool required,
                        int max_chars) {
  if (value.size() > static_cast<size_t>(kMaxFieldBytes)) {
    Fail(field, absl::StrCat("longer than ", kMaxFieldBytes, " bytes"));
    return false;
  }
  // As stored: without surrounding spaces (record_normalization.h).
  value = TrimRecordText(value);
  if (value.empty()) {
    if (!required) return true;
    Fail(field, "required");
    return false;
  }
  if (HasControlChar(value)) {
    Fail(field, "contains control characters");
    return false;
  }
  if (HasInvisibleChar(value)) {
    Fail(field,
         "contains invisible characters (zero-width or format characters, C1 controls); "
         "retype it");
    return false;
  }
  if (CharCount(value) > max_chars) {
    Fail(field, absl::StrCat("longer than ", max_chars, " characters"));
    return false;
  }
  return true;
}

bool FieldChecker::Enum(absl::string_view field, int value, bool (*valid)(int), bool required) {
  if (!valid(value)) {
    Fail(field, "unknown enum value");
    return false;
  }
  if (required && value == 0) {
    Fail(field, "required");
    return false;
  }
  return true;
}

bool FieldChecker::ResidentId(absl::string_view field, absl::string_view id) {
  if (id.empty()) {
    Fail(field, "required");
    return false;
  }
  absl::Status status = ValidateResidentId(id, today_);
  if (!status.ok()) {
    Fail(field, status.message());
    return false;
  }
  return true;
}

bool FieldChecker::CreditCode(absl::string_view field, absl::string_view code) {
  if (code.empty()) {
    Fail(field, "required");
    return false;
  }
  absl::Status status = ValidateCreditCode(code);
  if (!status.ok()) {
    Fail(field, status.message());
    return false;
  }
  return true;
}

bool FieldChecker::Date(absl::string_view field, absl::string_view text, absl::CivilDay* day) {
  if (text.empty()) {
    Fail(field, "required");
    return false;
  }
  bool present = false;
  return OptionalDate(field, text, day, &present);
}

bool FieldChecker::OptionalDate(absl::string_view field, absl::string_view text,
                                absl::CivilDay* day, bool* present) {
  *present = !text.empty();
  if (text.empty()) return true;
  if (!ParseDate(text, day)) {
    Fail(field, "not a real date in YYYY-MM-DD form");
    return false;
  }
  if (*day > today_) {
    Fail(field, "is in the future");
    return false;
  }
  return true;
}

bool FieldChecker::BirthDate(absl::string_view field, absl::string_view text,
                             absl::CivilDay* day) {
  if (!Date(field, text, day)) return false;
  if (day->year() < kEarliestBirthYear) {
    Fail(field, "is before 1900");
    return false;
  }
  return true;
}

bool FieldChecker::Country(absl::string_view field, absl::string_view code) {
  if (code.empty()) {
    Fail(field, "required");
    return false;
  }
  if (!IsCountryCode(code)) {
    Fail(field, "not an ISO 3166-1 alpha-2 code (two uppercase letters, e.g. GB)");
    return false;
  }
  // These registries are about ties abroad; CN here is always a slip.
  if (code == "CN") {
    Fail(field, "must be a place outside mainland China");
    return false;
  }
  return true;
}

bool FieldChecker::Phone(absl::string_view field, absl::string_view phone) {
  if (phone.empty() || IsMobileNumber(phone) || IsLandlineNumber(phone)) return true;
  Fail(field,
       "not a mainland mobile number (11 digits starting 13-19) or landline "
       "(0 + 2-3 digit area code, optional '-', 7-8 digits)");
  return false;
}

bool FieldChecker::Range(absl::string_view field, int64_t value, int64_t low, int64_t high) {
  if (value >= low && value <= high) return true;
  Fail(field, absl::StrCat("must be between ", low, " and ", high));
  return false;
}

bool FieldChecker::NonNegative(absl::string_view field, int64_t value) {
  if (value >= 0) return true;
  Fail(field, "must not be negative");
  return false;
}

void FieldChecker::NotBeforeIdBirth(absl::string_view field, absl::CivilDay day,
                                    absl::string_view id) {
  absl::CivilDay birth;
  if (ParseDate(ResidentIdBirthDate(id), &birth) && day < birth) {
    Fail(field, "is before the birth date in resident_id");
  }
}

}  // namespace fedsync
