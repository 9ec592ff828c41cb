#include "shared/demo_data.h"

#include <algorithm>
#include <iterator>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "shared/civil_date.h"
#include "shared/demo_people.h"
#include "shared/demo_registries.h"
#include "shared/resident_id.h"

namespace fedsync {
namespace {

using demo::AgeRange;
using demo::Dice;
using demo::DistrictIdentities;
using demo::EarliestBirth;
using demo::Identity;
using demo::kApplicantAges;
using demo::kOtherRegions;
using demo::kSchoolAges;
using demo::kSequences;
using demo::kStudentAges;
using demo::LatestBirth;
using demo::MakeIdentity;
using demo::MobileNumber;
using demo::PersonName;
using demo::Weighted;

constexpr int kMinDemoYear = 2018;
constexpr int kMaxDemoYear = 2100;
constexpr int64_t kMaxGeneratedCount = 10'000'000;
// Decisions besides the year's approvals, per district (see the header).
constexpr int kRejectedCertifications = 2;
constexpr int kPreviousYearCertifications = 5;
constexpr int kRejectedStudyCertificates = 1;
constexpr int kPreviousYearStudyCertificates = 4;
// Records that left their registry before the end of demo_year, per district: stock
// metrics must leave them out of demo_year while counting them in earlier years.
constexpr int kClosedEnterprises = 2;
constexpr int kLiftedHardshipCases = 2;

struct DemoDistrict {
  std::string id;
  std::string region_code;  // the district's GB/T 2260 code, used in most IDs
  int returned_students;
  int approved_certifications;      // in demo_year
  int approved_study_certificates;  // in demo_year
  std::vector<std::string> communities;
  // Study countries given to exactly one student each, so some cells are small.
  std::vector<std::string> rare_study_countries;
  // At the end of demo_year, in the registry.
  int enterprises;
  int community_figures;
  int hardship_cases;
};

// Street/community names are modelled on the districts' real streets; the communities
// are illustrative. Luyang's counts are the report's; the others are of the same scale.
const std::vector<DemoDistrict>& DemoDistricts() {
  static const auto* districts = new std::vector<DemoDistrict>{
      {"luyang",
       "340103",
       /*returned_students=*/53,
       /*approved_certifications=*/11,
       /*approved_study_certificates=*/20,
       {"林店街道金池社区", "亳州路街道北二社区", "双岗街道双岗社区", "杏花村街道杏花社区",
        "逍遥津街道长江路社区", "三孝口街道前进社区"},
       {"IS"},
       /*enterprises, community_figures, hardship_cases=*/27, 112, 7},
      {"yaohai",
       "340102",
       /*returned_students=*/38,
       /*approved_certifications=*/8,
       /*approved_study_certificates=*/12,
       {"明光路街道明光社区", "胜利路街道胜利社区", "三里街街道三里街社区", "七里站街道七里站社区",
        "铜陵路街道铜陵路社区"},
       {"CL"},
       /*enterprises, community_figures, hardship_cases=*/19, 84, 5},
      {"shushan",
       "340104",
       /*returned_students=*/71,
       /*approved_certifications=*/14,
       /*approved_study_certificates=*/25,
       {"三里庵街道安居苑社区", "稻香村街道稻香社区", "琥珀街道琥珀社区", "南七街道南七社区",
        "西园街道西园新村社区", "五里墩街道五里墩社区"},
       {"FI", "ZA"},
       /*enterprises, community_figures, hardship_cases=*/34, 131, 9},
      {"baohe",
       "340111",
       /*returned_students=*/46,
       /*approved_certifications=*/9,
       /*approved_study_certificates=*/15,
       {"芜湖路街道包河社区", "包公街道包公社区", "望湖街道望湖社区", "常青街道常青社区"},
       {"PT"},
       /*enterprises, community_figures, hardship_cases=*/22, 96, 6},
  };
  return *districts;
}

constexpr const char* kFieldsOfStudy[] = {
    "计算机科学",   "软件工程",       "电子信息工程", "机械工程", "材料科学与工程", "化学工程",
    "生物医学工程", "金融学",         "会计学",       "工商管理", "国际贸易",       "经济学",
    "法学",         "教育学",         "建筑学",       "城乡规划", "环境科学",       "物理学",
    "数学",         "统计学",         "临床医学",     "药学",     "新闻传播学",     "艺术设计",
    "人工智能",     "能源与动力工程", "土木工程"};

constexpr Weighted<const char*> kStudyCountries[] = {
    {"GB", 14}, {"US", 12}, {"AU", 9}, {"JP", 7}, {"DE", 6}, {"CA", 5}, {"FR", 4},
    {"KR", 4},  {"SG", 4},  {"NZ", 3}, {"NL", 2}, {"IT", 2}, {"RU", 2}, {"MY", 2}};
// Where parents of the children with study certificates live.
constexpr Weighted<const char*> kParentCountries[] = {
    {"US", 10}, {"CA", 6}, {"AU", 6}, {"JP", 5}, {"IT", 5}, {"ES", 4}, {"FR", 4},
    {"GB", 4},  {"DE", 3}, {"NZ", 3}, {"SG", 3}, {"MY", 3}, {"TH", 2}, {"ID", 2},
    {"PH", 2},  {"AE", 2}, {"NL", 2}, {"KR", 2}, {"ZA", 1}, {"BR", 1}, {"AR", 1}};
constexpr Weighted<v1::Degree> kDegrees[] = {
    {v1::MASTER, 58}, {v1::DOCTORATE, 17}, {v1::BACHELOR, 20}, {v1::POSTDOCTORAL, 5}};
constexpr Weighted<v1::EmployerType> kEmployerTypes[] = {
    {v1::PRIVATE_ENTERPRISE, 30}, {v1::UNIVERSITY_OR_RESEARCH, 20},
    {v1::STATE_ENTERPRISE, 18},   {v1::FOREIGN_ENTERPRISE, 12},
    {v1::GOVERNMENT, 8},          {v1::SELF_EMPLOYED, 7},
    {v1::NOT_EMPLOYED, 5}};

// The youngest age at which someone returns with the degree.
int ReturnAge(v1::Degree degree) {
  switch (degree) {
    case v1::BACHELOR:
      return 22;
    case v1::DOCTORATE:
      return 28;
    case v1::POSTDOCTORAL:
      return 30;
    default:
      return 24;
  }
}



void FillReturnedStudent(Dice& dice, const Identity& who, absl::string_view study_country,
                         absl::string_view community, int demo_year, v1::Record* record) {
  v1::ReturnedStudent* s = record->mutable_returned_student();
  const int birth_year = static_cast<int>(who.birth.year());
  const int age = demo_year - birth_year;
  v1::Degree degree;
  do {  // a degree the person is old enough to have come back with
    degree = dice.PickWeighted(kDegrees);
  } while (ReturnAge(degree) > age);
  const int return_year =
      static_cast<int>(dice.Between(std::max(2005, birth_year + ReturnAge(degree)), demo_year));
  const absl::CivilDay registered = dice.DayBetween(
      std::max(absl::CivilDay(kMinDemoYear, 1, 1), absl::CivilDay(return_year, 1, 1)),
      absl::CivilDay(demo_year, 11, 30));
  s->set_name(PersonName(dice, who.male));
  s->set_gender(who.male ? v1::MALE : v1::FEMALE);
  s->set_resident_id(who.resident_id);
  s->set_birth_date(FormatDate(who.birth));
  s->set_study_country(std::string(study_country));
  s->set_degree(degree);
  s->set_field(dice.Pick(kFieldsOfStudy));
  s->set_return_year(return_year);
  s->set_employer_type(dice.PickWeighted(kEmployerTypes));
  s->set_community(std::string(community));
  s->set_phone(MobileNumber(dice));
  s->set_registered_date(FormatDate(registered));
}

void FillIdentityCertification(Dice& dice, const Identity& who, absl::string_view community,
                               absl::CivilDay issued, v1::Outcome outcome, int demo_year,
                               v1::Record* record) {
  v1::IdentityCertification* c = record->mutable_identity_certification();
  // Returned overseas Chinese (归侨) came back as adults decades ago; the young are
  // relatives (侨眷).
  const bool returned = demo_year - who.birth.year() >= 40 && dice.Percent(35);
  c->set_applicant_name(PersonName(dice, who.male));
  c->set_resident_id(who.resident_id);
  c->set_category(returned ? v1::RETURNED_OVERSEAS_CHINESE : v1::RELATIVE_OF_OVERSEAS_CHINESE);
  c->set_issue_date(FormatDate(issued));
  c->set_outcome(outcome);
  c->set_community(std::string(community));
}

void FillStudyCertificate(Dice& dice, const Identity& who, absl::string_view community,
                          absl::CivilDay issued, v1::Outcome outcome, v1::Record* record) {
  v1::StudyCertificate* c = record->mutable_study_certificate();
  c->set_student_name(PersonName(dice, who.male));
  c->set_resident_id(who.resident_id);
  c->set_parent_country(dice.PickWeighted(kParentCountries));
  c->set_issue_date(FormatDate(issued));
  c->set_outcome(outcome);
  c->set_community(std::string(community));
}

AgeRange AgesOf(v1::Record::KindCase kind) {
  switch (kind) {
    case v1::Record::kIdentityCertification:
      return kApplicantAges;
    case v1::Record::kHardshipCase:
      return demo::kHardshipHeadAges;
    case v1::Record::kStudyCertificate:
      return kSchoolAges;
    default:
      return kStudentAges;
  }
}


// The i-th of n days spread over January..November of `year`, a random day within its
// month, so monthly rollups have something in most months and all fall before the
// December reporting date.
absl::CivilDay SpreadDay(Dice& dice, int i, int n, int year) {
  const int month = 1 + i * 11 / n;
  const absl::CivilDay last = absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
  return absl::CivilDay(year, month, static_cast<int>(dice.Between(1, last.day())));
}

uint64_t Fnv1a(absl::string_view text) {
  uint64_t hash = 1469598103934665603ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

absl::Status CheckDemoYear(int demo_year) {
  if (demo_year < kMinDemoYear || demo_year > kMaxDemoYear) {
    return absl::InvalidArgumentError(
        absl::StrCat("demo_year must be between ", kMinDemoYear, " and ", kMaxDemoYear));
  }
  return absl::OkStatus();
}

// Enterprises, community figures, families in hardship and their aid visits, drawn after
// the other registries so that adding them left those draws unchanged.
void AddOtherRegistries(const DemoDistrict& district, int demo_year, Dice& dice,
                        DistrictIdentities& identities, std::vector<v1::Record>* records) {
  const absl::CivilDay first(kMinDemoYear, 1, 1);
  const absl::CivilDay cutoff(demo_year, 11, 30);
  for (int i = 0; i < district.enterprises + kClosedEnterprises; ++i) {
    const absl::CivilDay registered = dice.DayBetween(first, cutoff - 60);
    const bool closed = i >= district.enterprises;
    const std::string closed_date = closed ? FormatDate(dice.DayBetween(registered + 30, cutoff))
                                           : std::string();
    const std::string& community = dice.Pick(district.communities);
    demo::FillEnterprise(dice, demo::DemoCreditCode(district.region_code, 1000 + i), community,
                         registered, closed_date, &records->emplace_back());
  }
  absl::flat_hash_set<std::string> figure_keys;  // (name, birth_date) is their key
  for (int i = 0; i < district.community_figures;) {
    const Identity who = identities.Draw(demo::kFigureAges);
    const std::string& community = dice.Pick(district.communities);
    v1::Record record;
    demo::FillCommunityFigure(dice, who, community, dice.DayBetween(first, cutoff), &record);
    const auto& figure = record.community_figure();
    if (!figure_keys.insert(absl::StrCat(figure.name(), "|", figure.birth_date())).second) continue;
    records->push_back(std::move(record));
    ++i;
  }
  std::vector<v1::Record> visits;
  for (int i = 0; i < district.hardship_cases + kLiftedHardshipCases; ++i) {
    const Identity head = identities.Draw(demo::kHardshipHeadAges);
    const std::string& community = dice.Pick(district.communities);
    // Heads of household file as adults (and in the year-2100 demo, are born after 2018).
    const absl::CivilDay filed =
        dice.DayBetween(std::max(first, head.birth + 20 * 366), cutoff - 120);
    const bool lifted = i >= district.hardship_cases;
    const absl::CivilDay last_visit = lifted ? dice.DayBetween(filed + 60, cutoff) : cutoff;
    demo::FillHardshipCase(dice, head, community, filed, lifted ? FormatDate(last_visit) : "",
                           &records->emplace_back());
    // A visit on filing, and one or two more of other kinds before the case closed.
    const v1::AidKind kinds[] = {v1::CONDOLENCE_VISIT, v1::CASH_AID, v1::MEDICAL_AID};
    const int count = static_cast<int>(dice.Between(2, 3));
    for (int k = 0; k < count; ++k) {
      const absl::CivilDay day = k == 0 ? filed : dice.DayBetween(filed + 1, last_visit);
      demo::FillAidVisit(dice, head.resident_id, community, day, kinds[k], &visits.emplace_back());
    }
  }
  // After every case, so that an import by kind finds each visit's household.
  for (v1::Record& visit : visits) records->push_back(std::move(visit));
}

}  // namespace

const std::vector<std::string>& DemoDistrictIds() {
  static const auto* ids = [] {
    auto* list = new std::vector<std::string>;
    for (const DemoDistrict& district : DemoDistricts()) list->push_back(district.id);
    return list;
  }();
  return *ids;
}

absl::StatusOr<std::vector<v1::Record>> DemoRecords(absl::string_view district_id, int demo_year) {
  if (absl::Status status = CheckDemoYear(demo_year); !status.ok()) return status;
  const auto& districts = DemoDistricts();
  const auto it = std::find_if(districts.begin(), districts.end(),
                               [&](const DemoDistrict& d) { return d.id == district_id; });
  if (it == districts.end()) {
    return absl::NotFoundError(absl::StrCat("no demo district \"", district_id, "\""));
  }
  const DemoDistrict& district = *it;
  std::mt19937_64 engine(Fnv1a(district.id) ^ (static_cast<uint64_t>(demo_year) << 32));
  Dice dice(&engine);
  DistrictIdentities identities(&dice, district.region_code, demo_year);
  std::vector<v1::Record> records;

  // Each district leans its own way among the common countries, so the district
  // breakdowns differ.
  std::vector<Weighted<const char*>> countries(std::begin(kStudyCountries),
                                               std::end(kStudyCountries));
  for (auto& country : countries) country.weight *= static_cast<int>(dice.Between(1, 3));
  for (int i = 0; i < district.returned_students; ++i) {
    const bool rare = i < static_cast<int>(district.rare_study_countries.size());
    const std::string country =
        rare ? district.rare_study_countries[i] : dice.PickWeighted(countries);
    const Identity who = identities.Draw(kStudentAges);
    const std::string& community = dice.Pick(district.communities);
    FillReturnedStudent(dice, who, country, community, demo_year, &records.emplace_back());
  }

  const absl::CivilDay year_start(demo_year, 1, 1);
  const absl::CivilDay year_cutoff(demo_year, 11, 30);
  const absl::CivilDay previous_start(demo_year - 1, 1, 1);
  const absl::CivilDay previous_end(demo_year - 1, 12, 31);
  auto certification = [&](absl::CivilDay issued, v1::Outcome outcome) {
    const Identity who = identities.Draw(kApplicantAges);
    const std::string& community = dice.Pick(district.communities);
    FillIdentityCertification(dice, who, community, issued, outcome, demo_year,
                              &records.emplace_back());
  };
  for (int i = 0; i < district.approved_certifications; ++i) {
    certification(SpreadDay(dice, i, district.approved_certifications, demo_year), v1::APPROVED);
  }
  for (int i = 0; i < kRejectedCertifications; ++i) {
    certification(dice.DayBetween(year_start, year_cutoff), v1::REJECTED);
  }
  for (int i = 0; i < kPreviousYearCertifications; ++i) {
    certification(dice.DayBetween(previous_start, previous_end), v1::APPROVED);
  }

  auto study_certificate = [&](absl::CivilDay issued, v1::Outcome outcome) {
    const Identity who = identities.Draw(kSchoolAges);
    const std::string& community = dice.Pick(district.communities);
    FillStudyCertificate(dice, who, community, issued, outcome, &records.emplace_back());
  };
  for (int i = 0; i < district.approved_study_certificates; ++i) {
    study_certificate(SpreadDay(dice, i, district.approved_study_certificates, demo_year),
                      v1::APPROVED);
  }
  for (int i = 0; i < kRejectedStudyCertificates; ++i) {
    study_certificate(dice.DayBetween(year_start, year_cutoff), v1::REJECTED);
  }
  for (int i = 0; i < kPreviousYearStudyCertificates; ++i) {
    study_certificate(dice.DayBetween(previous_start, previous_end), v1::APPROVED);
  }
  AddOtherRegistries(district, demo_year, dice, identities, &records);
  return records;
}

absl::StatusOr<GeneratedRecordStream> GeneratedRecordStream::Create(const RegistryKind& kind,
                                                                    int64_t count, uint64_t seed,
                                                                    int demo_year) {
  if (absl::Status status = CheckDemoYear(demo_year); !status.ok()) return status;
  if (count < 0 || count > kMaxGeneratedCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("count must be between 0 and ", kMaxGeneratedCount));
  }
  // Community figures are keyed by (name, birth date), which a stream of a million cannot
  // keep unique without remembering them; aid visits need their households first.
  if (kind.record_case == v1::Record::kCommunityFigure ||
      kind.record_case == v1::Record::kAidVisit) {
    return absl::UnimplementedError(absl::StrCat("no generated stream of ", kind.name));
  }
  return GeneratedRecordStream(&kind, count, seed, demo_year);
}

GeneratedRecordStream::GeneratedRecordStream(const RegistryKind* kind, int64_t count, uint64_t seed,
                                             int demo_year)
    : kind_(kind),
      count_(count),
      demo_year_(demo_year),
      engine_(seed ^ (static_cast<uint64_t>(kind->record_case) * 0x9E3779B97F4A7C15ULL)) {
  // Identities are decoded from an index into region x birth day x sequence. An affine
  // map with a multiplier coprime to the size permutes the indexes, so the first
  // `count` give distinct IDs without remembering any, yet look random.
  const AgeRange ages = AgesOf(kind->record_case);
  const uint64_t days = static_cast<uint64_t>(LatestBirth(demo_year, ages.min_age) -
                                              EarliestBirth(demo_year, ages.max_age) + 1);
  space_ = std::size(kOtherRegions) * days * kSequences;
  Dice dice(&engine_);
  offset_ = static_cast<uint64_t>(dice.Between(0, static_cast<int64_t>(space_) - 1));
  do {
    multiplier_ = static_cast<uint64_t>(dice.Between(space_ / 3, space_ - 1));
  } while (std::gcd(multiplier_, space_) != 1);
}

bool GeneratedRecordStream::Next(v1::Record* record) {
  if (produced_ >= count_) return false;
  // space_ < 2^31 and produced_ < 2^24, so the product cannot overflow 64 bits.
  uint64_t index = (multiplier_ * static_cast<uint64_t>(produced_) + offset_) % space_;
  const uint64_t serial = index;  // distinct for every record of the stream
  ++produced_;
  const int sequence = static_cast<int>(index % kSequences) + 1;
  index /= kSequences;
  const AgeRange ages = AgesOf(kind_->record_case);
  const uint64_t days = static_cast<uint64_t>(LatestBirth(demo_year_, ages.min_age) -
                                              EarliestBirth(demo_year_, ages.max_age) + 1);
  const absl::CivilDay birth =
      EarliestBirth(demo_year_, ages.max_age) + static_cast<int64_t>(index % days);
  const Identity who = MakeIdentity(kOtherRegions[index / days], birth, sequence);

  record->Clear();
  Dice dice(&engine_);
  const DemoDistrict& district = dice.Pick(DemoDistricts());
  const std::string& community = dice.Pick(district.communities);
  const absl::CivilDay issued =
      dice.DayBetween(absl::CivilDay(demo_year_, 1, 1), absl::CivilDay(demo_year_, 11, 30));
  const v1::Outcome outcome = dice.Percent(90) ? v1::APPROVED : v1::REJECTED;
  switch (kind_->record_case) {
    case v1::Record::kIdentityCertification:
      FillIdentityCertification(dice, who, community, issued, outcome, demo_year_, record);
      break;
    case v1::Record::kStudyCertificate:
      FillStudyCertificate(dice, who, community, issued, outcome, record);
      break;
    case v1::Record::kEnterprise: {
      const absl::CivilDay registered =
          dice.DayBetween(absl::CivilDay(kMinDemoYear, 1, 1), absl::CivilDay(demo_year_, 11, 30));
      demo::FillEnterprise(dice, demo::DemoCreditCode(district.region_code, serial), community,
                           registered, "", record);
      break;
    }
    case v1::Record::kHardshipCase:
      demo::FillHardshipCase(dice, who, community, issued, "", record);
      break;
    default: {
      const absl::string_view country = dice.PickWeighted(kStudyCountries);
      FillReturnedStudent(dice, who, country, community, demo_year_, record);
      break;
    }
  }
  return true;
}

absl::StatusOr<std::vector<v1::Record>> GeneratedRecords(const RegistryKind& kind, int64_t count,
                                                         uint64_t seed, int demo_year) {
  absl::StatusOr<GeneratedRecordStream> stream =
      GeneratedRecordStream::Create(kind, count, seed, demo_year);
  if (!stream.ok()) return stream.status();
  std::vector<v1::Record> records;
  records.reserve(static_cast<size_t>(count));
  v1::Record record;
  while (stream->Next(&record)) records.push_back(std::move(record));
  return records;
}

}  // namespace fedsync
