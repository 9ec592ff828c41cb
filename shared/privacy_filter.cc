#include "shared/privacy_filter.h"

namespace fedsync {

CellMap FilterForPublication(const Catalog& catalog, const ExactCellMap& exact) {
  CellMap published;
  for (const auto& [key, cell] : exact) {
    const v1::MetricDef* metric = catalog.Find(key.metric);
    if (metric == nullptr) continue;  // never publish what the catalog does not define
    if (cell.contributors == 0) continue;
    CellValue out;
    if (metric->disclosure().method() == v1::SUPPRESSION &&
        cell.contributors < metric->disclosure().threshold()) {
      out.status = v1::SUPPRESSED;  // and no value, ever
    } else if (metric->disclosure().method() == v1::NONE ||
               metric->disclosure().method() == v1::SUPPRESSION) {
      out.value = cell.value;
      out.status = v1::OK;
    } else {
      continue;  // a method this version cannot apply publishes nothing
    }
    published[key] = out;
  }
  return published;
}

}  // namespace fedsync
