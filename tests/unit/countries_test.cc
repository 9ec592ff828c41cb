#include "shared/countries.h"

#include <algorithm>
#include <string>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

struct RegionCase {
  std::string code;
  std::string region;
};

const RegionCase kRegions[] = {
    {"US", "north_america"},  {"CA", "north_america"},  {"GB", "europe"},
    {"DE", "europe"},         {"IS", "europe"},         {"RU", "europe"},
    {"JP", "east_asia"},      {"KR", "east_asia"},      {"HK", "east_asia"},
    {"SG", "southeast_asia"}, {"MY", "southeast_asia"}, {"IN", "south_asia"},
    {"AU", "oceania"},        {"NZ", "oceania"},        {"ZA", "africa"},
    {"EG", "africa"},         {"BR", "latin_america"},  {"MX", "latin_america"},
    {"CL", "latin_america"},  {"AE", "middle_east"},    {"TR", "middle_east"},
    {"IR", "middle_east"},    {"KZ", "central_asia"},   {"UZ", "central_asia"},
    {"AQ", "other"},
};

TEST(CountriesTest, MapsCodesToRegions) {
  for (const RegionCase& c : kRegions) {
    SCOPED_TRACE(c.code);
    EXPECT_TRUE(IsCountryCode(c.code));
    EXPECT_EQ(CountryRegion(c.code), c.region);
  }
}

TEST(CountriesTest, RefusesWhatIsNotAnAssignedCode) {
  for (const char* code : {"", "G", "GBR", "gb", "Gb", "UK", "XK", "EU", "ZZ", "AA", "1A", "G "}) {
    SCOPED_TRACE(code);
    EXPECT_FALSE(IsCountryCode(code));
    EXPECT_EQ(CountryRegion(code), "other");
  }
}

TEST(CountriesTest, CoversEveryAssignedCodeWithAClosedRegion) {
  const std::vector<std::string>& regions = WorldRegions();
  ASSERT_EQ(regions.size(), 11u);
  EXPECT_EQ(regions.back(), "other");
  int codes = 0;
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char b = 'A'; b <= 'Z'; ++b) {
      const std::string code{a, b};
      // Every possible code through the binary search: finding all 249 means the
      // table is sorted as the search assumes.
      if (!IsCountryCode(code)) continue;
      ++codes;
      const std::string region(CountryRegion(code));
      EXPECT_NE(std::find(regions.begin(), regions.end(), region), regions.end()) << code;
    }
  }
  EXPECT_EQ(codes, 249);  // ISO 3166-1 officially assigned alpha-2 codes
}

}  // namespace
}  // namespace fedsync
