// Validation of the registries added after the foundation: enterprises, community
// figures, families in hardship and their aid visits (record_validation_test.cc has the
// others). Table-driven: each case changes one thing in a valid record and names the
// exact message.
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "shared/record_validation.h"
#include "shared/resident_id.h"

namespace fedsync {
namespace {

const absl::CivilDay kToday(2026, 11, 30);

std::string HeadId() { return MakeResidentId("340103", "19480512", 13); }  // male, 1948

v1::Record ValidEnterprise() {
  v1::Record record;
  v1::Enterprise* e = record.mutable_enterprise();
  e->set_name("合肥侨兴科技有限公司");
  e->set_credit_code("91350100M000100Y43");
  e->set_funding_type(v1::OVERSEAS_CHINESE_FUNDED);
  e->set_source_country("SG");
  e->set_industry(v1::INDUSTRY_I_INFORMATION_TECHNOLOGY);
  e->set_registered_capital_yuan(5'000'000);
  e->set_employees(42);
  e->set_founding_year(2012);
  e->set_community("林店街道金池社区");
  e->set_phone("0551-62345678");
  e->set_registered_date("2019-04-01");
  return record;
}

v1::Record ValidFigure() {
  v1::Record record;
  v1::CommunityFigure* f = record.mutable_community_figure();
  f->set_name("陈嘉庚");
  f->set_gender(v1::MALE);
  f->set_birth_date("1960-10-21");
  f->set_category(v1::FIGURE_OVERSEAS_CHINESE);
  f->set_role("侨商会副会长");
  f->set_country("MY");
  f->set_community("双岗街道双岗社区");
  f->set_registered_date("2020-01-15");
  return record;
}

v1::Record ValidCase() {
  v1::Record record;
  v1::HardshipCase* h = record.mutable_hardship_case();
  h->set_head_name("王建国");
  h->set_resident_id(HeadId());
  h->set_household_size(2);
  h->set_hardship_type(v1::SERIOUS_ILLNESS);
  h->set_filed_date("2021-06-01");
  h->set_status(v1::HARDSHIP_ACTIVE);
  h->set_community("杏花村街道杏花社区");
  h->set_phone("13912345678");
  return record;
}

v1::Record ValidVisit() {
  v1::Record record;
  v1::AidVisit* v = record.mutable_aid_visit();
  v->set_household_resident_id(HeadId());
  v->set_visit_date("2026-01-20");
  v->set_aid_kind(v1::CONDOLENCE_VISIT);
  v->set_amount_yuan(500);
  v->set_community("杏花村街道杏花社区");
  v->set_note("春节走访");
  return record;
}

template <typename Message>
std::function<v1::Record()> Change(v1::Record (*valid)(),
                                   Message* (v1::Record::*member)(),
                                   std::function<void(Message*)> change) {
  return [=] {
    v1::Record record = valid();
    change((record.*member)());
    return record;
  };
}

struct Case {
  std::string name;
  std::function<v1::Record()> make;
  std::string message;  // the first error as ValidateRecord gives it; empty: valid
};

std::vector<Case> Cases() {
  using E = v1::Enterprise;
  using F = v1::CommunityFigure;
  using H = v1::HardshipCase;
  using V = v1::AidVisit;
  auto enterprise = [](std::function<void(E*)> f) {
    return Change<E>(ValidEnterprise, &v1::Record::mutable_enterprise, f);
  };
  auto figure = [](std::function<void(F*)> f) {
    return Change<F>(ValidFigure, &v1::Record::mutable_community_figure, f);
  };
  auto hardship = [](std::function<void(H*)> f) {
    return Change<H>(ValidCase, &v1::Record::mutable_hardship_case, f);
  };
  auto visit = [](std::function<void(V*)> f) {
    return Change<V>(ValidVisit, &v1::Record::mutable_aid_visit, f);
  };
  return {
      {"valid enterprise", ValidEnterprise, ""},
      {"valid figure", ValidFigure, ""},
      {"valid hardship case", ValidCase, ""},
      {"valid aid visit", ValidVisit, ""},

      {"enterprise closed", enterprise([](E* e) { e->set_closed_date("2025-12-31"); }), ""},
      {"enterprise without name", enterprise([](E* e) { e->clear_name(); }),
       "enterprises.name: required"},
      {"credit code check", enterprise([](E* e) { e->set_credit_code("91350100M000100Y44"); }),
       "enterprises.credit_code: check character mismatch"},
      {"credit code 17", enterprise([](E* e) { e->set_credit_code("91350100M000100Y4"); }),
       "enterprises.credit_code: must be 18 characters, not 17"},
      {"credit code lowercase",
       enterprise([](E* e) { e->set_credit_code("91110000802100433b"); }),
       "enterprises.credit_code: contains lower-case letters; write them in upper case"},
      {"credit code missing", enterprise([](E* e) { e->clear_credit_code(); }),
       "enterprises.credit_code: required"},
      {"funding type missing",
       enterprise([](E* e) { e->set_funding_type(v1::FUNDING_TYPE_UNSPECIFIED); }),
       "enterprises.funding_type: required"},
      {"industry unknown number",
       enterprise([](E* e) { e->set_industry(static_cast<v1::IndustrySection>(42)); }),
       "enterprises.industry: unknown enum value"},
      {"source country CN", enterprise([](E* e) { e->set_source_country("CN"); }),
       "enterprises.source_country: must be a place outside mainland China"},
      {"negative capital", enterprise([](E* e) { e->set_registered_capital_yuan(-1); }),
       "enterprises.registered_capital_yuan: must not be negative"},
      {"negative employees", enterprise([](E* e) { e->set_employees(-3); }),
       "enterprises.employees: must not be negative"},
      {"founded in the future", enterprise([](E* e) { e->set_founding_year(2027); }),
       "enterprises.founding_year: must be between 1949 and 2026"},
      {"registered before founded", enterprise([](E* e) { e->set_founding_year(2020); }),
       "enterprises.registered_date: is before founding_year"},
      {"closed before registered", enterprise([](E* e) { e->set_closed_date("2019-03-31"); }),
       "enterprises.closed_date: is before registered_date"},
      {"closed tomorrow", enterprise([](E* e) { e->set_closed_date("2026-12-01"); }),
       "enterprises.closed_date: is in the future"},
      {"impossible date", enterprise([](E* e) { e->set_registered_date("2019-02-30"); }),
       "enterprises.registered_date: not a real date in YYYY-MM-DD form"},
      {"bad phone", enterprise([](E* e) { e->set_phone("12345"); }),
       "enterprises.phone: not a mainland mobile number (11 digits starting 13-19) or landline "
       "(0 + 2-3 digit area code, optional '-', 7-8 digits)"},

      {"figure without category",
       figure([](F* f) { f->set_category(v1::FIGURE_CATEGORY_UNSPECIFIED); }),
       "community_figures.category: required"},
      {"figure born 1899", figure([](F* f) { f->set_birth_date("1899-12-31"); }),
       "community_figures.birth_date: is before 1900"},
      {"figure registered before birth", figure([](F* f) { f->set_registered_date("1959-01-01"); }),
       "community_figures.registered_date: is before birth_date"},
      {"figure country not ISO", figure([](F* f) { f->set_country("Malaysia"); }),
       "community_figures.country: not an ISO 3166-1 alpha-2 code (two uppercase letters, "
       "e.g. GB)"},
      {"figure without role is fine", figure([](F* f) { f->clear_role(); }), ""},

      {"lifted case", hardship([](H* h) {
         h->set_status(v1::HARDSHIP_LIFTED);
         h->set_lifted_date("2025-09-30");
       }), ""},
      {"lifted without date", hardship([](H* h) { h->set_status(v1::HARDSHIP_LIFTED); }),
       "hardship_cases.lifted_date: required when status is HARDSHIP_LIFTED"},
      {"active with lifted date", hardship([](H* h) { h->set_lifted_date("2025-09-30"); }),
       "hardship_cases.lifted_date: must be empty while status is HARDSHIP_ACTIVE"},
      {"lifted before filed", hardship([](H* h) {
         h->set_status(v1::HARDSHIP_LIFTED);
         h->set_lifted_date("2021-05-31");
       }),
       "hardship_cases.lifted_date: is before filed_date"},
      {"household of 0", hardship([](H* h) { h->set_household_size(0); }),
       "hardship_cases.household_size: must be between 1 and 30"},
      {"case ID check", hardship([](H* h) {
         std::string id = HeadId();
         id[17] = id[17] == '0' ? '1' : '0';
         h->set_resident_id(id);
       }),
       "hardship_cases.resident_id: check character mismatch"},
      {"filed in the future", hardship([](H* h) { h->set_filed_date("2027-01-01"); }),
       "hardship_cases.filed_date: is in the future"},

      {"visit amount negative", visit([](V* v) { v->set_amount_yuan(-100); }),
       "aid_visits.amount_yuan: must not be negative"},
      {"visit amount absurd", visit([](V* v) { v->set_amount_yuan(50'000'000); }),
       "aid_visits.amount_yuan: must be between 0 and 10000000"},
      {"visit without kind", visit([](V* v) { v->set_aid_kind(v1::AID_KIND_UNSPECIFIED); }),
       "aid_visits.aid_kind: required"},
      {"visit before the head was born", visit([](V* v) { v->set_visit_date("1947-01-01"); }),
       "aid_visits.visit_date: is before the birth date in resident_id"},
      {"visit without household", visit([](V* v) { v->clear_household_resident_id(); }),
       "aid_visits.household_resident_id: required"},
  };
}

TEST(RecordValidationKindsTest, Table) {
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

TEST(RecordValidationKindsTest, ReasonsNeverQuoteValues) {
  v1::Record record = ValidEnterprise();
  record.mutable_enterprise()->set_credit_code("91350100M000100Y44");
  record.mutable_enterprise()->set_phone("999");
  for (const FieldError& error : RecordFieldErrors(record, kToday)) {
    EXPECT_EQ(error.reason.find("91350100"), std::string::npos) << error.reason;
    EXPECT_EQ(error.reason.find("999"), std::string::npos) << error.reason;
  }
}

}  // namespace
}  // namespace fedsync
