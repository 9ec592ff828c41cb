// A parent's copy of its children's published cells, and its own aggregated cells,
// kept as running sums (total, number of inputs, inputs by status) per cell.
// Applying a child's Hello registers the child (a new epoch drops the cells held from
// it); applying a batch stores each valid cell idempotently (replaced only by a higher
// seq), reports invalid ones as rejected without blocking the rest, advances the
// child's watermark, and recomputes the sums of every cell it touched into this node's
// own published cells: the sum over children, PARTIAL when an input is SUPPRESSED or
// PARTIAL. Per stored cell that is one insert of the copy (an update, after a read,
// when the child sent the cell before), the sum in memory (RunningSums) and, when the
// sum's published value changed, one write of this node's cell.
//
// Functions run inside the caller's transaction (NodeStore::Write), so a batch, its
// sums and the watermark commit together. Not thread-safe: the node's one writer uses
// one ChildCells.
#ifndef FEDSYNC_CITY_NODE_CHILD_CELLS_H_
#define FEDSYNC_CITY_NODE_CHILD_CELLS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "city_node/dimension_domains.h"
#include "city_node/running_sums.h"
#include "fedsync/v1/admin.pb.h"
#include "fedsync/v1/federation.pb.h"
#include "shared/catalog.h"
#include "shared/catalog_holder.h"
#include "shared/cell.h"
#include "shared/database.h"
#include "shared/migrations.h"
#include "shared/published_cells.h"

namespace fedsync {

const Migrations& CityMigrations();

class ChildCells {
 public:
  // Cells are checked against the catalog `catalogs` holds when each batch is applied
  // (a batch checked on arrival under another catalog is checked again).
  explicit ChildCells(const CatalogHolder* catalogs)
      : catalogs_(catalogs), sums_(std::make_unique<RunningSums>()) {}

  // The live cells one child may hold here (0: no limit). A batch that would take a
  // child past it fails with kResourceExhausted. Counted exactly, as the batch is
  // stored: an update of a cell held already adds nothing, a tombstone frees one.
  void set_max_cells_per_child(int64_t max_cells) { max_cells_per_child_ = max_cells; }

  // Registers a child's stream and answers with the watermark it may send from.
  // kFailedPrecondition, writing nothing, for a child on a newer catalog than this
  // node's: its cells of metrics this node does not run would be lost.
  absl::StatusOr<v1::Welcome> ApplyHello(Database* db, PublishedCells* published,
                                         const v1::Hello& hello, int64_t now_millis);
  absl::StatusOr<v1::Ack> ApplyBatch(Database* db, PublishedCells* published,
                                     const std::string& child_id, const v1::CellBatch& batch,
                                     int64_t now_millis);

  // A batch's cells as checked against one catalog, in batch order: each cell's key, or
  // why it may not be stored. Checking needs no database, so the hub does it on the
  // thread that received the batch, and the node's one writer only stores.
  struct CheckedCell {
    CellKey key;            // when `rejection` is empty
    std::string rejection;  // why the cell may not be stored
  };
  struct CheckedBatch {
    std::shared_ptr<const Catalog> catalog;  // the one it was checked against
    std::vector<CheckedCell> cells;
  };
  static CheckedBatch Check(std::shared_ptr<const Catalog> catalog, const v1::CellBatch& batch);

  // A batch and the child it came from; both must outlive the call. `checked`, when
  // given, is Check() of the batch; it is checked again if the catalog changed since.
  struct ChildBatch {
    const std::string* child_id;
    const v1::CellBatch* batch;
    const CheckedBatch* checked = nullptr;
  };
  // Applies `batches` in order, with the same result as ApplyBatch on each in turn
  // (one ack each, in order), preparing statements once and publishing every sum they
  // change once, at the end. Any error fails them all (the caller's transaction rolls
  // back).
  absl::StatusOr<std::vector<v1::Ack>> ApplyBatches(Database* db, PublishedCells* published,
                                                    const std::vector<ChildBatch>& batches,
                                                    int64_t now_millis);

  // Reads the running sums from the stored child cells unless they are read already
  // (the first apply does it otherwise).
  absl::Status LoadSums(Database* db) { return sums_->Load(db); }
  // How many cells have a running sum.
  size_t sum_count() const { return sums_->size(); }
  // The live cells held from `child`, as committed. Thread-safe; never waits for a write.
  int64_t LiveCells(const std::string& child) const { return sums_->LiveCells(child); }

  // kInvalidArgument with the reason when `cell` may not be stored. `domains` is
  // `catalog`'s (DimensionDomains::For): a dimension's value must be one of its closed
  // values. A reason never quotes what the child sent but the catalog's own names.
  static absl::Status ValidateCell(const Catalog& catalog, const DimensionDomains& domains,
                                   const v1::Cell& cell);

 private:
  const CatalogHolder* catalogs_;
  // Heap-held: a transaction's end callback points at it.
  std::unique_ptr<RunningSums> sums_;
  int64_t max_cells_per_child_ = 0;
};

// The highest seq held from `child_id` (0 when unknown).
absl::StatusOr<uint64_t> ChildWatermark(Database* db, const std::string& child_id);

// The children this node has heard from, as stored.
absl::StatusOr<std::vector<v1::ChildStatus>> ReadChildren(Database* db);

// Every live cell held from children for `metric` (and `period` unless empty).
absl::StatusOr<std::vector<v1::RollupCell>> ReadChildCells(Database* db,
                                                           const std::string& metric,
                                                           const std::string& period);

// How many of `metrics` each of `children` holds live cells of here (a child with none
// is 0). One lookup on the primary key per child and metric: no cell is read.
absl::StatusOr<std::map<std::string, int64_t>> CountReportedMetrics(
    Database* db, const std::vector<std::string>& children,
    const std::vector<std::string>& metrics);

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_CHILD_CELLS_H_
