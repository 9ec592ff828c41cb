#include "shared/privacy_filter.h"

#include "shared/cell_key_table.h"

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
      if (cell.contributors < metric->disclosure().threshold()) {
        out.status = v1::SUPPRESSED;  // and no value, ever
      } else {
        out.value = cell.value;
        out.status = v1::OK;
      }
      return out;
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
      return std::nullopt;  // a method this version cannot apply publishes nothing
  }
}

CellMap FilterForPublication(const Catalog& catalog, const ExactCellMap& exact) {
  CellMap published;
  for (const auto& [key, cell] : exact) {
    std::optional<CellValue> out = FilterCell(catalog, key, cell);
    if (out.has_value()) published[key] = *out;
  }
  return published;
}

}  // namespace fedsync
