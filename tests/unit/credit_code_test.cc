#include "shared/credit_code.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

struct Case {
  std::string name;
  std::string code;
  std::string reason;  // empty: valid
};

// Real, published codes (the check characters were verified by hand against GB 32100's
// weights), and the mistakes people make typing them.
const Case kCases[] = {
    {"Fujian example from the standard's guidance", "91350100M000100Y43", ""},
    {"Baidu (Beijing)", "91110000802100433B", ""},
    {"Tencent (Shenzhen)", "91440300708461136T", ""},
    {"wrong check character", "91350100M000100Y44", "check character mismatch"},
    {"two characters swapped", "91350100M000100Y34", "check character mismatch"},
    {"seventeen characters", "91350100M000100Y4", "must be 18 characters, not 17"},
    {"nineteen characters", "91350100M000100Y430", "must be 18 characters, not 19"},
    {"empty", "", "must be 18 characters, not 0"},
    {"lowercase letters", "91110000802100433b",
     "contains lower-case letters; write them in upper case"},
    {"full-width digits", "９１１１００００８０２１００４３３Ｂ",
     "contains non-ASCII characters (full-width digits or letters?)"},
    {"letter O for zero", "91350100M0O0100Y43",
     "contains a character outside 0-9 and A-Y without I, O, S, V, Z"},
    {"letter I", "91350100MI00100Y43",
     "contains a character outside 0-9 and A-Y without I, O, S, V, Z"},
    {"space", "91350100M000100 43",
     "contains a character outside 0-9 and A-Y without I, O, S, V, Z"},
    {"letter in the region code", "9135A100M000100Y43",
     "characters 3-8 must be the 6-digit region code"},
};

TEST(CreditCodeTest, Table) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = ValidateCreditCode(c.code);
    if (c.reason.empty()) {
      EXPECT_TRUE(status.ok()) << status.message();
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(status.message(), c.reason);
    }
  }
}

TEST(CreditCodeTest, CheckCharAndMake) {
  EXPECT_EQ(CreditCodeCheckChar("91350100M000100Y4"), '3');
  EXPECT_EQ(CreditCodeCheckChar("91110000802100433"), 'B');
  EXPECT_EQ(CreditCodeCheckChar("9111000080210043"), '\0');   // 16 characters
  EXPECT_EQ(CreditCodeCheckChar("91110000802100O33"), '\0');  // O is not in the alphabet
  EXPECT_EQ(MakeCreditCode("91440300708461136"), "91440300708461136T");
  EXPECT_EQ(MakeCreditCode("short"), "");
}

TEST(CreditCodeTest, EveryCheckCharacterOccursAndValidates) {
  // Varying the last two characters walks the check through all 31 values, including
  // the case 31 - 0 = 31, which is written '0'.
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  std::set<char> checks;
  for (char c : alphabet) {
    for (char d : alphabet) {
      const std::string code = MakeCreditCode(std::string("91340103MA2N000") + c + d);
      ASSERT_EQ(code.size(), 18u);
      EXPECT_TRUE(ValidateCreditCode(code).ok()) << code;
      checks.insert(code.back());
    }
  }
  EXPECT_EQ(checks.size(), alphabet.size());
}

}  // namespace
}  // namespace fedsync
