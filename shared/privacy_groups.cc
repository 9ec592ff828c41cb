#include "shared/privacy_groups.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "shared/aggregator.h"
#include "shared/countries.h"
#include "shared/privacy_parameters.h"
#include "shared/registry_kinds.h"

namespace fedsync {
namespace {

std::string Deterministic(const google::protobuf::Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  return bytes;
}

// What two metrics must share to count (or sum) the same records the same way, their
// filters and period type aside: a stock's year is its December and its fourth
// quarter, and an event metric's year the sum of its months.
std::string PopulationOf(const v1::MetricDef& metric) {
  std::vector<std::string> registries(metric.registries().begin(), metric.registries().end());
  std::sort(registries.begin(), registries.end());
  std::string population = absl::StrCat(absl::StrJoin(registries, ","), "|", metric.time_basis(),
                                        "|", metric.date_field(), "|", metric.measure());
  if (metric.measure() == v1::SUM) {
    absl::StrAppend(&population, "|", metric.measure_field(), "|",
                    metric.disclosure().magnitude_min(), "|", metric.disclosure().magnitude_max());
  }
  return population;
}

std::string FiltersOf(const v1::MetricDef& metric) {
  std::vector<std::string> filters;
  for (const v1::Filter& filter : metric.filters()) filters.push_back(Deterministic(filter));
  std::sort(filters.begin(), filters.end());
  return absl::StrJoin(filters, ",");
}

// What two metrics must share for one's cells to be sums of the other's.
std::string FamilyOf(const v1::MetricDef& metric) {
  return absl::StrCat(PopulationOf(metric), "|", metric.period_type(), "|", FiltersOf(metric));
}

// Dimension definitions by name.
std::map<std::string, std::string> DimensionsOf(const v1::MetricDef& metric) {
  std::map<std::string, std::string> dims;
  for (const v1::Dimension& dim : metric.dimensions()) dims[dim.name()] = Deterministic(dim);
  return dims;
}

// Whether coarse's dimensions are a strict subset of fine's, identically defined.
bool IsCoarserThan(const v1::MetricDef& coarse, const v1::MetricDef& fine) {
  const auto coarse_dims = DimensionsOf(coarse), fine_dims = DimensionsOf(fine);
  if (coarse_dims.size() >= fine_dims.size()) return false;
  for (const auto& [name, definition] : coarse_dims) {
    auto it = fine_dims.find(name);
    if (it == fine_dims.end() || it->second != definition) return false;
  }
  return true;
}

bool IsLinkable(const v1::MetricDef& metric) {
  const v1::DisclosureMethod method = metric.disclosure().method();
  return method == v1::SUPPRESSION || method == v1::NONE;
}

// Why `later` must be withheld beside `earlier` (both linkable, of one population, at
// least one SUPPRESSION), given the metrics still published; empty when links express
// every relation between them.
std::string UnlinkedReason(const v1::MetricDef& earlier, const v1::MetricDef& later,
                           const std::vector<const v1::MetricDef*>& published) {
  const std::string other = absl::StrCat("metric '", earlier.id(), "'");
  if (earlier.period_type() != later.period_type()) {
    return absl::StrCat("counts the records of ", other, " by another period type");
  }
  if (FiltersOf(earlier) != FiltersOf(later)) {
    return absl::StrCat("counts the records of ", other, " under other filters");
  }
  const auto earlier_dims = DimensionsOf(earlier), later_dims = DimensionsOf(later);
  for (const v1::Dimension& a : earlier.dimensions()) {
    for (const v1::Dimension& b : later.dimensions()) {
      if (a.field() == b.field() && Deterministic(a) != Deterministic(b)) {
        return absl::StrCat("bins field '", a.field(), "' otherwise than ", other);
      }
    }
  }
  if (earlier_dims == later_dims) return absl::StrCat("is the same table as ", other);
  if (IsCoarserThan(earlier, later) || IsCoarserThan(later, earlier)) return "";
  std::map<std::string, std::string> common;
  for (const auto& [name, definition] : earlier_dims) {
    auto it = later_dims.find(name);
    if (it != later_dims.end() && it->second == definition) common[name] = definition;
  }
  for (const v1::MetricDef* metric : published) {
    if (FamilyOf(*metric) == FamilyOf(later) && DimensionsOf(*metric) == common) return "";
  }
  std::vector<std::string> names;
  for (const auto& [name, definition] : common) names.push_back(name);
  return absl::StrCat("shares a margin with ", other, " that no metric publishes (a metric ",
                      names.empty() ? "with no dimension, the total"
                                    : absl::StrCat("by ", absl::StrJoin(names, ", ")),
                      ", would link them)");
}

}  // namespace

std::map<std::string, std::string> UnlinkedMetrics(const v1::Catalog& catalog) {
  std::vector<const v1::MetricDef*> published;
  for (const v1::MetricDef& metric : catalog.metrics()) {
    if (IsLinkable(metric)) published.push_back(&metric);
  }
  // Withholding one metric can leave two others without their common margin: until no
  // pair is left unlinked, withhold the later of the first such pair.
  std::map<std::string, std::string> withheld;
  bool found = true;
  while (found) {
    found = false;
    for (size_t i = 0; i < published.size() && !found; ++i) {
      for (size_t j = i + 1; j < published.size() && !found; ++j) {
        const v1::MetricDef& earlier = *published[i];
        const v1::MetricDef& later = *published[j];
        if (PopulationOf(earlier) != PopulationOf(later)) continue;
        if (earlier.disclosure().method() != v1::SUPPRESSION &&
            later.disclosure().method() != v1::SUPPRESSION) {
          continue;  // exact numbers beside exact numbers hide nothing
        }
        std::string reason = UnlinkedReason(earlier, later, published);
        if (reason.empty()) continue;
        withheld[later.id()] = std::move(reason);
        published.erase(published.begin() + static_cast<std::ptrdiff_t>(j));
        found = true;
      }
    }
  }
  return withheld;
}

absl::Status CheckSuppressionLinks(const v1::Catalog& catalog) {
  const std::map<std::string, std::string> withheld = UnlinkedMetrics(catalog);
  if (withheld.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "metric '", withheld.begin()->first, "' ", withheld.begin()->second,
      "; districts would withhold it, since the suppression audit cannot see that relation"));
}

PublicationPlan::PublicationPlan(const Catalog& catalog) {
  const std::map<std::string, std::string> unlinked = UnlinkedMetrics(catalog.proto());
  std::map<std::string, std::vector<const v1::MetricDef*>> families;
  std::vector<std::string> family_order;
  for (const v1::MetricDef& metric : catalog.proto().metrics()) {
    if (!IsLinkable(metric) || unlinked.count(metric.id()) > 0) continue;
    const std::string family = FamilyOf(metric);
    if (families.count(family) == 0) family_order.push_back(family);
    families[family].push_back(&metric);
  }
  std::set<std::string> linked;
  for (const std::string& family : family_order) {
    const std::vector<const v1::MetricDef*>& metrics = families[family];
    bool suppressed = false;
    for (const v1::MetricDef* metric : metrics) {
      suppressed |= metric->disclosure().method() == v1::SUPPRESSION;
    }
    if (!suppressed) continue;
    PublicationUnit unit;
    unit.id = metrics.front()->id();
    unit.kind = UnitKind::kLinked;
    unit.metrics = metrics;
    for (int coarse = 0; coarse < static_cast<int>(metrics.size()); ++coarse) {
      for (int fine = 0; fine < static_cast<int>(metrics.size()); ++fine) {
        if (IsCoarserThan(*metrics[coarse], *metrics[fine])) unit.links.push_back({coarse, fine});
      }
    }
    for (const v1::MetricDef* metric : metrics) {
      linked.insert(metric->id());
      unit_of_metric_[metric->id()] = static_cast<int>(units_.size());
    }
    units_.push_back(std::move(unit));
  }
  for (const v1::MetricDef& metric : catalog.proto().metrics()) {
    if (linked.count(metric.id()) > 0) continue;
    PublicationUnit unit;
    unit.id = metric.id();
    unit.kind = metric.disclosure().method() == v1::DP ? UnitKind::kDp : UnitKind::kPerCell;
    if (auto it = unlinked.find(metric.id()); it != unlinked.end()) {
      unit.kind = UnitKind::kWithheld;
      unit.reason = it->second;
    }
    unit.metrics = {&metric};
    unit_of_metric_[metric.id()] = static_cast<int>(units_.size());
    units_.push_back(std::move(unit));
  }
}

const PublicationUnit* PublicationPlan::UnitOf(const std::string& metric) const {
  auto it = unit_of_metric_.find(metric);
  return it == unit_of_metric_.end() ? nullptr : &units_[it->second];
}

absl::StatusOr<std::vector<std::string>> MetricDomain(const v1::MetricDef& metric) {
  if (DomainSize(metric) > kMaxDpDomain) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric '", metric.id(), "' has too many cells to release them all"));
  }
  std::vector<std::map<std::string, std::string>> cells = {{}};
  for (const v1::Dimension& dim : metric.dimensions()) {
    const std::vector<std::string> values = DimensionValues(metric, dim);
    std::vector<std::map<std::string, std::string>> next;
    for (const auto& cell : cells) {
      for (const std::string& value : values) {
        next.push_back(cell);
        next.back()[dim.name()] = value;
      }
    }
    cells = std::move(next);
  }
  std::vector<std::string> domain;
  domain.reserve(cells.size());
  for (const auto& cell : cells) domain.push_back(CanonicalDims(cell));
  std::sort(domain.begin(), domain.end());
  return domain;
}

std::string ProjectDims(const std::string& dims, const std::vector<std::string>& names) {
  if (dims.empty() || names.empty()) return "";
  std::vector<absl::string_view> kept;
  for (absl::string_view pair : absl::StrSplit(dims, ';')) {
    const absl::string_view key = pair.substr(0, pair.find('='));
    if (std::find(names.begin(), names.end(), key) != names.end()) kept.push_back(pair);
  }
  return absl::StrJoin(kept, ";");
}

}  // namespace fedsync
