#include "shared/record_validation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "shared/field_checker.h"
#include "shared/registry_kinds.h"
#include "shared/resident_id.h"

namespace fedsync {
namespace {

// The registry is of people who returned after China reopened to study abroad; an
// earlier year is a typing mistake.
constexpr int kEarliestReturnYear = 1950;
// Enterprises of the registry were founded after 1949; earlier is a typing mistake.
constexpr int kEarliestFoundingYear = 1949;
// A household of more is a data-entry slip (an extra digit), not a family.
constexpr int kMaxHouseholdSize = 30;
// One aid payment above this is a slip (yuan typed as fen), not aid.
constexpr int64_t kMaxAidYuan = 10'000'000;

void CheckReturnedStudent(const v1::ReturnedStudent& s, FieldChecker& check) {
  check.Text("name", s.name(), /*required=*/true, kMaxNameChars);
  const bool gender_ok = check.Enum("gender", s.gender(), v1::Gender_IsValid, true);
  const bool id_ok = check.ResidentId("resident_id", s.resident_id());
  absl::CivilDay birth;
  const bool birth_ok = check.BirthDate("birth_date", s.birth_date(), &birth);
  check.Country("study_country", s.study_country());
  check.Enum("degree", s.degree(), v1::Degree_IsValid, true);
  check.Text("field", s.field(), /*required=*/false, kMaxTextChars);
  const bool year_ok = check.Range("return_year", s.return_year(), kEarliestReturnYear,
                                   check.today().year());
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

void CheckIdentityCertification(const v1::IdentityCertification& c, FieldChecker& check) {
  check.Text("applicant_name", c.applicant_name(), /*required=*/true, kMaxNameChars);
  const bool id_ok = check.ResidentId("resident_id", c.resident_id());
  check.Enum("category", c.category(), v1::IdentityCategory_IsValid, true);
  absl::CivilDay issued;
  const bool issued_ok = check.Date("issue_date", c.issue_date(), &issued);
  check.Enum("outcome", c.outcome(), v1::Outcome_IsValid, true);
  check.Text("community", c.community(), /*required=*/true, kMaxTextChars);
  if (id_ok && issued_ok) check.NotBeforeIdBirth("issue_date", issued, c.resident_id());
}

void CheckStudyCertificate(const v1::StudyCertificate& c, FieldChecker& check) {
  check.Text("student_name", c.student_name(), /*required=*/true, kMaxNameChars);
  const bool id_ok = check.ResidentId("resident_id", c.resident_id());
  check.Country("parent_country", c.parent_country());
  absl::CivilDay issued;
  const bool issued_ok = check.Date("issue_date", c.issue_date(), &issued);
  check.Enum("outcome", c.outcome(), v1::Outcome_IsValid, true);
  check.Text("community", c.community(), /*required=*/true, kMaxTextChars);
  if (id_ok && issued_ok) check.NotBeforeIdBirth("issue_date", issued, c.resident_id());
}

void CheckEnterprise(const v1::Enterprise& e, FieldChecker& check) {
  check.Text("name", e.name(), /*required=*/true, kMaxTextChars);
  check.CreditCode("credit_code", e.credit_code());
  check.Enum("funding_type", e.funding_type(), v1::FundingType_IsValid, true);
  check.Country("source_country", e.source_country());
  check.Enum("industry", e.industry(), v1::IndustrySection_IsValid, true);
  check.NonNegative("registered_capital_yuan", e.registered_capital_yuan());
  check.NonNegative("employees", e.employees());
  const bool founded_ok = check.Range("founding_year", e.founding_year(), kEarliestFoundingYear,
                                      check.today().year());
  check.Text("community", e.community(), /*required=*/true, kMaxTextChars);
  check.Phone("phone", e.phone());
  absl::CivilDay registered, closed;
  const bool registered_ok = check.Date("registered_date", e.registered_date(), &registered);
  bool has_closed = false;
  const bool closed_ok = check.OptionalDate("closed_date", e.closed_date(), &closed, &has_closed);

  if (founded_ok && registered_ok && registered.year() < e.founding_year()) {
    check.Fail("registered_date", "is before founding_year");
  }
  if (registered_ok && closed_ok && has_closed && closed < registered) {
    check.Fail("closed_date", "is before registered_date");
  }
}

void CheckCommunityFigure(const v1::CommunityFigure& f, FieldChecker& check) {
  check.Text("name", f.name(), /*required=*/true, kMaxNameChars);
  check.Enum("gender", f.gender(), v1::Gender_IsValid, true);
  absl::CivilDay birth;
  const bool birth_ok = check.BirthDate("birth_date", f.birth_date(), &birth);
  check.Enum("category", f.category(), v1::FigureCategory_IsValid, true);
  check.Text("role", f.role(), /*required=*/false, kMaxTextChars);
  check.Country("country", f.country());
  check.Text("community", f.community(), /*required=*/true, kMaxTextChars);
  check.Phone("phone", f.phone());
  absl::CivilDay registered;
  const bool registered_ok = check.Date("registered_date", f.registered_date(), &registered);
  if (birth_ok && registered_ok && registered < birth) {
    check.Fail("registered_date", "is before birth_date");
  }
}

void CheckHardshipCase(const v1::HardshipCase& h, FieldChecker& check) {
  check.Text("head_name", h.head_name(), /*required=*/true, kMaxNameChars);
  const bool id_ok = check.ResidentId("resident_id", h.resident_id());
  check.Range("household_size", h.household_size(), 1, kMaxHouseholdSize);
  check.Enum("hardship_type", h.hardship_type(), v1::HardshipType_IsValid, true);
  absl::CivilDay filed, lifted;
  const bool filed_ok = check.Date("filed_date", h.filed_date(), &filed);
  const bool status_ok = check.Enum("status", h.status(), v1::HardshipStatus_IsValid, true);
  bool has_lifted = false;
  const bool lifted_ok = check.OptionalDate("lifted_date", h.lifted_date(), &lifted, &has_lifted);
  check.Text("community", h.community(), /*required=*/true, kMaxTextChars);
  check.Phone("phone", h.phone());

  if (status_ok && lifted_ok) {
    if (h.status() == v1::HARDSHIP_LIFTED && !has_lifted) {
      check.Fail("lifted_date", "required when status is HARDSHIP_LIFTED");
    } else if (h.status() == v1::HARDSHIP_ACTIVE && has_lifted) {
      check.Fail("lifted_date", "must be empty while status is HARDSHIP_ACTIVE");
    }
  }
  if (filed_ok && lifted_ok && has_lifted && lifted < filed) {
    check.Fail("lifted_date", "is before filed_date");
  }
  if (id_ok && filed_ok) check.NotBeforeIdBirth("filed_date", filed, h.resident_id());
}

void CheckAidVisit(const v1::AidVisit& v, FieldChecker& check) {
  const bool id_ok = check.ResidentId("household_resident_id", v.household_resident_id());
  absl::CivilDay visited;
  const bool visited_ok = check.Date("visit_date", v.visit_date(), &visited);
  check.Enum("aid_kind", v.aid_kind(), v1::AidKind_IsValid, true);
  if (check.NonNegative("amount_yuan", v.amount_yuan())) {
    check.Range("amount_yuan", v.amount_yuan(), 0, kMaxAidYuan);
  }
  check.Text("community", v.community(), /*required=*/true, kMaxTextChars);
  check.Text("note", v.note(), /*required=*/false, kMaxTextChars);
  if (id_ok && visited_ok) {
    check.NotBeforeIdBirth("visit_date", visited, v.household_resident_id());
  }
}

}  // namespace

std::vector<FieldError> RecordFieldErrors(const v1::Record& record, absl::CivilDay today) {
  FieldChecker check(today);
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
    case v1::Record::kEnterprise:
      CheckEnterprise(record.enterprise(), check);
      break;
    case v1::Record::kCommunityFigure:
      CheckCommunityFigure(record.community_figure(), check);
      break;
    case v1::Record::kHardshipCase:
      CheckHardshipCase(record.hardship_case(), check);
      break;
    case v1::Record::kAidVisit:
      CheckAidVisit(record.aid_visit(), check);
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
