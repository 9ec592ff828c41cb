#include "shared/aggregator.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "shared/civil_date.h"
#include "shared/demo_data.h"
#include "shared/privacy_filter.h"
#include "tests/unit/cell_test_support.h"

namespace fedsync {
namespace {

StoredRecord Student(const std::string& country, v1::Degree degree, const std::string& start,
                     const std::string& end = "") {
  StoredRecord stored;
  v1::ReturnedStudent* student = stored.record.mutable_returned_student();
  student->set_study_country(country);
  student->set_degree(degree);
  student->set_registered_date(start);
  stored.start_date = start;
  stored.end_date = end;
  return stored;
}

StoredRecord Certification(const std::string& issue_date, v1::Outcome outcome) {
  StoredRecord stored;
  v1::IdentityCertification* certification = stored.record.mutable_identity_certification();
  certification->set_issue_date(issue_date);
  certification->set_outcome(outcome);
  stored.start_date = issue_date;
  return stored;
}

int64_t ValueOf(const ExactCellMap& cells, const std::string& metric, const std::string& period,
                const std::string& dims = "") {
  auto it = cells.find(CellKey{metric, period, dims});
  return it == cells.end() ? 0 : it->second.value;
}

const absl::CivilDay kToday(2026, 11, 30);

TEST(AggregatorTest, StockCountsEveryPeriodFromStartToToday) {
  Aggregator aggregator(Catalog::Default(), kToday);
  ExactCellMap cells = aggregator.Compute({Student("GB", v1::MASTER, "2024-05-01"),
                                           Student("US", v1::DOCTORATE, "2026-02-01")});
  EXPECT_EQ(ValueOf(cells, "returned_students_total", "2023"), 0);
  EXPECT_EQ(ValueOf(cells, "returned_students_total", "2024"), 1);
  EXPECT_EQ(ValueOf(cells, "returned_students_total", "2025"), 1);
  EXPECT_EQ(ValueOf(cells, "returned_students_total", "2026"), 2);
  EXPECT_EQ(ValueOf(cells, "returned_students_total", "2027"), 0);
  EXPECT_EQ(ValueOf(cells, "returned_students_by_region", "2026", "region=europe"), 1);
  EXPECT_EQ(ValueOf(cells, "returned_students_by_region", "2026", "region=north_america"), 1);
  EXPECT_EQ(ValueOf(cells, "returned_students_by_degree", "2026", "degree=doctorate"), 1);
}

// With every record keyed 0, a cell-key cell's noise is a fixed function of its count,
// which a reader inverts: without a keyer, CELL_KEY metrics get no cells at all.
TEST(AggregatorTest, CellKeyMetricsWithoutAKeyerGetNoCells) {
  const std::shared_ptr<const Catalog> catalog = cell_testing::CatalogWithEveryPeriodType();
  const std::string perturbed = "students_by_degree_quarterly_perturbed";
  const std::vector<StoredRecord> records = {Student("GB", v1::MASTER, "2024-05-01"),
                                             Student("US", v1::DOCTORATE, "2026-02-01")};
  auto cells_of = [&](const ExactCellMap& cells, const std::string& metric) {
    int count = 0;
    for (const auto& [key, cell] : cells) count += key.metric == metric ? 1 : 0;
    return count;
  };
  const ExactCellMap unkeyed = Aggregator(catalog, kToday).Compute(records);
  EXPECT_EQ(cells_of(unkeyed, perturbed), 0);
  EXPECT_EQ(ValueOf(unkeyed, "returned_students_total", "2026"), 2);  // others as before
  CellRanges ranges;
  const Aggregator unkeyed_aggregator(catalog, kToday);
  for (const StoredRecord& stored : records) unkeyed_aggregator.AddRanges(stored, &ranges);
  ExactCellMap expanded;
  unkeyed_aggregator.Expand(ranges, &expanded);
  EXPECT_EQ(cells_of(expanded, perturbed), 0);

  const ExactCellMap keyed =
      Aggregator(catalog, kToday, cell_testing::TestKeyer()).Compute(records);
  EXPECT_GT(cells_of(keyed, perturbed), 0);
  for (const auto& [key, cell] : keyed) {
    if (key.metric != perturbed) continue;
    EXPECT_NE(cell.perturbation_key, 0u) << key.dims;
  }
}

TEST(AggregatorTest, RecordThatLeftIsCountedOnlyWhileItWasThere) {
  Aggregator aggregator(Catalog::Default(), kToday);
  // Left on 2025-12-31: not in the registry at the end of 2025.
  ExactCellMap cells = aggregator.Compute({Student("GB", v1::MASTER, "2023-01-01", "2025-12-31"),
                                           Student("GB", v1::MASTER, "2023-01-01", "2026-01-01")});
  EXPECT_EQ(ValueOf(cells, "returned_students_total", "2024"), 2);
  EXPECT_EQ(ValueOf(cells, "returned_students_total", "2025"), 1);
  EXPECT_EQ(ValueOf(cells, "returned_students_total", "2026"), 0);
}

TEST(AggregatorTest, EventsCountInTheirMonthAndFiltersApply) {
  Aggregator aggregator(Catalog::Default(), kToday);
  StoredRecord study;
  study.record.mutable_study_certificate()->set_issue_date("2026-03-09");
  study.record.mutable_study_certificate()->set_outcome(v1::APPROVED);
  ExactCellMap cells = aggregator.Compute({Certification("2026-03-01", v1::APPROVED),
                                           Certification("2026-03-31", v1::APPROVED),
                                           Certification("2026-03-15", v1::REJECTED),
                                           Certification("2026-04-01", v1::APPROVED), study});
  EXPECT_EQ(ValueOf(cells, "certifications_by_type", "2026-03", "type=identity"), 2);
  EXPECT_EQ(ValueOf(cells, "certifications_by_type", "2026-04", "type=identity"), 1);
  EXPECT_EQ(ValueOf(cells, "certifications_by_type", "2026-03", "type=study"), 1);
}

TEST(AggregatorTest, DeletedEventsCountOnlyInPeriodsEndedBeforeTheDeletion) {
  Aggregator aggregator(Catalog::Default(), kToday);
  auto deleted = [](StoredRecord stored, const std::string& end) {
    stored.end_date = stored.deletion_end_date = end;
    return stored;
  };
  const std::vector<StoredRecord> records = {
      deleted(Certification("2026-03-01", v1::APPROVED), "2026-11-30"),  // March ended
      deleted(Certification("2026-02-10", v1::APPROVED), "2026-03-01"),  // February ended
      deleted(Certification("2025-07-01", v1::APPROVED), "2026-01-01"),  // 2025 ended
      deleted(Certification("2025-12-31", v1::APPROVED), "2025-12-31"),  // not yet
      Certification("2026-03-05", v1::APPROVED)};
  ExactCellMap cells = aggregator.Compute(records);
  EXPECT_EQ(ValueOf(cells, "certifications_issued_by_year", "2026", "type=identity"), 1);
  EXPECT_EQ(ValueOf(cells, "certifications_issued_by_year", "2025", "type=identity"), 1);
  EXPECT_EQ(ValueOf(cells, "certifications_by_type", "2026-02", "type=identity"), 1);
  EXPECT_EQ(ValueOf(cells, "certifications_by_type", "2026-03", "type=identity"), 2);
  EXPECT_EQ(ValueOf(cells, "certifications_by_type", "2025-12", "type=identity"), 0);
  // The ranges say the same.
  CellRanges ranges;
  for (const StoredRecord& stored : records) aggregator.AddRanges(stored, &ranges);
  ExactCellMap expanded;
  aggregator.Expand(ranges, &expanded);
  EXPECT_TRUE(expanded == cells);
}

TEST(PrivacyFilterTest, ThresholdBoundaries) {
  const Catalog& catalog = *Catalog::Default();
  struct Case {
    int64_t contributors;
    bool published;
    v1::CellStatus status;
  };
  for (const Case& test : std::vector<Case>{{0, false, v1::OK},
                                            {1, true, v1::SUPPRESSED},
                                            {2, true, v1::SUPPRESSED},
                                            {3, true, v1::OK},
                                            {4, true, v1::OK}}) {
    ExactCellMap exact;
    CellKey key{"returned_students_total", "2026", ""};
    exact[key] = ExactCell{test.contributors, test.contributors};
    CellMap published = FilterForPublication(catalog, exact);
    SCOPED_TRACE(test.contributors);
    ASSERT_EQ(published.count(key), test.published ? 1u : 0u);
    if (!test.published) continue;
    EXPECT_EQ(published[key].status, test.status);
    EXPECT_EQ(published[key].value, test.status == v1::SUPPRESSED ? 0 : test.contributors);
  }
}

TEST(PrivacyFilterTest, AdministrativeCountsAreNotSuppressed) {
  ExactCellMap exact;
  CellKey key{"certifications_by_type", "2026-03", "type=identity"};
  exact[key] = ExactCell{1, 1};
  CellMap published = FilterForPublication(*Catalog::Default(), exact);
  ASSERT_EQ(published.count(key), 1u);
  EXPECT_EQ(published[key].status, v1::OK);
  EXPECT_EQ(published[key].value, 1);
}

TEST(PrivacyFilterTest, MetricsOutsideTheCatalogAreNeverPublished) {
  ExactCellMap exact;
  exact[CellKey{"names_of_people", "2026", ""}] = ExactCell{10, 10};
  EXPECT_TRUE(FilterForPublication(*Catalog::Default(), exact).empty());
}

}  // namespace
}  // namespace fedsync

namespace fedsync {
namespace {

StoredRecord Enterprise(const std::string& country, int64_t capital, const std::string& start) {
  StoredRecord stored;
  v1::Enterprise* enterprise = stored.record.mutable_enterprise();
  enterprise->set_source_country(country);
  enterprise->set_registered_capital_yuan(capital);
  enterprise->set_registered_date(start);
  stored.start_date = start;
  return stored;
}

TEST(AggregatorTest, SumMeasuresAddTheFieldAndCountContributors) {
  Aggregator aggregator(Catalog::Default(), absl::CivilDay(2026, 11, 30));
  ExactCellMap cells = aggregator.Compute({Enterprise("GB", 5'000'000, "2025-03-01"),
                                           Enterprise("DE", 2'000'000, "2026-01-10"),
                                           Enterprise("US", 900'000, "2026-02-01")});
  const CellKey europe{"enterprises_capital_by_source_region", "2026", "region=europe"};
  ASSERT_EQ(cells.count(europe), 1u);
  EXPECT_EQ(cells[europe].value, 7'000'000);
  EXPECT_EQ(cells[europe].contributors, 2);
  const CellKey europe_2025{"enterprises_capital_by_source_region", "2025", "region=europe"};
  EXPECT_EQ(cells[europe_2025].value, 5'000'000);
  EXPECT_EQ(cells[europe_2025].contributors, 1);
  // The count of the same enterprises is a count.
  EXPECT_EQ((cells[CellKey{"enterprises_by_source_region", "2026", "region=europe"}].value), 2);
}

TEST(AggregatorTest, NumericBandsAreClosedLabels) {
  v1::Dimension dim;
  for (int64_t bound : {2000, 2010, 2020}) dim.add_band_bounds(bound);
  struct Case {
    int64_t value;
    std::string band;
  };
  for (const Case& test : std::vector<Case>{{1999, "before_2000"},
                                            {2000, "2000-2009"},
                                            {2009, "2000-2009"},
                                            {2010, "2010-2019"},
                                            {2020, "2020+"},
                                            {2031, "2020+"}}) {
    EXPECT_EQ(NumericBand(dim, test.value), test.band) << test.value;
  }
}

// Cells without the ones whose changes cancelled out to nothing.
ExactCellMap WithoutZeros(ExactCellMap cells) {
  for (auto it = cells.begin(); it != cells.end();) {
    it = it->second == ExactCell{} ? cells.erase(it) : std::next(it);
  }
  return cells;
}

// The ranges (CellRanges), expanded, are the period-by-period counts: for records that
// entered long ago or in the future, left or not (in the period they entered, before
// it, at a period's first or last day), for every period type, on several days, and
// with records taken away again.
TEST(AggregatorTest, RangesExpandToThePeriodByPeriodCounts) {
  auto keyer = privacy::RecordKeyer::Create(std::string(32, 'k'));
  ASSERT_TRUE(keyer.ok()) << keyer.status();
  const auto shared_keyer = std::make_shared<const privacy::RecordKeyer>(*keyer);
  const std::shared_ptr<const Catalog> catalog = cell_testing::CatalogWithEveryPeriodType();
  std::vector<StoredRecord> records;
  std::mt19937_64 random(7);
  auto day_between = [&](absl::CivilDay first, absl::CivilDay last) {
    return first + std::uniform_int_distribution<int>(0, static_cast<int>(last - first))(random);
  };
  for (const std::string& district : DemoDistrictIds()) {
    auto demo = DemoRecords(district, 2025);
    ASSERT_TRUE(demo.ok()) << demo.status();
    for (const v1::Record& record : *demo) {
      StoredRecord stored;
      stored.record = record;
      const absl::CivilDay start =
          day_between(absl::CivilDay(2014, 1, 1), absl::CivilDay(2027, 3, 1));
      stored.start_date = FormatDate(start);
      switch (std::uniform_int_distribution<int>(0, 5)(random)) {
        case 0:  // left some day before or after its start, deleted or by its data
          stored.end_date = FormatDate(day_between(start - 400, start + 900));
          if (random() % 2 == 0) stored.deletion_end_date = stored.end_date;
          break;
        case 1:  // on the last day of a year
          stored.end_date = FormatDate(absl::CivilDay(start.year() + 1, 12, 31));
          break;
        case 2:  // on the first day of a month
          stored.end_date = FormatDate(absl::CivilDay(absl::CivilMonth(start) + 2));
          break;
        default:  // still there
          break;
      }
      records.push_back(std::move(stored));
    }
  }
  ASSERT_GT(records.size(), 300u);
  for (const absl::CivilDay today : {absl::CivilDay(2026, 11, 30), absl::CivilDay(2027, 1, 1),
                                     absl::CivilDay(2027, 3, 31), absl::CivilDay(2019, 6, 1)}) {
    const Aggregator aggregator(catalog, today, shared_keyer);
    ExactCellMap by_period;
    CellRanges ranges;
    for (size_t i = 0; i < records.size(); ++i) {
      const StoredRecord& stored = records[i];
      aggregator.Add(stored, &by_period);
      aggregator.AddRanges(stored, &ranges);
      if (i % 3 == 0) {  // and some taken away again
        aggregator.Remove(stored, &by_period);
        aggregator.RemoveRanges(stored, &ranges);
      }
    }
    ExactCellMap expanded;
    aggregator.Expand(ranges, &expanded);
    by_period = WithoutZeros(std::move(by_period));
    EXPECT_GT(by_period.size(), 100u);
    EXPECT_TRUE(expanded == by_period) << "as of " << today << ": " << expanded.size()
                                       << " cells from ranges, " << by_period.size()
                                       << " counted period by period";
    // Merged in parts, the same.
    CellRanges first_half, second_half;
    for (size_t i = 0; i < records.size(); ++i) {
      const StoredRecord& stored = records[i];
      if (i % 3 == 0) continue;
      aggregator.AddRanges(stored, i % 2 == 0 ? &first_half : &second_half);
    }
    first_half.Merge(second_half);
    ExactCellMap merged;
    aggregator.Expand(first_half, &merged);
    EXPECT_TRUE(merged == by_period) << "as of " << today << ", merged";
  }
}

}  // namespace
}  // namespace fedsync
