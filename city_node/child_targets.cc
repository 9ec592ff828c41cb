#include "city_node/child_targets.h"

#include "shared/status_macros.h"

namespace fedsync {

const char kChildTargetsSchema[] = R"sql(
CREATE TABLE child_targets(
  child_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  value INTEGER NOT NULL,
  set_millis INTEGER NOT NULL,
  set_by TEXT NOT NULL,
  met_millis INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (child_id, metric, period));
)sql";

namespace {

// A new value starts the clock again: met_millis is reset unless the value is the same.
constexpr char kPutTarget[] =
    "INSERT INTO child_targets(child_id, metric, period, value, set_millis, set_by) "
    "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(child_id, metric, period) DO UPDATE SET "
    "met_millis = CASE WHEN value = excluded.value THEN met_millis ELSE 0 END, "
    "value = excluded.value, set_millis = excluded.set_millis, set_by = excluded.set_by";
constexpr char kSelectTargets[] =
    "SELECT child_id, metric, period, value, set_millis, set_by, met_millis FROM child_targets "
    "WHERE ? = '' OR child_id = ? ORDER BY child_id, period, metric";
constexpr char kChildProgress[] =
    "SELECT COALESCE(SUM(value), 0), COALESCE(MAX(status = 2 OR status = 5), 0) "
    "FROM child_cells WHERE child_id = ? AND metric = ? AND period = ? AND deleted = 0";
constexpr char kSetMet[] =
    "UPDATE child_targets SET met_millis = ? WHERE child_id = ? AND metric = ? AND period = ? "
    "AND met_millis = 0";

v1::Target TargetFromRow(const Statement& row) {
  v1::Target target;
  target.set_child_id(row.ColumnText(0));
  target.set_metric(row.ColumnText(1));
  target.set_period(row.ColumnText(2));
  target.set_value(row.ColumnInt(3));
  target.set_set_unix_millis(row.ColumnInt(4));
  target.set_set_by(row.ColumnText(5));
  return target;
}

}  // namespace

absl::Status PutChildTarget(Database* db, const v1::Target& target) {
  ASSIGN_OR_RETURN(Statement put, db->Prepare(kPutTarget));
  put.Bind(1, target.child_id()).Bind(2, target.metric()).Bind(3, target.period());
  put.Bind(4, target.value()).Bind(5, target.set_unix_millis()).Bind(6, target.set_by());
  return put.Run();
}

absl::StatusOr<v1::TargetList> TargetsForChild(Database* db, const std::string& child_id) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectTargets));
  select.Bind(1, child_id).Bind(2, child_id);
  v1::TargetList list;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    *list.add_targets() = TargetFromRow(select);
  }
  return list;
}

absl::StatusOr<std::vector<v1::TargetProgress>> ChildTargetProgress(Database* db,
                                                                   const std::string& child_id,
                                                                   int64_t now_millis) {
  std::vector<v1::TargetProgress> result;
  {
    ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectTargets));
    select.Bind(1, child_id).Bind(2, child_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      v1::TargetProgress progress;
      *progress.mutable_target() = TargetFromRow(select);
      progress.set_met_unix_millis(select.ColumnInt(6));
      result.push_back(std::move(progress));
    }
  }
  ASSIGN_OR_RETURN(Statement sum, db->Prepare(kChildProgress));
  for (v1::TargetProgress& progress : result) {
    const v1::Target& target = progress.target();
    sum.Reset();
    sum.Bind(1, target.child_id()).Bind(2, target.metric()).Bind(3, target.period());
    ASSIGN_OR_RETURN(bool row, sum.Step());
    progress.set_progress(row ? sum.ColumnInt(0) : 0);
    progress.set_partial(row && sum.ColumnInt(1) != 0);
    if (now_millis > 0 && progress.met_unix_millis() == 0 &&
        progress.progress() >= target.value()) {
      ASSIGN_OR_RETURN(Statement met, db->Prepare(kSetMet));
      met.Bind(1, now_millis).Bind(2, target.child_id()).Bind(3, target.metric());
      met.Bind(4, target.period());
      RETURN_IF_ERROR(met.Run());
      progress.set_met_unix_millis(now_millis);
    }
  }
  return result;
}

}  // namespace fedsync
