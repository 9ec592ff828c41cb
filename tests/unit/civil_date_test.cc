#include "shared/civil_date.h"

#include <string>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

struct ParseCase {
  std::string text;
  bool ok;
  absl::CivilDay day;
};

const ParseCase kCases[] = {
    {"2026-01-01", true, absl::CivilDay(2026, 1, 1)},
    {"2024-02-29", true, absl::CivilDay(2024, 2, 29)},
    {"2000-02-29", true, absl::CivilDay(2000, 2, 29)},
    {"1900-12-31", true, absl::CivilDay(1900, 12, 31)},
    {"0001-01-01", true, absl::CivilDay(1, 1, 1)},
    {"9999-12-31", true, absl::CivilDay(9999, 12, 31)},
    {"2023-02-29", false, {}},  // not a leap year
    {"1900-02-29", false, {}},  // century, not a leap year
    {"2026-02-30", false, {}},
    {"2026-04-31", false, {}},
    {"2026-13-01", false, {}},
    {"2026-00-10", false, {}},
    {"2026-01-00", false, {}},
    {"0000-01-01", false, {}},
    {"2026-1-01", false, {}},
    {"2026-01-1", false, {}},
    {"26-01-01", false, {}},
    {"2026/01/01", false, {}},
    {"20260101", false, {}},
    {"2026-01-01 ", false, {}},
    {" 2026-01-01", false, {}},
    {"2026-01-01T00:00", false, {}},
    {"+026-01-01", false, {}},
    {"2026-+1-01", false, {}},
    {"２０２６-01-01", false, {}},
    {"", false, {}},
};

TEST(CivilDateTest, ParsesOnlyRealDaysInTheExactFormat) {
  for (const ParseCase& c : kCases) {
    SCOPED_TRACE(c.text);
    absl::CivilDay day(1970, 1, 1);
    EXPECT_EQ(ParseDate(c.text, &day), c.ok);
    if (c.ok) {
      EXPECT_EQ(day, c.day);
    } else {
      EXPECT_EQ(day, absl::CivilDay(1970, 1, 1)) << "output changed on failure";
    }
  }
}

TEST(CivilDateTest, FormatPadsAndRoundTrips) {
  EXPECT_EQ(FormatDate(absl::CivilDay(2026, 3, 7)), "2026-03-07");
  EXPECT_EQ(FormatDate(absl::CivilDay(987, 1, 2)), "0987-01-02");
  for (const ParseCase& c : kCases) {
    if (!c.ok) continue;
    absl::CivilDay day;
    ASSERT_TRUE(ParseDate(FormatDate(c.day), &day));
    EXPECT_EQ(day, c.day);
    EXPECT_EQ(FormatDate(day), c.text);
  }
}

}  // namespace
}  // namespace fedsync
