#include "shared/dimension_labels.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"

namespace fedsync {
namespace {

struct Label {
  const char* key;  // the dimension; "" for a dimension key's own label
  const char* value;
  const char* zh;
  const char* en;
};

// Region, degree and type are the catalog's dimensions today; gender, employer type
// and identity category are the other enums a catalog may bin by name.
constexpr Label kLabels[] = {
    {"", "region", "地区", "Region"},
    {"", "degree", "学位", "Degree"},
    {"", "type", "类型", "Type"},
    {"", "gender", "性别", "Gender"},
    {"", "employer_type", "单位类型", "Employer type"},
    {"", "category", "身份类别", "Category"},
    {"region", "north_america", "北美", "North America"},
    {"region", "europe", "欧洲", "Europe"},
    {"region", "east_asia", "东亚", "East Asia"},
    {"region", "southeast_asia", "东南亚", "Southeast Asia"},
    {"region", "south_asia", "南亚", "South Asia"},
    {"region", "oceania", "大洋洲", "Oceania"},
    {"region", "africa", "非洲", "Africa"},
    {"region", "latin_america", "拉丁美洲", "Latin America"},
    {"region", "middle_east", "中东", "Middle East"},
    {"region", "central_asia", "中亚", "Central Asia"},
    {"region", "other", "其他", "Other"},
    {"degree", "bachelor", "学士", "Bachelor"},
    {"degree", "master", "硕士", "Master"},
    {"degree", "doctorate", "博士", "Doctorate"},
    {"degree", "postdoctoral", "博士后", "Postdoctoral"},
    {"degree", "other_degree", "其他学位", "Other degree"},
    {"type", "identity", "归侨侨眷身份认定", "Identity certification"},
    {"type", "study", "华侨子女回国就读证明", "Study certificate"},
    {"type", "other", "其他", "Other"},
    {"gender", "male", "男", "Male"},
    {"gender", "female", "女", "Female"},
    {"employer_type", "government", "党政机关", "Government"},
    {"employer_type", "state_enterprise", "国有企业", "State enterprise"},
    {"employer_type", "private_enterprise", "民营企业", "Private enterprise"},
    {"employer_type", "university_or_research", "高校及科研院所", "University or research"},
    {"employer_type", "self_employed", "自主创业", "Self-employed"},
    {"employer_type", "foreign_enterprise", "外资企业", "Foreign enterprise"},
    {"employer_type", "not_employed", "未就业", "Not employed"},
    {"category", "returned_overseas_chinese", "归侨", "Returned overseas Chinese"},
    {"category", "relative_of_overseas_chinese", "侨眷", "Relative of overseas Chinese"},
};

const Label* Find(absl::string_view key, absl::string_view value) {
  for (const Label& label : kLabels) {
    if (key == label.key && value == label.value) return &label;
  }
  return nullptr;
}

// "north_america" -> "North america": readable, if not pretty, for an unknown value.
std::string Readable(absl::string_view text) {
  std::string out = absl::StrReplaceAll(text, {{"_", " "}});
  if (!out.empty()) out[0] = absl::ascii_toupper(out[0]);
  return out;
}

}  // namespace

bool ParseLabelLanguage(absl::string_view text, LabelLanguage* language) {
  if (text == "zh") {
    *language = LabelLanguage::kChinese;
  } else if (text == "en") {
    *language = LabelLanguage::kEnglish;
  } else {
    return false;
  }
  return true;
}

std::string DimensionKeyLabel(absl::string_view key, LabelLanguage language) {
  const Label* label = Find("", key);
  if (label == nullptr) return language == LabelLanguage::kEnglish ? Readable(key) : std::string(key);
  return language == LabelLanguage::kChinese ? label->zh : label->en;
}

std::string DimensionValueLabel(absl::string_view key, absl::string_view value,
                                LabelLanguage language) {
  const Label* label = Find(key, value);
  if (label == nullptr) {
    return language == LabelLanguage::kEnglish ? Readable(value) : std::string(value);
  }
  return language == LabelLanguage::kChinese ? label->zh : label->en;
}

}  // namespace fedsync
