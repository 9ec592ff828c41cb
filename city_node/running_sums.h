// What the live child cells add up to, kept in memory: the running sum of every cell a
// parent aggregates (total, number of inputs, inputs by status), and how many live cells
// each child has here. Both are functions of the live child cells, so they are read once
// from child_cells and from then on change only with them. Beside each sum, the seq of
// the parent's own published row for that cell (its sum, or a tombstone once the sum
// has no inputs), read from published_cells: the parent's published cells are keyed by
// seq alone, and this is how a changed sum finds its row. A transaction adds to them as
// it stores child cells, then publishes the sums it changed; if it rolls back, they are
// read again from child_cells before the next one uses them (a rollback is an I/O error
// or a refused batch, rare; an undo log would cost every commit). Keeping the sums in
// SQLite cost a read and a write per applied cell, a third of the parent's apply.
//
// Not thread-safe, except LiveCells(): used by the node's one writer, inside its
// transactions.
#ifndef FEDSYNC_CITY_NODE_RUNNING_SUMS_H_
#define FEDSYNC_CITY_NODE_RUNNING_SUMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "shared/cell.h"
#include "shared/database.h"

namespace fedsync {

struct Sums {
  int64_t total = 0;
  int64_t inputs = 0;
  int64_t partial_inputs = 0;  // SUPPRESSED or PARTIAL
  int64_t noisy_inputs = 0;
  int64_t perturbed_inputs = 0;

  Sums operator+(const Sums& other) const;
  bool operator==(const Sums& other) const;
  bool IsZero() const { return *this == Sums{}; }
};

// What one input adds to (sign +1) or takes out of (sign -1) a sum. A SUPPRESSED input
// carries no value; it only makes the sum PARTIAL.
Sums InputSums(const CellValue& value, int sign);

// A parent's own cell for a sum: none without inputs; PARTIAL over NOISY over
// PERTURBED over OK.
std::optional<CellValue> PublishedValue(const Sums& sums);

class RunningSums {
 public:
  // Reads the sums from the live cells of child_cells on `db`, and the seqs from
  // published_cells, unless they are read already and no transaction rolled back
  // since. Call it outside a transaction, or at the start of one, before it changes
  // child_cells.
  absl::Status Load(Database* db);

  // Adds `delta` to the sum of `key` (a zero delta changes nothing).
  void Add(Database* db, const CellKey& key, const Sums& delta);
  // Adds `delta` to the live cells of `child`; others see it once the transaction commits.
  void AddLiveCells(Database* db, const std::string& child, int64_t delta);

  // The live cells held from `child` as last committed (0 for a child unknown here).
  // Thread-safe, and never waits for the writer.
  int64_t LiveCells(const std::string& child) const ABSL_LOCKS_EXCLUDED(counts_mu_);
  // The same, with what the open transaction added: for the writer.
  int64_t LiveCellsInTransaction(const std::string& child) const ABSL_LOCKS_EXCLUDED(counts_mu_);

  // Calls `fn` with each sum changed since the last Publish, as it was then and as it is
  // now, and the seq of its published row (0: none), in the order of their first change.
  // fn returns the seq of the row it leaves: the same, or the new one it wrote. Stops at
  // fn's first error.
  using PublishFn = absl::FunctionRef<absl::StatusOr<uint64_t>(
      const CellKey& key, const Sums& before, const Sums& after, uint64_t seq)>;
  absl::Status Publish(PublishFn fn);

  // The sum of `key` (zero when it has none).
  Sums Get(const CellKey& key) const;
  // The seq of the published row of `key` (0: none).
  uint64_t PublishedSeq(const CellKey& key) const;
  // How many cells have a sum or a published row.
  size_t size() const { return sums_.size(); }

 private:
  struct Entry {
    Sums sum;
    Sums before;  // the sum at the last Publish, while `changed`
    uint64_t seq = 0;  // of the published row; 0: none
    bool changed = false;
  };
  using Map = absl::node_hash_map<CellKey, Entry>;  // nodes stay put: changed_ points in
  // Calls EndTransaction when the current transaction on `db` ends (once per
  // transaction; at once in autocommit).
  void WatchTransaction(Database* db);
  void EndTransaction(bool committed);

  bool loaded_ = false;
  bool in_transaction_ = false;
  Map sums_;
  std::vector<Map::value_type*> changed_;
  absl::flat_hash_map<std::string, int64_t> pending_live_cells_;  // this transaction's
  mutable absl::Mutex counts_mu_;
  absl::flat_hash_map<std::string, int64_t> live_cells_ ABSL_GUARDED_BY(counts_mu_);
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_RUNNING_SUMS_H_
