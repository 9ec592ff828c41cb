#include "shared/resident_id.h"

#include <string>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

const absl::CivilDay kToday(2026, 6, 30);

struct ValidCase {
  std::string id;
  std::string birth_date;
  bool male;
};

// Check characters computed by hand from the GB 11643 weights; the first is the
// standard's own example.
const ValidCase kValid[] = {
    {"11010519491231002X", "1949-12-31", false},
    {"340103199003071239", "1990-03-07", true},
    {"340102198511160042", "1985-11-16", false},
    {"440304197812015511", "1978-12-01", true},
    {"310115199912310006", "1999-12-31", false},
    {"340111200002290072", "2000-02-29", true},  // leap day of a leap century
    {"650102196706150323", "1967-06-15", false},
    {"810000198810084566", "1988-10-08", false},
    {"340104200101010116", "2001-01-01", true},
    {"34010319000101001X", "1900-01-01", true},  // earliest accepted birth date
    {"340103202606300015", "2026-06-30", true},  // born today
};

TEST(ResidentIdTest, AcceptsValidIds) {
  for (const ValidCase& c : kValid) {
    SCOPED_TRACE(c.id);
    EXPECT_TRUE(ValidateResidentId(c.id, kToday).ok())
        << ValidateResidentId(c.id, kToday).message();
    EXPECT_EQ(ResidentIdBirthDate(c.id), c.birth_date);
    EXPECT_EQ(ResidentIdIsMale(c.id), c.male);
    EXPECT_EQ(ResidentIdCheckChar(c.id.substr(0, 17)), c.id[17]);
  }
}

struct InvalidCase {
  std::string name;
  std::string id;
  std::string reason;
};

const InvalidCase kInvalid[] = {
    {"empty", "", "must be 18 characters, got 0"},
    {"seventeen characters", "11010519491231002", "must be 18 characters, got 17"},
    {"nineteen characters", "11010519491231002X0", "must be 18 characters, got 19"},
    {"wrong check digit", "110105194912310021", "check character mismatch"},
    {"X where a digit belongs", "11010519491231001X", "check character mismatch"},
    {"lowercase x", "11010519491231002x",
     "check character must be a digit or an uppercase X (lowercase x is not accepted)"},
    {"full-width digits", "１１０１０５１９４９１２３１００２X",
     "contains full-width digits; use ASCII 0-9"},
    {"Chinese character", "11010519491231002号", "contains non-ASCII characters"},
    {"letter in the body", "1101051949123100AX", "characters 1-17 must be digits"},
    {"space", "110105 94912310021", "characters 1-17 must be digits"},
    {"February 30", "110105194902300020", "birth date is not a real date"},
    {"month 13", "110105194913310021", "birth date is not a real date"},
    {"February 29 of 1900", "340103190002290017", "birth date is not a real date"},
    {"born before 1900", "110105189912310023", "birth date is before 1900"},
    {"born tomorrow", "34010320260701001X", "birth date is in the future"},
    {"region starting 0", "010105194912310026", "region code must start with a digit 1-8"},
    {"region starting 9", "910105194912310029", "region code must start with a digit 1-8"},
    {"region 000000", "000000194912310027", "region code must start with a digit 1-8"},
};

TEST(ResidentIdTest, RefusesInvalidIdsWithAPreciseReason) {
  for (const InvalidCase& c : kInvalid) {
    SCOPED_TRACE(c.name);
    absl::Status status = ValidateResidentId(c.id, kToday);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), c.reason);
  }
}

TEST(ResidentIdTest, ReasonsNeverQuoteTheNumber) {
  for (const InvalidCase& c : kInvalid) {
    if (c.id.size() < 6) continue;
    SCOPED_TRACE(c.name);
    const std::string message(ValidateResidentId(c.id, kToday).message());
    EXPECT_EQ(message.find(c.id.substr(0, 6)), std::string::npos);
    EXPECT_EQ(message.find(c.id.substr(6, 8)), std::string::npos);
  }
}

TEST(ResidentIdTest, TodayAsText) {
  EXPECT_TRUE(ValidateResidentId("340103202606300015", "2026-06-30").ok());
  EXPECT_EQ(ValidateResidentId("340103202606300015", "2026-06-29").message(),
            "birth date is in the future");
  EXPECT_EQ(ValidateResidentId("340103202606300015", "2026-6-30").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ResidentIdTest, CheckCharOfMalformedInputIsNul) {
  EXPECT_EQ(ResidentIdCheckChar("1101051949123100"), '\0');
  EXPECT_EQ(ResidentIdCheckChar("110105194912310020"), '\0');
  EXPECT_EQ(ResidentIdCheckChar("1101051949123100A"), '\0');
}

TEST(ResidentIdTest, MakeResidentIdAppendsTheCheckChar) {
  EXPECT_EQ(MakeResidentId("110105", "19491231", 2), "11010519491231002X");
  EXPECT_EQ(MakeResidentId("340103", "19900307", 123), "340103199003071239");
  EXPECT_EQ(MakeResidentId("340103", "19000101", 1), "34010319000101001X");
}

TEST(ResidentIdTest, MakeResidentIdRefusesMalformedParts) {
  EXPECT_EQ(MakeResidentId("34010", "19900307", 123), "");
  EXPECT_EQ(MakeResidentId("340103", "1990037", 123), "");
  EXPECT_EQ(MakeResidentId("340103", "19900307", 1000), "");
  EXPECT_EQ(MakeResidentId("340103", "19900307", -1), "");
  EXPECT_EQ(MakeResidentId("34010A", "19900307", 1), "");
}

TEST(ResidentIdTest, MadeIdsValidateAndCarryGender) {
  for (int sequence : {1, 2, 37, 500, 998, 999}) {
    const std::string id = MakeResidentId("340104", "19850615", sequence);
    SCOPED_TRACE(sequence);
    EXPECT_TRUE(ValidateResidentId(id, kToday).ok());
    EXPECT_EQ(ResidentIdIsMale(id), sequence % 2 == 1);
    EXPECT_EQ(ResidentIdBirthDate(id), "1985-06-15");
  }
}

TEST(ResidentIdTest, HelpersOnMalformedInput) {
  EXPECT_EQ(ResidentIdBirthDate("3401031990"), "");
  EXPECT_EQ(ResidentIdBirthDate("110105194902300020"), "");
  EXPECT_FALSE(ResidentIdIsMale("1101"));
}

}  // namespace
}  // namespace fedsync
