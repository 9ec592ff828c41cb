#include "city_node/dimension_domains.h"

#include "shared/per_catalog.h"
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
  static auto* domains = new PerCatalog<DimensionDomains>();
  return domains->Get(catalog, [&] { return std::make_shared<const DimensionDomains>(*catalog); });
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
