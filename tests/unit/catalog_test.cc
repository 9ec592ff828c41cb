#include "shared/catalog.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "shared/period.h"

namespace fedsync {
namespace {

TEST(CatalogTest, DefaultCatalogLoadsWithTheDemoMetrics) {
  std::shared_ptr<const Catalog> catalog = Catalog::Default();
  ASSERT_NE(catalog, nullptr);
  EXPECT_GE(catalog->version(), 1);
  for (const char* id : {"returned_students_total", "returned_students_by_region",
                         "returned_students_by_degree", "certifications_by_type"}) {
    EXPECT_NE(catalog->Find(id), nullptr) << id;
  }
  EXPECT_EQ(catalog->Find("no_such_metric"), nullptr);
}

std::string WithDimension(const std::string& field, const std::string& binning) {
  return R"pb(version: 2
    metrics {
      id: "students_by_x" registries: "returned_students" time_basis: STOCK
      period_type: YEAR disclosure { method: SUPPRESSION threshold: 3 }
      dimensions { name: "x" field: ")pb" + field + R"pb(" binning: )pb" + binning + "}}";
}

TEST(CatalogTest, RefusesIdentifyingOrFreeTextDimensions) {
  for (const char* field : {"name", "resident_id", "phone", "birth_date", "community", "field"}) {
    auto catalog = Catalog::FromText(WithDimension(field, "CATEGORY_MAP"));
    ASSERT_FALSE(catalog.ok()) << field;
    EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(catalog.status().message().find("students_by_x"), absl::string_view::npos);
    EXPECT_NE(catalog.status().message().find(field), absl::string_view::npos);
  }
}

TEST(CatalogTest, RefusesMistakesNamingMetricAndField) {
  struct Case {
    std::string text;
    std::string names;
  };
  for (const Case& test : std::vector<Case>{
           {WithDimension("gender", "COUNTRY_TO_REGION"), "gender"},
           {WithDimension("study_country", "ENUM_NAME"), "study_country"},
           {WithDimension("no_such_field", "ENUM_NAME"), "no_such_field"},
           {R"pb(version: 1 metrics { id: "m" registries: "nope" time_basis: STOCK
                 period_type: YEAR disclosure { method: NONE } })pb", "registries"},
           {R"pb(version: 1 metrics { id: "m" registries: "returned_students"
                 time_basis: STOCK disclosure { method: NONE } })pb", "period_type"},
           {R"pb(version: 0)pb", "version"},
       }) {
    auto catalog = Catalog::FromText(test.text);
    ASSERT_FALSE(catalog.ok()) << test.text;
    EXPECT_NE(catalog.status().message().find(test.names), absl::string_view::npos)
        << catalog.status();
  }
  EXPECT_FALSE(Catalog::FromText("this is not text format {").ok());
}

TEST(PeriodTest, PeriodsOfADay) {
  absl::CivilDay day(2026, 8, 31);
  EXPECT_EQ(PeriodOf(day, v1::YEAR), "2026");
  EXPECT_EQ(PeriodOf(day, v1::QUARTER), "2026-Q3");
  EXPECT_EQ(PeriodOf(day, v1::MONTH), "2026-08");
}

TEST(PeriodTest, ParseGivesFirstAndLastDay) {
  struct Case {
    std::string text;
    v1::PeriodType type;
    absl::CivilDay first, last;
  };
  for (const Case& test : std::vector<Case>{
           {"2026", v1::YEAR, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31)},
           {"2026-Q1", v1::QUARTER, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31)},
           {"2026-Q4", v1::QUARTER, absl::CivilDay(2026, 10, 1), absl::CivilDay(2026, 12, 31)},
           {"2024-02", v1::MONTH, absl::CivilDay(2024, 2, 1), absl::CivilDay(2024, 2, 29)},
           {"2026-12", v1::MONTH, absl::CivilDay(2026, 12, 1), absl::CivilDay(2026, 12, 31)}}) {
    auto period = ParsePeriod(test.text);
    ASSERT_TRUE(period.ok()) << test.text;
    EXPECT_EQ(period->type, test.type);
    EXPECT_EQ(period->first_day, test.first);
    EXPECT_EQ(period->last_day, test.last);
  }
  for (const char* bad : {"", "26", "2026-13", "2026-00", "2026-Q5", "2026-1", "202a",
                          "2026-Q1x", "1800"}) {
    EXPECT_FALSE(ParsePeriod(bad).ok()) << bad;
  }
}

TEST(PeriodTest, NextPeriodCrossesYears) {
  EXPECT_EQ(NextPeriod("2026"), "2027");
  EXPECT_EQ(NextPeriod("2026-Q4"), "2027-Q1");
  EXPECT_EQ(NextPeriod("2026-12"), "2027-01");
}

TEST(CatalogTest, NoneOnlyForMetricsNotAboutPersons) {
  auto metric = [](const std::string& extra) {
    return Catalog::FromText(absl::StrCat(
        R"pb(version: 1 metrics { id: "m" registries: "identity_certifications"
             time_basis: EVENT date_field: "issue_date" period_type: MONTH
             disclosure { method: NONE } )pb",
        extra, "}"));
  };
  auto unmarked = metric("");
  ASSERT_FALSE(unmarked.ok());
  EXPECT_NE(unmarked.status().message().find("about_persons"), absl::string_view::npos);
  EXPECT_FALSE(metric("about_persons: true").ok());
  EXPECT_TRUE(metric("about_persons: false").ok());
  // Every NONE metric of the built-in catalog is marked not about persons, and every
  // metric marked so is a count of certificates.
  int none_metrics = 0;
  for (const v1::MetricDef& def : Catalog::Default()->proto().metrics()) {
    if (def.disclosure().method() != v1::NONE) continue;
    ++none_metrics;
    EXPECT_FALSE(AboutPersons(def)) << def.id();
    EXPECT_EQ(def.id().rfind("certifications_", 0), 0u) << def.id();
  }
  EXPECT_EQ(none_metrics, 2);
}

}  // namespace
}  // namespace fedsync
