#include "shared/demo_registries.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "shared/civil_date.h"
#include "shared/credit_code.h"

namespace fedsync::demo {
namespace {

// Credit code characters that are also GB 11714 organisation code characters.
constexpr absl::string_view kCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

constexpr const char* kTradeNames[] = {"鑫华", "海川", "侨兴", "恒通", "华盛", "联创", "新域",
                                       "远航", "瑞丰", "金桥", "嘉禾", "汇源", "中侨", "启明"};
constexpr Weighted<const char*> kBusinesses[] = {
    {"科技", 8}, {"贸易", 6}, {"食品", 3}, {"医疗器械", 2}, {"电子", 4}, {"文化传媒", 2},
    {"餐饮管理", 3}, {"教育咨询", 2}, {"建筑工程", 2}, {"物流", 2}, {"生物科技", 2}};
constexpr Weighted<const char*> kSourceCountries[] = {
    {"SG", 8}, {"MY", 6}, {"US", 7}, {"CA", 4}, {"AU", 4}, {"JP", 3},
    {"TH", 3}, {"ID", 3}, {"GB", 2}, {"DE", 2}, {"NZ", 1}, {"PH", 1}};
constexpr Weighted<v1::IndustrySection> kIndustries[] = {
    {v1::INDUSTRY_C_MANUFACTURING, 20},
    {v1::INDUSTRY_F_WHOLESALE_RETAIL, 18},
    {v1::INDUSTRY_I_INFORMATION_TECHNOLOGY, 14},
    {v1::INDUSTRY_M_RESEARCH_TECHNICAL_SERVICES, 10},
    {v1::INDUSTRY_H_ACCOMMODATION_CATERING, 10},
    {v1::INDUSTRY_L_LEASING_BUSINESS_SERVICES, 10},
    {v1::INDUSTRY_P_EDUCATION, 6},
    {v1::INDUSTRY_Q_HEALTH_SOCIAL_WORK, 6},
    {v1::INDUSTRY_E_CONSTRUCTION, 6}};
constexpr Weighted<v1::FigureCategory> kFigureCategories[] = {
    {v1::FIGURE_RELATIVE, 45},
    {v1::FIGURE_RETURNED_OVERSEAS_CHINESE, 20},
    {v1::FIGURE_OVERSEAS_CHINESE, 20},
    {v1::FIGURE_FOREIGN_NATIONAL_OF_CHINESE_ORIGIN, 15}};
constexpr const char* kFigureRoles[] = {"区侨联委员",     "侨联青年委员会委员", "侨商会会员",
                                        "社区侨务联络员", "归国留学人员联谊会会员", "侨界志愿者",
                                        "海外联谊会理事", ""};
constexpr Weighted<const char*> kTiesAbroad[] = {
    {"US", 10}, {"CA", 6}, {"AU", 6}, {"SG", 6}, {"MY", 5}, {"ID", 4}, {"TH", 4}, {"JP", 4},
    {"GB", 4},  {"DE", 3}, {"FR", 3}, {"IT", 2}, {"NZ", 2}, {"PH", 2}, {"BR", 1}, {"PE", 1}};
constexpr Weighted<v1::HardshipType> kHardshipTypes[] = {
    {v1::SERIOUS_ILLNESS, 35}, {v1::ELDERLY_ALONE, 25}, {v1::DISABILITY, 15},
    {v1::LOW_INCOME, 15},      {v1::ACCIDENT_OR_DISASTER, 5}, {v1::EDUCATION_COSTS, 5}};

// GB 11714's check character over the 8 characters of an organisation code.
char OrganisationCheckChar(absl::string_view first8) {
  constexpr int kWeights[] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < first8.size(); ++i) {
    const char c = first8[i];
    const int value = c <= '9' ? c - '0' : c - 'A' + 10;
    sum += value * kWeights[i];
  }
  const int check = 11 - sum % 11;
  return check == 10 ? 'X' : check == 11 ? '0' : static_cast<char>('0' + check);
}

std::string Landline(Dice& dice) {
  return absl::StrCat("0551-6", absl::StrFormat("%07d", dice.Between(0, 9'999'999)));
}

}  // namespace

std::string DemoCreditCode(absl::string_view region6, uint64_t serial) {
  // "MA" opens the organisation codes given out since the 2015 reform.
  std::string organisation = "MA";
  std::string digits(6, '0');
  for (int i = 5; i >= 0; --i) {
    digits[i] = kCodeAlphabet[serial % kCodeAlphabet.size()];
    serial /= kCodeAlphabet.size();
  }
  organisation += digits;
  organisation.push_back(OrganisationCheckChar(organisation));
  // 9: registered with market regulation; 1: an enterprise.
  return MakeCreditCode(absl::StrCat("91", region6, organisation));
}

void FillEnterprise(Dice& dice, absl::string_view credit_code, absl::string_view community,
                    absl::CivilDay registered, absl::string_view closed, v1::Record* record) {
  v1::Enterprise* e = record->mutable_enterprise();
  const std::string trade = dice.Pick(kTradeNames);
  const std::string business = dice.PickWeighted(kBusinesses);
  e->set_name(absl::StrCat("合肥", trade, business, "有限公司"));
  e->set_credit_code(std::string(credit_code));
  e->set_funding_type(dice.Percent(60) ? v1::OVERSEAS_CHINESE_FUNDED
                                       : v1::OVERSEAS_CHINESE_AFFILIATED);
  e->set_source_country(dice.PickWeighted(kSourceCountries));
  e->set_industry(dice.PickWeighted(kIndustries));
  e->set_registered_capital_yuan(dice.Between(50, 5000) * 10'000);
  e->set_employees(static_cast<int32_t>(dice.Between(3, 300)));
  e->set_founding_year(static_cast<int32_t>(dice.Between(1995, registered.year())));
  e->set_community(std::string(community));
  e->set_phone(Landline(dice));
  e->set_registered_date(FormatDate(registered));
  e->set_closed_date(std::string(closed));
}

void FillCommunityFigure(Dice& dice, const Identity& who, absl::string_view community,
                         absl::CivilDay registered, v1::Record* record) {
  v1::CommunityFigure* f = record->mutable_community_figure();
  f->set_name(PersonName(dice, who.male));
  f->set_gender(who.male ? v1::MALE : v1::FEMALE);
  f->set_birth_date(FormatDate(who.birth));
  f->set_category(dice.PickWeighted(kFigureCategories));
  f->set_role(dice.Pick(kFigureRoles));
  f->set_country(dice.PickWeighted(kTiesAbroad));
  f->set_community(std::string(community));
  f->set_phone(MobileNumber(dice));
  f->set_registered_date(FormatDate(std::max(registered, who.birth)));
}

void FillHardshipCase(Dice& dice, const Identity& head, absl::string_view community,
                      absl::CivilDay filed, absl::string_view lifted, v1::Record* record) {
  v1::HardshipCase* h = record->mutable_hardship_case();
  h->set_head_name(PersonName(dice, head.male));
  h->set_resident_id(head.resident_id);
  h->set_household_size(static_cast<int32_t>(dice.Between(1, 5)));
  h->set_hardship_type(dice.PickWeighted(kHardshipTypes));
  h->set_filed_date(FormatDate(filed));
  h->set_status(lifted.empty() ? v1::HARDSHIP_ACTIVE : v1::HARDSHIP_LIFTED);
  h->set_lifted_date(std::string(lifted));
  h->set_community(std::string(community));
  h->set_phone(dice.Percent(70) ? MobileNumber(dice) : Landline(dice));
}

void FillAidVisit(Dice& dice, absl::string_view household_resident_id, absl::string_view community,
                  absl::CivilDay visited, v1::AidKind kind, v1::Record* record) {
  v1::AidVisit* v = record->mutable_aid_visit();
  v->set_household_resident_id(std::string(household_resident_id));
  v->set_visit_date(FormatDate(visited));
  v->set_aid_kind(kind);
  int64_t amount = 0;
  switch (kind) {
    case v1::CONDOLENCE_VISIT:
      amount = dice.Between(2, 10) * 100;
      break;
    case v1::CASH_AID:
      amount = dice.Between(10, 50) * 100;
      break;
    case v1::MEDICAL_AID:
      amount = dice.Between(20, 100) * 100;
      break;
    default:
      amount = dice.Between(3, 8) * 100;
      break;
  }
  v->set_amount_yuan(amount);
  v->set_community(std::string(community));
  v->set_note(visited.month() <= 2 ? "春节走访" : visited.month() >= 9 ? "中秋慰问" : "");
}

}  // namespace fedsync::demo
