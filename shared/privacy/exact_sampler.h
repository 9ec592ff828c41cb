// Exact samplers for differential privacy, after Canonne, Kamath and Steinke, "The
// Discrete Gaussian for Differential Privacy" (NeurIPS 2020), Algorithms 1-3. Every
// parameter is a rational (GMP mpq) and every step is integer arithmetic on uniform
// bytes from a ByteSource: there is no floating point anywhere in the noise path, so the
// samplers have none of the rounding side channels that leak through floating-point
// Laplace noise (Mironov 2012), and the output follows the stated distribution exactly.
//
//   Bernoulli(p)              true with probability p, p in [0, 1]
//   BernoulliExpMinus(gamma)  true with probability exp(-gamma), gamma >= 0
//   GeometricExpMinus(gamma)  V >= 0 with P(V = v) = (1 - exp(-gamma)) exp(-gamma v), gamma > 0
//   DiscreteLaplace(scale)    Y with P(Y = y) proportional to exp(-|y| / scale), scale > 0
//   DiscreteGaussian(sigma2)  Y with P(Y = y) proportional to exp(-y^2 / (2 sigma2)), sigma2 > 0
//
// Calibration (the caller's ledger charges the matching budget, privacy_ledger.h):
//   LaplaceScaleFor(sensitivity, epsilon)  = sensitivity / epsilon  gives epsilon-DP;
//   GaussianVarianceFor(sensitivity, rho)  = sensitivity^2 / (2 rho) gives rho-zCDP.
//
// Failures: kInvalidArgument for parameters out of range; the byte source's error
// (kUnavailable from RAND_bytes, kOutOfRange from an exhausted fixed stream) is returned
// as is. kOutOfRange also if a sample would not fit in int64 (never, for sane scales).
// Not thread-safe (it draws from one source); the source must outlive the sampler.
#ifndef FEDSYNC_SHARED_PRIVACY_EXACT_SAMPLER_H_
#define FEDSYNC_SHARED_PRIVACY_EXACT_SAMPLER_H_

#include <gmpxx.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "shared/privacy/byte_source.h"

namespace fedsync {
namespace privacy {

class ExactSampler {
 public:
  explicit ExactSampler(ByteSource* source) : source_(source) {}

  // Uniform on {0, ..., n-1}, n >= 1, by rejection (each try succeeds with
  // probability above 1/2).
  absl::StatusOr<mpz_class> UniformBelow(const mpz_class& n);
  absl::StatusOr<bool> Bernoulli(const mpq_class& p);
  absl::StatusOr<bool> BernoulliExpMinus(const mpq_class& gamma);
  absl::StatusOr<mpz_class> GeometricExpMinus(const mpq_class& gamma);
  absl::StatusOr<int64_t> DiscreteLaplace(const mpq_class& scale);
  absl::StatusOr<int64_t> DiscreteGaussian(const mpq_class& sigma_squared);

 private:
  // BernoulliExpMinus for gamma in [0, 1] (Algorithm 1's inner loop).
  absl::StatusOr<bool> BernoulliExpMinusAtMostOne(const mpq_class& gamma);
  ByteSource* source_;
};

// sensitivity / epsilon; both must be positive (the caller validates the catalog).
mpq_class LaplaceScaleFor(int64_t sensitivity, const mpq_class& epsilon);
// sensitivity^2 / (2 rho).
mpq_class GaussianVarianceFor(int64_t sensitivity, const mpq_class& rho);

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_EXACT_SAMPLER_H_
