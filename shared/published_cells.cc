#include "shared/published_cells.h"

#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "shared/status_macros.h"

namespace fedsync {

const char kPublishedCellsSchema[] = R"sql(
CREATE TABLE node_state(
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL);
CREATE TABLE published_cells(
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  value INTEGER NOT NULL,
  status INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  seq INTEGER NOT NULL UNIQUE,
  PRIMARY KEY (metric, period, dims)) WITHOUT ROWID;
)sql";

const char kPublishedCellsKeyedBySeq[] = R"sql(
CREATE TABLE published_cells_by_seq(
  seq INTEGER PRIMARY KEY,
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  value INTEGER NOT NULL,
  status INTEGER NOT NULL,
  deleted INTEGER NOT NULL);
INSERT INTO published_cells_by_seq
  SELECT seq, metric, period, dims, value, status, deleted FROM published_cells;
DROP TABLE published_cells;
ALTER TABLE published_cells_by_seq RENAME TO published_cells;
CREATE UNIQUE INDEX published_cells_by_cell ON published_cells(metric, period, dims);
)sql";

namespace {

constexpr char kSelectState[] = "SELECT value FROM node_state WHERE key = ?";
constexpr char kUpsertState[] =
    "INSERT INTO node_state(key, value) VALUES(?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
constexpr char kSelectMaxSeq[] = "SELECT COALESCE(MAX(seq), 0) FROM published_cells";
constexpr char kSelectCell[] =
    "SELECT value, status, deleted FROM published_cells "
    "WHERE metric = ? AND period = ? AND dims = ?";
constexpr char kSelectAll[] =
    "SELECT metric, period, dims, value, status, deleted FROM published_cells";
constexpr char kUpsertCell[] =
    "INSERT INTO published_cells(metric, period, dims, value, status, deleted, seq) "
    "VALUES(?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(metric, period, dims) DO UPDATE SET value = excluded.value, "
    "status = excluded.status, deleted = excluded.deleted, seq = excluded.seq";
constexpr char kDeleteSeq[] = "DELETE FROM published_cells WHERE seq = ?";
constexpr char kInsertCell[] =
    "INSERT INTO published_cells(metric, period, dims, value, status, deleted, seq) "
    "VALUES(?, ?, ?, ?, ?, ?, ?)";
constexpr char kSelectAfter[] =
    "SELECT metric, period, dims, value, status, deleted, seq FROM published_cells "
    "WHERE seq > ? ORDER BY seq LIMIT ?";

uint64_t RandomEpoch() {
  std::random_device device;
  std::mt19937_64 gen((static_cast<uint64_t>(device()) << 32) ^ device());
  // Positive in a signed 64-bit SQLite integer, and never 0 (0 means "none").
  return (gen() >> 1) | 1;
}

absl::StatusOr<std::optional<uint64_t>> ReadState(Database* db, const char* key) {
  ASSIGN_OR_RETURN(Statement statement, db->Prepare(kSelectState));
  statement.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, statement.Step());
  if (!row) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(statement.ColumnInt(0)));
}

v1::Cell CellFromRow(const Statement& row, uint64_t seq) {
  CellKey key{row.ColumnText(0), row.ColumnText(1), row.ColumnText(2)};
  CellValue value{row.ColumnInt(3), static_cast<v1::CellStatus>(row.ColumnInt(4))};
  return MakeWireCell(key, value, seq, row.ColumnInt(5) != 0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PublishedCells>> PublishedCells::Open(Database* db) {
  std::unique_ptr<PublishedCells> cells(new PublishedCells(db));
  ASSIGN_OR_RETURN(std::optional<uint64_t> epoch, ReadState(db, "epoch"));
  if (!epoch.has_value()) {
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(db));
    RETURN_IF_ERROR(cells->SetState("epoch", RandomEpoch()));
    RETURN_IF_ERROR(transaction->Commit());
  }
  RETURN_IF_ERROR(cells->Reload());
  ASSIGN_OR_RETURN(std::optional<uint64_t> vouched, ReadState(db, "vouched_seq"));
  if (!vouched.has_value()) {
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(db));
    RETURN_IF_ERROR(cells->SetVouchedSeq(cells->max_seq()));
    RETURN_IF_ERROR(transaction->Commit());
  }
  return cells;
}

absl::Status PublishedCells::Reload() {
  ASSIGN_OR_RETURN(std::optional<uint64_t> epoch, ReadState(db_, "epoch"));
  ASSIGN_OR_RETURN(std::optional<uint64_t> acked, ReadState(db_, "last_acked_seq"));
  ASSIGN_OR_RETURN(std::optional<uint64_t> vouched, ReadState(db_, "vouched_seq"));
  ASSIGN_OR_RETURN(Statement max_seq, db_->Prepare(kSelectMaxSeq));
  ASSIGN_OR_RETURN(bool row, max_seq.Step());
  epoch_ = epoch.value_or(0);
  last_acked_seq_ = acked.value_or(0);
  vouched_seq_ = vouched.value_or(0);
  // A cell's seq only ever grows and tombstones stay, so the newest seq is in the table.
  max_seq_ = row ? static_cast<uint64_t>(max_seq.ColumnInt(0)) : 0;
  return absl::OkStatus();
}

absl::StatusOr<Statement*> PublishedCells::Cached(std::unique_ptr<Statement>* slot,
                                                   const char* sql) {
  if (*slot == nullptr) {
    ASSIGN_OR_RETURN(Statement statement, db_->Prepare(sql));
    *slot = std::make_unique<Statement>(std::move(statement));
  }
  (*slot)->Reset();
  return slot->get();
}

absl::Status PublishedCells::SetState(const char* key, uint64_t value) {
  ASSIGN_OR_RETURN(Statement * statement, Cached(&upsert_state_, kUpsertState));
  statement->Bind(1, key).Bind(2, static_cast<int64_t>(value));
  return statement->Run();
}

absl::Status PublishedCells::Write(const CellKey& key, const CellValue& value, bool deleted) {
  ASSIGN_OR_RETURN(Statement * statement, Cached(&upsert_cell_, kUpsertCell));
  return WriteWith(statement, key, value, deleted);
}

absl::Status PublishedCells::WriteWith(Statement* statement, const CellKey& key,
                                       const CellValue& value, bool deleted) {
  ++max_seq_;
  // The key is bound without a copy (a parent writes a cell per changed sum), so the
  // statement lets go of it before this returns.
  statement->BindUnowned(1, key.metric).BindUnowned(2, key.period).BindUnowned(3, key.dims);
  statement->Bind(4, deleted ? 0 : value.value);
  statement->Bind(5, deleted ? 0 : static_cast<int64_t>(value.status));
  statement->Bind(6, int64_t{deleted ? 1 : 0}).Bind(7, static_cast<int64_t>(max_seq_));
  absl::Status status = statement->Run();
  statement->Reset();
  return status;
}

absl::StatusOr<int> PublishedCells::ReplaceAll(const CellMap& desired) {
  struct Existing {
    CellValue value;
    bool deleted;
  };
  std::map<CellKey, Existing> existing;
  {
    ASSIGN_OR_RETURN(Statement all, db_->Prepare(kSelectAll));
    while (true) {
      ASSIGN_OR_RETURN(bool row, all.Step());
      if (!row) break;
      existing[CellKey{all.ColumnText(0), all.ColumnText(1), all.ColumnText(2)}] = Existing{
          CellValue{all.ColumnInt(3), static_cast<v1::CellStatus>(all.ColumnInt(4))},
          all.ColumnInt(5) != 0};
    }
  }
  int changed = 0;
  for (const auto& [key, value] : desired) {
    auto it = existing.find(key);
    if (it != existing.end() && !it->second.deleted && it->second.value == value) continue;
    RETURN_IF_ERROR(Write(key, value, /*deleted=*/false));
    ++changed;
  }
  for (const auto& [key, old] : existing) {
    if (old.deleted || desired.count(key) > 0) continue;
    RETURN_IF_ERROR(Write(key, CellValue{}, /*deleted=*/true));
    ++changed;
  }
  return changed;
}

absl::StatusOr<bool> PublishedCells::Put(const CellKey& key,
                                         const std::optional<CellValue>& value) {
  ASSIGN_OR_RETURN(Statement * select, Cached(&select_cell_, kSelectCell));
  select->Bind(1, key.metric).Bind(2, key.period).Bind(3, key.dims);
  ASSIGN_OR_RETURN(bool row, select->Step());
  const bool exists_live = row && select->ColumnInt(2) == 0;
  const CellValue old{row ? select->ColumnInt(0) : 0,
                      static_cast<v1::CellStatus>(row ? select->ColumnInt(1) : 0)};
  select->Reset();
  if (!value.has_value()) {
    if (!exists_live) return false;
    RETURN_IF_ERROR(Write(key, CellValue{}, /*deleted=*/true));
  } else {
    if (exists_live && old == *value) return false;
    RETURN_IF_ERROR(Write(key, *value, /*deleted=*/false));
  }
  return true;
}

absl::StatusOr<uint64_t> PublishedCells::Replace(uint64_t old_seq, const CellKey& key,
                                                 const std::optional<CellValue>& value) {
  if (old_seq != 0) {
    ASSIGN_OR_RETURN(Statement * remove, Cached(&delete_seq_, kDeleteSeq));
    remove->Bind(1, static_cast<int64_t>(old_seq));
    RETURN_IF_ERROR(remove->Run());
    if (db_->Changes() != 1) {
      return absl::InternalError(absl::StrCat("no published cell has seq ", old_seq));
    }
  }
  ASSIGN_OR_RETURN(Statement * insert, Cached(&insert_cell_, kInsertCell));
  RETURN_IF_ERROR(WriteWith(insert, key, value.value_or(CellValue{}), !value.has_value()));
  return max_seq_;
}

absl::Status PublishedCells::StartNewEpoch() {
  uint64_t epoch = RandomEpoch();
  RETURN_IF_ERROR(SetState("epoch", epoch));
  RETURN_IF_ERROR(SetState("last_acked_seq", 0));
  epoch_ = epoch;
  last_acked_seq_ = 0;
  return absl::OkStatus();
}

absl::Status PublishedCells::SetVouchedSeq(uint64_t seq) {
  RETURN_IF_ERROR(SetState("vouched_seq", seq));
  vouched_seq_ = seq;
  return absl::OkStatus();
}

absl::Status PublishedCells::SetLastAckedSeq(uint64_t seq) {
  RETURN_IF_ERROR(SetState("last_acked_seq", seq));
  last_acked_seq_ = seq;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Cell>> ReadCellsAfter(Database* db, uint64_t after_seq,
                                                     int limit) {
  ASSIGN_OR_RETURN(Statement statement, db->Prepare(kSelectAfter));
  statement.Bind(1, static_cast<int64_t>(after_seq)).Bind(2, int64_t{limit});
  std::vector<v1::Cell> cells;
  while (true) {
    ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) break;
    cells.push_back(CellFromRow(statement, static_cast<uint64_t>(statement.ColumnInt(6))));
  }
  return cells;
}

absl::StatusOr<std::vector<v1::Cell>> ReadPublishedCells(Database* db,
                                                         const std::string& metric,
                                                         const std::string& period) {
  ASSIGN_OR_RETURN(
      Statement statement,
      db->Prepare("SELECT metric, period, dims, value, status, deleted, seq "
                  "FROM published_cells WHERE metric = ? AND (? = '' OR period = ?) "
                  "AND deleted = 0 ORDER BY period, dims"));
  statement.Bind(1, metric).Bind(2, period).Bind(3, period);
  std::vector<v1::Cell> cells;
  while (true) {
    ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) break;
    cells.push_back(CellFromRow(statement, static_cast<uint64_t>(statement.ColumnInt(6))));
  }
  return cells;
}

absl::StatusOr<int64_t> CountPublishedCells(Database* db) {
  ASSIGN_OR_RETURN(Statement statement,
                   db->Prepare("SELECT COUNT(*) FROM published_cells WHERE deleted = 0"));
  ASSIGN_OR_RETURN(bool row, statement.Step());
  return row ? statement.ColumnInt(0) : 0;
}

}  // namespace fedsync
