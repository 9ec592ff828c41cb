#include "shared/cell_key_table.h"

#include <map>
#include <memory>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "shared/status_macros.h"

namespace fedsync {

absl::StatusOr<privacy::PerturbationParameters> CellKeyParameters(
    const v1::Disclosure& disclosure) {
  privacy::PerturbationParameters parameters;
  if (disclosure.max_noise() != 0) {
    if (disclosure.max_noise() < 1 || disclosure.max_noise() > 5) {
      return absl::InvalidArgumentError("disclosure.max_noise: must be between 1 and 5");
    }
    parameters.max_noise = disclosure.max_noise();
  }
  if ((disclosure.variance_numerator() == 0) != (disclosure.variance_denominator() == 0)) {
    return absl::InvalidArgumentError(
        "disclosure.variance_numerator: set both it and variance_denominator, or neither");
  }
  if (disclosure.variance_numerator() != 0) {
    if (disclosure.variance_numerator() < 0 || disclosure.variance_denominator() < 0) {
      return absl::InvalidArgumentError("disclosure.variance_numerator: must be positive");
    }
    parameters.variance_numerator = disclosure.variance_numerator();
    parameters.variance_denominator = disclosure.variance_denominator();
  }
  if (disclosure.forbidden_up_to() != 0) {
    if (disclosure.forbidden_up_to() < 1 || disclosure.forbidden_up_to() > parameters.max_noise) {
      return absl::InvalidArgumentError(
          "disclosure.forbidden_up_to: must be between 1 and max_noise");
    }
    parameters.forbidden_up_to = disclosure.forbidden_up_to();
  }
  return parameters;
}

absl::StatusOr<const privacy::PerturbationTable*> CellKeyTable(const v1::Disclosure& disclosure) {
  ASSIGN_OR_RETURN(privacy::PerturbationParameters parameters, CellKeyParameters(disclosure));
  using Key = std::tuple<int, int64_t, int64_t, int>;
  static absl::Mutex mu(absl::kConstInit);
  static auto* tables ABSL_GUARDED_BY(mu) =
      new std::map<Key, std::unique_ptr<const privacy::PerturbationTable>>();
  const Key key{parameters.max_noise, parameters.variance_numerator,
                parameters.variance_denominator, parameters.forbidden_up_to};
  absl::MutexLock lock(&mu);
  auto it = tables->find(key);
  if (it != tables->end()) return it->second.get();
  absl::StatusOr<privacy::PerturbationTable> table = privacy::PerturbationTable::Create(parameters);
  if (!table.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "disclosure: no perturbation table for these parameters: ", table.status().message()));
  }
  auto stored = std::make_unique<const privacy::PerturbationTable>(*std::move(table));
  const privacy::PerturbationTable* raw = stored.get();
  tables->emplace(key, std::move(stored));
  return raw;
}

}  // namespace fedsync
