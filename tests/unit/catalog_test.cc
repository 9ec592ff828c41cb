#include "shared/catalog.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "shared/catalog_holder.h"
#include "shared/period.h"
#include "tests/unit/database_test_support.h"

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

// Dimension names and category labels become the district's "k=v;k=v" cell keys and
// the parent's dimension tokens: one that is not a token is refused at load, not by
// every parent for every cell.
TEST(CatalogTest, RefusesNamesAndLabelsThatAreNotTokensNamingMetricAndField) {
  auto metric = [](const std::string& id, const std::string& dimension) {
    return absl::StrCat("version: 1 metrics { id: \"", id,
                        "\" registries: \"returned_students\" time_basis: STOCK "
                        "period_type: YEAR disclosure { method: SUPPRESSION threshold: 3 } ",
                        dimension, " }");
  };
  auto categories = [](const std::string& name, const std::string& label) {
    return absl::StrCat("dimensions { name: \"", name,
                        "\" field: \"study_country\" binning: CATEGORY_MAP "
                        "categories { key: \"JP\" value: \"asia\" } "
                        "categories { key: \"US\" value: \"",
                        label, "\" } }");
  };
  struct Case {
    std::string text;
    std::string names;  // what the error names besides the metric; empty: loads
    std::string metric = "by_country";
  };
  for (const Case& test : std::vector<Case>{
           {metric("by_country", categories("country", "americas")), ""},
           {metric("by_country", categories("country", "a;b=c")), "'study_country'"},
           {metric("by_country", categories("country", "")), "'study_country'"},
           {metric("by_country", categories("country", std::string(65, 'x'))), "'study_country'"},
           {metric("by_country", categories("country", std::string(64, 'x'))), ""},
           {metric("by_country", categories("country", "new\\nline")), "'study_country'"},
           {metric("by_country", categories("de=g;ree", "americas")), "'study_country'"},
           {metric("by_country", categories("tab\\tbed", "americas")), "'study_country'"},
           {metric("by_country",
                   "dimensions { name: \"kind;x\" field: \"kind\" binning: CATEGORY_MAP "
                   "categories { key: \"returned_students\" value: \"students\" } }"),
            "'kind'"},
           {metric("by_country",
                   "dimensions { name: \"kind\" field: \"kind\" binning: CATEGORY_MAP "
                   "categories { key: \"returned_students\" value: \"stu=dents\" } }"),
            "'kind'"},
           {metric("by country", categories("country", "americas")), "'id'", "by country"},
           {metric("by;country=x", categories("country", "americas")), "'id'", "by;country=x"},
           {metric(std::string(65, 'm'), categories("country", "americas")), "'id'",
            std::string(65, 'm')},
           {metric("v2.by-country_1", categories("country", "americas")), ""},
       }) {
    auto catalog = Catalog::FromText(test.text);
    if (test.names.empty()) {
      EXPECT_TRUE(catalog.ok()) << test.text << ": " << catalog.status();
      continue;
    }
    ASSERT_FALSE(catalog.ok()) << test.text;
    EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(catalog.status().message().find(test.metric), absl::string_view::npos)
        << catalog.status();
    EXPECT_NE(catalog.status().message().find(test.names), absl::string_view::npos)
        << test.text << ": " << catalog.status();
  }
}

// The band below the first bound starts one below it, which int64's least value has not.
TEST(CatalogTest, RefusesABandBoundAtInt64sLeast) {
  auto catalog = Catalog::FromText(
      "version: 1 metrics { id: \"m\" registries: \"returned_students\" "
      "time_basis: STOCK period_type: YEAR disclosure { method: SUPPRESSION threshold: 3 } "
      "dimensions { name: \"year\" field: \"return_year\" binning: NUMERIC_BANDS "
      "band_bounds: -9223372036854775808 band_bounds: 0 } }");
  ASSERT_FALSE(catalog.ok());
  EXPECT_NE(catalog.status().message().find("return_year"), absl::string_view::npos)
      << catalog.status();
}

// A DP metric whose noise would not fit the cells (or int64) is refused at load,
// naming the field to change: every write at a district would otherwise fail on a draw.
TEST(CatalogTest, RefusesDpNoiseBeyondTheBoundNamingTheField) {
  // A DP sum of enterprises' capital (one enterprise per record), or a count.
  auto dp_metric = [](const std::string& measure, const std::string& disclosure) {
    return absl::StrCat("version: 1 metrics { id: \"dp_metric\" registries: \"enterprises\" ",
                        measure,
                        " dimensions { name: \"region\" field: \"source_country\" "
                        "binning: COUNTRY_TO_REGION } time_basis: STOCK period_type: YEAR "
                        "disclosure { method: DP ",
                        disclosure, " } }");
  };
  const std::string sum = "measure: SUM measure_field: \"registered_capital_yuan\"";
  struct Case {
    std::string text;
    std::string field;  // empty: loads
  };
  for (const Case& test : std::vector<Case>{
           {dp_metric("",
                      "epsilon: \"1/100000000000000000000\" "
                      "budget: \"1/100000000000000000000\""),
            "disclosure.epsilon"},
           {dp_metric("", "epsilon: \"1/1000000000001\" budget: \"1\""), "disclosure.epsilon"},
           {dp_metric("", "epsilon: \"1/1000000000000\" budget: \"1\""), ""},
           {dp_metric(sum, "epsilon: \"1\" budget: \"1\" magnitude_max: 9000000000000000000"),
            "disclosure.magnitude_max"},
           {dp_metric(sum,
                      "epsilon: \"1000\" budget: \"1000\" "
                      "magnitude_max: 9000000000000000000"),
            "disclosure.magnitude_max"},
           {dp_metric(sum, "epsilon: \"1\" budget: \"1\" magnitude_max: 1000000000000"), ""},
           {dp_metric(sum, "epsilon: \"1/2\" budget: \"1\" magnitude_max: 1000000000000"),
            "disclosure.epsilon"},
           {dp_metric(sum,
                      "dp_mechanism: GAUSSIAN epsilon: \"1/2\" budget: \"1\" "
                      "magnitude_max: 1000000000001"),
            "disclosure.magnitude_max"},
           {dp_metric(sum,
                      "dp_mechanism: GAUSSIAN epsilon: \"1/2\" budget: \"1\" "
                      "magnitude_max: 1000000000000"),
            ""},
           {dp_metric("",
                      "dp_mechanism: GAUSSIAN epsilon: \"1/10000000000000000000000000\" "
                      "budget: \"1\""),
            "disclosure.epsilon"},
           // A household's aid visits and its hardship case: the bound counts twice.
           {"version: 1 metrics { id: \"dp_metric\" registries: \"aid_visits\" "
            "registries: \"hardship_cases\" time_basis: STOCK period_type: YEAR "
            "disclosure { method: DP epsilon: \"1\" budget: \"1\" "
            "magnitude_max: 9000000000000000000 } }",
            "disclosure.magnitude_max"},
           {"version: 1 metrics { id: \"dp_metric\" registries: \"aid_visits\" "
            "registries: \"hardship_cases\" time_basis: STOCK period_type: YEAR "
            "disclosure { method: DP epsilon: \"1\" budget: \"1\" "
            "magnitude_max: 600000000000 } }",
            "disclosure.magnitude_max"},
           {"version: 1 metrics { id: \"dp_metric\" registries: \"aid_visits\" "
            "registries: \"hardship_cases\" time_basis: STOCK period_type: YEAR "
            "disclosure { method: DP epsilon: \"1\" budget: \"1\" "
            "magnitude_max: 500000000000 } }",
            ""},
       }) {
    auto catalog = Catalog::FromText(test.text);
    if (test.field.empty()) {
      EXPECT_TRUE(catalog.ok()) << test.text << ": " << catalog.status();
      continue;
    }
    ASSERT_FALSE(catalog.ok()) << test.text;
    EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(catalog.status().message().find("dp_metric"), absl::string_view::npos)
        << catalog.status();
    EXPECT_NE(catalog.status().message().find(absl::StrCat("'", test.field, "'")),
              absl::string_view::npos)
        << test.text << ": " << catalog.status();
  }
}

// A catalog stored by an older build that this build's checks refuse (here a label
// that is not a token) must not keep the node from starting: it runs the built-in
// catalog until it is given a better one. A blob that does not parse is data loss.
TEST(CatalogTest, AStoredCatalogThisBuildRefusesLoadsAsTheDefault) {
  auto db = MigratedMemoryDatabase({kCatalogSchema});
  ASSERT_NE(db, nullptr);
  v1::Catalog stored = Catalog::Default()->proto();
  stored.set_version(7);
  v1::Dimension* dim = stored.mutable_metrics(0)->add_dimensions();
  dim->set_name("region;x=y");
  dim->set_field("study_country");
  dim->set_binning(v1::COUNTRY_TO_REGION);
  ASSERT_FALSE(Catalog::FromProto(stored).ok());
  auto insert = db->Prepare("INSERT INTO catalog(id, version, definition) VALUES(1, 7, ?)");
  ASSERT_TRUE(insert.ok());
  insert->BindBlob(1, stored.SerializeAsString());
  ASSERT_TRUE(insert->Run().ok());
  auto loaded = LoadStoredCatalog(db.get());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->version(), Catalog::Default()->version());

  ASSERT_TRUE(db->Execute("UPDATE catalog SET definition = x'ffff'").ok());
  EXPECT_EQ(LoadStoredCatalog(db.get()).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace fedsync
