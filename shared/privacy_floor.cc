#include "shared/privacy_floor.h"

#include <gmpxx.h>

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "shared/cell_key_table.h"
#include "shared/privacy/perturbation_table.h"
#include "shared/privacy/primary_suppression.h"
#include "shared/privacy/rational.h"
#include "shared/registry_kinds.h"

namespace fedsync {
namespace {

// A count of issued documents by kind: the one shape NONE may keep. A filter narrows a
// count as a dimension splits it, so the only one allowed is on the decision itself
// (approved, refused), which says nothing of the person.
bool IsAdministrativeCount(const v1::MetricDef& metric) {
  if (metric.measure() == v1::SUM) return false;
  for (const std::string& registry : metric.registries()) {
    const RegistryKind* kind = FindRegistryKind(registry);
    if (kind == nullptr || !kind->issued_documents) return false;
  }
  for (const v1::Dimension& dim : metric.dimensions()) {
    if (dim.field() != "kind") return false;
  }
  for (const v1::Filter& filter : metric.filters()) {
    if (filter.field() != "outcome") return false;
  }
  return true;
}

// How many DP metrics count each registry: they share the registry's DP budget.
std::map<std::string, int> DpMetricsPerRegistry(const v1::Catalog& catalog) {
  std::map<std::string, int> count;
  for (const v1::MetricDef& metric : catalog.metrics()) {
    if (metric.disclosure().method() != v1::DP) continue;
    for (const std::string& registry : metric.registries()) ++count[registry];
  }
  return count;
}

class Raiser {
 public:
  Raiser(v1::MetricDef* metric, std::vector<std::string>* raised)
      : metric_(metric), raised_(raised) {}

  void Note(absl::string_view what) {
    raised_->push_back(absl::StrCat("metric '", metric_->id(), "': ", what));
  }

  // Raises an integer parameter that a larger value makes stricter.
  void AtLeast(absl::string_view name, int32_t value, int32_t least,
               void (v1::Disclosure::*set)(int32_t)) {
    if (value >= least) return;
    (metric_->mutable_disclosure()->*set)(least);
    Note(absl::StrCat(name, " ", value, " raised to ", least));
  }

  // Lowers a rational parameter that a smaller value makes stricter.
  void AtMost(absl::string_view name, const std::string& text, const mpq_class& most,
              void (v1::Disclosure::*set)(const std::string&)) {
    absl::StatusOr<mpq_class> value = privacy::ParseRational(text);
    if (value.ok() && *value <= most) return;
    const std::string capped = privacy::FormatRational(most);
    (metric_->mutable_disclosure()->*set)(capped);
    Note(absl::StrCat(name, " ", text, " lowered to ", capped));
  }

 private:
  v1::MetricDef* metric_;
  std::vector<std::string>* raised_;
};

// CELL_KEY: a table at least as strong as the default one (D = 2, V = 21/20): a smaller
// largest noise or variance publishes counts near-exactly, and a change of one record
// exactly. Each weaker parameter is raised to the default; should no table meet the
// result (js is kept), the default table is used.
void RaiseCellKeyTable(v1::MetricDef* metric, Raiser* raiser) {
  v1::Disclosure* disclosure = metric->mutable_disclosure();
  const privacy::PerturbationParameters defaults;
  bool changed = false;
  if (disclosure->max_noise() != 0 && disclosure->max_noise() < defaults.max_noise) {
    raiser->Note(
        absl::StrCat("max_noise ", disclosure->max_noise(), " raised to ", defaults.max_noise));
    disclosure->set_max_noise(defaults.max_noise);
    changed = true;
  }
  if (disclosure->variance_denominator() > 0 &&
      mpq_class(mpz_class(disclosure->variance_numerator()),
                mpz_class(disclosure->variance_denominator())) <
          mpq_class(mpz_class(defaults.variance_numerator),
                    mpz_class(defaults.variance_denominator))) {
    raiser->Note(absl::StrCat("variance ", disclosure->variance_numerator(), "/",
                              disclosure->variance_denominator(), " raised to ",
                              defaults.variance_numerator, "/", defaults.variance_denominator));
    disclosure->set_variance_numerator(defaults.variance_numerator);
    disclosure->set_variance_denominator(defaults.variance_denominator);
    changed = true;
  }
  // A valid catalog's table exists; only raised parameters may have none.
  if (changed && !CellKeyTable(*disclosure).ok()) {
    raiser->Note("no perturbation table for the raised parameters: the default table");
    disclosure->clear_max_noise();
    disclosure->clear_variance_numerator();
    disclosure->clear_variance_denominator();
    disclosure->clear_forbidden_up_to();
  }
}

// `sharing`: how many DP metrics share the budget of this metric's registries (its
// most shared registry's count).
void RaiseMetric(const PrivacyFloor& floor, int sharing, v1::MetricDef* metric,
                 std::vector<std::string>* raised) {
  Raiser raiser(metric, raised);
  v1::Disclosure* disclosure = metric->mutable_disclosure();
  if (disclosure->method() == v1::NONE && !IsAdministrativeCount(*metric)) {
    disclosure->Clear();
    disclosure->set_method(v1::SUPPRESSION);
    disclosure->set_threshold(floor.min_threshold);
    metric->clear_about_persons();
    raiser.Note(
        absl::StrCat("NONE is only for counts of issued certificates by kind; run as "
                     "SUPPRESSION with threshold ",
                     floor.min_threshold));
    return;
  }
  if (disclosure->method() == v1::SUPPRESSION) {
    raiser.AtLeast("threshold", disclosure->threshold(), floor.min_threshold,
                   &v1::Disclosure::set_threshold);
    if (metric->measure() == v1::SUM) {
      // 0 is the rule's default; a negative value would switch the rule off.
      const privacy::PrimaryRules defaults;
      if (disclosure->dominance_n() != 0) {
        raiser.AtLeast("dominance_n", disclosure->dominance_n(), defaults.dominance_n,
                       &v1::Disclosure::set_dominance_n);
      }
      if (disclosure->dominance_k() < 0 || disclosure->dominance_k() > defaults.dominance_k) {
        disclosure->set_dominance_k(defaults.dominance_k);
        raiser.Note(absl::StrCat("dominance_k set to ", defaults.dominance_k, "%"));
      }
      if (disclosure->p_percent() != 0) {
        raiser.AtLeast("p_percent", disclosure->p_percent(), defaults.p,
                       &v1::Disclosure::set_p_percent);
      }
    }
  }
  if (disclosure->method() == v1::CELL_KEY) RaiseCellKeyTable(metric, &raiser);
  if (disclosure->method() == v1::DP) {
    // Discrete Gaussian's rho = epsilon^2 / 2 at the same noise scale. Copies of a DP
    // metric would each draw noise of the same numbers, which averages away: a
    // registry's DP metrics share its four releases between them.
    const mpq_class unit = 1 / DpReleaseUnits(disclosure->dp_mechanism(), mpq_class(1));
    const mpq_class budget = kDpReleasesPerRegistryPeriod * unit / std::max(sharing, 1);
    raiser.AtMost("epsilon", disclosure->epsilon(), std::min<mpq_class>(unit, budget),
                  &v1::Disclosure::set_epsilon);
    raiser.AtMost("budget", disclosure->budget(), budget, &v1::Disclosure::set_budget);
  }
}

}  // namespace

mpq_class DpReleaseUnits(v1::DpMechanism mechanism, const mpq_class& epsilon) {
  return mechanism == v1::GAUSSIAN ? mpq_class(2 * epsilon) : epsilon;
}

v1::Catalog RaiseToPrivacyFloor(const v1::Catalog& catalog, const PrivacyFloor& floor,
                                std::vector<std::string>* raised) {
  v1::Catalog result = catalog;
  const std::map<std::string, int> dp_metrics = DpMetricsPerRegistry(catalog);
  for (v1::MetricDef& metric : *result.mutable_metrics()) {
    int sharing = 1;
    for (const std::string& registry : metric.registries()) {
      auto it = dp_metrics.find(registry);
      if (it != dp_metrics.end()) sharing = std::max(sharing, it->second);
    }
    RaiseMetric(floor, sharing, &metric, raised);
  }
  return result;
}

absl::Status CheckPrivacyFloor(const v1::Catalog& catalog) {
  std::vector<std::string> raised;
  RaiseToPrivacyFloor(catalog, PrivacyFloor(), &raised);
  if (raised.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("catalog below the districts' privacy floor (", raised.front(),
                   raised.size() > 1 ? absl::StrCat("; and ", raised.size() - 1, " more") : "",
                   "); districts would run it stricter than it reads"));
}

}  // namespace fedsync
