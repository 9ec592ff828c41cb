#include "shared/countries.h"

#include <algorithm>
#include <iterator>

namespace fedsync {
namespace {

struct CountryEntry {
  const char* code;
  const char* region;
};

constexpr char kNorthAmerica[] = "north_america";
constexpr char kEurope[] = "europe";
constexpr char kEastAsia[] = "east_asia";
constexpr char kSoutheastAsia[] = "southeast_asia";
constexpr char kSouthAsia[] = "south_asia";
constexpr char kOceania[] = "oceania";
constexpr char kAfrica[] = "africa";
constexpr char kLatinAmerica[] = "latin_america";
constexpr char kMiddleEast[] = "middle_east";
constexpr char kCentralAsia[] = "central_asia";
constexpr char kOther[] = "other";

// Sorted by code for the binary search below (a unit test finds every code through it).
// Regions follow the UN M49 geoscheme, coarsened to the closed list: Western Asia (with
// the Caucasus) and Iran are middle_east; Northern Africa is africa; Mexico, Central
// America, the Caribbean and South America are latin_america; Russia and Cyprus are
// europe; Afghanistan is south_asia; uninhabited territories are other.
constexpr CountryEntry kCountries[] = {
    {"AD", kEurope},        {"AE", kMiddleEast},    {"AF", kSouthAsia},    {"AG", kLatinAmerica},
    {"AI", kLatinAmerica},  {"AL", kEurope},        {"AM", kMiddleEast},   {"AO", kAfrica},
    {"AQ", kOther},         {"AR", kLatinAmerica},  {"AS", kOceania},      {"AT", kEurope},
    {"AU", kOceania},       {"AW", kLatinAmerica},  {"AX", kEurope},       {"AZ", kMiddleEast},
    {"BA", kEurope},        {"BB", kLatinAmerica},  {"BD", kSouthAsia},    {"BE", kEurope},
    {"BF", kAfrica},        {"BG", kEurope},        {"BH", kMiddleEast},   {"BI", kAfrica},
    {"BJ", kAfrica},        {"BL", kLatinAmerica},  {"BM", kNorthAmerica}, {"BN", kSoutheastAsia},
    {"BO", kLatinAmerica},  {"BQ", kLatinAmerica},  {"BR", kLatinAmerica}, {"BS", kLatinAmerica},
    {"BT", kSouthAsia},     {"BV", kOther},         {"BW", kAfrica},       {"BY", kEurope},
    {"BZ", kLatinAmerica},  {"CA", kNorthAmerica},  {"CC", kOceania},      {"CD", kAfrica},
    {"CF", kAfrica},        {"CG", kAfrica},        {"CH", kEurope},       {"CI", kAfrica},
    {"CK", kOceania},       {"CL", kLatinAmerica},  {"CM", kAfrica},       {"CN", kEastAsia},
    {"CO", kLatinAmerica},  {"CR", kLatinAmerica},  {"CU", kLatinAmerica}, {"CV", kAfrica},
    {"CW", kLatinAmerica},  {"CX", kOceania},       {"CY", kEurope},       {"CZ", kEurope},
    {"DE", kEurope},        {"DJ", kAfrica},        {"DK", kEurope},       {"DM", kLatinAmerica},
    {"DO", kLatinAmerica},  {"DZ", kAfrica},        {"EC", kLatinAmerica}, {"EE", kEurope},
    {"EG", kAfrica},        {"EH", kAfrica},        {"ER", kAfrica},       {"ES", kEurope},
    {"ET", kAfrica},        {"FI", kEurope},        {"FJ", kOceania},      {"FK", kLatinAmerica},
    {"FM", kOceania},       {"FO", kEurope},        {"FR", kEurope},       {"GA", kAfrica},
    {"GB", kEurope},        {"GD", kLatinAmerica},  {"GE", kMiddleEast},   {"GF", kLatinAmerica},
    {"GG", kEurope},        {"GH", kAfrica},        {"GI", kEurope},       {"GL", kNorthAmerica},
    {"GM", kAfrica},        {"GN", kAfrica},        {"GP", kLatinAmerica}, {"GQ", kAfrica},
    {"GR", kEurope},        {"GS", kOther},         {"GT", kLatinAmerica}, {"GU", kOceania},
    {"GW", kAfrica},        {"GY", kLatinAmerica},  {"HK", kEastAsia},     {"HM", kOther},
    {"HN", kLatinAmerica},  {"HR", kEurope},        {"HT", kLatinAmerica}, {"HU", kEurope},
    {"ID", kSoutheastAsia}, {"IE", kEurope},        {"IL", kMiddleEast},   {"IM", kEurope},
    {"IN", kSouthAsia},     {"IO", kOther},         {"IQ", kMiddleEast},   {"IR", kMiddleEast},
    {"IS", kEurope},        {"IT", kEurope},        {"JE", kEurope},       {"JM", kLatinAmerica},
    {"JO", kMiddleEast},    {"JP", kEastAsia},      {"KE", kAfrica},       {"KG", kCentralAsia},
    {"KH", kSoutheastAsia}, {"KI", kOceania},       {"KM", kAfrica},       {"KN", kLatinAmerica},
    {"KP", kEastAsia},      {"KR", kEastAsia},      {"KW", kMiddleEast},   {"KY", kLatinAmerica},
    {"KZ", kCentralAsia},   {"LA", kSoutheastAsia}, {"LB", kMiddleEast},   {"LC", kLatinAmerica},
    {"LI", kEurope},        {"LK", kSouthAsia},     {"LR", kAfrica},       {"LS", kAfrica},
    {"LT", kEurope},        {"LU", kEurope},        {"LV", kEurope},       {"LY", kAfrica},
    {"MA", kAfrica},        {"MC", kEurope},        {"MD", kEurope},       {"ME", kEurope},
    {"MF", kLatinAmerica},  {"MG", kAfrica},        {"MH", kOceania},      {"MK", kEurope},
    {"ML", kAfrica},        {"MM", kSoutheastAsia}, {"MN", kEastAsia},     {"MO", kEastAsia},
    {"MP", kOceania},       {"MQ", kLatinAmerica},  {"MR", kAfrica},       {"MS", kLatinAmerica},
    {"MT", kEurope},        {"MU", kAfrica},        {"MV", kSouthAsia},    {"MW", kAfrica},
    {"MX", kLatinAmerica},  {"MY", kSoutheastAsia}, {"MZ", kAfrica},       {"NA", kAfrica},
    {"NC", kOceania},       {"NE", kAfrica},        {"NF", kOceania},      {"NG", kAfrica},
    {"NI", kLatinAmerica},  {"NL", kEurope},        {"NO", kEurope},       {"NP", kSouthAsia},
    {"NR", kOceania},       {"NU", kOceania},       {"NZ", kOceania},      {"OM", kMiddleEast},
    {"PA", kLatinAmerica},  {"PE", kLatinAmerica},  {"PF", kOceania},      {"PG", kOceania},
    {"PH", kSoutheastAsia}, {"PK", kSouthAsia},     {"PL", kEurope},       {"PM", kNorthAmerica},
    {"PN", kOceania},       {"PR", kLatinAmerica},  {"PS", kMiddleEast},   {"PT", kEurope},
    {"PW", kOceania},       {"PY", kLatinAmerica},  {"QA", kMiddleEast},   {"RE", kAfrica},
    {"RO", kEurope},        {"RS", kEurope},        {"RU", kEurope},       {"RW", kAfrica},
    {"SA", kMiddleEast},    {"SB", kOceania},       {"SC", kAfrica},       {"SD", kAfrica},
    {"SE", kEurope},        {"SG", kSoutheastAsia}, {"SH", kAfrica},       {"SI", kEurope},
    {"SJ", kEurope},        {"SK", kEurope},        {"SL", kAfrica},       {"SM", kEurope},
    {"SN", kAfrica},        {"SO", kAfrica},        {"SR", kLatinAmerica}, {"SS", kAfrica},
    {"ST", kAfrica},        {"SV", kLatinAmerica},  {"SX", kLatinAmerica}, {"SY", kMiddleEast},
    {"SZ", kAfrica},        {"TC", kLatinAmerica},  {"TD", kAfrica},       {"TF", kOther},
    {"TG", kAfrica},        {"TH", kSoutheastAsia}, {"TJ", kCentralAsia},  {"TK", kOceania},
    {"TL", kSoutheastAsia}, {"TM", kCentralAsia},   {"TN", kAfrica},       {"TO", kOceania},
    {"TR", kMiddleEast},    {"TT", kLatinAmerica},  {"TV", kOceania},      {"TW", kEastAsia},
    {"TZ", kAfrica},        {"UA", kEurope},        {"UG", kAfrica},       {"UM", kOceania},
    {"US", kNorthAmerica},  {"UY", kLatinAmerica},  {"UZ", kCentralAsia},  {"VA", kEurope},
    {"VC", kLatinAmerica},  {"VE", kLatinAmerica},  {"VG", kLatinAmerica}, {"VI", kLatinAmerica},
    {"VN", kSoutheastAsia}, {"VU", kOceania},       {"WF", kOceania},      {"WS", kOceania},
    {"YE", kMiddleEast},    {"YT", kAfrica},        {"ZA", kAfrica},       {"ZM", kAfrica},
    {"ZW", kAfrica},
};

const CountryEntry* FindCountry(absl::string_view code) {
  const auto* end = std::end(kCountries);
  const auto* it = std::lower_bound(std::begin(kCountries), end, code,
                                    [](const CountryEntry& entry, absl::string_view key) {
                                      return absl::string_view(entry.code) < key;
                                    });
  if (it == end || absl::string_view(it->code) != code) return nullptr;
  return it;
}

}  // namespace

bool IsCountryCode(absl::string_view code) { return FindCountry(code) != nullptr; }

absl::string_view CountryRegion(absl::string_view code) {
  const CountryEntry* entry = FindCountry(code);
  return entry == nullptr ? kOther : entry->region;
}

const std::vector<std::string>& WorldRegions() {
  static const auto* regions = new std::vector<std::string>{
      kNorthAmerica, kEurope,       kEastAsia,   kSoutheastAsia, kSouthAsia, kOceania,
      kAfrica,       kLatinAmerica, kMiddleEast, kCentralAsia,   kOther};
  return *regions;
}

}  // namespace fedsync
