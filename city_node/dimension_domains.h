// The closed value lists of every dimension of every metric of one catalog (DESIGN.md,
// guarantee 1: dimension values come from closed category lists), as a parent checks
// its children's cells against them. Honest districts write only these values
// (DimensionValues in shared/privacy_parameters.h); a value outside them is free text
// from a faulty child, and must not be stored or summed up the tree.
//
// Built once per catalog: every cell of every batch is checked, so a check is one hash
// lookup for the metric and one per dimension. Immutable after construction, so
// thread-safe; For() shares one lookup per catalog between threads.
#ifndef FEDSYNC_CITY_NODE_DIMENSION_DOMAINS_H_
#define FEDSYNC_CITY_NODE_DIMENSION_DOMAINS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "shared/catalog.h"

namespace fedsync {

class DimensionDomains {
 public:
  explicit DimensionDomains(const Catalog& catalog);

  // The lookup of `catalog`, built on the first call for it and shared until another
  // catalog is asked for (a node runs one catalog at a time).
  static std::shared_ptr<const DimensionDomains> For(const std::shared_ptr<const Catalog>& catalog);

  // Whether `value` is one of the closed values of dimension `dimension` of `metric`;
  // false for a metric or dimension the catalog does not have.
  bool Contains(absl::string_view metric, absl::string_view dimension,
                absl::string_view value) const;

 private:
  // A metric's dimensions in catalog order (a metric has a handful: a scan is cheaper
  // than a second hash).
  using MetricDomains = std::vector<std::pair<std::string, absl::flat_hash_set<std::string>>>;
  absl::flat_hash_map<std::string, MetricDomains> metrics_;
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_DIMENSION_DOMAINS_H_
