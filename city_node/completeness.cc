#include "city_node/completeness.h"

#include "shared/period.h"
#include "shared/status_macros.h"

namespace fedsync {

const char kReportsSchema[] = R"sql(
CREATE TABLE reports(
  child_id TEXT NOT NULL,
  period TEXT NOT NULL,
  first_report_millis INTEGER NOT NULL,
  PRIMARY KEY (child_id, period));
)sql";

namespace {

const absl::TimeZone& Beijing() {
  static const absl::TimeZone* zone = new absl::TimeZone(absl::FixedTimeZone(8 * 60 * 60));
  return *zone;
}

constexpr char kInsertReport[] =
    "INSERT OR IGNORE INTO reports(child_id, period, first_report_millis) VALUES(?, ?, ?)";
constexpr char kSelectReport[] =
    "SELECT first_report_millis FROM reports WHERE child_id = ? AND period = ?";

int64_t DeadlineDays(const v1::NodeConfig& config, v1::PeriodType type) {
  switch (type) {
    case v1::MONTH: return config.month_deadline_days();
    case v1::QUARTER: return config.quarter_deadline_days();
    default: return config.year_deadline_days();
  }
}

}  // namespace

std::vector<std::string> LastEndedPeriods(absl::Time now) {
  const absl::CivilDay today = absl::ToCivilDay(now, Beijing());
  std::vector<std::string> periods;
  for (v1::PeriodType type : {v1::YEAR, v1::QUARTER, v1::MONTH}) {
    absl::StatusOr<Period> current = ParsePeriod(PeriodOf(today, type));
    if (current.ok()) periods.push_back(PeriodOf(current->first_day - 1, type));
  }
  return periods;
}

absl::Status RecordReport(Database* db, const std::string& child_id, absl::Time now) {
  ASSIGN_OR_RETURN(Statement insert, db->Prepare(kInsertReport));
  for (const std::string& period : LastEndedPeriods(now)) {
    insert.Reset();
    insert.Bind(1, child_id).Bind(2, period).Bind(3, absl::ToUnixMillis(now));
    RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::PeriodReport>> ReadReports(Database* db,
                                                          const std::string& child_id,
                                                          const v1::NodeConfig& config,
                                                          absl::Time now) {
  std::vector<v1::PeriodReport> reports;
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectReport));
  for (const std::string& period_text : LastEndedPeriods(now)) {
    ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
    v1::PeriodReport report;
    report.set_period(period_text);
    const absl::Time deadline =
        absl::FromCivil(period.last_day + 1 + DeadlineDays(config, period.type), Beijing());
    report.set_deadline_unix_millis(absl::ToUnixMillis(deadline));
    select.Reset();
    select.Bind(1, child_id).Bind(2, period_text);
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (row) {
      report.set_reported(true);
      report.set_first_report_unix_millis(select.ColumnInt(0));
      report.set_on_time(select.ColumnInt(0) <= absl::ToUnixMillis(deadline));
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace fedsync
