#include "shared/record_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "shared/civil_date.h"
#include "shared/countries.h"
#include "shared/registry_kinds.h"
#include "shared/resident_id.h"

namespace fedsync {
namespace {

// Generous bounds that still stop a pasted paragraph from becoming a name.
constexpr int kMaxNameChars = 50;
constexpr int kMaxTextChars = 100;
// The registry is of people who returned after China reopened to study abroad; an
// earlier year is a typing mistake.
constexpr int kEarliestReturnYear = 1950;
constexpr int kEarliestBirthYear = 1900;

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

// Collects the errors of one record's payload. Each Check* returns whether the field
// passed, so relating rules run only on fields that are individually sound.
class Checker {
 public:
  explicit Checker(absl::CivilDay today) : today_(today) {}

  std::vector<FieldError> TakeErrors() { return std::move(errors_); }

  void Fail(absl::string_view field, absl::string_view reason) {
    errors_.push_back({std::string(field), std::string(reason)});
  }

  bool Text(absl::string_view field, absl::string_view value, bool required, int max_chars) {
    if (absl::StripAsciiWhitespace(value).empty()) {
      if (!required) return true;
      Fail(field, "required");
      return false;
    }
    if (HasControlChar(value)) {
      Fail(field, "contains control characters");
      return false;
    }
    if (CharCount(value) > max_chars) {
      Fail(field, absl::StrCat("longer than ", max_chars, " characters"));
      return false;
    }
    return true;
  }

  // `valid` is the generated *_IsValid; proto3 keeps unknown enum numbers from the
  // wire, so a set value may still be none of the names.
  bool Enum(absl::string_view field, int value, bool (*valid)(int), bool required) {
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

  bool ResidentId(absl::string_view field, absl::string_view id) {
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

  bool Date(absl::string_view field, absl::string_view text, absl::CivilDay* day) {
    if (text.empty()) {
      Fail(field, "required");
      return false;
    }
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

  bool Country(absl::string_view field, absl::string_view code) {
    if (code.empty()) {
      Fail(field, "required");
      return false;
    }
    if (!IsCountryCode(code)) {
      Fail(field, "not an ISO 3166-1 alpha-2 code (two uppercase letters, e.g. GB)");
      return false;
    }
    // These registries are about life abroad; CN here is always a slip.
    if (code == "CN") {
      Fail(field, "must be a place outside mainland China");
      return false;
    }
    return true;
  }

  void Phone(absl::string_view field, absl::string_view phone) {
    if (phone.empty() || IsMobileNumber(phone) || IsLandlineNumber(phone)) return;
    Fail(field,
         "not a mainland mobile number (11 digits starting 13-19) or landline "
         "(0 + 2-3 digit area code, optional '-', 7-8 digits)");
  }

  // A date that must not precede the birth date encoded in a valid resident ID.
  void NotBeforeIdBirth(absl::string_view field, absl::CivilDay day, absl::string_view id) {
    absl::CivilDay birth;
    if (ParseDate(ResidentIdBirthDate(id), &birth) && day < birth) {
      Fail(field, "is before the birth date in resident_id");
    }
  }

  absl::CivilDay today() const { return today_; }

 private:
  absl::CivilDay today_;
  std::vector<FieldError> errors_;
};

void CheckReturnedStudent(const v1::ReturnedStudent& s, Checker& check) {
  check.Text("name", s.name(), /*required=*/true, kMaxNameChars);
  const bool gender_ok = check.Enum("gender", s.gender(), v1::Gender_IsValid, true);
  const bool id_ok = check.ResidentId("resident_id", s.resident_id());
  absl::CivilDay birth;
  bool birth_ok = check.Date("birth_date", s.birth_date(), &birth);
  if (birth_ok && birth.year() < kEarliestBirthYear) {
    check.Fail("birth_date", "is before 1900");
    birth_ok = false;
  }
  check.Country("study_country", s.study_country());
  check.Enum("degree", s.degree(), v1::Degree_IsValid, true);
  check.Text("field", s.field(), /*required=*/false, kMaxTextChars);
  const int latest_year = static_cast<int>(check.today().year());
  const bool year_ok = s.return_year() >= kEarliestReturnYear && s.return_year() <= latest_year;
  if (!year_ok) {
    check.Fail("return_year",
               absl::StrCat("must be between ", kEarliestReturnYear, " and ", latest_year));
  }
  check.Enum("employer_type", s.employer_type(), v1::EmployerType_IsValid, false);
  check.Text("community", s.community(), /*required=*/true, kMaxTextChars);
  check.Phone("phone", s.phone());
  absl::CivilDay registered;
  const bool registered_ok = check.Date("registered_date", s.registered_date(), &registered);

  // Rules across fields, only between fields that passed on their own.
  if (id_ok && birth_ok && s.birth_date() != ResidentIdBirthDate(s.resident_id())) {
    check.Fail("birth_date", "does not match the birth date in resident_id");
  }
  if (id_ok && gender_ok && s.gender() != v1::GENDER_UNSPECIFIED &&
      (s.gender() == v1::MALE) != ResidentIdIsMale(s.resident_id())) {
    check.Fail("gender", "does not match the sequence digit of resident_id");
  }
  if (birth_ok && year_ok && s.return_year() < birth.year()) {
    check.Fail("return_year", "is before the birth year");
  }
  if (birth_ok && registered_ok && registered < birth) {
    check.Fail("registered_date", "is before birth_date");
  }
}

void CheckIdentityCertification(const v1::IdentityCertification& c, Checker& check) {
  check.Text("applicant_name", c.applicant_name(), /*required=*/true, kMaxNameChars);
  const bool id_ok = check.ResidentId("resident_id", c.resident_id());
  check.Enum("category", c.category(), v1::IdentityCategory_IsValid, true);
  absl::CivilDay issued;
  const bool issued_ok = check.Date("issue_date", c.issue_date(), &issued);
  check.Enum("outcome", c.outcome(), v1::Outcome_IsValid, true);
  check.Text("community", c.community(), /*required=*/true, kMaxTextChars);
  if (id_ok && issued_ok) check.NotBeforeIdBirth("issue_date", issued, c.resident_id());
}

void CheckStudyCertificate(const v1::StudyCertificate& c, Checker& check) {
  check.Text("student_name", c.student_name(), /*required=*/true, kMaxNameChars);
  const bool id_ok = check.ResidentId("resident_id", c.resident_id());
  check.Country("parent_country", c.parent_country());
  absl::CivilDay issued;
  const bool issued_ok = check.Date("issue_date", c.issue_date(), &issued);
  check.Enum("outcome", c.outcome(), v1::Outcome_IsValid, true);
  check.Text("community", c.community(), /*required=*/true, kMaxTextChars);
  if (id_ok && issued_ok) check.NotBeforeIdBirth("issue_date", issued, c.resident_id());
}

}  // namespace

std::vector<FieldError> RecordFieldErrors(const v1::Record& record, absl::CivilDay today) {
  Checker check(today);
  switch (record.kind_case()) {
    case v1::Record::kReturnedStudent:
      CheckReturnedStudent(record.returned_student(), check);
      break;
    case v1::Record::kIdentityCertification:
      CheckIdentityCertification(record.identity_certification(), check);
      break;
    case v1::Record::kStudyCertificate:
      CheckStudyCertificate(record.study_certificate(), check);
      break;
    case v1::Record::KIND_NOT_SET:
      check.Fail("kind", "no registry kind set");
      break;
  }
  return check.TakeErrors();
}

absl::Status ValidateRecord(const v1::Record& record, absl::CivilDay today) {
  std::vector<FieldError> errors = RecordFieldErrors(record, today);
  if (errors.empty()) return absl::OkStatus();
  const RegistryKind* kind = RegistryKindOf(record);
  const absl::string_view kind_name =
      kind == nullptr ? absl::string_view("record") : absl::string_view(kind->name);
  return absl::InvalidArgumentError(
      absl::StrCat(kind_name, ".", errors.front().field, ": ", errors.front().reason));
}

}  // namespace fedsync
