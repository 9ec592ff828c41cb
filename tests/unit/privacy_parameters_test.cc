#include "shared/privacy_parameters.h"

#include <algorithm>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "shared/privacy_groups.h"
#include "shared/registry_kinds.h"

namespace fedsync {
namespace {

v1::MetricDef Metric(const std::string& text) {
  v1::MetricDef metric;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &metric)) << text;
  return metric;
}

// The domain DP releases whole must hold every cell the aggregator can write, or a cell
// outside it would be released only when non-empty.
TEST(DimensionValuesTest, RegistryKindGetsOtherOnlyWhenARegistryHasNoCategory) {
  const std::string dimension = R"pb(
    dimensions {
      name: "type"
      field: "kind"
      binning: CATEGORY_MAP
      categories { key: "identity_certifications" value: "identity" }
      categories { key: "study_certificates" value: "study" }
    })pb";
  const v1::MetricDef mapped = Metric(R"pb(registries: "identity_certifications"
                                           registries: "study_certificates")pb" + dimension);
  EXPECT_EQ(DimensionValues(mapped, mapped.dimensions(0)),
            (std::vector<std::string>{"identity", "study"}));
  const v1::MetricDef unmapped = Metric(R"pb(registries: "identity_certifications"
                                             registries: "returned_students")pb" + dimension);
  EXPECT_EQ(DimensionValues(unmapped, unmapped.dimensions(0)),
            (std::vector<std::string>{"identity", "other", "study"}));
}

// An optional enum left unset is counted under its value 0, which a parent must
// accept as one of the dimension's values; a field whose enum differs between the
// metric's registries has the values of each.
TEST(DimensionValuesTest, EnumsListTheirUnsetValueAndEveryRegistrysValues) {
  const v1::MetricDef employer =
      Metric(R"pb(registries: "returned_students"
                  dimensions { name: "employer" field: "employer_type" binning: ENUM_NAME })pb");
  const std::vector<std::string> values = DimensionValues(employer, employer.dimensions(0));
  EXPECT_NE(std::find(values.begin(), values.end(), "employer_type_unspecified"), values.end());
  EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));

  const v1::MetricDef category =
      Metric(R"pb(registries: "identity_certifications"
                  registries: "community_figures"
                  dimensions { name: "category" field: "category" binning: ENUM_NAME })pb");
  const std::vector<std::string> both = DimensionValues(category, category.dimensions(0));
  const size_t identity = v1::IdentityCategory_descriptor()->value_count();
  const size_t figure = v1::FigureCategory_descriptor()->value_count();
  EXPECT_GT(both.size(), std::max(identity, figure));
}

TEST(DimensionValuesTest, DomainSizeIsTheNumberOfCellsInTheDomain) {
  const v1::MetricDef metric = Metric(R"pb(
    id: "m"
    registries: "returned_students"
    dimensions { name: "degree" field: "degree" binning: ENUM_NAME }
    dimensions { name: "region" field: "study_country" binning: COUNTRY_TO_REGION }
    dimensions {
      name: "kind"
      field: "kind"
      binning: CATEGORY_MAP
      categories { key: "enterprises" value: "business" }
    })pb");
  auto domain = MetricDomain(metric);
  ASSERT_TRUE(domain.ok()) << domain.status();
  EXPECT_EQ(DomainSize(metric), static_cast<int64_t>(domain->size()));
  EXPECT_GT(domain->size(), 2u);
}

// One household's aid visits can fall in every aid kind of a release, so its noise is
// scaled for all five cells (a key field is never unset); a returned student is in one cell of any
// release.
TEST(DpParametersTest, NoiseCoversEveryCellOneEntityCanBeIn) {
  const v1::MetricDef aid = Metric(
      "id: 'aid' registries: 'aid_visits' time_basis: EVENT date_field: 'visit_date' "
      "period_type: YEAR measure: SUM measure_field: 'amount_yuan' "
      "dimensions { name: 'aid' field: 'aid_kind' binning: ENUM_NAME } "
      "disclosure { method: DP epsilon: '1/2' budget: '2' magnitude_max: 1000 }");
  auto parameters = DpParametersOf(aid);
  ASSERT_TRUE(parameters.ok()) << parameters.status();
  EXPECT_EQ(parameters->sensitivity, 1000);
  EXPECT_EQ(parameters->cells_per_entity, 5);
  EXPECT_EQ(DpNoiseScale(*parameters), mpq_class(1000 * 5 * 2));  // L1 / epsilon

  DpParameters gaussian = *parameters;
  gaussian.mechanism = v1::GAUSSIAN;
  // (L2)^2 / (2 rho) = 1000^2 * 5 / 1.
  EXPECT_EQ(DpNoiseScale(gaussian), mpq_class(1000 * 1000 * 5));

  const v1::MetricDef students = Metric(
      "id: 's' registries: 'returned_students' time_basis: STOCK period_type: YEAR "
      "dimensions { name: 'degree' field: 'degree' binning: ENUM_NAME } "
      "disclosure { method: DP epsilon: '1/2' budget: '2' }");
  auto single = DpParametersOf(students);
  ASSERT_TRUE(single.ok()) << single.status();
  EXPECT_EQ(single->cells_per_entity, 1);
  EXPECT_EQ(DpNoiseScale(*single), mpq_class(2));
}

// A person holding a study certificate and an identity certification is in both
// registries of a metric that counts them: the release moves by both records.
TEST(DpParametersTest, APersonInEachRegistryOfAMetricMovesItByEach) {
  const v1::MetricDef certificates = Metric(
      "id: 'c' registries: 'identity_certifications' registries: 'study_certificates' "
      "time_basis: EVENT date_field: 'issue_date' period_type: YEAR "
      "disclosure { method: DP epsilon: '1' budget: '2' magnitude_max: 1 }");
  auto parameters = DpParametersOf(certificates);
  ASSERT_TRUE(parameters.ok()) << parameters.status();
  EXPECT_EQ(parameters->sensitivity, 2);
  EXPECT_EQ(DpNoiseScale(*parameters), mpq_class(2));
}

// The threshold counts persons: the records of one resident id are one contributor in
// every registry keyed by it, and other registries keep entities of their own.
TEST(EntityTest, OnePersonIsOneEntityAcrossRegistries) {
  v1::IdentityCertification identity;
  identity.set_resident_id("340103199101010012");
  v1::StudyCertificate study;
  study.set_resident_id("340103199101010012");
  v1::AidVisit visit;
  visit.set_household_resident_id("340103199101010012");
  v1::Enterprise enterprise;
  enterprise.set_credit_code("340103199101010012");
  const std::string person = EntityOf(*FindRegistryKind("identity_certifications"), identity);
  EXPECT_EQ(EntityOf(*FindRegistryKind("study_certificates"), study), person);
  EXPECT_EQ(EntityOf(*FindRegistryKind("aid_visits"), visit), person);
  EXPECT_NE(EntityOf(*FindRegistryKind("enterprises"), enterprise), person);
  study.set_resident_id("340103199101020018");
  EXPECT_NE(EntityOf(*FindRegistryKind("study_certificates"), study), person);
}

}  // namespace
}  // namespace fedsync
