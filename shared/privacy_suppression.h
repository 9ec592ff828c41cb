// Suppression of one linked unit (privacy_groups.h) in one period: the primary rules on
// every cell (threshold; dominance and p% for sums, judged on each contributor's
// clamped total), then secondary suppression over all the unit's tables at once until
// the audit passes (privacy/secondary_suppression.h, privacy/disclosure_audit.h), and
// the audit as the gate: a unit whose audit cannot pass publishes nothing.
//
// Suppressed cells are published as SUPPRESSED without a value; whether a cell was
// suppressed by a primary rule or to protect another is told apart here, for the
// district's own records, and never travels. Sums are published as the sum of the
// contributors' clamped totals. Deterministic: the same exact cells and contributions
// give the same decision in every process. Pure; thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_SUPPRESSION_H_
#define FEDSYNC_SHARED_PRIVACY_SUPPRESSION_H_

#include <map>
#include <string>

#include "absl/time/time.h"
#include "shared/aggregator.h"
#include "shared/cell.h"
#include "shared/privacy_contributions.h"
#include "shared/privacy_groups.h"
#include "shared/privacy_parameters.h"

namespace fedsync {

enum class SuppressionRule { kPrimary, kSecondary };

struct UnitDecision {
  // The published form of every cell of the unit with contributors; empty when the
  // unit failed.
  CellMap published;
  std::map<CellKey, SuppressionRule> suppressed;  // local only
  // Why nothing is published, when so; names no value and no contributor.
  std::string failure;
  bool failed() const { return !failure.empty(); }
};

// The longest the secondary suppression of one unit in one period (its audits' LPs) may
// run: a district decides inside its write transaction, which blocks every write.
inline constexpr absl::Duration kSuppressionTimeLimit = absl::Seconds(5);

// Decides `unit` (kind kLinked) in `period`. `exact` and `contributions` may hold other
// cells too; only the unit's cells of `period` are read. Never an error: a unit that
// cannot be decided safely, or not within `time_limit`, is returned failed.
UnitDecision DecideLinkedUnit(const PublicationUnit& unit, const std::string& period,
                              const ExactCellMap& exact, const ContributionMap& contributions,
                              absl::Duration time_limit = kSuppressionTimeLimit);

// Secondary suppression is remembered per table content (counts and sums only, never
// a contributor), because a district re-decides the same tables often. For benchmarks
// that must time it cold.
void ForgetRememberedSuppressions();

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_SUPPRESSION_H_
