// The running sum of every cell a parent aggregates (total, number of inputs, inputs by
// status), kept in memory. The sums are a function of the live child cells, so they are
// read once from child_cells and from then on change only with them: a change made in
// a transaction is held apart and becomes the sum when the transaction commits, or is
// dropped when it rolls back (Database::OnTransactionEnd). Keeping them in SQLite cost
// a read and a write per applied cell, a third of the parent's apply.
//
// Not thread-safe: used by the node's one writer, inside its transactions.
#ifndef FEDSYNC_CITY_NODE_RUNNING_SUMS_H_
#define FEDSYNC_CITY_NODE_RUNNING_SUMS_H_

#include <cstdint>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
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
  Sums operator-(const Sums& other) const;
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
  // Reads the sums from the live cells of child_cells on `db`, the first time only. Call
  // it in a transaction before the transaction changes child_cells.
  absl::Status Load(Database* db);

  // The sum of `key` as the current transaction sees it (zero when it has none).
  Sums Get(const CellKey& key) const;
  // Makes `sums` the sum of `key` in the current transaction on `db` (at once when `db`
  // is in autocommit mode).
  void Set(Database* db, CellKey key, const Sums& sums);

  // The committed sums with inputs.
  const absl::flat_hash_map<CellKey, Sums>& committed() const { return committed_; }

 private:
  void EndTransaction(bool committed);

  bool loaded_ = false;
  bool in_transaction_ = false;
  absl::flat_hash_map<CellKey, Sums> committed_;
  absl::flat_hash_map<CellKey, Sums> pending_;  // the current transaction's
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_RUNNING_SUMS_H_
