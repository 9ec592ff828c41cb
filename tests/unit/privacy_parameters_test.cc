#include "shared/privacy_parameters.h"

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "shared/privacy_groups.h"

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

}  // namespace
}  // namespace fedsync
