#include "shared/privacy_filter.h"

namespace fedsync {

std::optional<CellValue> FilterCell(const Catalog& catalog, const CellKey& key,
                                    const ExactCell& cell) {
  const v1::MetricDef* metric = catalog.Find(key.metric);
  if (metric == nullptr) return std::nullopt;  // never publish what the catalog does not define
  if (cell.contributors == 0) return std::nullopt;
  CellValue out;
  if (metric->disclosure().method() == v1::SUPPRESSION &&
      cell.contributors < metric->disclosure().threshold()) {
    out.status = v1::SUPPRESSED;  // and no value, ever
  } else if (metric->disclosure().method() == v1::NONE ||
             metric->disclosure().method() == v1::SUPPRESSION) {
    out.value = cell.value;
    out.status = v1::OK;
  } else {
    return std::nullopt;  // a method this version cannot apply publishes nothing
  }
  return out;
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
