#include "shared/privacy/perturbation_table.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace fedsync {
namespace privacy {
namespace {

constexpr int kMaxNoiseLimit = 5;  // 2^(2D+1) supports are tried per row

// A distribution over `noises`: probabilities[j] belongs to noises[j].
struct Candidate {
  std::vector<int> noises;
  std::vector<mpq_class> probabilities;
};

// Solves the square system `matrix` x = `rhs` exactly; free variables of a singular but
// consistent system are set to 0. nullopt when inconsistent.
std::optional<std::vector<mpq_class>> SolveExactly(std::vector<std::vector<mpq_class>> matrix,
                                                   std::vector<mpq_class> rhs) {
  const size_t n = rhs.size();
  std::vector<int> pivot_column_of_row;
  size_t row = 0;
  for (size_t column = 0; column < n && row < n; ++column) {
    size_t pivot = row;
    while (pivot < n && matrix[pivot][column] == 0) ++pivot;
    if (pivot == n) continue;
    std::swap(matrix[pivot], matrix[row]);
    std::swap(rhs[pivot], rhs[row]);
    for (size_t other = 0; other < n; ++other) {
      if (other == row || matrix[other][column] == 0) continue;
      const mpq_class factor = matrix[other][column] / matrix[row][column];
      for (size_t k = column; k < n; ++k) matrix[other][k] -= factor * matrix[row][k];
      rhs[other] -= factor * rhs[row];
    }
    pivot_column_of_row.push_back(static_cast<int>(column));
    ++row;
  }
  for (size_t r = row; r < n; ++r) {
    if (rhs[r] != 0) return std::nullopt;  // 0 = nonzero: inconsistent
  }
  std::vector<mpq_class> solution(n, 0);
  for (size_t r = 0; r < row; ++r) {
    const int column = pivot_column_of_row[r];
    solution[column] = rhs[r] / matrix[r][column];
  }
  return solution;
}

// The distribution on exactly the support `noises` that minimises sum(p^2) subject to
// the first `constraint_count` of: sum p = 1, sum p v = 0, sum p v^2 = variance. It is
// p = A^T mu with (A A^T) mu = b (the minimum-norm solution of A p = b). nullopt when the
// constraints cannot hold on this support or some p would be negative.
std::optional<Candidate> MinimumNormOn(const std::vector<int>& noises, int constraint_count,
                                       const mpq_class& variance) {
  const std::vector<mpq_class> targets = {1, 0, variance};
  auto power = [](int v, int exponent) {
    mpq_class result = 1;
    for (int i = 0; i < exponent; ++i) result *= v;
    return result;
  };
  std::vector<std::vector<mpq_class>> gram(constraint_count,
                                           std::vector<mpq_class>(constraint_count, 0));
  for (int a = 0; a < constraint_count; ++a) {
    for (int b = 0; b < constraint_count; ++b) {
      for (int v : noises) gram[a][b] += power(v, a + b);
    }
  }
  auto mu = SolveExactly(
      gram, std::vector<mpq_class>(targets.begin(), targets.begin() + constraint_count));
  if (!mu.has_value()) return std::nullopt;
  Candidate candidate{noises, {}};
  for (int v : noises) {
    mpq_class p = 0;
    for (int a = 0; a < constraint_count; ++a) p += (*mu)[a] * power(v, a);
    if (p < 0) return std::nullopt;
    candidate.probabilities.push_back(p);
  }
  // The Gram system being solvable implies A p = b; checked anyway, as the row's
  // guarantees rest on it.
  for (int a = 0; a < constraint_count; ++a) {
    mpq_class moment = 0;
    for (size_t j = 0; j < noises.size(); ++j) {
      moment += candidate.probabilities[j] * power(noises[j], a);
    }
    if (moment != targets[a]) return std::nullopt;
  }
  return candidate;
}

// The minimum-sum(p^2) distribution over subsets of `allowed` meeting the first
// `constraint_count` constraints with p >= 0. The optimum of this strictly convex problem
// is the unconstrained-sign optimum on its own support, so it is among the candidates.
std::optional<Candidate> FlattestRow(const std::vector<int>& allowed, int constraint_count,
                                     const mpq_class& variance) {
  std::optional<Candidate> best;
  mpq_class best_norm;
  const uint32_t subsets = uint32_t{1} << allowed.size();
  for (uint32_t mask = 1; mask < subsets; ++mask) {
    std::vector<int> support;
    for (size_t j = 0; j < allowed.size(); ++j) {
      if (mask & (uint32_t{1} << j)) support.push_back(allowed[j]);
    }
    auto candidate = MinimumNormOn(support, constraint_count, variance);
    if (!candidate.has_value()) continue;
    mpq_class norm = 0;
    for (const mpq_class& p : candidate->probabilities) norm += p * p;
    if (!best.has_value() || norm < best_norm) {
      best = std::move(candidate);
      best_norm = norm;
    }
  }
  return best;
}

// Fills the outcomes (zero probabilities dropped) and their integer thresholds.
void SetOutcomes(const Candidate& candidate, PerturbationRow* row) {
  const mpz_class scale = mpz_class(1) << kKeyBits;
  mpq_class cumulative = 0;
  for (size_t j = 0; j < candidate.noises.size(); ++j) {
    if (candidate.probabilities[j] == 0) continue;
    cumulative += candidate.probabilities[j];
    const mpz_class numerator = cumulative.get_num() * scale;
    mpz_class threshold;
    mpz_fdiv_q(threshold.get_mpz_t(), numerator.get_mpz_t(), cumulative.get_den_mpz_t());
    PerturbationOutcome outcome;
    outcome.noise = candidate.noises[j];
    outcome.probability = candidate.probabilities[j];
    outcome.threshold = static_cast<uint64_t>(threshold.get_ui());
    row->outcomes.push_back(std::move(outcome));
  }
}

}  // namespace

absl::StatusOr<PerturbationTable> PerturbationTable::Create(
    const PerturbationParameters& parameters) {
  const int d = parameters.max_noise;
  const int js = parameters.forbidden_up_to;
  if (d < 1 || d > kMaxNoiseLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("perturbation max_noise ", d, " is outside 1..", kMaxNoiseLimit));
  }
  if (js < 0 || js > d) {
    return absl::InvalidArgumentError(
        absl::StrCat("perturbation forbidden_up_to ", js, " is outside 0..", d));
  }
  if (parameters.variance_numerator <= 0 || parameters.variance_denominator <= 0) {
    return absl::InvalidArgumentError("perturbation variance must be a positive rational");
  }
  mpq_class variance(mpz_class(std::to_string(parameters.variance_numerator)),
                     mpz_class(std::to_string(parameters.variance_denominator)));
  variance.canonicalize();

  std::vector<PerturbationRow> rows;
  const int64_t first_full_row = d + js + 1;
  for (int64_t value = 0; value <= first_full_row; ++value) {
    PerturbationRow row;
    row.value = value;
    if (value == 0) {
      // An empty cell stays empty.
      row.mean_zero = true;
      row.variance_exact = false;
      SetOutcomes(Candidate{{0}, {mpq_class(1)}}, &row);
      rows.push_back(std::move(row));
      continue;
    }
    std::vector<int> allowed;
    for (int v = -d; v <= d; ++v) {
      const int64_t published = value + v;
      if (published < 0 || (published >= 1 && published <= js)) continue;
      allowed.push_back(v);
    }
    std::optional<Candidate> candidate;
    for (int constraints = 3; constraints >= 1 && !candidate.has_value(); --constraints) {
      candidate = FlattestRow(allowed, constraints, variance);
      if (candidate.has_value()) {
        row.mean_zero = constraints >= 2;
        row.variance_exact = constraints >= 3;
      }
    }
    // The sum constraint alone always holds on a non-empty support.
    if (!candidate.has_value() || (value == first_full_row && !row.variance_exact)) {
      return absl::InvalidArgumentError(
          absl::StrCat("no noise distribution on [-", d, ", ", d, "] has mean 0 and variance ",
                       variance.get_str(), "; the variance must be at most ", d * d));
    }
    SetOutcomes(*candidate, &row);
    rows.push_back(std::move(row));
  }
  return PerturbationTable(parameters, std::move(rows));
}

const PerturbationTable& PerturbationTable::Default() {
  static const PerturbationTable* table = [] {
    auto created = Create(PerturbationParameters{});
    // The defaults are constants that the unit tests build; failing here is a code bug.
    if (!created.ok()) abort();
    return new PerturbationTable(std::move(*created));
  }();
  return *table;
}

const PerturbationRow& PerturbationTable::RowFor(int64_t value) const {
  if (value < 0) return rows_.front();
  const auto last = static_cast<int64_t>(rows_.size()) - 1;
  return rows_[value < last ? value : last];
}

int PerturbationTable::Noise(int64_t value, PerturbationKey key) const {
  const PerturbationRow& row = RowFor(value);
  for (const PerturbationOutcome& outcome : row.outcomes) {
    if (key < outcome.threshold) return outcome.noise;
  }
  return row.outcomes.back().noise;  // unreachable: the last threshold is 2^32
}

absl::StatusOr<int64_t> PerturbationTable::Perturb(int64_t value, PerturbationKey key) const {
  if (value < 0) {
    return absl::InvalidArgumentError("cell-key perturbation applies to counts >= 0");
  }
  return value + Noise(value, key);
}

}  // namespace privacy
}  // namespace fedsync
