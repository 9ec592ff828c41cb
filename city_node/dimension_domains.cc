#include "city_node/dimension_domains.h"

#include "absl/base/const_init.h"
#include "absl/synchronization/mutex.h"
#include "shared/privacy_parameters.h"

namespace fedsync {

DimensionDomains::DimensionDomains(const Catalog& catalog) {
  for (const v1::MetricDef& metric : catalog.proto().metrics()) {
    MetricDomains& domains = metrics_[metric.id()];
    for (const v1::Dimension& dim : metric.dimensions()) {
      const std::vector<std::string> values = DimensionValues(metric, dim);
      domains.emplace_back(dim.name(),
                           absl::flat_hash_set<std::string>(values.begin(), values.end()));
    }
  }
}

std::shared_ptr<const DimensionDomains> DimensionDomains::For(
    const std::shared_ptr<const Catalog>& catalog) {
  static absl::Mutex mu(absl::kConstInit);
  // The catalog is not kept alive by the cache: a catalog replaced and freed is never
  // asked for again, and a new one at the same address does not match an expired
  // weak pointer.
  static std::weak_ptr<const Catalog>* source ABSL_GUARDED_BY(mu) =
      new std::weak_ptr<const Catalog>();
  static std::shared_ptr<const DimensionDomains>* built ABSL_GUARDED_BY(mu) =
      new std::shared_ptr<const DimensionDomains>();
  absl::MutexLock lock(&mu);
  if (*built == nullptr || source->lock() != catalog) {
    *built = std::make_shared<const DimensionDomains>(*catalog);
    *source = catalog;
  }
  return *built;
}

bool DimensionDomains::Contains(absl::string_view metric, absl::string_view dimension,
                                absl::string_view value) const {
  auto found = metrics_.find(metric);
  if (found == metrics_.end()) return false;
  for (const auto& [name, values] : found->second) {
    if (name == dimension) return values.contains(value);
  }
  return false;
}

}  // namespace fedsync
