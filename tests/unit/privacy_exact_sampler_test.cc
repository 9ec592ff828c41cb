// Exact DP samplers: byte-level behaviour on fixed streams, parameter checks, and
// chi-squared and Kolmogorov-Smirnov tests against the exact distributions on a seeded
// stream (deterministic, so the statistical tests cannot flake).
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "shared/privacy/byte_source.h"
#include "shared/privacy/exact_sampler.h"
#include "shared/privacy/rational.h"

namespace fedsync {
namespace privacy {
namespace {

constexpr int kSamples = 20000;

mpq_class Q(const char* text) { return *ParseRational(text); }

TEST(ByteSourceTest, FixedStreamEndsWithOutOfRange) {
  FixedByteSource source(std::string("\x01\x02\x03", 3));
  uint8_t two[2];
  ASSERT_TRUE(source.Fill(absl::MakeSpan(two)).ok());
  EXPECT_EQ(two[0], 1);
  EXPECT_EQ(two[1], 2);
  EXPECT_EQ(source.Fill(absl::MakeSpan(two)).code(), absl::StatusCode::kOutOfRange);
}

TEST(ByteSourceTest, SeededStreamIsReproducibleAndSecureStreamIsNot) {
  SeededByteSource a("seed"), b("seed"), c("other");
  uint8_t x[100], y[100], z[100];
  ASSERT_TRUE(a.Fill(absl::MakeSpan(x)).ok());
  ASSERT_TRUE(b.Fill(absl::MakeSpan(y)).ok());
  ASSERT_TRUE(c.Fill(absl::MakeSpan(z)).ok());
  EXPECT_EQ(std::string(x, x + 100), std::string(y, y + 100));
  EXPECT_NE(std::string(x, x + 100), std::string(z, z + 100));
  SecureByteSource secure;
  ASSERT_TRUE(secure.Fill(absl::MakeSpan(x)).ok());
  ASSERT_TRUE(secure.Fill(absl::MakeSpan(y)).ok());
  EXPECT_NE(std::string(x, x + 100), std::string(y, y + 100));
}

std::string Bytes(std::initializer_list<uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST(ExactSamplerTest, UniformBelowMasksAndRejectsByteByByte) {
  struct Case {
    int n;
    std::string bytes;
    int expected;
    size_t consumed;
  };
  const Case cases[] = {
      {1, Bytes({}), 0, 0},                          // nothing to draw
      {10, Bytes({0x05}), 5, 1},                     // 4 bits of 0x05
      {10, Bytes({0xf7}), 7, 1},                     // high bits dropped: 0xf7 & 0x0f
      {10, Bytes({0x0c, 0x03}), 3, 2},               // 12 >= 10 is rejected, then 3
      {256, Bytes({0xff}), 255, 1},                  // exactly one byte
      {257, Bytes({0x01, 0x00}), 256, 2},            // 9 bits over two big-endian bytes
      {257, Bytes({0xff, 0xff, 0x00, 0x09}), 9, 4},  // 0x1ff = 511 rejected, then 9
  };
  for (const Case& c : cases) {
    FixedByteSource source(c.bytes);
    ExactSampler sampler(&source);
    auto value = sampler.UniformBelow(c.n);
    ASSERT_TRUE(value.ok()) << c.n << " " << value.status();
    EXPECT_EQ(*value, c.expected) << c.n;
    EXPECT_EQ(source.consumed(), c.consumed) << c.n;
  }
}

TEST(ExactSamplerTest, RefusesParametersOutOfRange) {
  SeededByteSource source("x");
  ExactSampler sampler(&source);
  EXPECT_EQ(sampler.UniformBelow(0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sampler.Bernoulli(Q("3/2")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sampler.Bernoulli(Q("-1/2")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sampler.BernoulliExpMinus(Q("-1")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sampler.GeometricExpMinus(Q("0")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sampler.DiscreteLaplace(Q("0")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sampler.DiscreteGaussian(Q("-2")).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ExactSamplerTest, ExhaustedStreamIsReturnedNotHidden) {
  FixedByteSource source(std::string(3, '\x42'));
  ExactSampler sampler(&source);
  absl::Status status;
  for (int i = 0; i < 100 && status.ok(); ++i) status = sampler.DiscreteLaplace(Q("5")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
}

TEST(ExactSamplerTest, EdgeProbabilitiesNeedNoRandomness) {
  FixedByteSource empty("");
  ExactSampler sampler(&empty);
  EXPECT_FALSE(*sampler.Bernoulli(Q("0")));
  EXPECT_TRUE(*sampler.Bernoulli(Q("1")));
  EXPECT_TRUE(*sampler.BernoulliExpMinus(Q("0")));  // exp(0) = 1
}

TEST(ExactSamplerTest, SameStreamSameSamples) {
  SeededByteSource a("replay"), b("replay");
  ExactSampler first(&a), second(&b);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(*first.DiscreteLaplace(Q("7/3")), *second.DiscreteLaplace(Q("7/3")));
    EXPECT_EQ(*first.DiscreteGaussian(Q("9/2")), *second.DiscreteGaussian(Q("9/2")));
  }
}

// The chi-squared critical value at significance 0.001 (Wilson-Hilferty).
double ChiSquaredCritical(int degrees) {
  const double z = 3.090232;
  const double k = degrees;
  const double term = 1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k));
  return k * term * term * term;
}

// Checks `counts` of kSamples draws against `pmf` by chi-squared (bins with expected
// count >= 5, tails lumped) and Kolmogorov-Smirnov (significance 0.001).
void ExpectMatches(const std::map<int64_t, int>& counts, const std::function<double(int64_t)>& pmf,
                   int64_t support_low, int64_t support_high) {
  double chi_squared = 0;
  int degrees = -1;
  double lumped_expected = 0, lumped_observed = 0;
  double cdf = 0, empirical = 0, ks = 0;
  for (int64_t x = support_low; x <= support_high; ++x) {
    const double expected = pmf(x) * kSamples;
    const double observed = counts.count(x) ? counts.at(x) : 0;
    cdf += pmf(x);
    empirical += observed / kSamples;
    ks = std::max(ks, std::abs(cdf - empirical));
    lumped_expected += expected;
    lumped_observed += observed;
    if (lumped_expected >= 5) {
      chi_squared += (lumped_observed - lumped_expected) * (lumped_observed - lumped_expected) /
                     lumped_expected;
      ++degrees;
      lumped_expected = lumped_observed = 0;
    }
  }
  int outside = 0;
  for (const auto& [x, count] : counts) {
    if (x < support_low || x > support_high) outside += count;
  }
  EXPECT_LE(outside, 2) << "samples beyond the range the test tabulates";
  ASSERT_GE(degrees, 1);
  EXPECT_LT(chi_squared, ChiSquaredCritical(degrees)) << "degrees of freedom " << degrees;
  EXPECT_LT(ks, 1.95 / std::sqrt(static_cast<double>(kSamples)));
}

TEST(ExactSamplerStatisticsTest, BernoulliExpMinusMatchesExp) {
  for (const char* gamma : {"1/3", "1", "5/2", "7"}) {
    SeededByteSource source(std::string("bernoulli ") + gamma);
    ExactSampler sampler(&source);
    std::map<int64_t, int> counts;
    for (int i = 0; i < kSamples; ++i) ++counts[*sampler.BernoulliExpMinus(Q(gamma)) ? 1 : 0];
    const double p = std::exp(-Q(gamma).get_d());
    // One degree of freedom: the z-score of the success count.
    const double z = (counts[1] - kSamples * p) / std::sqrt(kSamples * p * (1 - p));
    EXPECT_LT(std::abs(z), 3.29) << gamma;
  }
}

TEST(ExactSamplerStatisticsTest, GeometricMatchesItsPmf) {
  for (const char* gamma : {"1/4", "1", "3/2"}) {
    SeededByteSource source(std::string("geometric ") + gamma);
    ExactSampler sampler(&source);
    std::map<int64_t, int> counts;
    for (int i = 0; i < kSamples; ++i) ++counts[sampler.GeometricExpMinus(Q(gamma))->get_si()];
    const double q = std::exp(-Q(gamma).get_d());
    SCOPED_TRACE(gamma);
    ExpectMatches(
        counts, [q](int64_t v) { return (1 - q) * std::pow(q, static_cast<double>(v)); }, 0, 200);
  }
}

TEST(ExactSamplerStatisticsTest, DiscreteLaplaceMatchesItsPmf) {
  for (const char* scale : {"1/2", "1", "3/2", "5", "41/4"}) {
    SeededByteSource source(std::string("laplace ") + scale);
    ExactSampler sampler(&source);
    std::map<int64_t, int> counts;
    double sum = 0, sum_squares = 0;
    for (int i = 0; i < kSamples; ++i) {
      const int64_t y = *sampler.DiscreteLaplace(Q(scale));
      ++counts[y];
      sum += y;
      sum_squares += static_cast<double>(y) * y;
    }
    const double q = std::exp(-1 / Q(scale).get_d());
    const double normaliser = (1 - q) / (1 + q);
    SCOPED_TRACE(scale);
    const auto range = static_cast<int64_t>(40 * Q(scale).get_d()) + 10;
    ExpectMatches(
        counts,
        [q, normaliser](int64_t y) {
          return normaliser * std::pow(q, static_cast<double>(std::abs(y)));
        },
        -range, range);
    // Mean 0 and variance 2q / (1 - q)^2, within five standard errors.
    const double variance = 2 * q / ((1 - q) * (1 - q));
    EXPECT_NEAR(sum / kSamples, 0, 5 * std::sqrt(variance / kSamples));
    EXPECT_NEAR(sum_squares / kSamples, variance, 0.1 * variance);
  }
}

TEST(ExactSamplerStatisticsTest, DiscreteGaussianMatchesItsPmf) {
  for (const char* sigma_squared : {"1/2", "1", "4", "25/2", "100"}) {
    SeededByteSource source(std::string("gaussian ") + sigma_squared);
    ExactSampler sampler(&source);
    std::map<int64_t, int> counts;
    for (int i = 0; i < kSamples; ++i) ++counts[*sampler.DiscreteGaussian(Q(sigma_squared))];
    const double s2 = Q(sigma_squared).get_d();
    const auto range = static_cast<int64_t>(12 * std::sqrt(s2)) + 5;
    double normaliser = 0;
    for (int64_t y = -range; y <= range; ++y) normaliser += std::exp(-y * y / (2 * s2));
    SCOPED_TRACE(sigma_squared);
    ExpectMatches(
        counts,
        [s2, normaliser](int64_t y) {
          return std::exp(-static_cast<double>(y * y) / (2 * s2)) / normaliser;
        },
        -range, range);
  }
}

TEST(CalibrationTest, ScalesFollowSensitivityAndBudget) {
  EXPECT_EQ(LaplaceScaleFor(1, Q("1/2")), Q("2"));
  EXPECT_EQ(LaplaceScaleFor(3, Q("0.1")), Q("30"));
  EXPECT_EQ(GaussianVarianceFor(1, Q("1/2")), Q("1"));
  EXPECT_EQ(GaussianVarianceFor(2, Q("0.1")), Q("20"));
}

TEST(RationalTest, ParsesExactlyAndRefusesTheRest) {
  struct Case {
    const char* text;
    const char* canonical;  // nullptr: refused
  };
  const Case cases[] = {
      {"1/2", "1/2"},  {"2/4", "1/2"},    {"0.1", "1/10"},  {"3", "3"},      {"-0.5", "-1/2"},
      {"1.25", "5/4"}, {"0", "0"},        {"1/0", nullptr}, {"", nullptr},   {"1e3", nullptr},
      {" 1", nullptr}, {"1/-2", nullptr}, {".5", nullptr},  {"5.", nullptr}, {"-", nullptr},
  };
  for (const Case& c : cases) {
    auto parsed = ParseRational(c.text);
    if (c.canonical == nullptr) {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    } else {
      ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status();
      EXPECT_EQ(FormatRational(*parsed), c.canonical) << c.text;
      EXPECT_EQ(*ParseRational(FormatRational(*parsed)), *parsed);
    }
  }
  // Decimal budgets add exactly.
  EXPECT_EQ(Q("0.1") + Q("0.2"), Q("0.3"));
}

}  // namespace
}  // namespace privacy
}  // namespace fedsync
