// The people of the synthetic demo registries (demo_data.h): a portable dice over
// std::mt19937_64, Chinese names, mobile numbers, and resident identities drawn to be
// unique and valid (GB 11643). Shared by the generators of every registry kind; nobody
// drawn here is real. Stateless functions are thread-safe; a Dice or
// DistrictIdentities is not.
#ifndef FEDSYNC_SHARED_DEMO_PEOPLE_H_
#define FEDSYNC_SHARED_DEMO_PEOPLE_H_

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace fedsync::demo {

// Sequence numbers 001-998: both parities for each gender, and no 000 or 999, which
// real registration offices do not hand out.
inline constexpr int kSequences = 998;

// Where people not born in the district were first registered: Anhui's cities and
// counties, and the big cities people move from. All real GB/T 2260 codes.
inline constexpr const char* kOtherRegions[] = {"340102", "340103", "340104", "340111", "340121", "340122",
                                         "340123", "340124", "340181", "340202", "340302", "340403",
                                         "340802", "341002", "341102", "341202", "341302", "341502",
                                         "341602", "110105", "310115", "320102", "330106", "420106",
                                         "440305", "370102", "410105", "510107"};

inline constexpr const char* kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜",
    "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "汪", "方", "陶", "钱"};
inline constexpr const char* kMaleGiven[] = {"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明",
                                      "超", "斌", "鹏", "辉", "浩", "宇", "轩", "博", "俊",
                                      "峰", "建", "国", "志", "海", "东", "晨", "昊", "睿",
                                      "泽", "凯", "毅", "诚", "健", "锋", "翔", "振", "鑫"};
inline constexpr const char* kFemaleGiven[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "雪", "琳", "颖", "欣", "怡", "萱", "梦",
    "瑶", "慧", "玲", "倩", "洁", "晶", "蕾", "璐", "悦", "诗", "媛", "珊", "薇", "燕", "红", "岚"};
inline constexpr const char* kNeutralGiven[] = {"子", "晓", "一", "文", "天", "嘉", "宁", "安",
                                         "清", "心", "若", "思", "雨", "佳", "家", "云"};
inline constexpr const char* kMobilePrefixes[] = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"};

template <typename T>
struct Weighted {
  T value;
  int weight;
};

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

Identity MakeIdentity(absl::string_view region, absl::CivilDay birth, int sequence);
// Birth dates giving an age of min_age..max_age (in completed years) on the last day
// of demo_year.
absl::CivilDay EarliestBirth(int demo_year, int max_age);
absl::CivilDay LatestBirth(int demo_year, int min_age);
std::string PersonName(Dice& dice, bool male);
std::string MobileNumber(Dice& dice);

// Ages (on the last day of demo_year) of the people of each kind.
struct AgeRange {
  int min_age;
  int max_age;
};
inline constexpr AgeRange kStudentAges = {24, 50};
inline constexpr AgeRange kApplicantAges = {3, 90};
inline constexpr AgeRange kSchoolAges = {6, 17};

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

}  // namespace fedsync::demo

#endif  // FEDSYNC_SHARED_DEMO_PEOPLE_H_
