#include "district_node/exact_cells.h"

#include "shared/status_macros.h"

namespace fedsync {

const char kExactCellsSchema[] = R"sql(
CREATE TABLE exact_cells(
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  value INTEGER NOT NULL,
  contributors INTEGER NOT NULL,
  PRIMARY KEY (metric, period, dims)) WITHOUT ROWID;
CREATE TABLE exact_cells_state(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
)sql";

namespace {

constexpr char kSelectCell[] =
    "SELECT value, contributors, perturbation_key FROM exact_cells "
    "WHERE metric = ? AND period = ? AND dims = ?";
constexpr char kUpsertCell[] =
    "INSERT INTO exact_cells(metric, period, dims, value, contributors, perturbation_key) "
    "VALUES(?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(metric, period, dims) DO UPDATE SET value = excluded.value, "
    "contributors = excluded.contributors, perturbation_key = excluded.perturbation_key";
constexpr char kDeleteCell[] =
    "DELETE FROM exact_cells WHERE metric = ? AND period = ? AND dims = ?";
constexpr char kSelectAll[] =
    "SELECT metric, period, dims, value, contributors, perturbation_key FROM exact_cells";
constexpr char kSelectMetricPeriod[] =
    "SELECT dims, value, contributors, perturbation_key FROM exact_cells "
    "WHERE metric = ? AND period = ?";
constexpr char kDeleteAll[] = "DELETE FROM exact_cells";
constexpr char kSelectState[] = "SELECT value FROM exact_cells_state WHERE key = ?";
constexpr char kUpsertState[] =
    "INSERT INTO exact_cells_state(key, value) VALUES(?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value";

void BindKey(Statement& statement, const CellKey& key) {
  statement.Bind(1, key.metric).Bind(2, key.period).Bind(3, key.dims);
}

}  // namespace

absl::StatusOr<ExactCellTable> ExactCellTable::Prepare(Database* db) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectCell));
  ASSIGN_OR_RETURN(Statement upsert, db->Prepare(kUpsertCell));
  ASSIGN_OR_RETURN(Statement remove, db->Prepare(kDeleteCell));
  ASSIGN_OR_RETURN(Statement select_state, db->Prepare(kSelectState));
  ASSIGN_OR_RETURN(Statement upsert_state, db->Prepare(kUpsertState));
  return ExactCellTable(db, std::move(select), std::move(upsert), std::move(remove),
                        std::move(select_state), std::move(upsert_state));
}

absl::StatusOr<ExactCell> ExactCellTable::Get(const CellKey& key) {
  select_.Reset();
  BindKey(select_, key);
  ASSIGN_OR_RETURN(bool row, select_.Step());
  ExactCell cell;
  if (row) {
    cell.value = select_.ColumnInt(0);
    cell.contributors = select_.ColumnInt(1);
    cell.perturbation_key = static_cast<uint32_t>(select_.ColumnInt(2));
  }
  select_.Reset();
  return cell;
}

absl::Status ExactCellTable::Set(const CellKey& key, const ExactCell& cell) {
  if (cell.contributors == 0) {
    remove_.Reset();
    BindKey(remove_, key);
    return remove_.Run();
  }
  upsert_.Reset();
  BindKey(upsert_, key);
  upsert_.Bind(4, cell.value)
      .Bind(5, cell.contributors)
      .Bind(6, static_cast<int64_t>(cell.perturbation_key));
  return upsert_.Run();
}

absl::StatusOr<ExactCellMap> ExactCellTable::ReadAll() {
  ASSIGN_OR_RETURN(Statement all, db_->Prepare(kSelectAll));
  ExactCellMap cells;
  while (true) {
    ASSIGN_OR_RETURN(bool row, all.Step());
    if (!row) break;
    cells[CellKey{all.ColumnText(0), all.ColumnText(1), all.ColumnText(2)}] =
        ExactCell{all.ColumnInt(3), all.ColumnInt(4), static_cast<uint32_t>(all.ColumnInt(5))};
  }
  return cells;
}

absl::Status ExactCellTable::ReadMetricPeriod(const std::string& metric,
                                              const std::string& period, ExactCellMap* out) {
  if (select_metric_period_ == nullptr) {
    ASSIGN_OR_RETURN(Statement prepared, db_->Prepare(kSelectMetricPeriod));
    select_metric_period_ = std::make_unique<Statement>(std::move(prepared));
  }
  Statement& cells = *select_metric_period_;
  cells.Reset();
  cells.Bind(1, metric).Bind(2, period);
  while (true) {
    ASSIGN_OR_RETURN(bool row, cells.Step());
    if (!row) break;
    (*out)[CellKey{metric, period, cells.ColumnText(0)}] =
        ExactCell{cells.ColumnInt(1), cells.ColumnInt(2), static_cast<uint32_t>(cells.ColumnInt(3))};
  }
  cells.Reset();
  return absl::OkStatus();
}

absl::Status ExactCellTable::ReplaceAll(const ExactCellMap& cells) {
  RETURN_IF_ERROR(db_->Execute(kDeleteAll));
  for (const auto& [key, cell] : cells) RETURN_IF_ERROR(Set(key, cell));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ExactCellTable::GetState(absl::string_view key) {
  select_state_.Reset();
  select_state_.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, select_state_.Step());
  std::optional<std::string> value;
  if (row) value = select_state_.ColumnText(0);
  select_state_.Reset();
  return value;
}

absl::Status ExactCellTable::SetState(absl::string_view key, absl::string_view value) {
  upsert_state_.Reset();
  upsert_state_.Bind(1, key).Bind(2, value);
  return upsert_state_.Run();
}

}  // namespace fedsync
