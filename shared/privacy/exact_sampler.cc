#include "shared/privacy/exact_sampler.h"

#include <vector>

#include "shared/status_macros.h"

namespace fedsync {
namespace privacy {
namespace {

absl::StatusOr<int64_t> ToInt64(const mpz_class& value) {
  if (!value.fits_slong_p()) return absl::OutOfRangeError("DP noise does not fit in int64");
  return static_cast<int64_t>(value.get_si());
}

}  // namespace

absl::StatusOr<mpz_class> ExactSampler::UniformBelow(const mpz_class& n) {
  if (n < 1) return absl::InvalidArgumentError("uniform sampling needs a range of at least 1");
  if (n == 1) return mpz_class(0);
  const mpz_class largest = n - 1;
  const size_t bits = mpz_sizeinbase(largest.get_mpz_t(), 2);
  std::vector<uint8_t> bytes((bits + 7) / 8);
  while (true) {
    RETURN_IF_ERROR(source_->Fill(absl::MakeSpan(bytes)));
    mpz_class candidate;
    // Big-endian bytes; the excess high bits are dropped, so each try is uniform on
    // [0, 2^bits) and lands below n with probability n / 2^bits > 1/2.
    mpz_import(candidate.get_mpz_t(), bytes.size(), 1, 1, 1, 0, bytes.data());
    mpz_fdiv_r_2exp(candidate.get_mpz_t(), candidate.get_mpz_t(), bits);
    if (candidate < n) return candidate;
  }
}

absl::StatusOr<bool> ExactSampler::Bernoulli(const mpq_class& p) {
  if (p < 0 || p > 1) return absl::InvalidArgumentError("Bernoulli probability outside [0, 1]");
  ASSIGN_OR_RETURN(mpz_class draw, UniformBelow(p.get_den()));
  return draw < p.get_num();
}

absl::StatusOr<bool> ExactSampler::BernoulliExpMinusAtMostOne(const mpq_class& gamma) {
  // Draws A_k ~ Bernoulli(gamma / k) for k = 1, 2, ... until one is 0; the index K of
  // that first 0 is odd with probability exp(-gamma) (the alternating Taylor series).
  mpz_class k = 1;
  while (true) {
    mpq_class p(gamma.get_num(), gamma.get_den() * k);
    p.canonicalize();
    ASSIGN_OR_RETURN(bool a, Bernoulli(p));
    if (!a) break;
    ++k;
  }
  return mpz_odd_p(k.get_mpz_t()) != 0;
}

absl::StatusOr<bool> ExactSampler::BernoulliExpMinus(const mpq_class& gamma) {
  if (gamma < 0) return absl::InvalidArgumentError("Bernoulli(exp(-gamma)) needs gamma >= 0");
  if (gamma <= 1) return BernoulliExpMinusAtMostOne(gamma);
  // exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma))): all must succeed.
  mpz_class whole;
  mpz_fdiv_q(whole.get_mpz_t(), gamma.get_num_mpz_t(), gamma.get_den_mpz_t());
  const mpq_class one(1);
  for (mpz_class i = 0; i < whole; ++i) {
    ASSIGN_OR_RETURN(bool success, BernoulliExpMinusAtMostOne(one));
    if (!success) return false;
  }
  return BernoulliExpMinusAtMostOne(gamma - mpq_class(whole));
}

absl::StatusOr<mpz_class> ExactSampler::GeometricExpMinus(const mpq_class& gamma) {
  if (gamma <= 0) return absl::InvalidArgumentError("geometric distribution needs gamma > 0");
  mpz_class successes = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool success, BernoulliExpMinus(gamma));
    if (!success) return successes;
    ++successes;
  }
}

absl::StatusOr<int64_t> ExactSampler::DiscreteLaplace(const mpq_class& scale) {
  if (scale <= 0) return absl::InvalidArgumentError("discrete Laplace needs a scale > 0");
  // Algorithm 2 with scale t/s: X = U + t V is geometric with parameter 1/t, built from
  // a uniform remainder U (accepted with probability exp(-U/t)) and a whole part V;
  // floor(X/s) then has parameter s/t. A random sign, rejecting "-0", makes it two-sided.
  const mpz_class t = scale.get_num();
  const mpz_class s = scale.get_den();
  const mpq_class one(1);
  const mpq_class half(1, 2);
  while (true) {
    ASSIGN_OR_RETURN(mpz_class u, UniformBelow(t));
    mpq_class remainder(u, t);
    remainder.canonicalize();
    ASSIGN_OR_RETURN(bool keep, BernoulliExpMinus(remainder));
    if (!keep) continue;
    ASSIGN_OR_RETURN(mpz_class v, GeometricExpMinus(one));
    const mpz_class x = u + t * v;
    mpz_class y;
    mpz_fdiv_q(y.get_mpz_t(), x.get_mpz_t(), s.get_mpz_t());
    ASSIGN_OR_RETURN(bool negative, Bernoulli(half));
    if (negative && y == 0) continue;
    return ToInt64(negative ? mpz_class(-y) : y);
  }
}

absl::StatusOr<int64_t> ExactSampler::DiscreteGaussian(const mpq_class& sigma_squared) {
  if (sigma_squared <= 0) {
    return absl::InvalidArgumentError("discrete Gaussian needs a variance parameter > 0");
  }
  // Algorithm 3: propose from discrete Laplace with integer scale t = floor(sigma) + 1,
  // accept Y with probability exp(-(|Y| - sigma^2/t)^2 / (2 sigma^2)).
  mpz_class floor_variance;
  mpz_fdiv_q(floor_variance.get_mpz_t(), sigma_squared.get_num_mpz_t(),
             sigma_squared.get_den_mpz_t());
  mpz_class t;
  // floor(sqrt(x)) = isqrt(floor(x)) for x >= 0.
  mpz_sqrt(t.get_mpz_t(), floor_variance.get_mpz_t());
  t += 1;
  const mpq_class scale(t);
  while (true) {
    ASSIGN_OR_RETURN(int64_t y, DiscreteLaplace(scale));
    const mpq_class magnitude(mpz_class(static_cast<long>(y < 0 ? -y : y)));
    const mpq_class centred = magnitude - sigma_squared / scale;
    const mpq_class gamma = centred * centred / (2 * sigma_squared);
    ASSIGN_OR_RETURN(bool accept, BernoulliExpMinus(gamma));
    if (accept) return y;
  }
}

mpq_class LaplaceScaleFor(int64_t sensitivity, const mpq_class& epsilon) {
  mpq_class scale = mpq_class(mpz_class(static_cast<long>(sensitivity))) / epsilon;
  return scale;
}

mpq_class GaussianVarianceFor(int64_t sensitivity, const mpq_class& rho) {
  const mpq_class delta(mpz_class(static_cast<long>(sensitivity)));
  return delta * delta / (2 * rho);
}

}  // namespace privacy
}  // namespace fedsync
