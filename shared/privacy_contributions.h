// Contributors' shares of cells, for the privacy filter: dominance and p% judge a cell
// by its contributors' totals, and one entity contributes once per cell however many
// records it has there (privacy_parameters.h says who the entity is). Plain types.
#ifndef FEDSYNC_SHARED_PRIVACY_CONTRIBUTIONS_H_
#define FEDSYNC_SHARED_PRIVACY_CONTRIBUTIONS_H_

#include <cstdint>
#include <map>
#include <string>

#include "shared/cell.h"

namespace fedsync {

// One entity's share of one cell: its records' measures summed (before clamping), and
// how many records it has there. The entity is in the cell while records > 0.
struct ContributorShare {
  int64_t magnitude = 0;
  int64_t records = 0;
  bool operator==(const ContributorShare& other) const {
    return magnitude == other.magnitude && records == other.records;
  }
};
// Entity -> share, for one cell; and by cell, for the metrics that NeedsContributions.
// Entity names are personal data: they never leave the district.
using Contributions = std::map<std::string, ContributorShare>;
using ContributionMap = std::map<CellKey, Contributions>;

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_CONTRIBUTIONS_H_
