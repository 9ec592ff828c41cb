// The district's exact cells in SQLite (table exact_cells): every cell's true value,
// number of contributing records and perturbation key (schema version 6, node_secret.h), kept in step with the registries by CellUpdater
// (cell_updater.h), plus the facts they were computed under (which catalog, which
// current periods) in exact_cells_state. Exact cells never leave the district: only
// the privacy filter's output does (published_cells).
//
// Functions run on the caller's connection, inside the caller's transaction (the
// node's one writer); an ExactCellTable holds prepared statements of one connection and
// is not thread-safe. Errors are SQLite's (database.h).
#ifndef FEDSYNC_DISTRICT_NODE_EXACT_CELLS_H_
#define FEDSYNC_DISTRICT_NODE_EXACT_CELLS_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "shared/aggregator.h"
#include "shared/database.h"

namespace fedsync {

// Schema version 4 of the district database (registry_store.cc).
extern const char kExactCellsSchema[];

class ExactCellTable {
 public:
  static absl::StatusOr<ExactCellTable> Prepare(Database* db);

  // The cell at `key`; a zero cell when there is none.
  absl::StatusOr<ExactCell> Get(const CellKey& key);
  // Stores `cell` at `key`; a cell without contributors is removed.
  absl::Status Set(const CellKey& key, const ExactCell& cell);

  // Every stored cell.
  absl::StatusOr<ExactCellMap> ReadAll();
  // Adds the stored cells of (metric, period) to `out`.
  absl::Status ReadMetricPeriod(const std::string& metric, const std::string& period,
                                ExactCellMap* out);
  // Makes the table hold exactly `cells`.
  absl::Status ReplaceAll(const ExactCellMap& cells);

  // The state value under `key`; nullopt when never set.
  absl::StatusOr<std::optional<std::string>> GetState(absl::string_view key);
  absl::Status SetState(absl::string_view key, absl::string_view value);

 private:
  ExactCellTable(Database* db, Statement select, Statement upsert, Statement remove,
                 Statement select_state, Statement upsert_state)
      : db_(db), select_(std::move(select)), upsert_(std::move(upsert)),
        remove_(std::move(remove)), select_state_(std::move(select_state)),
        upsert_state_(std::move(upsert_state)) {}

  Database* db_;
  Statement select_, upsert_, remove_, select_state_, upsert_state_;
  std::unique_ptr<Statement> select_metric_period_;  // prepared on first use
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_EXACT_CELLS_H_
