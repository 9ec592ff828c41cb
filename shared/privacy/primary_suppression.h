// Primary suppression rules: which cells are too revealing to publish, judged on the
// cell's contributors (persons, families, enterprises), counted by contributor.
//
//   threshold rule  (counts and magnitudes) sensitive when 0 < contributors < k
//                   (default k = 3). An empty cell (no contributors) is not sensitive.
//   dominance (n,k) (magnitudes) sensitive when the n largest contributors hold MORE
//                   than k% of the total (default (2, 85)); exactly k% is publishable.
//   p% rule         (magnitudes) sensitive when the second-largest contributor could
//                   estimate the largest within p% (default 10): total - x1 - x2 < p% of
//                   x1. Exactly p% is publishable.
// All comparisons are exact integer arithmetic (128-bit products), never floating point.
//
// Each contributor's contributions to a cell are summed first (one entity, one
// contribution: an enterprise listed twice must not count as two), then clamped to the
// catalog's bounds, so one outlier cannot dominate beyond the bound. Magnitudes are
// non-negative; the lower bound is at least 0.
//
// A sensitive cell also gets the protection width the suppression audit must guarantee
// (disclosure_audit.h): the attacker's feasible interval for it must be at least this
// wide.
//   threshold:  k - 1, so the interval holds at least k possible counts;
//   dominance:  ceil((100 (x1+..+xn) - k T) / k), what T would have to grow by for the
//               top n to fall to k%;
//   p%:         ceil((p x1 - 100 (T - x1 - x2)) / 100), the p% rule's upper protection;
//   the largest of those that apply, and at least 1.
// Stateless functions; thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_PRIMARY_SUPPRESSION_H_
#define FEDSYNC_SHARED_PRIVACY_PRIMARY_SUPPRESSION_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace fedsync {
namespace privacy {

struct Contribution {
  std::string contributor;  // the entity's stable id, local to the district
  int64_t magnitude = 0;    // ignored for count cells
};

struct PrimaryRules {
  int threshold = 3;  // k of the threshold rule; <= 1 disables it
  // Magnitude rules, applied only to magnitude cells.
  bool dominance = true;
  int dominance_n = 2;
  int dominance_k = 85;  // percent, 1..100
  bool p_percent = true;
  int p = 10;  // percent, 1..100
  // Clamping of each contributor's total.
  int64_t magnitude_lower = 0;
  int64_t magnitude_upper = std::numeric_limits<int64_t>::max() / 4;
};

enum class CellMeasure { kCount, kMagnitude };

struct PrimaryAssessment {
  int64_t value = 0;         // the count, or the sum of clamped contributor totals
  int64_t contributors = 0;  // distinct contributors
  bool threshold = false;    // which rules found it sensitive
  bool dominance = false;
  bool p_percent = false;
  int64_t protection_width = 0;  // 0 when not sensitive

  bool sensitive() const { return threshold || dominance || p_percent; }
  // One contributor: it knows the cell's value, so the audit protects others from it.
  bool singleton() const { return contributors == 1; }
};

// The contributors' clamped totals, largest first.
std::vector<int64_t> ContributorTotals(absl::Span<const Contribution> contributions,
                                       const PrimaryRules& rules);

bool ThresholdRuleSensitive(int64_t contributors, int threshold);
// `descending`: contributor totals, largest first, all >= 0.
bool DominanceRuleSensitive(absl::Span<const int64_t> descending, int n, int k);
bool PPercentRuleSensitive(absl::Span<const int64_t> descending, int p);

// kInvalidArgument for rules out of range (dominance n < 1, k or p outside 1..100,
// bounds with lower < 0 or upper < lower).
absl::StatusOr<PrimaryAssessment> AssessCell(absl::Span<const Contribution> contributions,
                                             CellMeasure measure, const PrimaryRules& rules);

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_PRIMARY_SUPPRESSION_H_
