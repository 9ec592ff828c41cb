// A metric's privacy parameters as the catalog gives them (catalog.proto, Disclosure),
// turned into what the privacy libraries take: the primary suppression rules, the DP
// mechanism with its exact epsilon and budget, and which metrics need each
// contributor's total (not just the cell's sum) to be decided.
//
// Contributors are entities: a person, a family, an enterprise. For most registries a
// record is its entity (a person is in the returned-students registry once); an aid
// visit is not: its entity is the household visited (the first field of its natural
// key). One entity contributes once per cell: its records' measures are summed into
// one contribution, then clamped to the catalog's bounds.
//
// Stateless functions; thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_PARAMETERS_H_
#define FEDSYNC_SHARED_PRIVACY_PARAMETERS_H_

#include <gmpxx.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedsync/v1/catalog.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "shared/privacy/primary_suppression.h"
#include "shared/registry_kinds.h"

namespace fedsync {

// The primary rules of a SUPPRESSION metric: its threshold; for SUM metrics also the
// dominance and p% rules (defaults where unset) and the clamping bounds.
privacy::PrimaryRules SuppressionRulesOf(const v1::MetricDef& metric);
// kInvalidArgument naming the field when the suppression parameters are out of range.
absl::Status ValidateSuppression(const v1::MetricDef& metric);

struct DpParameters {
  v1::DpMechanism mechanism = v1::LAPLACE;
  mpq_class epsilon;  // the cost of one release: epsilon (LAPLACE) or rho (GAUSSIAN)
  mpq_class budget;   // per (metric, period)
  // What one entity can change a cell by: 1 for counts of single-record entities, else
  // magnitude_max; times the number of registries the metric counts, since one person
  // can be in each.
  int64_t sensitivity = 1;
  // How many cells of one release one entity can be in: 1 when a record is its entity;
  // for entities of several records (a household's aid visits of five kinds), every
  // cell its records can fall in apart (the product of the dimensions other than the
  // registry kind, which an entity never changes).
  int64_t cells_per_entity = 1;
  int64_t magnitude_min = 0;
  int64_t magnitude_max = 0;  // 0: no bound (counts of single-record entities only)
};

// The noise of one cell that gives the release its privacy cost: the discrete
// Laplace scale for an L1 sensitivity of sensitivity * cells_per_entity (epsilon-DP), or
// the discrete Gaussian variance for an L2 sensitivity of sensitivity *
// sqrt(cells_per_entity) (rho-zCDP).
mpq_class DpNoiseScale(const DpParameters& parameters);

// The largest noise a DP metric may draw with: its discrete Laplace scale, or its
// discrete Gaussian's standard deviation (the variance at most its square). A draw a
// thousand scales out, far below any chance, still fits kMaxCellValue (limits.h), and
// int64 by far; a larger scale would fail draws and with them every write.
inline constexpr int64_t kMaxDpNoiseScale = 1'000'000'000'000;

// kInvalidArgument naming the field when the DP parameters are missing or out of
// range: epsilon and budget positive rationals, budget >= epsilon, a positive
// magnitude_max for sums and for counts over multi-record entities, and a noise scale
// of at most kMaxDpNoiseScale (magnitude_max is named when it alone is too large at the
// privacy floor's largest epsilon, epsilon otherwise).
absl::StatusOr<DpParameters> DpParametersOf(const v1::MetricDef& metric);

// The closed list of values of one dimension of `metric`, as the aggregator writes
// them (sorted, each once).
std::vector<std::string> DimensionValues(const v1::MetricDef& metric, const v1::Dimension& dim);

// The number of cells `metric` can have in a period: the product of its dimensions'
// closed value lists (DimensionValues). DP releases every one of them (MetricDomain in
// privacy_groups.h), so the catalog refuses a DP metric of more than kMaxDpDomain.
inline constexpr int64_t kMaxDpDomain = 10000;
int64_t DomainSize(const v1::MetricDef& metric);

// Whether some registry of `metric` holds several records per entity (aid visits).
bool HasMultiRecordEntities(const v1::MetricDef& metric);
// Whether publishing `metric` needs each contributor's total per cell: SUPPRESSION and
// DP metrics that sum a magnitude or count multi-record entities, and SUPPRESSION
// metrics over several registries (one person can be in each).
bool NeedsContributions(const v1::MetricDef& metric);
// The entity a record of `kind` belongs to: "person:<resident id>" for registries keyed
// by a person's (or household's) resident id, so that one person is one contributor
// across registries; else "<registry>:<first natural-key field>". Stays in the
// district.
std::string EntityOf(const RegistryKind& kind, const google::protobuf::Message& payload);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_PARAMETERS_H_
