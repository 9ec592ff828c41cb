#include "city_node/completeness.h"

#include "gtest/gtest.h"
#include "shared/migrations.h"

namespace fedsync {
namespace {

absl::Time Beijing(int year, int month, int day, int hour = 12) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, 0, 0),
                         absl::FixedTimeZone(8 * 3600));
}

TEST(CompletenessTest, LastEndedPeriods) {
  EXPECT_EQ(LastEndedPeriods(Beijing(2026, 11, 30)),
            (std::vector<std::string>{"2025", "2026-Q3", "2026-10"}));
  EXPECT_EQ(LastEndedPeriods(Beijing(2027, 1, 1, 0)),
            (std::vector<std::string>{"2026", "2026-Q4", "2026-12"}));
  // 23:30 on 31 December in Beijing is still 2026 there, whatever UTC says.
  EXPECT_EQ(LastEndedPeriods(Beijing(2026, 12, 31, 23)),
            (std::vector<std::string>{"2025", "2026-Q3", "2026-11"}));
}

TEST(CompletenessTest, FirstReportAfterThePeriodCountsAndIsJudgedByItsDeadline) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(Migrate(db->get(), {kReportsSchema}).ok());
  v1::NodeConfig config;
  config.set_month_deadline_days(10);
  config.set_quarter_deadline_days(15);
  config.set_year_deadline_days(31);

  // On 5 November: on time for October (deadline 10 November), late for 2025 (31 Jan).
  ASSERT_TRUE(RecordReport(db->get(), "luyang", Beijing(2026, 11, 5)).ok());
  // A later report does not move the first one.
  ASSERT_TRUE(RecordReport(db->get(), "luyang", Beijing(2026, 11, 20)).ok());
  auto reports = ReadReports(db->get(), "luyang", config, Beijing(2026, 11, 30));
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 3u);
  EXPECT_EQ((*reports)[0].period(), "2025");
  EXPECT_TRUE((*reports)[0].reported());
  EXPECT_FALSE((*reports)[0].on_time());
  EXPECT_EQ((*reports)[1].period(), "2026-Q3");
  EXPECT_TRUE((*reports)[1].reported());
  EXPECT_FALSE((*reports)[1].on_time());  // deadline 15 October
  EXPECT_EQ((*reports)[2].period(), "2026-10");
  EXPECT_TRUE((*reports)[2].on_time());
  EXPECT_EQ((*reports)[2].first_report_unix_millis(),
            absl::ToUnixMillis(Beijing(2026, 11, 5)));

  auto other = ReadReports(db->get(), "yaohai", config, Beijing(2026, 11, 30));
  ASSERT_TRUE(other.ok());
  for (const v1::PeriodReport& report : *other) EXPECT_FALSE(report.reported());
}

}  // namespace
}  // namespace fedsync
