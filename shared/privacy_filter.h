// The privacy filter: decides every number that leaves a district. From exact cells it
// makes the published cells, per metric's disclosure method in the catalog:
//   NONE         the exact value, OK.
//   SUPPRESSION  decided per linked unit and period (privacy_groups.h,
//                privacy_suppression.h): primary rules (threshold; dominance and p% for
//                sums, by contributor), secondary suppression across the unit's linked
//                tables, the audit as the gate. Suppressed cells are SUPPRESSED and carry
//                no value; the rest are OK. A unit whose audit cannot pass publishes
//                nothing.
//   CELL_KEY     the value plus the perturbation table's noise for the cell's
//                perturbation key (the sum of its records' keys), PERTURBED: the same
//                records give the same published value in every run. A published
//                count is never in 1..js, and a cell perturbed to 0 is still published.
//   DP           not here: its noise is drawn once and kept in the district's ledger
//                (district_node/cell_publication.h), so it needs the database.
//
// FilterCell decides one cell alone, for NONE and CELL_KEY; a SUPPRESSION cell is decided
// only with its linked tables (DecideLinkedUnit), so FilterCell publishes nothing for it.
// DecideForPublication decides every cell of a full recompute; the incremental path
// re-decides the units a write touched (district_node/cell_publication.h). All pure
// functions, thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_FILTER_H_
#define FEDSYNC_SHARED_PRIVACY_FILTER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/aggregator.h"
#include "shared/catalog.h"
#include "shared/cell.h"
#include "shared/privacy_contributions.h"
#include "shared/privacy_parameters.h"
#include "shared/privacy_suppression.h"

namespace fedsync {

// The published form of one exact cell; nullopt when nothing may be published for it
// alone (no contributors, a metric the catalog does not define, a SUPPRESSION or DP
// metric). A key whose
// exact cell is gone is FilterCell(key, ExactCell{}): nullopt.
std::optional<CellValue> FilterCell(const Catalog& catalog, const CellKey& key,
                                    const ExactCell& cell);

struct PublicationDecision {
  CellMap published;                              // every non-DP cell that may go out
  std::map<CellKey, SuppressionRule> suppressed;  // local only
  std::vector<std::string> failures;              // units that publish nothing, and why
};

// Every non-DP cell of `exact`; `contributions` for the metrics that need them
// (NeedsContributions).
PublicationDecision DecideForPublication(const Catalog& catalog, const ExactCellMap& exact,
                                         const ContributionMap& contributions);
// Without `contributions`, metrics that need them publish nothing (their units fail).
CellMap FilterForPublication(const Catalog& catalog, const ExactCellMap& exact,
                             const ContributionMap& contributions = ContributionMap());

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_FILTER_H_
