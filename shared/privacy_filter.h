// The privacy filter: decides every number that leaves a district. From exact cells it
// makes the published cells, per metric's disclosure method in the catalog:
//   NONE         the exact value, OK.
//   SUPPRESSION  cells with 0 < contributors < threshold are SUPPRESSED and carry no
//                value; the rest are OK.
//   CELL_KEY     the value plus the perturbation table's noise for the cell's
//                perturbation key (the sum of its records' keys), PERTURBED: the same
//                records give the same published value in every run. A published
//                count is never in 1..js, and a cell perturbed to 0 is still published.
// (Secondary suppression and DP come with the privacy issue.)
//
// FilterCell is the one place that decides; FilterForPublication applies it to a whole
// map (a full recompute), the incremental path to each cell a write touched. Both are
// pure functions, thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_FILTER_H_
#define FEDSYNC_SHARED_PRIVACY_FILTER_H_

#include <optional>

#include "shared/aggregator.h"
#include "shared/catalog.h"
#include "shared/cell.h"

namespace fedsync {

// The published form of one exact cell; nullopt when nothing may be published for it
// (no contributors, a metric the catalog does not define, a method this version cannot
// apply). A key whose exact cell is gone is FilterCell(key, ExactCell{}): nullopt.
std::optional<CellValue> FilterCell(const Catalog& catalog, const CellKey& key,
                                    const ExactCell& cell);

CellMap FilterForPublication(const Catalog& catalog, const ExactCellMap& exact);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_FILTER_H_
