// Each entity's share of the cells that need it (NeedsContributions in
// shared/privacy_parameters.h: suppressed or DP sums, and counts over registries whose
// entity has several records), kept in step with the registries like the exact cells:
// the dominance and p% rules judge a cell by its contributors' totals, and "one
// contribution per entity" needs to know which records are one entity's. Table
// cell_contributions (schema version 7, cell_publication.h); entity names are personal
// data and never leave the district.
//
// ContributionCounter computes a record's shares (a plain computation, thread-safe);
// ContributionTable holds prepared statements of one connection, runs inside the
// caller's transaction, and is not thread-safe. Errors are SQLite's.
#ifndef FEDSYNC_DISTRICT_NODE_CELL_CONTRIBUTIONS_H_
#define FEDSYNC_DISTRICT_NODE_CELL_CONTRIBUTIONS_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "shared/aggregator.h"
#include "shared/catalog.h"
#include "shared/database.h"
#include "shared/privacy_contributions.h"
#include "shared/privacy_parameters.h"
#include "shared/registry_kinds.h"

namespace fedsync {

extern const char kCellContributionsSchema[];

class ContributionCounter {
 public:
  ContributionCounter(const std::shared_ptr<const Catalog>& catalog, absl::CivilDay today);

  // Adds (or takes away) one record's shares in every cell that needs them.
  void Add(const StoredRecord& stored, ContributionMap* shares) const {
    Contribute(stored, 1, shares);
  }
  void Remove(const StoredRecord& stored, ContributionMap* shares) const {
    Contribute(stored, -1, shares);
  }
  // Whether a record of `kind` has shares in any cell.
  bool CountsIn(const RegistryKind& kind) const;

 private:
  void Contribute(const StoredRecord& stored, int64_t sign, ContributionMap* shares) const;
  // An aggregator over only the metrics that need shares; none when no metric does.
  std::optional<Aggregator> aggregator_;
};

class ContributionTable {
 public:
  static absl::StatusOr<ContributionTable> Prepare(Database* db);

  // Adds a delta of shares; an entity left with no records leaves the cell.
  absl::Status ApplyDelta(const ContributionMap& delta);
  // Makes the table hold exactly `shares`.
  absl::Status ReplaceAll(const ContributionMap& shares);
  // Adds the shares of (metric, period)'s cells to `out`.
  absl::Status Read(const std::string& metric, const std::string& period, ContributionMap* out);

 private:
  ContributionTable(Database* db, Statement select_one, Statement upsert, Statement remove,
                    Statement select_cells)
      : db_(db), select_one_(std::move(select_one)), upsert_(std::move(upsert)),
        remove_(std::move(remove)), select_cells_(std::move(select_cells)) {}
  absl::Status Write(const CellKey& key, const std::string& entity, const ContributorShare& share);

  Database* db_;
  Statement select_one_, upsert_, remove_, select_cells_;
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_CELL_CONTRIBUTIONS_H_
