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
#include "shared/resident_id.h"

namespace fedsync {
namespace {

constexpr int kMinDemoYear = 2018;
constexpr int kMaxDemoYear = 2100;
constexpr int64_t kMaxGeneratedCount = 10'000'000;
// Sequence numbers 001-998: both parities for each gender, and no 000 or 999, which
// real registration offices do not hand out.
constexpr int kSequences = 998;
// Decisions besides the year's approvals, per district (see the header).
constexpr int kRejectedCertifications = 2;
constexpr int kPreviousYearCertifications = 5;
constexpr int kRejectedStudyCertificates = 1;
constexpr int kPreviousYearStudyCertificates = 4;

struct DemoDistrict {
  std::string id;
  std::string region_code;  // the district's GB/T 2260 code, used in most IDs
  int returned_students;
  int approved_certifications;      // in demo_year
  int approved_study_certificates;  // in demo_year
  std::vector<std::string> communities;
  // Study countries given to exactly one student each, so some cells are small.
  std::vector<std::string> rare_study_countries;
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
       {"IS"}},
      {"yaohai",
       "340102",
       /*returned_students=*/38,
       /*approved_certifications=*/8,
       /*approved_study_certificates=*/12,
       {"明光路街道明光社区", "胜利路街道胜利社区", "三里街街道三里街社区", "七里站街道七里站社区",
        "铜陵路街道铜陵路社区"},
       {"CL"}},
      {"shushan",
       "340104",
       /*returned_students=*/71,
       /*approved_certifications=*/14,
       /*approved_study_certificates=*/25,
       {"三里庵街道安居苑社区", "稻香村街道稻香社区", "琥珀街道琥珀社区", "南七街道南七社区",
        "西园街道西园新村社区", "五里墩街道五里墩社区"},
       {"FI", "ZA"}},
      {"baohe",
       "340111",
       /*returned_students=*/46,
       /*approved_certifications=*/9,
       /*approved_study_certificates=*/15,
       {"芜湖路街道包河社区", "包公街道包公社区", "望湖街道望湖社区", "常青街道常青社区"},
       {"PT"}},
  };
  return *districts;
}

// Where people not born in the district were first registered: Anhui's cities and
// counties, and the big cities people move from. All real GB/T 2260 codes.
constexpr const char* kOtherRegions[] = {"340102", "340103", "340104", "340111", "340121", "340122",
                                         "340123", "340124", "340181", "340202", "340302", "340403",
                                         "340802", "341002", "341102", "341202", "341302", "341502",
                                         "341602", "110105", "310115", "320102", "330106", "420106",
                                         "440305", "370102", "410105", "510107"};

constexpr const char* kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜",
    "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "汪", "方", "陶", "钱"};
constexpr const char* kMaleGiven[] = {"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明",
                                      "超", "斌", "鹏", "辉", "浩", "宇", "轩", "博", "俊",
                                      "峰", "建", "国", "志", "海", "东", "晨", "昊", "睿",
                                      "泽", "凯", "毅", "诚", "健", "锋", "翔", "振", "鑫"};
constexpr const char* kFemaleGiven[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "雪", "琳", "颖", "欣", "怡", "萱", "梦",
    "瑶", "慧", "玲", "倩", "洁", "晶", "蕾", "璐", "悦", "诗", "媛", "珊", "薇", "燕", "红", "岚"};
constexpr const char* kNeutralGiven[] = {"子", "晓", "一", "文", "天", "嘉", "宁", "安",
                                         "清", "心", "若", "思", "雨", "佳", "家", "云"};
constexpr const char* kFieldsOfStudy[] = {
    "计算机科学",   "软件工程",       "电子信息工程", "机械工程", "材料科学与工程", "化学工程",
    "生物医学工程", "金融学",         "会计学",       "工商管理", "国际贸易",       "经济学",
    "法学",         "教育学",         "建筑学",       "城乡规划", "环境科学",       "物理学",
    "数学",         "统计学",         "临床医学",     "药学",     "新闻传播学",     "艺术设计",
    "人工智能",     "能源与动力工程", "土木工程"};
constexpr const char* kMobilePrefixes[] = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"};

template <typename T>
struct Weighted {
  T value;
  int weight;
};

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

// Portable draws from an mt19937_64; range reduction by modulo, whose bias is below
// 2^-30 for the ranges used here, which is nothing for demo data. Callers take each draw
// in its own statement: the order in which a call's arguments are evaluated is
// unspecified, so two draws in one argument list could swap on another compiler.
class Dice {
 public:
  explicit Dice(std::mt19937_64* engine) : engine_(engine) {}

  int64_t Between(int64_t low, int64_t high) {  // inclusive
    return low + static_cast<int64_t>((*engine_)() % static_cast<uint64_t>(high - low + 1));
  }
  bool Percent(int percent) { return Between(0, 99) < percent; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Between(0, N - 1)];
  }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Between(0, static_cast<int64_t>(items.size()) - 1)];
  }
  // `items`: an array or vector of Weighted<T>.
  template <typename Items>
  auto PickWeighted(const Items& items) -> decltype(std::begin(items)->value) {
    int total = 0;
    for (const auto& item : items) total += item.weight;
    int64_t point = Between(0, total - 1);
    for (const auto& item : items) {
      if (point < item.weight) return item.value;
      point -= item.weight;
    }
    return std::begin(items)->value;  // unreachable: point < total
  }
  absl::CivilDay DayBetween(absl::CivilDay first, absl::CivilDay last) {
    return first + Between(0, last - first);
  }

 private:
  std::mt19937_64* engine_;
};

struct Identity {
  std::string resident_id;
  absl::CivilDay birth;
  bool male = false;
};

Identity MakeIdentity(absl::string_view region, absl::CivilDay birth, int sequence) {
  const std::string compact =
      absl::StrFormat("%04d%02d%02d", birth.year(), birth.month(), birth.day());
  return {MakeResidentId(region, compact, sequence), birth, sequence % 2 == 1};
}

// Birth dates giving an age of min_age..max_age (in completed years) on the last day
// of demo_year.
absl::CivilDay EarliestBirth(int demo_year, int max_age) {
  return absl::CivilDay(demo_year - max_age, 1, 1);
}
absl::CivilDay LatestBirth(int demo_year, int min_age) {
  return absl::CivilDay(demo_year - min_age, 12, 31);
}

std::string PersonName(Dice& dice, bool male) {
  // The smaller of two draws favours the front of the list, where the common surnames
  // are.
  const int64_t first = dice.Between(0, std::size(kSurnames) - 1);
  const int64_t second = dice.Between(0, std::size(kSurnames) - 1);
  std::string name = kSurnames[std::min(first, second)];
  const int given_chars = dice.Percent(30) ? 1 : 2;
  for (int i = 0; i < given_chars; ++i) {
    if (dice.Percent(25)) {
      name += dice.Pick(kNeutralGiven);
    } else {
      name += male ? dice.Pick(kMaleGiven) : dice.Pick(kFemaleGiven);
    }
  }
  return name;
}

std::string MobileNumber(Dice& dice) {
  return absl::StrCat(dice.Pick(kMobilePrefixes),
                      absl::StrFormat("%08d", dice.Between(0, 99'999'999)));
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

// Ages (on the last day of demo_year) of the people of each kind.
struct AgeRange {
  int min_age;
  int max_age;
};
constexpr AgeRange kStudentAges = {24, 50};
constexpr AgeRange kApplicantAges = {3, 90};
constexpr AgeRange kSchoolAges = {6, 17};

AgeRange AgesOf(v1::Record::KindCase kind) {
  switch (kind) {
    case v1::Record::kIdentityCertification:
      return kApplicantAges;
    case v1::Record::kStudyCertificate:
      return kSchoolAges;
    default:
      return kStudentAges;
  }
}

// Draws identities for one district, unique across everything it draws.
class DistrictIdentities {
 public:
  DistrictIdentities(Dice* dice, std::string region, int demo_year)
      : dice_(dice), region_(std::move(region)), demo_year_(demo_year) {}

  Identity Draw(AgeRange ages) {
    while (true) {
      // Most people's IDs come from the district itself; the rest moved in.
      const absl::string_view region =
          dice_->Percent(65) ? absl::string_view(region_) : dice_->Pick(kOtherRegions);
      const absl::CivilDay birth = dice_->DayBetween(EarliestBirth(demo_year_, ages.max_age),
                                                     LatestBirth(demo_year_, ages.min_age));
      const int sequence = static_cast<int>(dice_->Between(1, kSequences));
      Identity who = MakeIdentity(region, birth, sequence);
      if (used_.insert(who.resident_id).second) return who;
    }
  }

 private:
  Dice* dice_;
  std::string region_;
  int demo_year_;
  absl::flat_hash_set<std::string> used_;
};

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
