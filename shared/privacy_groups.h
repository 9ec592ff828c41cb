// Publication units: the sets of cells the privacy filter must decide together.
//
// Suppression is table-wide. A reader can add up published cells: a table's cells sum
// to its marginals and totals, and any other published metric whose cells are sums of
// its cells gives more equations. Metrics are additive over each other when they count
// or sum the same records the same way — the same registries, filters, time basis
// (and date field), period type, measure (and clamping bounds) — and the coarser
// one's dimensions are a subset of the finer one's, with identical definitions; then
// each coarse cell is the sum of the fine cells that agree with it on its dimensions.
// Such metrics form one family; a family's SUPPRESSION (and NONE) metrics, in one
// period, are one linked unit: decided together, primary and secondary suppression
// and the audit over all their cells at once.
//
// CELL_KEY and NONE metrics outside such a family are decided cell by cell; a DP metric
// is decided per (metric, period), the unit of its ledger (privacy_ledger.h).
//
// Withheld: a SUPPRESSION metric with an additive relation to another suppressed (or
// NONE) metric that links do not express is never published, so that a reader cannot
// use the relation the audit did not see. Over the same records (the family without
// its filters and period type), that is a metric by another period type (a stock's
// year is its December; an event's year the sum of its months) or under other filters
// (a filtered count is a sum of a finer table's cells); in one family, a field binned
// two ways, the same table twice, and two tables, neither finer than the other, whose
// common margin (the metric by the dimensions they share, the total when none) is not
// a metric: by region and by degree both sum to the total. Of such a pair the later in
// the catalog is withheld, and the top of the tree refuses the catalog
// (CheckSuppressionLinks).
//
// Not linked (a documented limit): three or more tables, pairwise neither finer, that
// form a cycle of shared dimensions (by region and degree, degree and gender, gender
// and region: their common hidden table is not in the audit); and noisy (CELL_KEY, DP)
// metrics in a family with suppressed ones — keep such metrics in families of their
// own.
//
// Immutable after construction; thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_GROUPS_H_
#define FEDSYNC_SHARED_PRIVACY_GROUPS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "shared/catalog.h"

namespace fedsync {

enum class UnitKind {
  kPerCell,   // CELL_KEY, or NONE outside a suppressed family: FilterCell per cell
  kLinked,    // SUPPRESSION (with NONE metrics of the same family): decided together
  kDp,        // DP: per (metric, period) through the ledger
  kWithheld,  // related to another in a way links do not express: never published
};

// Each cell of metric `coarse` is the sum of the cells of metric `fine` that agree with
// it on coarse's dimensions.
struct MetricLink {
  int coarse = 0;  // indices into PublicationUnit::metrics
  int fine = 0;
};

struct PublicationUnit {
  std::string id;      // for logs: the family's first metric id
  std::string reason;  // kWithheld: why, naming the other metric
  UnitKind kind = UnitKind::kPerCell;
  std::vector<const v1::MetricDef*> metrics;
  std::vector<MetricLink> links;
};

class PublicationPlan {
 public:
  // `catalog` must outlive the plan.
  explicit PublicationPlan(const Catalog& catalog);

  // The unit of `metric`; nullptr when the catalog has no such metric.
  const PublicationUnit* UnitOf(const std::string& metric) const;
  const std::vector<PublicationUnit>& units() const { return units_; }

 private:
  std::vector<PublicationUnit> units_;
  std::map<std::string, int> unit_of_metric_;
};

// The SUPPRESSION metrics of `catalog` the plan withholds, by id, each with the reason
// (naming the metric it relates to).
std::map<std::string, std::string> UnlinkedMetrics(const v1::Catalog& catalog);

// kInvalidArgument naming the first metric the plan would withhold, so that a push at
// the top of the tree is refused instead of published in part below.
absl::Status CheckSuppressionLinks(const v1::Catalog& catalog);

// Every cell `metric` can have in a period: the product of its dimensions' closed
// category lists (enum values, world regions, mapped categories and "other", bands),
// as canonical dimension texts, sorted. DP releases a noisy value for each, zeros
// included, so that whether anyone is in a cell is as protected as how many.
// kInvalidArgument for more than kMaxDpDomain cells (privacy_parameters.h).
absl::StatusOr<std::vector<std::string>> MetricDomain(const v1::MetricDef& metric);

// The dimension text of `dims` (canonical, cell.h) kept to the names in `names`.
std::string ProjectDims(const std::string& dims, const std::vector<std::string>& names);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_GROUPS_H_
