#include "city_node/child_cells.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "city_node/child_targets.h"
#include "city_node/completeness.h"
#include "shared/limits.h"
#include "shared/period.h"
#include "shared/targets.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

constexpr char kCitySchema[] = R"sql(
CREATE TABLE children(
  child_id TEXT PRIMARY KEY,
  level INTEGER NOT NULL,
  path TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  watermark INTEGER NOT NULL,
  child_max_seq INTEGER NOT NULL,
  catalog_version INTEGER NOT NULL,
  last_seen_millis INTEGER NOT NULL);
CREATE TABLE child_cells(
  child_id TEXT NOT NULL REFERENCES children(child_id),
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  value INTEGER NOT NULL,
  status INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (child_id, metric, period, dims)) WITHOUT ROWID;
CREATE INDEX child_cells_by_cell ON child_cells(metric, period, dims);
)sql";

constexpr char kAggregatesSchema[] = R"sql(
CREATE TABLE aggregates(
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  total INTEGER NOT NULL,
  inputs INTEGER NOT NULL,
  partial_inputs INTEGER NOT NULL,
  noisy_inputs INTEGER NOT NULL,
  perturbed_inputs INTEGER NOT NULL,
  PRIMARY KEY (metric, period, dims)) WITHOUT ROWID;
INSERT INTO aggregates
  SELECT metric, period, dims, SUM(value), COUNT(*), SUM(status IN (2, 5)), SUM(status = 4),
         SUM(status = 3)
  FROM child_cells WHERE deleted = 0 GROUP BY metric, period, dims;
)sql";

constexpr char kChildCellsByKeyOnly[] = R"sql(
CREATE TABLE child_cells_v6(
  child_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  value INTEGER NOT NULL,
  status INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (child_id, metric, period, dims)) WITHOUT ROWID;
INSERT INTO child_cells_v6
  SELECT child_id, metric, period, dims, value, status, deleted, seq FROM child_cells;
DROP TABLE child_cells;
ALTER TABLE child_cells_v6 RENAME TO child_cells;
DROP TABLE aggregates;
)sql";

constexpr char kPublishedCellsBySeq[] = R"sql(
CREATE TABLE published_cells_v7(
  seq INTEGER PRIMARY KEY,
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  value INTEGER NOT NULL,
  status INTEGER NOT NULL,
  deleted INTEGER NOT NULL);
INSERT INTO published_cells_v7
  SELECT seq, metric, period, dims, value, status, deleted FROM published_cells;
DROP TABLE published_cells;
ALTER TABLE published_cells_v7 RENAME TO published_cells;
)sql";

constexpr char kSelectChildCell[] =
    "SELECT value, status, deleted, seq FROM child_cells "
    "WHERE child_id = ? AND metric = ? AND period = ? AND dims = ?";
constexpr char kSelectChildLiveCells[] =
    "SELECT metric, period, dims, value, status FROM child_cells "
    "WHERE child_id = ? AND deleted = 0";

constexpr char kSelectChild[] = "SELECT epoch, watermark FROM children WHERE child_id = ?";
constexpr char kUpsertChild[] =
    "INSERT INTO children(child_id, level, path, epoch, watermark, child_max_seq, "
    "catalog_version, last_seen_millis, admin_address) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(child_id) DO UPDATE SET level = excluded.level, path = excluded.path, "
    "epoch = excluded.epoch, watermark = excluded.watermark, "
    "child_max_seq = excluded.child_max_seq, catalog_version = excluded.catalog_version, "
    "last_seen_millis = excluded.last_seen_millis, admin_address = excluded.admin_address";
constexpr char kDeleteChildCells[] = "DELETE FROM child_cells WHERE child_id = ?";
constexpr char kInsertChildCell[] =
    "INSERT INTO child_cells(child_id, metric, period, dims, value, status, deleted, seq) "
    "VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(child_id, metric, period, dims) DO NOTHING";
constexpr char kUpdateChildCell[] =
    "UPDATE child_cells SET value = ?5, status = ?6, deleted = ?7, seq = ?8 "
    "WHERE child_id = ?1 AND metric = ?2 AND period = ?3 AND dims = ?4";
constexpr char kUpdateWatermark[] =
    "UPDATE children SET watermark = MAX(watermark, ?), "
    "child_max_seq = MAX(child_max_seq, ?), last_seen_millis = ? WHERE child_id = ?";
constexpr char kSelectChildren[] =
    "SELECT c.child_id, c.level, c.path, c.epoch, c.watermark, c.child_max_seq, "
    "c.catalog_version, c.last_seen_millis, "
    "(SELECT COUNT(*) FROM child_cells k WHERE k.child_id = c.child_id AND k.deleted = 0), "
    "c.admin_address FROM children c ORDER BY c.child_id";
// Child by child (CROSS JOIN fixes the loop order in SQLite), so that each child's
// cells are one range of the primary key rather than a scan of all children's.
constexpr char kSelectChildCells[] =
    "SELECT k.child_id, k.metric, k.period, k.dims, k.value, k.status, k.seq "
    "FROM children c CROSS JOIN child_cells k ON k.child_id = c.child_id "
    "WHERE k.metric = ? AND (? = '' OR k.period = ?) AND k.deleted = 0 "
    "ORDER BY k.child_id, k.period, k.dims";

constexpr char kChildHasLiveCellOf[] =
    "SELECT 1 FROM child_cells WHERE child_id = ? AND metric = ? AND deleted = 0 LIMIT 1";

// Publishes the sums changed since the last call whose published value changed, as
// this node's own cells (a tombstone for a sum left without inputs). This node's
// published cells are exactly its sums, so an unchanged published value needs no write
// and no read.
absl::Status PublishSums(RunningSums* sums, PublishedCells* published) {
  return sums->Publish([&](const CellKey& key, const Sums& before, const Sums& after,
                           uint64_t seq) -> absl::StatusOr<uint64_t> {
    const std::optional<CellValue> value = PublishedValue(after);
    if (PublishedValue(before) == value) return seq;
    return published->Replace(seq, key, value);
  });
}

}  // namespace

const Migrations& CityMigrations() {
  static const auto* migrations = new Migrations{
      absl::StrCat(kPublishedCellsSchema, kCitySchema),
      // 2: where operators reach each child, for verify and the dashboard.
      "ALTER TABLE children ADD COLUMN admin_address TEXT NOT NULL DEFAULT '';",
      // 3: running sums per cell, so that applying a child's cell costs the same
      // whatever the number of children.
      kAggregatesSchema,
      // 4: targets set for children and received from the parent; reports per period.
      absl::StrCat(kChildTargetsSchema, kReceivedTargetsSchema, kReportsSchema),
      // 5: the catalog this node runs, once a newer one than the built-in arrived.
      kCatalogSchema,
      // 6: the running sums move to memory (RunningSums), and the copy of a child's
      // cells keeps only its primary key (no foreign key, no index by cell): storing a
      // child's cell writes one B-tree instead of four.
      kChildCellsByKeyOnly,
      // 7: this node's published cells are keyed by seq alone; the running sums know
      // each cell's seq. Publishing a changed sum appends a row and deletes one by seq,
      // instead of searching two B-trees (cell and seq) by a text key.
      kPublishedCellsBySeq,
  };
  return *migrations;
}

absl::Status ChildCells::ValidateCell(const Catalog& catalog, const DimensionDomains& domains,
                                      const v1::Cell& cell) {
  if (cell.metric().empty()) return absl::InvalidArgumentError("metric: empty");
  ASSIGN_OR_RETURN(Period period, ParsePeriod(cell.period()));
  if (cell.seq() == 0) return absl::InvalidArgumentError("seq: must be positive");
  RETURN_IF_ERROR(ValidateDims(cell.dims()));
  // A tombstone is not checked against the catalog: a child deletes the cells of a metric
  // a newer catalog dropped or reshaped, which this node may run already. Refused, it
  // would leave the child's old cells here, and in the sums, for good.
  if (cell.deleted()) return absl::OkStatus();
  const v1::MetricDef* metric = catalog.Find(cell.metric());
  if (metric == nullptr) return absl::InvalidArgumentError("metric: not in this node's catalog");
  if (period.type != metric->period_type()) {
    return absl::InvalidArgumentError("period: not of the metric's period type");
  }
  if (cell.dims_size() != metric->dimensions_size()) {
    return absl::InvalidArgumentError("dims: not the metric's dimensions");
  }
  for (const v1::DimensionValue& dim : cell.dims()) {
    bool known = false;
    for (const v1::Dimension& def : metric->dimensions()) known |= def.name() == dim.key();
    if (!known) return absl::InvalidArgumentError("dims: not the metric's dimensions");
    // Guarantee 1: values come from closed lists. A value outside them could carry free
    // text (a name, an ID number) up the tree, so it is refused, and not quoted: the
    // key is the catalog's own name.
    if (!domains.Contains(cell.metric(), dim.key(), dim.value())) {
      return absl::InvalidArgumentError(
          absl::StrCat("dims: the value of '", dim.key(), "' is not one of its categories"));
    }
  }
  if (cell.value() > kMaxCellValue || cell.value() < -kMaxCellValue) {
    return absl::InvalidArgumentError(
        absl::StrCat("value: beyond +/-", kMaxCellValue, ", which sums must stay within"));
  }
  if (!v1::CellStatus_IsValid(cell.status()) || cell.status() == v1::CELL_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError("status: not set");
  }
  if (cell.status() == v1::SUPPRESSED && cell.value() != 0) {
    return absl::InvalidArgumentError("value: a SUPPRESSED cell must carry no value");
  }
  return absl::OkStatus();
}

ChildCells::CheckedBatch ChildCells::Check(std::shared_ptr<const Catalog> catalog,
                                           const v1::CellBatch& batch) {
  CheckedBatch checked;
  checked.cells.reserve(static_cast<size_t>(batch.cells_size()));
  const std::shared_ptr<const DimensionDomains> domains = DimensionDomains::For(catalog);
  for (const v1::Cell& cell : batch.cells()) {
    CheckedCell& out = checked.cells.emplace_back();
    if (absl::Status valid = ValidateCell(*catalog, *domains, cell); !valid.ok()) {
      out.rejection = valid.message().empty() ? "invalid" : std::string(valid.message());
      continue;
    }
    out.key = CellKey{cell.metric(), cell.period(), CanonicalDims(cell.dims())};
  }
  checked.catalog = std::move(catalog);
  return checked;
}

absl::StatusOr<v1::Welcome> ChildCells::ApplyHello(Database* db, PublishedCells* published,
                                                   const v1::Hello& hello,
                                                   int64_t now_millis) {
  // Cells of metrics this node does not run yet would be rejected, and the watermark
  // would pass them for good: a child ahead waits until this node has its catalog.
  if (const int64_t runs = catalogs_->Get()->version(); hello.catalog_version() > runs) {
    return absl::FailedPreconditionError(
        absl::StrCat("this node runs catalog version ", runs, " and the child ",
                     hello.catalog_version(), ": it may connect once this node has that catalog"));
  }
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectChild));
  select.Bind(1, hello.node_id());
  ASSIGN_OR_RETURN(bool known, select.Step());
  uint64_t watermark = known ? static_cast<uint64_t>(select.ColumnInt(1)) : 0;
  const bool same_epoch = known && static_cast<uint64_t>(select.ColumnInt(0)) == hello.epoch();
  if (known && !same_epoch) {
    // The child starts afresh: take everything held from it out of the sums.
    ASSIGN_OR_RETURN(Statement live, db->Prepare(kSelectChildLiveCells));
    RETURN_IF_ERROR(sums_->Load(db));
    live.Bind(1, hello.node_id());
    int64_t removed = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool row, live.Step());
      if (!row) break;
      ++removed;
      const CellKey key{live.ColumnText(0), live.ColumnText(1), live.ColumnText(2)};
      sums_->Add(db, key,
                 InputSums(
                     CellValue{live.ColumnInt(3), static_cast<v1::CellStatus>(live.ColumnInt(4))},
                     -1));
    }
    ASSIGN_OR_RETURN(Statement remove, db->Prepare(kDeleteChildCells));
    remove.Bind(1, hello.node_id());
    RETURN_IF_ERROR(remove.Run());
    sums_->AddLiveCells(db, hello.node_id(), -removed);
    RETURN_IF_ERROR(PublishSums(sums_.get(), published));
    watermark = 0;
  }
  ASSIGN_OR_RETURN(Statement upsert, db->Prepare(kUpsertChild));
  upsert.Bind(1, hello.node_id()).Bind(2, static_cast<int64_t>(hello.level()));
  upsert.Bind(3, hello.path()).Bind(4, static_cast<int64_t>(hello.epoch()));
  upsert.Bind(5, static_cast<int64_t>(watermark)).Bind(6, static_cast<int64_t>(hello.max_seq()));
  upsert.Bind(7, hello.catalog_version()).Bind(8, now_millis);
  upsert.Bind(9, hello.admin_address().substr(0, 256));
  RETURN_IF_ERROR(upsert.Run());
  v1::Welcome welcome;
  welcome.set_epoch(hello.epoch());
  welcome.set_watermark(watermark);
  welcome.set_catalog_version(catalogs_->Get()->version());
  return welcome;
}

absl::StatusOr<v1::Ack> ChildCells::ApplyBatch(Database* db, PublishedCells* published,
                                               const std::string& child_id,
                                               const v1::CellBatch& batch,
                                               int64_t now_millis) {
  ASSIGN_OR_RETURN(std::vector<v1::Ack> acks,
                   ApplyBatches(db, published, {ChildBatch{&child_id, &batch}}, now_millis));
  return std::move(acks.front());
}

absl::StatusOr<std::vector<v1::Ack>> ChildCells::ApplyBatches(
    Database* db, PublishedCells* published, const std::vector<ChildBatch>& batches,
    int64_t now_millis) {
  ASSIGN_OR_RETURN(Statement select_old, db->Prepare(kSelectChildCell));
  ASSIGN_OR_RETURN(Statement insert, db->Prepare(kInsertChildCell));
  ASSIGN_OR_RETURN(Statement update, db->Prepare(kUpdateChildCell));
  ASSIGN_OR_RETURN(Statement watermark, db->Prepare(kUpdateWatermark));
  ASSIGN_OR_RETURN(Statement select_child, db->Prepare(kSelectChild));
  RETURN_IF_ERROR(sums_->Load(db));
  const std::shared_ptr<const Catalog> catalog = catalogs_->Get();
  std::vector<v1::Ack> acks;
  acks.reserve(batches.size());
  for (const ChildBatch& child_batch : batches) {
    const std::string& child_id = *child_batch.child_id;
    const v1::CellBatch& batch = *child_batch.batch;
    CheckedBatch checked_here;
    const CheckedBatch* checked = child_batch.checked;
    if (checked == nullptr || checked->catalog != catalog) {
      checked_here = Check(catalog, batch);
      checked = &checked_here;
    }
    v1::Ack& ack = acks.emplace_back();
    ack.set_batch_id(batch.batch_id());
    uint64_t max_seq = 0;
    int64_t live_cells_added = 0;  // new live cells less those deleted
    for (int i = 0; i < batch.cells_size(); ++i) {
      const v1::Cell& cell = batch.cells(i);
      const CheckedCell& checked_cell = checked->cells[static_cast<size_t>(i)];
      max_seq = std::max<uint64_t>(max_seq, cell.seq());
      if (!checked_cell.rejection.empty()) {
        v1::RejectedCell* rejected = ack.add_rejected();
        rejected->set_metric(cell.metric().substr(0, 64));
        rejected->set_period(cell.period().substr(0, 16));
        rejected->set_seq(cell.seq());
        rejected->set_reason(checked_cell.rejection);
        continue;
      }
      const CellKey& key = checked_cell.key;
      // Most cells are new to the parent: try the insert first and read the old
      // copy only when the child already sent this cell.
      const auto bind_copy = [&](Statement& write) {
        write.Reset();
        write.BindUnowned(1, child_id).BindUnowned(2, key.metric);
        write.BindUnowned(3, key.period).BindUnowned(4, key.dims);
        write.Bind(5, cell.deleted() ? 0 : cell.value());
        write.Bind(6, cell.deleted() ? 0 : static_cast<int64_t>(cell.status()));
        write.Bind(7, int64_t{cell.deleted() ? 1 : 0}).Bind(8, static_cast<int64_t>(cell.seq()));
      };
      bind_copy(insert);
      RETURN_IF_ERROR(insert.Run());
      Sums delta;
      if (db->Changes() == 0) {
        select_old.Reset();
        select_old.BindUnowned(1, child_id).BindUnowned(2, key.metric);
        select_old.BindUnowned(3, key.period).BindUnowned(4, key.dims);
        ASSIGN_OR_RETURN(bool held, select_old.Step());
        if (!held) return absl::InternalError("a child cell vanished during its upsert");
        // Idempotent: a cell is replaced only by a higher seq.
        if (static_cast<uint64_t>(select_old.ColumnInt(3)) >= cell.seq()) {
          select_old.Reset();
          continue;
        }
        if (select_old.ColumnInt(2) == 0) {
          delta = InputSums(CellValue{select_old.ColumnInt(0),
                                      static_cast<v1::CellStatus>(select_old.ColumnInt(1))},
                            -1);
        }
        select_old.Reset();
        bind_copy(update);
        RETURN_IF_ERROR(update.Run());
      }
      if (!cell.deleted()) delta = delta + InputSums(CellValue{cell.value(), cell.status()}, +1);
      live_cells_added += delta.inputs;
      sums_->Add(db, key, delta);
    }
    if (max_cells_per_child_ > 0 && live_cells_added > 0) {
      const int64_t held = sums_->LiveCellsInTransaction(child_id);
      if (held + live_cells_added > max_cells_per_child_) {
        return absl::ResourceExhaustedError(
            absl::StrCat("child ", child_id, " holds ", held, " cells here; ", live_cells_added,
                         " more would pass its limit of ", max_cells_per_child_, " cells"));
      }
    }
    sums_->AddLiveCells(db, child_id, live_cells_added);
    watermark.Reset();
    watermark.Bind(1, static_cast<int64_t>(max_seq));
    watermark.Bind(2, static_cast<int64_t>(std::max<uint64_t>(max_seq, batch.child_max_seq())));
    watermark.Bind(3, now_millis).Bind(4, child_id);
    RETURN_IF_ERROR(watermark.Run());
    if (db->Changes() == 0) {
      return absl::FailedPreconditionError("a batch arrived before the child's Hello");
    }
    select_child.Reset();
    select_child.Bind(1, child_id);
    ASSIGN_OR_RETURN(bool row, select_child.Step());
    ack.set_watermark(row ? static_cast<uint64_t>(select_child.ColumnInt(1)) : 0);
    select_child.Reset();
  }
  RETURN_IF_ERROR(PublishSums(sums_.get(), published));
  return acks;
}

absl::StatusOr<uint64_t> ChildWatermark(Database* db, const std::string& child_id) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectChild));
  select.Bind(1, child_id);
  ASSIGN_OR_RETURN(bool row, select.Step());
  return row ? static_cast<uint64_t>(select.ColumnInt(1)) : 0;
}

absl::StatusOr<std::vector<v1::ChildStatus>> ReadChildren(Database* db) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectChildren));
  std::vector<v1::ChildStatus> children;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    v1::ChildStatus child;
    child.set_node_id(select.ColumnText(0));
    child.set_level(static_cast<v1::NodeLevel>(select.ColumnInt(1)));
    child.set_path(select.ColumnText(2));
    child.set_epoch(static_cast<uint64_t>(select.ColumnInt(3)));
    child.set_watermark(static_cast<uint64_t>(select.ColumnInt(4)));
    child.set_child_max_seq(static_cast<uint64_t>(select.ColumnInt(5)));
    child.set_catalog_version(select.ColumnInt(6));
    child.set_last_seen_unix_millis(select.ColumnInt(7));
    child.set_cell_count(select.ColumnInt(8));
    child.set_admin_address(select.ColumnText(9));
    children.push_back(std::move(child));
  }
  return children;
}

absl::StatusOr<std::vector<v1::RollupCell>> ReadChildCells(Database* db,
                                                           const std::string& metric,
                                                           const std::string& period) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectChildCells));
  select.Bind(1, metric).Bind(2, period).Bind(3, period);
  std::vector<v1::RollupCell> cells;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    v1::RollupCell out;
    out.set_node_id(select.ColumnText(0));
    CellKey key{select.ColumnText(1), select.ColumnText(2), select.ColumnText(3)};
    CellValue value{select.ColumnInt(4), static_cast<v1::CellStatus>(select.ColumnInt(5))};
    *out.mutable_cell() =
        MakeWireCell(key, value, static_cast<uint64_t>(select.ColumnInt(6)), false);
    cells.push_back(std::move(out));
  }
  return cells;
}

absl::StatusOr<std::map<std::string, int64_t>> CountReportedMetrics(
    Database* db, const std::vector<std::string>& children,
    const std::vector<std::string>& metrics) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kChildHasLiveCellOf));
  std::map<std::string, int64_t> counts;
  for (const std::string& child : children) {
    int64_t& count = counts[child];
    for (const std::string& metric : metrics) {
      select.Reset();
      select.Bind(1, child).Bind(2, metric);
      ASSIGN_OR_RETURN(bool row, select.Step());
      if (row) ++count;
    }
  }
  return counts;
}

}  // namespace fedsync
