#include "shared/privacy/primary_suppression.h"

#include <algorithm>
#include <functional>
#include <map>

namespace fedsync {
namespace privacy {
namespace {

// GCC/Clang's 128-bit integer: products of a percentage and a sum of int64 magnitudes
// overflow 64 bits; this keeps the rules exact without GMP on the hot path.
using Wide = __int128;

Wide Sum(absl::Span<const int64_t> values, size_t first, size_t count) {
  Wide sum = 0;
  for (size_t i = first; i < std::min(values.size(), first + count); ++i) sum += values[i];
  return sum;
}

// ceil(numerator / denominator) for numerator >= 0, denominator > 0, at least 1.
int64_t CeilingAtLeastOne(Wide numerator, Wide denominator) {
  const Wide quotient = (numerator + denominator - 1) / denominator;
  return quotient < 1 ? 1 : static_cast<int64_t>(quotient);
}

}  // namespace

std::vector<int64_t> ContributorTotals(absl::Span<const Contribution> contributions,
                                       const PrimaryRules& rules) {
  std::map<std::string, Wide> by_contributor;
  for (const Contribution& contribution : contributions) {
    by_contributor[contribution.contributor] += contribution.magnitude;
  }
  std::vector<int64_t> totals;
  totals.reserve(by_contributor.size());
  for (const auto& [contributor, total] : by_contributor) {
    const Wide clamped = std::clamp<Wide>(total, rules.magnitude_lower, rules.magnitude_upper);
    totals.push_back(static_cast<int64_t>(clamped));
  }
  std::sort(totals.begin(), totals.end(), std::greater<int64_t>());
  return totals;
}

bool ThresholdRuleSensitive(int64_t contributors, int threshold) {
  return contributors > 0 && contributors < threshold;
}

bool DominanceRuleSensitive(absl::Span<const int64_t> descending, int n, int k) {
  const Wide total = Sum(descending, 0, descending.size());
  const Wide top = Sum(descending, 0, static_cast<size_t>(n));
  return Wide{100} * top > Wide{k} * total;
}

bool PPercentRuleSensitive(absl::Span<const int64_t> descending, int p) {
  if (descending.empty()) return false;
  const Wide total = Sum(descending, 0, descending.size());
  const Wide largest = descending[0];
  const Wide second = descending.size() > 1 ? descending[1] : 0;
  return Wide{100} * (total - largest - second) < Wide{p} * largest;
}

absl::StatusOr<PrimaryAssessment> AssessCell(absl::Span<const Contribution> contributions,
                                             CellMeasure measure, const PrimaryRules& rules) {
  if (rules.dominance_n < 1 || rules.dominance_k < 1 || rules.dominance_k > 100 || rules.p < 1 ||
      rules.p > 100) {
    return absl::InvalidArgumentError(
        "suppression rules need dominance n >= 1 and k, p in 1..100 percent");
  }
  if (rules.magnitude_lower < 0 || rules.magnitude_upper < rules.magnitude_lower) {
    return absl::InvalidArgumentError("magnitude bounds need 0 <= lower <= upper");
  }
  const std::vector<int64_t> totals = ContributorTotals(contributions, rules);
  PrimaryAssessment assessment;
  assessment.contributors = static_cast<int64_t>(totals.size());
  const Wide total = Sum(totals, 0, totals.size());
  assessment.value =
      measure == CellMeasure::kCount ? assessment.contributors : static_cast<int64_t>(total);
  int64_t width = 0;
  if (ThresholdRuleSensitive(assessment.contributors, rules.threshold)) {
    assessment.threshold = true;
    width = std::max<int64_t>(width, std::max(1, rules.threshold - 1));
  }
  if (measure == CellMeasure::kMagnitude && total > 0) {
    if (rules.dominance && DominanceRuleSensitive(totals, rules.dominance_n, rules.dominance_k)) {
      assessment.dominance = true;
      const Wide top = Sum(totals, 0, static_cast<size_t>(rules.dominance_n));
      width = std::max(width, CeilingAtLeastOne(Wide{100} * top - Wide{rules.dominance_k} * total,
                                                rules.dominance_k));
    }
    if (rules.p_percent && PPercentRuleSensitive(totals, rules.p)) {
      assessment.p_percent = true;
      const Wide largest = totals[0];
      const Wide second = totals.size() > 1 ? totals[1] : 0;
      width = std::max(
          width,
          CeilingAtLeastOne(Wide{rules.p} * largest - Wide{100} * (total - largest - second), 100));
    }
  }
  assessment.protection_width = width;
  return assessment;
}

}  // namespace privacy
}  // namespace fedsync
