// Publication of a district's cells: turns exact cells into published cells through
// the privacy filter, unit by unit (shared/privacy_groups.h), and keeps what only the
// district may know of that: the DP release ledger (noise drawn once, stored, re-sent;
// the budget of each (metric, period), refused when spent) and whether a suppressed
// cell was suppressed by a primary rule or to protect another (suppression_decisions).
//
// Suppression is table-wide, so a write re-decides every linked unit it touched — all
// its metrics' cells of that period — and publishes only the cells whose published form
// changed (PublishedCells::Put keeps an unchanged cell's seq). A unit whose audit fails
// publishes nothing; that is logged here, with the unit and period only. A DP release
// over budget keeps publishing the stored values (cells without one: nothing), logged.
//
// DP noise comes from the exact sampler (shared/privacy/exact_sampler.h) over OpenSSL's
// RAND_bytes, with no floating point. A DP metric releases every cell of its closed
// domain (MetricDomain) in each period it has records in, empty cells as noisy zeros.
//
// Runs inside the caller's write transaction on the caller's connection (the node's one
// writer), so the ledger's spend, the stored noise and the published cells commit
// together. Not thread-safe. Errors are SQLite's; kUnavailable when the random source
// fails.
#ifndef FEDSYNC_DISTRICT_NODE_CELL_PUBLICATION_H_
#define FEDSYNC_DISTRICT_NODE_CELL_PUBLICATION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "district_node/exact_cells.h"
#include "shared/aggregator.h"
#include "shared/catalog.h"
#include "shared/database.h"
#include "shared/privacy/byte_source.h"
#include "shared/privacy_filter.h"
#include "shared/privacy_groups.h"
#include "shared/published_cells.h"

namespace fedsync {

// Schema version 7 of the district database: the DP ledger, the contributors' shares
// (cell_contributions.h) and the local suppression decisions. It also marks the stored
// cells stale, so the node recomputes them (and the shares) once.
std::string PublicationSchema();

class CellPublication {
 public:
  // `noise`: where DP noise comes from; nullptr means OpenSSL's RAND_bytes. Must
  // outlive this.
  CellPublication(Database* db, std::shared_ptr<const Catalog> catalog,
                  privacy::ByteSource* noise = nullptr);

  // After the exact cells (and shares) of `touched` were stored, with their new values
  // (a zero cell: gone), and `before` holds the same keys' values before the write:
  // re-decides every unit they belong to and publishes what changed. Only the cells
  // whose decision differs from the decision before the write are written (for a unit
  // whose decision needs no shares; the others are all written, and unchanged ones
  // keep their seq). Returns the number of published cells that changed.
  absl::StatusOr<int> PublishTouched(ExactCellTable& table, PublishedCells* published,
                                     const ExactCellMap& touched, const ExactCellMap& before);

  // A full recompute: decides every cell from `exact` and `shares` and makes the
  // published cells exactly that. Returns the number that changed.
  absl::StatusOr<int> PublishAll(PublishedCells* published, const ExactCellMap& exact,
                                 const ContributionMap& shares);

 private:
  // The published form of a DP metric's cells in `period`, from the ledger.
  absl::StatusOr<CellMap> DecideDp(const v1::MetricDef& metric, const std::string& period,
                                   const ExactCellMap& exact, const ContributionMap& shares);
  absl::Status RecordSuppressed(const PublicationUnit& unit, const std::string& period,
                                const UnitDecision& decision);
  absl::StatusOr<Statement*> Cached(std::unique_ptr<Statement>* slot, const char* sql);

  Database* db_;
  std::shared_ptr<const Catalog> catalog_;
  std::shared_ptr<const PublicationPlan> plan_;
  privacy::ByteSource* noise_;
  std::unique_ptr<Statement> delete_decisions_, insert_decision_;
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_CELL_PUBLICATION_H_
