#include "shared/privacy_suppression.h"

#include <algorithm>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "shared/privacy/primary_suppression.h"
#include "shared/privacy/secondary_suppression.h"

namespace fedsync {
namespace {

struct UnitCell {
  CellKey key;
  int metric = 0;  // index into the unit's metrics
};

// The primary assessment of one cell; false when its inputs are inconsistent.
bool Assess(const v1::MetricDef& metric, const CellKey& key, const ExactCell& exact,
            const ContributionMap& contributions, privacy::LinkedCell* cell) {
  cell->value = exact.value;
  // Only cells with a contributor are published: a count's is then at least 1, which
  // anyone reading the SUPPRESSED cell knows.
  if (metric.measure() != v1::SUM && exact.contributors > 0) cell->min_value = 1;
  if (metric.disclosure().method() != v1::SUPPRESSION) {
    cell->singleton = exact.contributors == 1;
    return true;  // NONE: published as it is, unless secondary suppression needs it
  }
  const privacy::PrimaryRules rules = SuppressionRulesOf(metric);
  if (!NeedsContributions(metric)) {
    // A record is its entity: contributors are the records.
    cell->singleton = exact.contributors == 1;
    if (privacy::ThresholdRuleSensitive(exact.contributors, rules.threshold)) {
      cell->state = privacy::CellState::kPrimary;
      cell->protection_width = std::max(1, rules.threshold - 1);
    }
    return true;
  }
  auto it = contributions.find(key);
  if (it == contributions.end() || it->second.empty()) return false;
  std::vector<privacy::Contribution> shares;
  shares.reserve(it->second.size());
  for (const auto& [entity, share] : it->second) {
    if (share.records <= 0) return false;
    shares.push_back(privacy::Contribution{entity, share.magnitude});
  }
  const bool sum = metric.measure() == v1::SUM;
  absl::StatusOr<privacy::PrimaryAssessment> assessment = privacy::AssessCell(
      shares, sum ? privacy::CellMeasure::kMagnitude : privacy::CellMeasure::kCount, rules);
  if (!assessment.ok()) return false;
  // A sum publishes the clamped totals' sum; a count of records stays a count of records
  // (its entities are what the threshold counts).
  if (sum) cell->value = assessment->value;
  cell->singleton = assessment->singleton();
  if (assessment->sensitive()) {
    cell->state = privacy::CellState::kPrimary;
    cell->protection_width = assessment->protection_width;
  }
  return true;
}

// The tables' content as the secondary suppression sees it (values, states, widths,
// singletons, equations; not the labels): the key of its memo.
std::string MemoKey(const privacy::LinkedTables& tables) {
  std::string key;
  for (const privacy::LinkedCell& cell : tables.cells) {
    absl::StrAppend(&key, cell.value, ",", cell.min_value, ",", static_cast<int>(cell.state), ",",
                    cell.protection_width, ",", cell.singleton ? 1 : 0, ";");
  }
  for (const privacy::LinearEquation& equation : tables.equations) {
    absl::StrAppend(&key, "|", equation.total, "=", absl::StrJoin(equation.parts, "+"));
  }
  return key;
}

// SuppressUntilSafe, remembered: a district re-decides the same tables often (every
// write re-decides its units; a recompute decides every unit again) and the audit's LPs
// are the cost. Deterministic, so a remembered result is the result. Holds counts and
// sums only, never a contributor; bounded. False when the tables cannot be made safe.
absl::Mutex memo_mu(absl::kConstInit);
std::map<std::string, std::vector<privacy::CellState>>* memo ABSL_GUARDED_BY(memo_mu) =
    new std::map<std::string, std::vector<privacy::CellState>>();

bool SuppressRemembered(privacy::LinkedTables* tables, absl::Duration time_limit) {
  constexpr size_t kMemoLimit = 20000;
  const std::string key = MemoKey(*tables);
  {
    absl::MutexLock lock(&memo_mu);
    auto it = memo->find(key);
    if (it != memo->end()) {
      for (size_t i = 0; i < tables->cells.size(); ++i) tables->cells[i].state = it->second[i];
      return true;
    }
  }
  // Out of time is a failure like any other: the unit is withheld, and not remembered.
  absl::StatusOr<privacy::SecondaryResult> result =
      privacy::SuppressUntilSafe(tables, absl::Now() + time_limit);
  if (!result.ok() || !result->report.passed()) return false;
  std::vector<privacy::CellState> states;
  states.reserve(tables->cells.size());
  for (const privacy::LinkedCell& cell : tables->cells) states.push_back(cell.state);
  absl::MutexLock lock(&memo_mu);
  if (memo->size() >= kMemoLimit) memo->clear();
  memo->emplace(key, std::move(states));
  return true;
}

}  // namespace

void ForgetRememberedSuppressions() {
  absl::MutexLock lock(&memo_mu);
  memo->clear();
}

UnitDecision DecideLinkedUnit(const PublicationUnit& unit, const std::string& period,
                              const ExactCellMap& exact, const ContributionMap& contributions,
                              absl::Duration time_limit) {
  UnitDecision decision;
  std::vector<UnitCell> cells;
  privacy::LinkedTables tables;
  // Per metric, the indices of its cells.
  std::vector<std::vector<int>> cells_of_metric(unit.metrics.size());
  for (int m = 0; m < static_cast<int>(unit.metrics.size()); ++m) {
    const v1::MetricDef& metric = *unit.metrics[m];
    for (auto it = exact.lower_bound(CellKey{metric.id(), period, ""});
         it != exact.end() && it->first.metric == metric.id() && it->first.period == period;
         ++it) {
      if (it->second.contributors == 0) continue;
      privacy::LinkedCell cell;
      cell.label = absl::StrCat(metric.id(), "{", it->first.dims, "}");
      if (!Assess(metric, it->first, it->second, contributions, &cell)) {
        decision.failure = absl::StrCat("inconsistent contributions in ", metric.id());
        return decision;
      }
      cells_of_metric[m].push_back(static_cast<int>(cells.size()));
      cells.push_back(UnitCell{it->first, m});
      tables.cells.push_back(std::move(cell));
    }
  }
  // The equations a reader can form: each coarse cell is the sum of the fine cells that
  // agree with it. Empty cells are absent from both sides (they are known zeros).
  for (const MetricLink& link : unit.links) {
    // A metric with no cells in the period publishes nothing a reader could add up.
    if (cells_of_metric[link.fine].empty()) continue;
    std::vector<std::string> names;
    for (const v1::Dimension& dim : unit.metrics[link.coarse]->dimensions()) {
      names.push_back(dim.name());
    }
    std::map<std::string, std::vector<int>> parts_of;
    for (int fine : cells_of_metric[link.fine]) {
      parts_of[ProjectDims(cells[fine].key.dims, names)].push_back(fine);
    }
    for (int coarse : cells_of_metric[link.coarse]) {
      privacy::LinearEquation equation;
      equation.total = coarse;
      equation.parts = parts_of[cells[coarse].key.dims];
      tables.equations.push_back(std::move(equation));
    }
  }
  const bool any_primary = std::any_of(
      tables.cells.begin(), tables.cells.end(),
      [](const privacy::LinkedCell& cell) { return cell.state == privacy::CellState::kPrimary; });
  if (any_primary) {
    if (!SuppressRemembered(&tables, time_limit)) {
      decision.failure = absl::StrCat("the suppression audit of ", unit.id, " ", period,
                                      " did not pass");
      return decision;
    }
  } else {
    // Nothing suppressed, nothing to protect; the equations must still hold, or the
    // inputs are inconsistent.
    if (!tables.Validate().ok()) {
      decision.failure = absl::StrCat("inconsistent tables in ", unit.id, " ", period);
      return decision;
    }
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    const privacy::LinkedCell& cell = tables.cells[i];
    if (cell.suppressed()) {
      decision.published[cells[i].key] = CellValue{0, v1::SUPPRESSED};  // and no value
      decision.suppressed[cells[i].key] = cell.state == privacy::CellState::kPrimary
                                              ? SuppressionRule::kPrimary
                                              : SuppressionRule::kSecondary;
    } else {
      decision.published[cells[i].key] = CellValue{cell.value, v1::OK};
    }
  }
  return decision;
}

}  // namespace fedsync
