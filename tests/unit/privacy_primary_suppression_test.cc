// Primary suppression rules at their boundaries: counts 0, 1, k-1, k; dominance and p%
// exactly at the limit; zero cells; contributors counted once; clamping.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "shared/privacy/primary_suppression.h"

namespace fedsync {
namespace privacy {
namespace {

std::vector<Contribution> Distinct(const std::vector<int64_t>& magnitudes) {
  std::vector<Contribution> contributions;
  for (size_t i = 0; i < magnitudes.size(); ++i) {
    contributions.push_back({absl::StrCat("entity-", i), magnitudes[i]});
  }
  return contributions;
}

TEST(ThresholdRuleTest, Boundaries) {
  struct Case {
    int contributors;
    bool sensitive;
  };
  const Case cases[] = {{0, false}, {1, true}, {2, true}, {3, false}, {4, false}};
  for (const Case& c : cases) {
    EXPECT_EQ(ThresholdRuleSensitive(c.contributors, 3), c.sensitive) << c.contributors;
    auto assessment =
        AssessCell(Distinct(std::vector<int64_t>(c.contributors, 1)), CellMeasure::kCount, {});
    ASSERT_TRUE(assessment.ok());
    EXPECT_EQ(assessment->sensitive(), c.sensitive) << c.contributors;
    EXPECT_EQ(assessment->value, c.contributors);
    EXPECT_EQ(assessment->protection_width, c.sensitive ? 2 : 0);  // k - 1
    EXPECT_EQ(assessment->singleton(), c.contributors == 1);
  }
  EXPECT_FALSE(ThresholdRuleSensitive(1, 1));  // k = 1 disables the rule
}

TEST(ThresholdRuleTest, CountsContributorsNotRecords) {
  // One family listed three times is still one contributor: a singleton.
  const std::vector<Contribution> records = {{"family-7", 1}, {"family-7", 1}, {"family-7", 1}};
  auto assessment = AssessCell(records, CellMeasure::kCount, {});
  ASSERT_TRUE(assessment.ok());
  EXPECT_EQ(assessment->contributors, 1);
  EXPECT_TRUE(assessment->threshold);
  EXPECT_TRUE(assessment->singleton());
}

TEST(DominanceRuleTest, Boundaries) {
  struct Case {
    const char* name;
    std::vector<int64_t> descending;
    bool sensitive;
  };
  const Case cases[] = {
      {"zero cell", {}, false},
      {"all zero", {0, 0, 0}, false},
      {"exactly 85%", {50, 35, 15}, false},
      {"just above 85%", {50, 36, 14}, true},
      {"just below 85%", {50, 34, 16}, false},
      {"two contributors hold everything", {60, 40}, true},
      {"many equal", {10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DominanceRuleSensitive(c.descending, 2, 85), c.sensitive) << c.name;
  }
}

TEST(PPercentRuleTest, Boundaries) {
  struct Case {
    const char* name;
    std::vector<int64_t> descending;
    bool sensitive;
  };
  const Case cases[] = {
      {"zero cell", {}, false},
      {"all zero", {0, 0}, false},
      {"exactly 10%", {100, 50, 10}, false},   // remainder 10 = 10% of 100
      {"just under 10%", {100, 50, 9}, true},  // remainder 9 < 10
      {"just over 10%", {100, 50, 11}, false},
      {"single contributor", {5}, true},                   // remainder 0 < 0.5
      {"two contributors", {5, 5}, true},                  // the second knows the first exactly
      {"remainder of many", {100, 3, 3, 3, 3, 3}, false},  // 12 >= 10
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PPercentRuleSensitive(c.descending, 10), c.sensitive) << c.name;
  }
}

TEST(AssessCellTest, MagnitudeRulesAndProtectionWidths) {
  struct Case {
    const char* name;
    std::vector<int64_t> magnitudes;
    bool dominance_enabled;
    bool dominance, p_percent;
    int64_t width;
  };
  const Case cases[] = {
      // Top two 86 of 100: T would need to grow to 86/0.85 = 101.2, by ceil(1.18) = 2.
      {"dominant", {50, 36, 4, 4, 3, 3}, true, true, false, 2},
      // (With the defaults p% implies dominance, so the p% case runs without it.)
      // Remainder 9 of x1 = 100: upper protection 10 - 9 = 1.
      {"p percent", {100, 60, 9}, false, false, true, 1},
      // Dominance: ceil((100*1005 - 85*1010) / 85) = 173; p%: ceil(10 - ... ) = 95.
      {"both", {1000, 5, 5}, true, true, true, 173},
      {"safe", {30, 30, 30, 30}, true, false, false, 0},
  };
  for (const Case& c : cases) {
    PrimaryRules rules;
    rules.dominance = c.dominance_enabled;
    auto assessment = AssessCell(Distinct(c.magnitudes), CellMeasure::kMagnitude, rules);
    ASSERT_TRUE(assessment.ok());
    EXPECT_FALSE(assessment->threshold) << c.name;
    EXPECT_EQ(assessment->dominance, c.dominance) << c.name;
    EXPECT_EQ(assessment->p_percent, c.p_percent) << c.name;
    EXPECT_EQ(assessment->protection_width, c.width) << c.name;
  }
}

TEST(AssessCellTest, ClampsEachContributorsTotal) {
  PrimaryRules rules;
  rules.magnitude_upper = 100;
  // Without the clamp 10000 dominates; clamped to 100 it is one of four equals.
  const std::vector<Contribution> contributions = {
      {"a", 6000}, {"a", 4000}, {"b", 100}, {"c", 100}, {"d", 100}};
  auto assessment = AssessCell(contributions, CellMeasure::kMagnitude, rules);
  ASSERT_TRUE(assessment.ok());
  EXPECT_EQ(assessment->value, 400);
  EXPECT_EQ(assessment->contributors, 4);
  EXPECT_FALSE(assessment->sensitive());
  // Negative magnitudes clamp to the lower bound 0.
  EXPECT_EQ(ContributorTotals({{"x", -5}, {"y", 3}}, PrimaryRules{}), (std::vector<int64_t>{3, 0}));
}

TEST(AssessCellTest, HugeMagnitudesDoNotOverflow) {
  const int64_t big = int64_t{1} << 60;
  PrimaryRules rules;
  rules.magnitude_upper = big;
  auto assessment = AssessCell(Distinct({big, big / 2, 1}), CellMeasure::kMagnitude, rules);
  ASSERT_TRUE(assessment.ok());
  EXPECT_TRUE(assessment->dominance);
  EXPECT_TRUE(assessment->p_percent);
}

TEST(AssessCellTest, RefusesBadRules) {
  PrimaryRules rules;
  rules.dominance_k = 101;
  EXPECT_EQ(AssessCell({}, CellMeasure::kCount, rules).status().code(),
            absl::StatusCode::kInvalidArgument);
  rules = PrimaryRules{};
  rules.magnitude_lower = -1;
  EXPECT_EQ(AssessCell({}, CellMeasure::kCount, rules).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace privacy
}  // namespace fedsync
