#include "shared/privacy_floor.h"

#include <gmpxx.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"

namespace fedsync {
namespace {

using google::protobuf::util::MessageDifferencer;

// Metric heads (all but the disclosure) in text format.
constexpr char kStudents[] =
    "id: 'students' registries: 'returned_students' time_basis: STOCK period_type: YEAR";
constexpr char kCapital[] =
    "id: 'capital' registries: 'enterprises' time_basis: STOCK period_type: YEAR "
    "measure: SUM measure_field: 'registered_capital_yuan'";
constexpr char kCertificatesByKind[] =
    "id: 'certs' registries: 'identity_certifications' registries: 'study_certificates' "
    "time_basis: EVENT date_field: 'issue_date' period_type: YEAR about_persons: false "
    "dimensions { name: 'type' field: 'kind' binning: CATEGORY_MAP "
    "  categories { key: 'identity_certifications' value: 'identity' } "
    "  categories { key: 'study_certificates' value: 'study' } }";
constexpr char kCertificatesByCategory[] =
    "id: 'certs' registries: 'identity_certifications' time_basis: EVENT "
    "date_field: 'issue_date' period_type: YEAR about_persons: false "
    "dimensions { name: 'category' field: 'category' binning: ENUM_NAME }";

// A valid catalog (version 2) of the metrics given as (head, disclosure) pairs.
v1::Catalog CatalogOf(const std::vector<std::pair<std::string, std::string>>& metrics) {
  std::string text = "version: 2";
  for (const auto& [head, disclosure] : metrics) {
    absl::StrAppend(&text, " metrics { ", head, " disclosure { ", disclosure, " } }");
  }
  v1::Catalog catalog;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &catalog)) << text;
  EXPECT_TRUE(Catalog::FromProto(catalog).ok()) << Catalog::FromProto(catalog).status();
  return catalog;
}

// The disclosure of a one-metric catalog raised to `floor`, which must still be a
// valid catalog.
v1::Disclosure Raised(const std::string& head, const std::string& disclosure,
                      std::vector<std::string>* raised, PrivacyFloor floor = PrivacyFloor()) {
  v1::Catalog result = RaiseToPrivacyFloor(CatalogOf({{head, disclosure}}), floor, raised);
  EXPECT_TRUE(Catalog::FromProto(result).ok()) << Catalog::FromProto(result).status();
  return result.metrics(0).disclosure();
}

TEST(PrivacyFloorTest, TheDefaultCatalogMeetsTheFloor) {
  std::vector<std::string> raised;
  v1::Catalog result = RaiseToPrivacyFloor(Catalog::Default()->proto(), PrivacyFloor(), &raised);
  EXPECT_TRUE(raised.empty()) << raised.front();
  EXPECT_TRUE(MessageDifferencer::Equals(result, Catalog::Default()->proto()));
  EXPECT_TRUE(CheckPrivacyFloor(Catalog::Default()->proto()).ok());
}

TEST(PrivacyFloorTest, NoneAboutPersonsRunsAsSuppression) {
  std::vector<std::string> raised;
  v1::Disclosure disclosure =
      Raised(absl::StrCat(kStudents, " about_persons: false"), "method: NONE", &raised);
  EXPECT_EQ(disclosure.method(), v1::SUPPRESSION);
  EXPECT_EQ(disclosure.threshold(), 3);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_TRUE(absl::StrContains(raised[0], "metric 'students'")) << raised[0];
}

TEST(PrivacyFloorTest, NoneKeepsOnlyCountsOfCertificatesByKind) {
  std::vector<std::string> raised;
  EXPECT_EQ(Raised(kCertificatesByKind, "method: NONE", &raised).method(), v1::NONE);
  EXPECT_TRUE(raised.empty());
  // Broken down by something of the person's, it is about persons.
  EXPECT_EQ(Raised(kCertificatesByCategory, "method: NONE", &raised).method(), v1::SUPPRESSION);
  EXPECT_EQ(raised.size(), 1u);
}

TEST(PrivacyFloorTest, NoneKeepsNoFilterButTheOutcome) {
  std::vector<std::string> raised;
  const std::string head = absl::StrCat(kCertificatesByKind, " filters { field: '");
  EXPECT_EQ(Raised(head + "outcome' values: 'APPROVED' }", "method: NONE", &raised).method(),
            v1::NONE);
  EXPECT_TRUE(raised.empty());
  // A rare category narrows the count to a few people, as a dimension would split it.
  EXPECT_EQ(Raised("id: 'certs' registries: 'identity_certifications' time_basis: EVENT "
                   "date_field: 'issue_date' period_type: MONTH about_persons: false "
                   "filters { field: 'category' values: 'RETURNED_OVERSEAS_CHINESE' }",
                   "method: NONE", &raised)
                .method(),
            v1::SUPPRESSION);
  EXPECT_EQ(raised.size(), 1u);
}

TEST(PrivacyFloorTest, ALowThresholdIsRaisedToTheDistrictsFloor) {
  std::vector<std::string> raised;
  EXPECT_EQ(Raised(kStudents, "method: SUPPRESSION threshold: 1", &raised).threshold(), 3);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0], "metric 'students': threshold 1 raised to 3");

  raised.clear();
  EXPECT_EQ(
      Raised(kStudents, "method: SUPPRESSION threshold: 1", &raised, PrivacyFloor{8}).threshold(),
      8);
  // A threshold above the floor stays.
  raised.clear();
  EXPECT_EQ(
      Raised(kStudents, "method: SUPPRESSION threshold: 10", &raised, PrivacyFloor{8}).threshold(),
      10);
  EXPECT_TRUE(raised.empty());
}

TEST(PrivacyFloorTest, ASumsMagnitudeRulesCannotBeSwitchedOffOrLoosened) {
  std::vector<std::string> raised;
  v1::Disclosure off = Raised(
      kCapital, "method: SUPPRESSION threshold: 3 dominance_n: -1 dominance_k: -1 p_percent: -1",
      &raised);
  EXPECT_EQ(off.dominance_n(), 2);
  EXPECT_EQ(off.dominance_k(), 85);
  EXPECT_EQ(off.p_percent(), 10);
  EXPECT_EQ(raised.size(), 3u);

  raised.clear();
  v1::Disclosure loose = Raised(
      kCapital, "method: SUPPRESSION threshold: 3 dominance_n: 1 dominance_k: 100 p_percent: 1",
      &raised);
  EXPECT_EQ(loose.dominance_n(), 2);
  EXPECT_EQ(loose.dominance_k(), 85);
  EXPECT_EQ(loose.p_percent(), 10);

  // Unset (the defaults) and stricter settings stay as they are.
  raised.clear();
  v1::Disclosure strict =
      Raised(kCapital, "method: SUPPRESSION threshold: 3 dominance_n: 3 dominance_k: 60", &raised);
  EXPECT_EQ(strict.dominance_n(), 3);
  EXPECT_EQ(strict.dominance_k(), 60);
  EXPECT_EQ(strict.p_percent(), 0);
  EXPECT_TRUE(raised.empty()) << raised.front();
}

TEST(PrivacyFloorTest, ADpReleaseCostsAtMostOneAndAPeriodFourReleases) {
  std::vector<std::string> raised;
  v1::Disclosure laplace = Raised(kStudents, "method: DP epsilon: '1000' budget: '5000'", &raised);
  EXPECT_EQ(laplace.epsilon(), "1");
  EXPECT_EQ(laplace.budget(), "4");
  EXPECT_EQ(raised.size(), 2u);

  raised.clear();
  v1::Disclosure gaussian =
      Raised(kStudents, "method: DP dp_mechanism: GAUSSIAN epsilon: '0.75' budget: '1'", &raised);
  EXPECT_EQ(gaussian.epsilon(), "1/2");
  EXPECT_EQ(gaussian.budget(), "1");

  raised.clear();
  v1::Disclosure modest = Raised(kStudents, "method: DP epsilon: '0.5' budget: '2'", &raised);
  EXPECT_EQ(modest.epsilon(), "0.5");
  EXPECT_TRUE(raised.empty());
}

// Fifty copies of one DP metric would each draw noise of the same counts; averaged,
// the noise is gone. The registry's four releases are shared between them instead.
TEST(PrivacyFloorTest, DpMetricsOfOneRegistryShareItsBudget) {
  std::vector<std::pair<std::string, std::string>> copies;
  for (int i = 0; i < 50; ++i) {
    copies.push_back({absl::StrCat("id: 'students", i,
                                   "' registries: 'returned_students' time_basis: STOCK "
                                   "period_type: YEAR"),
                      "method: DP epsilon: '1' budget: '4'"});
  }
  copies.push_back(
      {"id: 'cases' registries: 'hardship_cases' time_basis: STOCK "
       "period_type: YEAR",
       "method: DP epsilon: '1' budget: '4'"});
  std::vector<std::string> raised;
  v1::Catalog result = RaiseToPrivacyFloor(CatalogOf(copies), PrivacyFloor(), &raised);
  ASSERT_TRUE(Catalog::FromProto(result).ok()) << Catalog::FromProto(result).status();
  mpq_class students_total = 0;
  for (const v1::MetricDef& metric : result.metrics()) {
    if (metric.registries(0) != "returned_students") continue;
    EXPECT_EQ(metric.disclosure().budget(), "2/25");
    EXPECT_EQ(metric.disclosure().epsilon(), "2/25");
    students_total += mpq_class(2, 25);
  }
  EXPECT_EQ(students_total, 4);
  // Another registry's DP metric keeps its own budget.
  EXPECT_EQ(result.metrics(50).disclosure().budget(), "4");
  EXPECT_EQ(raised.size(), 100u);
  EXPECT_FALSE(CheckPrivacyFloor(CatalogOf(copies)).ok());
}

// A perturbation table of almost no variance, or of noise at most 1, publishes counts
// (and the change one record makes) near-exactly: it is raised to the default table at
// a district and refused at the top.
TEST(PrivacyFloorTest, ACellKeyTableWeakerThanTheDefaultIsRaised) {
  struct Case {
    std::string disclosure;
    int max_noise;               // after the floor, 0: the default
    int64_t variance_numerator;  // after the floor, 0: the default
    int64_t variance_denominator;
    int changes;  // notes in `raised`
  };
  for (const Case& test : std::vector<Case>{
           {"method: CELL_KEY", 0, 0, 0, 0},
           {"method: CELL_KEY max_noise: 2 variance_numerator: 21 variance_denominator: 20", 2, 21,
            20, 0},
           {"method: CELL_KEY max_noise: 3 variance_numerator: 2 variance_denominator: 1", 3, 2, 1,
            0},
           // D = 1 needs V <= 1.
           {"method: CELL_KEY max_noise: 1 variance_numerator: 1 variance_denominator: 1", 2, 21,
            20, 2},
           {"method: CELL_KEY max_noise: 1 forbidden_up_to: 1 variance_numerator: 1 "
            "variance_denominator: 2",
            2, 21, 20, 2},
           {"method: CELL_KEY max_noise: 2 variance_numerator: 21 variance_denominator: 20 "
            "forbidden_up_to: 2",
            2, 21, 20, 0},
           {"method: CELL_KEY variance_numerator: 1 variance_denominator: 1000000000000", 0, 21, 20,
            1},
           {"method: CELL_KEY variance_numerator: 1 variance_denominator: 1", 0, 21, 20, 1},
           {"method: CELL_KEY max_noise: 1 variance_numerator: 1 "
            "variance_denominator: 1000000000000",
            2, 21, 20, 2},
           {"method: CELL_KEY max_noise: 4 variance_numerator: 1 variance_denominator: 100", 4, 21,
            20, 1},
       }) {
    SCOPED_TRACE(test.disclosure);
    std::vector<std::string> raised;
    v1::Disclosure result = Raised(kStudents, test.disclosure, &raised);
    EXPECT_EQ(result.max_noise(), test.max_noise);
    EXPECT_EQ(result.variance_numerator(), test.variance_numerator);
    EXPECT_EQ(result.variance_denominator(), test.variance_denominator);
    EXPECT_EQ(static_cast<int>(raised.size()), test.changes);
    for (const std::string& change : raised) {
      EXPECT_TRUE(absl::StartsWith(change, "metric 'students': ")) << change;
    }
    EXPECT_EQ(CheckPrivacyFloor(CatalogOf({{kStudents, test.disclosure}})).ok(), test.changes == 0);
  }
}

TEST(PrivacyFloorTest, CheckNamesTheFirstMetricAndCountsTheRest) {
  absl::Status status =
      CheckPrivacyFloor(CatalogOf({{kStudents, "method: SUPPRESSION threshold: 2"},
                                   {kCertificatesByCategory, "method: NONE"}}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "metric 'students': threshold 2 raised to 3"))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "1 more")) << status;
}

}  // namespace
}  // namespace fedsync
