#include "shared/resident_id.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "shared/civil_date.h"

namespace fedsync {
namespace {

constexpr size_t kLength = 18;
constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kCheckChars[] = "10X98765432";
// GB 11643 came into force in 1999; nobody alive with an ID was born before 1900, and
// an earlier year is far more likely a typing mistake than a person.
constexpr int kEarliestBirthYear = 1900;

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(absl::string_view text) {
  for (char c : text) {
    if (!IsAsciiDigit(c)) return false;
  }
  return true;
}

// Full-width digits U+FF10..U+FF19 are EF BC 90..99 in UTF-8. Chinese input methods
// produce them easily, so they get their own reason.
bool HasFullWidthDigit(absl::string_view text) {
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    const auto b1 = static_cast<unsigned char>(text[i + 1]);
    const auto b2 = static_cast<unsigned char>(text[i + 2]);
    if (b0 == 0xEF && b1 == 0xBC && b2 >= 0x90 && b2 <= 0x99) return true;
  }
  return false;
}

bool HasNonAscii(absl::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// Parses YYYYMMDD (known to be 8 digits) through the strict date parser.
bool ParseCompactDate(absl::string_view yyyymmdd, absl::CivilDay* out) {
  return ParseDate(
      absl::StrCat(yyyymmdd.substr(0, 4), "-", yyyymmdd.substr(4, 2), "-", yyyymmdd.substr(6, 2)),
      out);
}

}  // namespace

char ResidentIdCheckChar(absl::string_view first17) {
  if (first17.size() != kWeights.size() || !AllDigits(first17)) return '\0';
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckChars[sum % 11];
}

absl::Status ValidateResidentId(absl::string_view id, absl::CivilDay today) {
  // Non-ASCII first: a full-width ID has 54 bytes, and "must be 18 characters" would
  // send the user looking for the wrong mistake.
  if (HasFullWidthDigit(id)) {
    return absl::InvalidArgumentError("contains full-width digits; use ASCII 0-9");
  }
  if (HasNonAscii(id)) {
    return absl::InvalidArgumentError("contains non-ASCII characters");
  }
  if (id.size() != kLength) {
    return absl::InvalidArgumentError(absl::StrCat("must be 18 characters, got ", id.size()));
  }
  if (!AllDigits(id.substr(0, 17))) {
    return absl::InvalidArgumentError("characters 1-17 must be digits");
  }
  const char last = id[17];
  if (!IsAsciiDigit(last) && last != 'X') {
    return absl::InvalidArgumentError(
        "check character must be a digit or an uppercase X (lowercase x is not accepted)");
  }
  if (id[0] < '1' || id[0] > '8') {
    return absl::InvalidArgumentError("region code must start with a digit 1-8");
  }
  absl::CivilDay birth;
  if (!ParseCompactDate(id.substr(6, 8), &birth)) {
    return absl::InvalidArgumentError("birth date is not a real date");
  }
  if (birth.year() < kEarliestBirthYear) {
    return absl::InvalidArgumentError("birth date is before 1900");
  }
  if (birth > today) {
    return absl::InvalidArgumentError("birth date is in the future");
  }
  // Deliberately neither the expected nor the actual character: with the other 17
  // characters known, either would complete the number.
  if (ResidentIdCheckChar(id.substr(0, 17)) != last) {
    return absl::InvalidArgumentError("check character mismatch");
  }
  return absl::OkStatus();
}

absl::Status ValidateResidentId(absl::string_view id, absl::string_view today) {
  absl::CivilDay day;
  if (!ParseDate(today, &day)) {
    return absl::InvalidArgumentError("today is not a YYYY-MM-DD date");
  }
  return ValidateResidentId(id, day);
}

std::string ResidentIdBirthDate(absl::string_view id) {
  if (id.size() < 14 || !AllDigits(id.substr(6, 8))) return "";
  absl::CivilDay birth;
  if (!ParseCompactDate(id.substr(6, 8), &birth)) return "";
  return FormatDate(birth);
}

bool ResidentIdIsMale(absl::string_view id) {
  return id.size() >= 17 && IsAsciiDigit(id[16]) && (id[16] - '0') % 2 == 1;
}

std::string MakeResidentId(absl::string_view region6, absl::string_view birth_yyyymmdd,
                           int sequence3) {
  if (region6.size() != 6 || !AllDigits(region6) || birth_yyyymmdd.size() != 8 ||
      !AllDigits(birth_yyyymmdd) || sequence3 < 0 || sequence3 > 999) {
    return "";
  }
  std::string id = absl::StrCat(region6, birth_yyyymmdd, absl::StrFormat("%03d", sequence3));
  id.push_back(ResidentIdCheckChar(id));
  return id;
}

}  // namespace fedsync
