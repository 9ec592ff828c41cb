#include "shared/targets.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "shared/logging.h"
#include "shared/metric_query.h"
#include "shared/node_store.h"
#include "shared/period.h"
#include "shared/status_macros.h"

namespace fedsync {

const char kReceivedTargetsSchema[] = R"sql(
CREATE TABLE received_targets(
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  value INTEGER NOT NULL,
  set_millis INTEGER NOT NULL,
  set_by TEXT NOT NULL,
  met_millis INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (metric, period));
)sql";

namespace {

constexpr char kOwnProgress[] =
    "SELECT COALESCE(SUM(value), 0), COALESCE(MAX(status = 2 OR status = 5), 0) "
    "FROM published_cells WHERE metric = ? AND period = ? AND deleted = 0";
constexpr char kSelectReceived[] =
    "SELECT metric, period, value, set_millis, set_by, met_millis FROM received_targets "
    "ORDER BY period, metric";
constexpr char kSelectMet[] =
    "SELECT met_millis FROM received_targets WHERE metric = ? AND period = ? AND value = ?";
constexpr char kDeleteReceived[] = "DELETE FROM received_targets";
constexpr char kInsertReceived[] =
    "INSERT INTO received_targets(metric, period, value, set_millis, set_by, met_millis) "
    "VALUES(?, ?, ?, ?, ?, ?)";
constexpr char kSetMet[] =
    "UPDATE received_targets SET met_millis = ? WHERE metric = ? AND period = ? "
    "AND met_millis = 0";

}  // namespace

absl::Status ValidateTarget(const Catalog& catalog, const v1::Target& target) {
  const v1::MetricDef* metric = catalog.Find(target.metric());
  if (metric == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric: '", target.metric().substr(0, 64), "' is not in the catalog"));
  }
  RETURN_IF_ERROR(CheckMetricPeriod(*metric, target.period()));
  if (target.value() < 0) return absl::InvalidArgumentError("value: must not be negative");
  return absl::OkStatus();
}

absl::StatusOr<Progress> OwnProgress(Database* db, const std::string& metric,
                                     const std::string& period) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kOwnProgress));
  select.Bind(1, metric).Bind(2, period);
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return Progress{};
  return Progress{select.ColumnInt(0), select.ColumnInt(1) != 0};
}

absl::Status ReplaceReceivedTargets(Database* db, const v1::TargetList& targets) {
  std::vector<int64_t> met;
  {
    ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectMet));
    for (const v1::Target& target : targets.targets()) {
      select.Reset();
      select.Bind(1, target.metric()).Bind(2, target.period()).Bind(3, target.value());
      ASSIGN_OR_RETURN(bool row, select.Step());
      met.push_back(row ? select.ColumnInt(0) : 0);
    }
  }
  ASSIGN_OR_RETURN(Statement remove, db->Prepare(kDeleteReceived));
  RETURN_IF_ERROR(remove.Run());
  ASSIGN_OR_RETURN(Statement insert, db->Prepare(kInsertReceived));
  for (int i = 0; i < targets.targets_size(); ++i) {
    const v1::Target& target = targets.targets(i);
    insert.Reset();
    insert.Bind(1, target.metric()).Bind(2, target.period()).Bind(3, target.value());
    insert.Bind(4, target.set_unix_millis()).Bind(5, target.set_by()).Bind(6, met[i]);
    RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::TargetProgress>> ReceivedTargetProgress(Database* db,
                                                                      int64_t now_millis) {
  std::vector<v1::TargetProgress> result;
  {
    ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectReceived));
    while (true) {
      ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      v1::TargetProgress progress;
      v1::Target* target = progress.mutable_target();
      target->set_metric(select.ColumnText(0));
      target->set_period(select.ColumnText(1));
      target->set_value(select.ColumnInt(2));
      target->set_set_unix_millis(select.ColumnInt(3));
      target->set_set_by(select.ColumnText(4));
      progress.set_met_unix_millis(select.ColumnInt(5));
      result.push_back(std::move(progress));
    }
  }
  for (v1::TargetProgress& progress : result) {
    ASSIGN_OR_RETURN(Progress own,
                     OwnProgress(db, progress.target().metric(), progress.target().period()));
    progress.set_progress(own.value);
    progress.set_partial(own.partial);
    if (now_millis > 0 && progress.met_unix_millis() == 0 &&
        own.value >= progress.target().value()) {
      ASSIGN_OR_RETURN(Statement met, db->Prepare(kSetMet));
      met.Bind(1, now_millis).Bind(2, progress.target().metric()).Bind(3, progress.target().period());
      RETURN_IF_ERROR(met.Run());
      progress.set_met_unix_millis(now_millis);
    }
  }
  return result;
}

void StoreReceivedTargets(NodeStore* store, const v1::TargetList& targets) {
  absl::Status status = store->Write([&](Database* db, PublishedCells*) -> absl::Status {
    RETURN_IF_ERROR(ReplaceReceivedTargets(db, targets));
    return ReceivedTargetProgress(db, absl::ToUnixMillis(absl::Now())).status();
  });
  if (!status.ok()) LogError("targets.store_failed", {{"error", status.message()}});
  else LogInfo("targets.received", {{"count", targets.targets_size()}});
}

void UpdateReceivedTargets(NodeStore* store) {
  absl::Status status = store->Write([&](Database* db, PublishedCells*) {
    return ReceivedTargetProgress(db, absl::ToUnixMillis(absl::Now())).status();
  });
  if (!status.ok()) LogError("targets.update_failed", {{"error", status.message()}});
}

}  // namespace fedsync
