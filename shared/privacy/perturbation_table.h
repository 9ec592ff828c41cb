// The perturbation table of cell-key perturbation: maps a cell's true count and its
// perturbation key (record_key.h) to the noise added before publication.
//
// Construction. Parameters: the largest noise D (default 2), the noise variance V
// (default 21/20 = 1.05, an exact rational) and js (default 1: published counts 1..js never
// appear). Row i, for true counts i = 0 .. D+js+1, is a distribution over noise v in
// [-D, D]; the last row also serves every larger count, because from there on no
// restriction applies. For each row:
//   - the allowed noises are those with i+v >= 0 and i+v not in [1, js], so no published
//     count is negative or in 1..js; row 0 is "noise 0 with probability 1" (an empty cell
//     stays 0, and a published 0 is only ever a true 0 or a small count);
//   - among distributions on the allowed noises with sum 1, mean 0 and variance V, the row
//     is the one that minimises sum(p^2), i.e. the flattest (maximum collision entropy).
//     That optimum has the closed form p(v) = a + b v + c v^2 on its support and is found
//     exactly, in rationals (GMP), by trying every support and keeping the feasible
//     minimum. Rows in the small-value zone where mean 0 and variance V cannot both hold
//     drop the variance constraint, then the mean constraint; each row records which hold.
//     Rows past the zone (count >= D+js+1) always meet both, or Create refuses the
//     parameters.
// With the defaults every row meets mean 0 and variance exactly 21/20; the full row is
// p(0) = 47/140, p(+-1) = 15/56, p(+-2) = 9/140 (tested).
//
// Lookup. The key k in [0, 2^32) is read as the position k / 2^32 in the row's cumulative
// distribution. Each outcome's upper threshold floor(C * 2^32), C its exact cumulative
// probability, is precomputed in integers; the lookup compares the key to at most 2D+1
// integers, with no floating point, so every process on every machine publishes the same
// value. Each outcome's realised probability is within 2^-32 of the exact one.
//
// Counts only: the table is not meant for magnitudes. Immutable after Create; thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_PERTURBATION_TABLE_H_
#define FEDSYNC_SHARED_PRIVACY_PERTURBATION_TABLE_H_

#include <gmpxx.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "shared/privacy/record_key.h"

namespace fedsync {
namespace privacy {

struct PerturbationParameters {
  int max_noise = 2;  // D, at most 5
  // V as an exact rational.
  int64_t variance_numerator = 21;
  int64_t variance_denominator = 20;
  int forbidden_up_to = 1;  // js: published counts 1..js never appear; 0 disables
};

struct PerturbationOutcome {
  int noise = 0;
  mpq_class probability;  // exact, > 0
  // Keys in [previous outcome's threshold, threshold) draw this noise; the last
  // outcome's threshold is 2^32.
  uint64_t threshold = 0;
};

struct PerturbationRow {
  int64_t value = 0;  // the true count; the last row serves every count >= value
  std::vector<PerturbationOutcome> outcomes;  // ascending noise
  bool mean_zero = false;                     // the exact mean is 0
  bool variance_exact = false;                // the exact variance is V
};

class PerturbationTable {
 public:
  // kInvalidArgument for parameters out of range (D outside 1..5, js outside 0..D,
  // V <= 0) or when the rows past the small-value zone cannot have mean 0 and variance V
  // (V > D^2).
  static absl::StatusOr<PerturbationTable> Create(const PerturbationParameters& parameters);
  // The table for the default parameters, built once.
  static const PerturbationTable& Default();

  // The noise for a true count `value` >= 0 in a cell with key `key`. Integer-only.
  // A negative value is a caller bug; it is treated as 0 (noise 0).
  int Noise(int64_t value, PerturbationKey key) const;
  // value + Noise(value, key); kInvalidArgument for a negative value.
  absl::StatusOr<int64_t> Perturb(int64_t value, PerturbationKey key) const;

  const PerturbationRow& RowFor(int64_t value) const;
  const std::vector<PerturbationRow>& rows() const { return rows_; }
  const PerturbationParameters& parameters() const { return parameters_; }

 private:
  PerturbationTable(PerturbationParameters parameters, std::vector<PerturbationRow> rows)
      : parameters_(parameters), rows_(std::move(rows)) {}
  PerturbationParameters parameters_;
  std::vector<PerturbationRow> rows_;
};

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_PERTURBATION_TABLE_H_
