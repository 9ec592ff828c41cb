#include "shared/privacy_parameters.h"

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "shared/aggregator.h"
#include "shared/countries.h"
#include "shared/privacy/exact_sampler.h"
#include "shared/privacy/rational.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

absl::Status FieldError(const v1::MetricDef& metric, absl::string_view field,
                        absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("catalog metric '", metric.id(),
                                                 "' field 'disclosure.", field, "': ", reason));
}

// The clamping bounds; an unset upper bound is "none" (a quarter of int64's range keeps
// sums of a few clamped totals exact in 128 bits and far from overflow in 64).
void Bounds(const v1::Disclosure& disclosure, int64_t* lower, int64_t* upper) {
  *lower = disclosure.magnitude_min();
  *upper = disclosure.magnitude_max() > 0 ? disclosure.magnitude_max()
                                          : std::numeric_limits<int64_t>::max() / 4;
}

// kInvalidArgument unless the noise of `parameters` is within kMaxDpNoiseScale. The
// scale at the largest epsilon the privacy floor lets a release cost (1, or rho 1/2)
// depends on magnitude_max alone; past the bound there, no epsilon helps.
absl::Status CheckNoiseScale(const v1::MetricDef& metric, const DpParameters& parameters) {
  const bool gaussian = parameters.mechanism == v1::GAUSSIAN;
  const mpq_class bound = gaussian ? mpq_class(mpz_class(kMaxDpNoiseScale) * kMaxDpNoiseScale)
                                   : mpq_class(mpz_class(kMaxDpNoiseScale));
  DpParameters at_floor = parameters;
  at_floor.epsilon = gaussian ? mpq_class(1, 2) : mpq_class(1);
  const char* what = gaussian ? "variance" : "scale";
  if (DpNoiseScale(at_floor) > bound) {
    return FieldError(metric, "magnitude_max",
                      absl::StrCat("too large: DP noise of this bound would exceed ",
                                   kMaxDpNoiseScale, " (the noise ", what,
                                   " is magnitude_max / epsilon times the cells an entity is in)"));
  }
  if (DpNoiseScale(parameters) > bound) {
    return FieldError(
        metric, "epsilon",
        absl::StrCat("too small: the DP noise would exceed ", kMaxDpNoiseScale, " (its ", what,
                     " is ", privacy::FormatRational(DpNoiseScale(parameters)), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

privacy::PrimaryRules SuppressionRulesOf(const v1::MetricDef& metric) {
  const v1::Disclosure& disclosure = metric.disclosure();
  privacy::PrimaryRules rules;
  rules.threshold = disclosure.threshold();
  const bool sum = metric.measure() == v1::SUM;
  rules.dominance = sum && disclosure.dominance_n() >= 0 && disclosure.dominance_k() >= 0;
  if (disclosure.dominance_n() > 0) rules.dominance_n = disclosure.dominance_n();
  if (disclosure.dominance_k() > 0) rules.dominance_k = disclosure.dominance_k();
  rules.p_percent = sum && disclosure.p_percent() >= 0;
  if (disclosure.p_percent() > 0) rules.p = disclosure.p_percent();
  Bounds(disclosure, &rules.magnitude_lower, &rules.magnitude_upper);
  return rules;
}

absl::Status ValidateSuppression(const v1::MetricDef& metric) {
  const v1::Disclosure& disclosure = metric.disclosure();
  if (disclosure.threshold() < 1) return FieldError(metric, "threshold", "must be at least 1");
  if (disclosure.dominance_k() > 100) {
    return FieldError(metric, "dominance_k", "is a percentage, at most 100");
  }
  if (disclosure.p_percent() > 100) {
    return FieldError(metric, "p_percent", "is a percentage, at most 100");
  }
  if (disclosure.magnitude_min() < 0) {
    return FieldError(metric, "magnitude_min", "magnitudes are not negative");
  }
  if (disclosure.magnitude_max() != 0 && disclosure.magnitude_max() < disclosure.magnitude_min()) {
    return FieldError(metric, "magnitude_max", "is below magnitude_min");
  }
  return absl::OkStatus();
}

absl::StatusOr<DpParameters> DpParametersOf(const v1::MetricDef& metric) {
  const v1::Disclosure& disclosure = metric.disclosure();
  DpParameters parameters;
  parameters.mechanism =
      disclosure.dp_mechanism() == v1::GAUSSIAN ? v1::GAUSSIAN : v1::LAPLACE;
  absl::StatusOr<mpq_class> epsilon = privacy::ParseRational(disclosure.epsilon());
  if (!epsilon.ok() || *epsilon <= 0) {
    return FieldError(metric, "epsilon", "DP needs a positive rational, e.g. \"1/2\"");
  }
  absl::StatusOr<mpq_class> budget = privacy::ParseRational(disclosure.budget());
  if (!budget.ok() || *budget < *epsilon) {
    return FieldError(metric, "budget", "DP needs a rational budget of at least epsilon");
  }
  parameters.epsilon = *epsilon;
  parameters.budget = *budget;
  if (disclosure.magnitude_min() < 0 || disclosure.magnitude_max() < 0 ||
      (disclosure.magnitude_max() != 0 && disclosure.magnitude_max() < disclosure.magnitude_min())) {
    return FieldError(metric, "magnitude_max", "bounds need 0 <= magnitude_min <= magnitude_max");
  }
  parameters.magnitude_min = disclosure.magnitude_min();
  parameters.magnitude_max = disclosure.magnitude_max();
  if (metric.measure() == v1::SUM || HasMultiRecordEntities(metric)) {
    if (disclosure.magnitude_max() <= 0) {
      return FieldError(metric, "magnitude_max",
                        "DP of a sum, or of a count where one entity has several records, "
                        "needs the bound of one entity's contribution");
    }
    // Past the noise bound at any epsilon the floor allows (CheckNoiseScale), and
    // refused before the product below could overflow.
    if (disclosure.magnitude_max() > kMaxDpNoiseScale) {
      return FieldError(
          metric, "magnitude_max",
          absl::StrCat("too large: DP noise of this bound would exceed ", kMaxDpNoiseScale));
    }
    parameters.sensitivity = disclosure.magnitude_max();
  }
  // One person can be in each registry the metric counts (a study certificate and an
  // identity certification), and each of those records moves the release.
  parameters.sensitivity *= std::max(metric.registries_size(), 1);
  if (HasMultiRecordEntities(metric)) {
    for (const v1::Dimension& dim : metric.dimensions()) {
      if (dim.field() == "kind") continue;
      parameters.cells_per_entity *=
          std::max<int64_t>(static_cast<int64_t>(DimensionValues(metric, dim).size()), 1);
      if (parameters.cells_per_entity > kMaxDpDomain) break;  // refused below
    }
  }
  if (DomainSize(metric) > kMaxDpDomain) {
    return FieldError(metric, "method",
                      absl::StrCat("DP releases every cell of the metric's dimensions; more "
                                   "than ", kMaxDpDomain, " is too many"));
  }
  RETURN_IF_ERROR(CheckNoiseScale(metric, parameters));
  return parameters;
}

mpq_class DpNoiseScale(const DpParameters& parameters) {
  if (parameters.mechanism == v1::GAUSSIAN) {
    return privacy::GaussianVarianceFor(parameters.sensitivity, parameters.epsilon) *
           parameters.cells_per_entity;
  }
  return privacy::LaplaceScaleFor(parameters.sensitivity, parameters.epsilon) *
         parameters.cells_per_entity;
}

std::vector<std::string> DimensionValues(const v1::MetricDef& metric, const v1::Dimension& dim) {
  std::vector<std::string> values;
  switch (dim.binning()) {
    case v1::ENUM_NAME:
      // Every value of the field's enum in each registry, and the unset one (0) for a
      // field that may be left unset, which is counted under it; a key field never is.
      for (const std::string& registry : metric.registries()) {
        const RegistryKind* kind = FindRegistryKind(registry);
        const google::protobuf::FieldDescriptor* field =
            kind == nullptr ? nullptr : kind->descriptor->FindFieldByName(dim.field());
        if (field == nullptr || field->enum_type() == nullptr) continue;
        const bool key = std::find(kind->key_fields.begin(), kind->key_fields.end(), dim.field()) !=
                         kind->key_fields.end();
        const google::protobuf::EnumDescriptor* type = field->enum_type();
        for (int i = 0; i < type->value_count(); ++i) {
          if (key && type->value(i)->number() == 0) continue;
          values.push_back(absl::AsciiStrToLower(type->value(i)->name()));
        }
      }
      break;
    case v1::COUNTRY_TO_REGION:
      values = WorldRegions();
      break;
    case v1::CATEGORY_MAP:
      for (const auto& [raw, category] : dim.categories()) values.push_back(category);
      // A raw value without a category becomes "other"; for the registry kind only
      // when one of the metric's registries has none.
      if (dim.field() != "kind" ||
          std::any_of(metric.registries().begin(), metric.registries().end(),
                      [&](const std::string& registry) {
                        return dim.categories().count(registry) == 0;
                      })) {
        values.push_back("other");
      }
      break;
    case v1::NUMERIC_BANDS: {
      const auto& bounds = dim.band_bounds();
      // The band below the first bound; none is below int64's least (catalog.cc refuses
      // it as a bound, and the subtraction would overflow).
      if (bounds.empty() || bounds[0] > std::numeric_limits<int64_t>::min()) {
        values.push_back(NumericBand(dim, bounds.empty() ? 0 : bounds[0] - 1));
      }
      for (int64_t bound : bounds) values.push_back(NumericBand(dim, bound));
      break;
    }
    default:
      break;
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

int64_t DomainSize(const v1::MetricDef& metric) {
  int64_t size = 1;
  for (const v1::Dimension& dim : metric.dimensions()) {
    size *= std::max<int64_t>(static_cast<int64_t>(DimensionValues(metric, dim).size()), 1);
    if (size > kMaxDpDomain) return size;  // large enough to refuse; no overflow
  }
  return size;
}

bool HasMultiRecordEntities(const v1::MetricDef& metric) {
  for (const std::string& registry : metric.registries()) {
    const RegistryKind* kind = FindRegistryKind(registry);
    if (kind != nullptr && kind->key_fields.size() > 1) return true;
  }
  return false;
}

bool NeedsContributions(const v1::MetricDef& metric) {
  const v1::DisclosureMethod method = metric.disclosure().method();
  if (method != v1::SUPPRESSION && method != v1::DP) return false;
  // Over several registries one person can have a record in each: the threshold counts
  // persons. (DP covers that in its sensitivity instead: DpParametersOf.)
  if (method == v1::SUPPRESSION && metric.registries_size() > 1) return true;
  return metric.measure() == v1::SUM || HasMultiRecordEntities(metric);
}

std::string EntityOf(const RegistryKind& kind, const google::protobuf::Message& payload) {
  if (kind.key_fields.empty()) return kind.name;
  const std::string& field = kind.key_fields[0];
  // A person is one entity in every registry that names them by resident id.
  if (field == "resident_id" || field == "household_resident_id") {
    return absl::StrCat("person:", FieldText(payload, field));
  }
  return absl::StrCat(kind.name, ":", FieldText(payload, field));
}

}  // namespace fedsync
