// The privacy filter: decides every number that leaves a district. From exact cells it
// makes the published cells, per metric's disclosure method in the catalog:
//   NONE         the exact value, OK.
//   SUPPRESSION  cells with 0 < contributors < threshold are SUPPRESSED and carry no
//                value; the rest are OK.
// (Secondary suppression, cell-key perturbation and DP come with the privacy issue.)
#ifndef FEDSYNC_SHARED_PRIVACY_FILTER_H_
#define FEDSYNC_SHARED_PRIVACY_FILTER_H_

#include "shared/aggregator.h"
#include "shared/catalog.h"
#include "shared/cell.h"

namespace fedsync {

CellMap FilterForPublication(const Catalog& catalog, const ExactCellMap& exact);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_FILTER_H_
