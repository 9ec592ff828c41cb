// Incremental aggregation: keeps the district's exact cells (exact_cells.h) and its
// published cells in step with its registries, inside the transaction of each write.
//
// A write gathers its row changes in a CellChanges — the record's contributions before
// the change taken away, after it added (Aggregator), which touches only the cells of
// that record: its metrics, and for stock metrics the periods from its start to the
// current one. Apply() then adds the delta to the stored exact cells (and the entities'
// shares, cell_contributions.h) and re-publishes through the privacy filter: every
// publication unit a touched cell belongs to is decided again, table-wide for
// suppression (cell_publication.h). The cost of a write depends on the record and the
// size of its tables, not on the registry's size.
//
// A full recompute (every record, Aggregator::Compute) replaces the exact cells and all
// published cells at once; it always equals the incremental result. It runs when the
// stored cells are not current: never computed (a new or migrated database), computed
// under another catalog, or before the current period of a stock metric began (the
// calendar rolled over: a new year brings a new stock period every record counts in).
// Apply() checks that first, in the same transaction, so a write is never applied to
// cells of a past calendar.
//
// Nothing here takes a lock or records metrics: it runs under the node's write lock,
// and the caller counts the publication once committed (RecordPublished).
//
// Dates are Beijing's (TodayInChina). Thread-safe: the updater itself holds no mutable
// state; its methods run on the caller's connection, inside the caller's write
// transaction (NodeStore::Write). Errors are SQLite's; kDataLoss for a corrupt record.
#ifndef FEDSYNC_DISTRICT_NODE_CELL_UPDATER_H_
#define FEDSYNC_DISTRICT_NODE_CELL_UPDATER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "district_node/cell_contributions.h"
#include "district_node/registry_store.h"
#include "shared/aggregator.h"
#include "shared/catalog.h"
#include "shared/clock.h"
#include "shared/database.h"
#include "shared/privacy/record_key.h"
#include "shared/published_cells.h"

namespace fedsync {

class ExactCellTable;

// Beijing's date (registry dates are Beijing time, UTC+8).
absl::CivilDay TodayInChina(absl::Time now);

// The changes one write transaction makes to the registries, as a delta of exact cells.
// Gathered as period ranges (aggregator.h), so a row costs one entry per metric however
// many periods it counts in; memory grows with the distinct ranges touched, not with
// the rows changed. Not thread-safe.
class CellChanges {
 public:
  // Row `before` (nullptr: none, a create) of registry `kind` became `after` (nullptr:
  // none). Rows that never counted (CountedRecord) contribute nothing. Nothing to do
  // when the write will recompute everything anyway.
  absl::Status RowChanged(const RegistryKind& kind, const StoredRow* before,
                          const StoredRow* after);
  // Adds contributions gathered ahead of the write (an import's new rows, computed as
  // they arrived) by `aggregator`, from CellUpdater::NewAggregator of the same updater.
  // False, adding nothing, when that aggregator ran another catalog than this write, or
  // when a metric over `kind` needs the entities' shares (which ranges do not carry):
  // the caller then adds the rows one by one.
  bool AddRanges(const RegistryKind& kind, const Aggregator& aggregator,
                 const CellRanges& ranges);

  // The delta as cells, as of today(): expanded from the ranges on first use after a
  // change.
  const ExactCellMap& delta() const;
  // The entities' shares the write changed (cell_contributions.h).
  const ContributionMap& shares_delta() const { return shares_delta_; }
  absl::CivilDay today() const { return aggregator_.today(); }
  // True when the stored cells were stale as the write began: Apply recomputes them.
  bool recompute() const { return recompute_; }

 private:
  friend class CellUpdater;
  CellChanges(Aggregator aggregator, ContributionCounter shares, bool recompute)
      : aggregator_(std::move(aggregator)), shares_(std::move(shares)), recompute_(recompute) {}

  Aggregator aggregator_;
  ContributionCounter shares_;
  bool recompute_;
  CellRanges ranges_;
  mutable bool expanded_ = false;
  mutable ExactCellMap delta_;
  ContributionMap shares_delta_;
};

class CellUpdater {
 public:
  // `clock` must outlive the updater. `keyer` keys the records for cell-key
  // perturbation (the district's secret, node_secret.h); with nullptr, for tests of
  // catalogs without CELL_KEY metrics, a CELL_KEY metric gets no cells (aggregator.h).
  CellUpdater(std::shared_ptr<const Catalog> catalog, Clock* clock,
              std::shared_ptr<const privacy::RecordKeyer> keyer = nullptr);

  // Starts gathering the changes of one write, dated today, in the write's transaction
  // on `db` (where it looks whether the stored cells are current).
  absl::StatusOr<CellChanges> BeginChanges(Database* db) const;

  // After the rows of `changes` were written, in the same transaction: updates the
  // exact cells and publishes those that changed; or, when the stored cells are not
  // current (see the file comment), recomputes them all, this write included. Returns
  // the number of published cells that changed.
  absl::StatusOr<int> Apply(Database* db, PublishedCells* published,
                            const CellChanges& changes) const;

  // Recomputes everything when the stored cells are not current; true when it did.
  // For node start and the calendar's roll-over.
  absl::StatusOr<bool> EnsureCurrent(Database* db, PublishedCells* published) const;

  // The full recompute, unconditionally, as of `today`. Returns the number of
  // published cells that changed.
  absl::StatusOr<int> Recompute(Database* db, PublishedCells* published,
                                absl::CivilDay today) const;

  // For checks and tests: the exact cells a full recompute gives, without storing
  // them; and the exact cells stored.
  absl::StatusOr<ExactCellMap> ComputeAll(Database* db, absl::CivilDay today) const;
  static absl::StatusOr<ExactCellMap> ReadStored(Database* db);
  // The entities' shares a full recompute gives (cell_contributions.h).
  absl::StatusOr<ContributionMap> ComputeAllShares(Database* db, absl::CivilDay today) const;

  // Runs `catalog` from now on (a newer one from the parent): the stored cells then no
  // longer match it, so the next write or check recomputes them all.
  void SetCatalog(std::shared_ptr<const Catalog> catalog);
  std::shared_ptr<const Catalog> catalog() const { return Current().catalog; }
  absl::CivilDay Today() const { return TodayInChina(clock_->Now()); }
  // An aggregator over the current catalog, as of today, keying records as the updater
  // does: to compute a write's contributions ahead of it (CellChanges::AddRanges).
  Aggregator NewAggregator() const { return Aggregator(Current().catalog, Today(), keyer_); }

 private:
  // The catalog and its fingerprint, taken once per call so a call sees one catalog.
  struct Snapshot {
    std::shared_ptr<const Catalog> catalog;
    std::string fingerprint;
  };
  Snapshot Current() const;
  // The current period of every period type a stock metric uses: the stored cells must
  // have been computed in the same ones to be current.
  static std::string CurrentPeriods(const Catalog& catalog, absl::CivilDay today);
  absl::StatusOr<bool> IsCurrent(ExactCellTable& table, absl::CivilDay today,
                                 const Snapshot& now) const;
  absl::StatusOr<int> RecomputeInto(Database* db, ExactCellTable& table,
                                    PublishedCells* published, absl::CivilDay today,
                                    const Snapshot& now) const;
  // `shares`, when given, also receives the entities' shares.
  absl::StatusOr<ExactCellMap> ComputeWith(Database* db, absl::CivilDay today,
                                           std::shared_ptr<const Catalog> catalog,
                                           ContributionMap* shares = nullptr) const;

  Clock* const clock_;
  const std::shared_ptr<const privacy::RecordKeyer> keyer_;
  mutable absl::Mutex mu_;
  Snapshot current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_CELL_UPDATER_H_
