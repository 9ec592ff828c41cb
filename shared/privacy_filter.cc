#include "shared/privacy_filter.h"

#include <set>

#include "shared/cell_key_table.h"
#include "shared/privacy_groups.h"

namespace fedsync {

std::optional<CellValue> FilterCell(const Catalog& catalog, const CellKey& key,
                                    const ExactCell& cell) {
  const v1::MetricDef* metric = catalog.Find(key.metric);
  if (metric == nullptr) return std::nullopt;  // never publish what the catalog does not define
  if (cell.contributors == 0) return std::nullopt;
  CellValue out;
  switch (metric->disclosure().method()) {
    case v1::NONE:
      out.value = cell.value;
      out.status = v1::OK;
      return out;
    case v1::SUPPRESSION:
      // Never alone: its linked tables decide it together (DecideLinkedUnit), with
      // secondary suppression and the audit that a cell-by-cell threshold would skip.
      return std::nullopt;
    case v1::CELL_KEY: {
      // The catalog was validated with the same parameters, so the table exists; a
      // failure here publishes nothing rather than the exact value.
      absl::StatusOr<const privacy::PerturbationTable*> table = CellKeyTable(metric->disclosure());
      if (!table.ok()) return std::nullopt;
      absl::StatusOr<int64_t> perturbed = (*table)->Perturb(cell.value, cell.perturbation_key);
      if (!perturbed.ok()) return std::nullopt;
      out.value = *perturbed;
      out.status = v1::PERTURBED;
      return out;
    }
    default:
      return std::nullopt;  // DP (the district's ledger decides) or unknown: nothing here
  }
}

PublicationDecision DecideForPublication(const Catalog& catalog, const ExactCellMap& exact,
                                         const ContributionMap& contributions) {
  const PublicationPlan plan(catalog);
  PublicationDecision decision;
  for (const PublicationUnit& unit : plan.units()) {
    if (unit.kind == UnitKind::kPerCell) {
      const std::string& id = unit.metrics.front()->id();
      for (auto it = exact.lower_bound(CellKey{id, "", ""});
           it != exact.end() && it->first.metric == id; ++it) {
        std::optional<CellValue> out = FilterCell(catalog, it->first, it->second);
        if (out.has_value()) decision.published[it->first] = *out;
      }
      continue;
    }
    if (unit.kind != UnitKind::kLinked) continue;
    std::set<std::string> periods;
    for (const v1::MetricDef* metric : unit.metrics) {
      for (auto it = exact.lower_bound(CellKey{metric->id(), "", ""});
           it != exact.end() && it->first.metric == metric->id(); ++it) {
        periods.insert(it->first.period);
      }
    }
    for (const std::string& period : periods) {
      UnitDecision unit_decision = DecideLinkedUnit(unit, period, exact, contributions);
      if (unit_decision.failed()) {
        decision.failures.push_back(std::move(unit_decision.failure));
        continue;
      }
      decision.published.insert(unit_decision.published.begin(), unit_decision.published.end());
      decision.suppressed.insert(unit_decision.suppressed.begin(),
                                 unit_decision.suppressed.end());
    }
  }
  return decision;
}

CellMap FilterForPublication(const Catalog& catalog, const ExactCellMap& exact,
                             const ContributionMap& contributions) {
  return DecideForPublication(catalog, exact, contributions).published;
}

}  // namespace fedsync
