#include "shared/record_validation.h"

#include <functional>
#include <string>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

const absl::CivilDay kToday(2026, 12, 31);
constexpr char kName[] = "王晓明";
constexpr char kMaleId[] = "340103199003071239";    // born 1990-03-07, male
constexpr char kFemaleId[] = "340102198511160042";  // born 1985-11-16, female
constexpr char kChildId[] = "340104201406150026";   // born 2014-06-15, female
constexpr char kPhone[] = "13912345678";

v1::Record ValidStudent() {
  v1::Record record;
  v1::ReturnedStudent* s = record.mutable_returned_student();
  s->set_name(kName);
  s->set_gender(v1::MALE);
  s->set_resident_id(kMaleId);
  s->set_birth_date("1990-03-07");
  s->set_study_country("GB");
  s->set_degree(v1::MASTER);
  s->set_field("材料科学与工程");
  s->set_return_year(2016);
  s->set_employer_type(v1::PRIVATE_ENTERPRISE);
  s->set_community("林店街道金池社区");
  s->set_phone(kPhone);
  s->set_registered_date("2019-05-20");
  return record;
}

v1::Record ValidCertification() {
  v1::Record record;
  v1::IdentityCertification* c = record.mutable_identity_certification();
  c->set_applicant_name(kName);
  c->set_resident_id(kFemaleId);
  c->set_category(v1::RELATIVE_OF_OVERSEAS_CHINESE);
  c->set_issue_date("2026-04-02");
  c->set_outcome(v1::APPROVED);
  c->set_community("亳州路街道北二社区");
  return record;
}

v1::Record ValidStudyCertificate() {
  v1::Record record;
  v1::StudyCertificate* c = record.mutable_study_certificate();
  c->set_student_name(kName);
  c->set_resident_id(kChildId);
  c->set_parent_country("IT");
  c->set_issue_date("2026-08-28");
  c->set_outcome(v1::APPROVED);
  c->set_community("双岗街道双岗社区");
  return record;
}

std::string Repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

struct Case {
  std::string name;
  std::function<v1::Record()> make;
  std::string message;  // empty: valid
};

v1::Record Student(const std::function<void(v1::ReturnedStudent*)>& change) {
  v1::Record record = ValidStudent();
  change(record.mutable_returned_student());
  return record;
}
v1::Record Certification(const std::function<void(v1::IdentityCertification*)>& change) {
  v1::Record record = ValidCertification();
  change(record.mutable_identity_certification());
  return record;
}
v1::Record StudyCertificate(const std::function<void(v1::StudyCertificate*)>& change) {
  v1::Record record = ValidStudyCertificate();
  change(record.mutable_study_certificate());
  return record;
}

std::vector<Case> Cases() {
  using S = v1::ReturnedStudent;
  using C = v1::IdentityCertification;
  using T = v1::StudyCertificate;
  const std::string rs = "returned_students.";
  const std::string ic = "identity_certifications.";
  const std::string sc = "study_certificates.";
  const std::string phone_reason =
      "not a mainland mobile number (11 digits starting 13-19) or landline "
      "(0 + 2-3 digit area code, optional '-', 7-8 digits)";
  std::vector<Case> cases = {
      {"valid student", ValidStudent, ""},
      {"valid certification", ValidCertification, ""},
      {"valid study certificate", ValidStudyCertificate, ""},
      {"no kind", [] { return v1::Record(); }, "record.kind: no registry kind set"},

      {"name missing", [] { return Student([](S* s) { s->clear_name(); }); },
       rs + "name: required"},
      {"name blank", [] { return Student([](S* s) { s->set_name("  "); }); },
       rs + "name: required"},
      {"name with a line break", [] { return Student([](S* s) { s->set_name("王\n明"); }); },
       rs + "name: contains control characters"},
      {"name of 50 characters", [] { return Student([](S* s) { s->set_name(Repeat("王", 50)); }); },
       ""},
      {"name too long", [] { return Student([](S* s) { s->set_name(Repeat("王", 51)); }); },
       rs + "name: longer than 50 characters"},
      {"gender missing",
       [] { return Student([](S* s) { s->set_gender(v1::GENDER_UNSPECIFIED); }); },
       rs + "gender: required"},
      {"gender unknown number",
       [] { return Student([](S* s) { s->set_gender(static_cast<v1::Gender>(7)); }); },
       rs + "gender: unknown enum value"},
      {"gender against the ID", [] { return Student([](S* s) { s->set_gender(v1::FEMALE); }); },
       rs + "gender: does not match the sequence digit of resident_id"},
      {"resident_id missing", [] { return Student([](S* s) { s->clear_resident_id(); }); },
       rs + "resident_id: required"},
      {"resident_id check character",
       [] { return Student([](S* s) { s->set_resident_id("340103199003071238"); }); },
       rs + "resident_id: check character mismatch"},
      {"resident_id lowercase x",
       [] { return Student([](S* s) { s->set_resident_id("11010519491231002x"); }); },
       rs + "resident_id: check character must be a digit or an uppercase X (lowercase x is "
            "not accepted)"},
      {"birth_date missing", [] { return Student([](S* s) { s->clear_birth_date(); }); },
       rs + "birth_date: required"},
      {"birth_date malformed", [] { return Student([](S* s) { s->set_birth_date("1990-3-7"); }); },
       rs + "birth_date: not a real date in YYYY-MM-DD form"},
      {"birth_date impossible",
       [] { return Student([](S* s) { s->set_birth_date("1990-02-30"); }); },
       rs + "birth_date: not a real date in YYYY-MM-DD form"},
      {"birth_date against the ID",
       [] { return Student([](S* s) { s->set_birth_date("1990-03-08"); }); },
       rs + "birth_date: does not match the birth date in resident_id"},
      {"study_country missing", [] { return Student([](S* s) { s->clear_study_country(); }); },
       rs + "study_country: required"},
      {"study_country UK", [] { return Student([](S* s) { s->set_study_country("UK"); }); },
       rs + "study_country: not an ISO 3166-1 alpha-2 code (two uppercase letters, e.g. GB)"},
      {"study_country lowercase", [] { return Student([](S* s) { s->set_study_country("gb"); }); },
       rs + "study_country: not an ISO 3166-1 alpha-2 code (two uppercase letters, e.g. GB)"},
      {"study_country CN", [] { return Student([](S* s) { s->set_study_country("CN"); }); },
       rs + "study_country: must be a place outside mainland China"},
      {"degree missing",
       [] { return Student([](S* s) { s->set_degree(v1::DEGREE_UNSPECIFIED); }); },
       rs + "degree: required"},
      {"field optional", [] { return Student([](S* s) { s->clear_field(); }); }, ""},
      {"field too long", [] { return Student([](S* s) { s->set_field(std::string(101, 'a')); }); },
       rs + "field: longer than 100 characters"},
      {"return_year missing", [] { return Student([](S* s) { s->clear_return_year(); }); },
       rs + "return_year: must be between 1950 and 2026"},
      {"return_year 1949", [] { return Student([](S* s) { s->set_return_year(1949); }); },
       rs + "return_year: must be between 1950 and 2026"},
      {"return_year next year", [] { return Student([](S* s) { s->set_return_year(2027); }); },
       rs + "return_year: must be between 1950 and 2026"},
      {"return_year this year", [] { return Student([](S* s) { s->set_return_year(2026); }); }, ""},
      {"return_year before birth", [] { return Student([](S* s) { s->set_return_year(1989); }); },
       rs + "return_year: is before the birth year"},
      {"employer_type optional",
       [] { return Student([](S* s) { s->set_employer_type(v1::EMPLOYER_TYPE_UNSPECIFIED); }); },
       ""},
      {"community missing", [] { return Student([](S* s) { s->clear_community(); }); },
       rs + "community: required"},
      {"phone optional", [] { return Student([](S* s) { s->clear_phone(); }); }, ""},
      {"registered_date missing", [] { return Student([](S* s) { s->clear_registered_date(); }); },
       rs + "registered_date: required"},
      {"registered_date tomorrow",
       [] { return Student([](S* s) { s->set_registered_date("2027-01-01"); }); },
       rs + "registered_date: is in the future"},
      {"registered_date today",
       [] { return Student([](S* s) { s->set_registered_date("2026-12-31"); }); }, ""},
      {"registered_date before birth",
       [] { return Student([](S* s) { s->set_registered_date("1990-03-06"); }); },
       rs + "registered_date: is before birth_date"},

      {"applicant_name missing",
       [] { return Certification([](C* c) { c->clear_applicant_name(); }); },
       ic + "applicant_name: required"},
      {"certification resident_id short",
       [] { return Certification([](C* c) { c->set_resident_id("34010219851116004"); }); },
       ic + "resident_id: must be 18 characters, got 17"},
      {"category missing",
       [] {
         return Certification([](C* c) { c->set_category(v1::IDENTITY_CATEGORY_UNSPECIFIED); });
       },
       ic + "category: required"},
      {"issue_date missing", [] { return Certification([](C* c) { c->clear_issue_date(); }); },
       ic + "issue_date: required"},
      {"issue_date in the future",
       [] { return Certification([](C* c) { c->set_issue_date("2027-01-04"); }); },
       ic + "issue_date: is in the future"},
      {"issue_date before birth",
       [] { return Certification([](C* c) { c->set_issue_date("1985-11-15"); }); },
       ic + "issue_date: is before the birth date in resident_id"},
      {"outcome missing",
       [] { return Certification([](C* c) { c->set_outcome(v1::OUTCOME_UNSPECIFIED); }); },
       ic + "outcome: required"},
      {"certification community missing",
       [] { return Certification([](C* c) { c->clear_community(); }); },
       ic + "community: required"},

      {"student_name missing",
       [] { return StudyCertificate([](T* c) { c->clear_student_name(); }); },
       sc + "student_name: required"},
      {"parent_country CN",
       [] { return StudyCertificate([](T* c) { c->set_parent_country("CN"); }); },
       sc + "parent_country: must be a place outside mainland China"},
      {"parent_country unknown",
       [] { return StudyCertificate([](T* c) { c->set_parent_country("XX"); }); },
       sc + "parent_country: not an ISO 3166-1 alpha-2 code (two uppercase letters, e.g. GB)"},
      {"study certificate issued before birth",
       [] { return StudyCertificate([](T* c) { c->set_issue_date("2014-06-14"); }); },
       sc + "issue_date: is before the birth date in resident_id"},
      {"study certificate outcome missing",
       [] { return StudyCertificate([](T* c) { c->set_outcome(v1::OUTCOME_UNSPECIFIED); }); },
       sc + "outcome: required"},
  };
  struct PhoneCase {
    const char* phone;
    bool ok;
  };
  const PhoneCase phones[] = {
      {"13812345678", true},   {"19912345678", true},     {"16612345678", true},
      {"0551-65123456", true}, {"010-12345678", true},    {"0551-6512345", true},
      {"055165123456", true},  {"02112345678", true},     {"12812345678", false},
      {"1381234567", false},   {"138123456789", false},   {"+8613812345678", false},
      {"0551-651234", false},  {"0551-651234567", false}, {"00551-6512345", false},
      {"551-65123456", false}, {"0551--6512345", false},  {"138 1234 5678", false},
      {"05-65123456", false},  {"05511-6512345", false},  {"１３８１２３４５６７８", false},
  };
  for (const PhoneCase& p : phones) {
    const std::string phone = p.phone;
    cases.push_back({std::string("phone ") + p.phone,
                     [phone] { return Student([&](S* s) { s->set_phone(phone); }); },
                     p.ok ? "" : rs + "phone: " + phone_reason});
  }
  return cases;
}

TEST(RecordValidationTest, Table) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const absl::Status status = ValidateRecord(c.make(), kToday);
    if (c.message.empty()) {
      EXPECT_TRUE(status.ok()) << status.message();
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(status.message(), c.message);
    }
  }
}

TEST(RecordValidationTest, MessagesCarryNoPersonalValue) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const v1::Record record = c.make();
    const std::string message(ValidateRecord(record, kToday).message());
    for (const std::string& personal :
         {std::string(kName), std::string("王"), std::string(kMaleId).substr(0, 6),
          std::string(kMaleId).substr(6, 8), std::string(kFemaleId).substr(6, 8),
          std::string(kPhone).substr(3), std::string("65123456")}) {
      EXPECT_EQ(message.find(personal), std::string::npos) << message;
    }
  }
}

TEST(RecordValidationTest, ReportsEveryProblemInFieldOrder) {
  v1::Record record = ValidStudent();
  v1::ReturnedStudent* s = record.mutable_returned_student();
  s->clear_name();
  s->set_study_country("UK");
  s->set_phone("12345");
  s->set_birth_date("1990-03-08");
  const std::vector<FieldError> errors = RecordFieldErrors(record, kToday);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].field, "name");
  EXPECT_EQ(errors[1].field, "study_country");
  EXPECT_EQ(errors[2].field, "phone");
  EXPECT_EQ(errors[3].field, "birth_date");
  EXPECT_EQ(errors[3].reason, "does not match the birth date in resident_id");
}

TEST(RecordValidationTest, TodayBoundsTheIdAndTheDates) {
  // Valid at the end of 2026; on 2019-05-19 it was registered a day too early.
  EXPECT_TRUE(ValidateRecord(ValidStudent(), kToday).ok());
  EXPECT_EQ(ValidateRecord(ValidStudent(), absl::CivilDay(2019, 5, 19)).message(),
            "returned_students.registered_date: is in the future");
  EXPECT_EQ(ValidateRecord(ValidStudent(), absl::CivilDay(2015, 12, 31)).message(),
            "returned_students.return_year: must be between 1950 and 2015");
  // A person born after `today` fails on the ID itself.
  EXPECT_EQ(ValidateRecord(ValidStudent(), absl::CivilDay(1990, 3, 6)).message(),
            "returned_students.resident_id: birth date is in the future");
}

}  // namespace
}  // namespace fedsync
