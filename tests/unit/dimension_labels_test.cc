#include "shared/dimension_labels.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shared/countries.h"
#include "tools/fedctl/rollup_output.h"

namespace fedsync {
namespace {

using ::testing::HasSubstr;

TEST(DimensionLabelsTest, KnownValuesInBothLanguages) {
  struct Case {
    const char* key;
    const char* value;
    const char* zh;
    const char* en;
  };
  for (const Case& test : std::vector<Case>{
           {"degree", "master", "硕士", "Master"},
           {"region", "europe", "欧洲", "Europe"},
           {"type", "identity", "归侨侨眷身份认定", "Identity certification"},
           {"region", "atlantis", "atlantis", "Atlantis"},  // unknown: itself
       }) {
    EXPECT_EQ(DimensionValueLabel(test.key, test.value, LabelLanguage::kChinese), test.zh);
    EXPECT_EQ(DimensionValueLabel(test.key, test.value, LabelLanguage::kEnglish), test.en);
  }
  EXPECT_EQ(DimensionKeyLabel("degree", LabelLanguage::kChinese), "学位");
  EXPECT_EQ(DimensionKeyLabel("region", LabelLanguage::kEnglish), "Region");
}

TEST(DimensionLabelsTest, EveryWorldRegionHasAChineseLabel) {
  for (const std::string& region : WorldRegions()) {
    EXPECT_NE(DimensionValueLabel("region", region, LabelLanguage::kChinese), region) << region;
  }
}

TEST(DimensionLabelsTest, ParsesLanguages) {
  LabelLanguage language;
  EXPECT_TRUE(ParseLabelLanguage("zh", &language));
  EXPECT_EQ(language, LabelLanguage::kChinese);
  EXPECT_TRUE(ParseLabelLanguage("en", &language));
  EXPECT_EQ(language, LabelLanguage::kEnglish);
  EXPECT_FALSE(ParseLabelLanguage("fr", &language));
}

TEST(DimensionLabelsTest, FedctlRollupLabelsTableCsvAndJson) {
  v1::GetRollupResponse response;
  v1::RollupCell* cell = response.add_cells();
  cell->set_node_id("luyang");
  cell->mutable_cell()->set_metric("returned_students_by_degree");
  cell->mutable_cell()->set_period("2026");
  v1::DimensionValue* dim = cell->mutable_cell()->add_dims();
  dim->set_key("degree");
  dim->set_value("master");
  cell->mutable_cell()->set_value(30);
  cell->mutable_cell()->set_status(v1::OK);
  using fedctl::OutputFormat;
  using fedctl::RenderRollup;
  EXPECT_THAT(RenderRollup(response, OutputFormat::kTable, LabelLanguage::kChinese),
              HasSubstr("学位"));
  EXPECT_THAT(RenderRollup(response, OutputFormat::kTable, LabelLanguage::kChinese),
              HasSubstr("硕士"));
  EXPECT_THAT(RenderRollup(response, OutputFormat::kCsv, LabelLanguage::kEnglish),
              HasSubstr("node,metric,period,Degree,value,status\nluyang,"
                        "returned_students_by_degree,2026,Master,30,OK\n"));
  EXPECT_THAT(RenderRollup(response, OutputFormat::kJson, LabelLanguage::kChinese),
              HasSubstr("\"dims\": {\"degree\": \"master\"}, \"value\": 30, \"status\": \"OK\", "
                        "\"labels\": {\"degree\": \"硕士\"}}"));
  EXPECT_THAT(RenderRollup(response, OutputFormat::kTable), HasSubstr("master"));
}

}  // namespace
}  // namespace fedsync
