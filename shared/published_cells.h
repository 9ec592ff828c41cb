// The published cells of a node: the outbox of the sync protocol. Every change to a
// published cell (new value, new status, or deletion as a tombstone) takes the next
// per-node seq, stored with the cell; a parent that holds everything up to seq W is
// brought up to date by the cells with seq > W. The epoch changes when the published
// cells start afresh (a new database, a full resync); a parent replaces a child's cells
// when it sees a new epoch.
//
// Both kinds of node key the table by seq (a rowid table), so the outbox is read in the
// table's own order. A district's also has a unique index by cell (district migration
// 8), which Put() and ReplaceAll() find cells through. A parent's has none (city
// migration 7): its running sums know each cell's seq, so a changed cell costs one row
// appended and one deleted by seq, not B-trees searched by cell. On a parent, only
// Replace() writes, and a read by cell scans the table.
//
// Not thread-safe: owned by the node's one writer (NodeStore). Every mutating method
// must run inside the caller's transaction on the same connection.
#ifndef FEDSYNC_SHARED_PUBLISHED_CELLS_H_
#define FEDSYNC_SHARED_PUBLISHED_CELLS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "shared/cell.h"
#include "shared/database.h"

namespace fedsync {

// Schema of the tables every node has; part of each node's first migration.
extern const char kPublishedCellsSchema[];
// A later migration for a node that finds cells by key (a district): the table keyed by
// seq, with a unique index by cell.
extern const char kPublishedCellsKeyedBySeq[];

class PublishedCells {
 public:
  // Reads the epoch and newest seq from `db` (which must outlive this), creating a fresh
  // random epoch on a new database.
  static absl::StatusOr<std::unique_ptr<PublishedCells>> Open(Database* db);

  // Makes the published cells equal `desired`: unchanged cells keep their seq, new or
  // changed ones take a new seq, and cells missing from `desired` become tombstones.
  // Returns how many cells changed.
  absl::StatusOr<int> ReplaceAll(const CellMap& desired);
  // Puts one cell (nullopt: deletes it as a tombstone). Returns whether it changed.
  absl::StatusOr<bool> Put(const CellKey& key, const std::optional<CellValue>& value);
  // Replaces the row of seq `old_seq` (0: the cell has none) with the cell at a new seq
  // (nullopt: a tombstone), and returns that seq. For a caller that knows each cell's
  // seq; fails if no row has `old_seq`.
  absl::StatusOr<uint64_t> Replace(uint64_t old_seq, const CellKey& key,
                                   const std::optional<CellValue>& value);

  // A new random epoch; the last acked seq starts again at 0.
  absl::Status StartNewEpoch();
  absl::Status SetLastAckedSeq(uint64_t seq);
  // The highest seq ever read out to send up (Outbox::vouched_seq), stored with the
  // cells so that a database restored from a backup, or cut short by a power loss,
  // has the value of its own past. A database without one (older) vouches for its
  // max seq when first opened.
  absl::Status SetVouchedSeq(uint64_t seq);

  // Re-reads epoch and seq after a rolled-back transaction.
  absl::Status Reload();

  uint64_t epoch() const { return epoch_; }
  uint64_t max_seq() const { return max_seq_; }
  uint64_t last_acked_seq() const { return last_acked_seq_; }
  uint64_t vouched_seq() const { return vouched_seq_; }

 private:
  explicit PublishedCells(Database* db) : db_(db) {}
  absl::Status Write(const CellKey& key, const CellValue& value, bool deleted);
  // Runs `statement` (the upsert or the insert) for the cell at the next seq.
  absl::Status WriteWith(Statement* statement, const CellKey& key, const CellValue& value,
                         bool deleted);
  absl::Status SetState(const char* key, uint64_t value);
  // The statement for `sql` in `slot`, prepared on first use and reset for reuse.
  absl::StatusOr<Statement*> Cached(std::unique_ptr<Statement>* slot, const char* sql);

  Database* db_;
  std::unique_ptr<Statement> select_cell_;
  std::unique_ptr<Statement> upsert_cell_;
  std::unique_ptr<Statement> delete_seq_;
  std::unique_ptr<Statement> insert_cell_;
  std::unique_ptr<Statement> upsert_state_;

  uint64_t epoch_ = 0;
  uint64_t max_seq_ = 0;
  uint64_t last_acked_seq_ = 0;
  uint64_t vouched_seq_ = 0;
};

// Cells with seq > `after_seq` in seq order, at most `limit`, tombstones included.
absl::StatusOr<std::vector<v1::Cell>> ReadCellsAfter(Database* db, uint64_t after_seq,
                                                     int limit);

// The live (non-deleted) published cells of `metric`, of `period` (all when empty).
absl::StatusOr<std::vector<v1::Cell>> ReadPublishedCells(Database* db,
                                                         const std::string& metric,
                                                         const std::string& period);

absl::StatusOr<int64_t> CountPublishedCells(Database* db);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PUBLISHED_CELLS_H_
