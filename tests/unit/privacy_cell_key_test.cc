// Cell-key perturbation: record keys, cell keys and the perturbation table's properties.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "shared/privacy/perturbation_table.h"
#include "shared/privacy/record_key.h"

namespace fedsync {
namespace privacy {
namespace {

const uint64_t kKeySpace = uint64_t{1} << kKeyBits;

std::string TestSecret() { return std::string(32, 's'); }

RecordKeyer TestKeyer() {
  auto keyer = RecordKeyer::Create(TestSecret());
  EXPECT_TRUE(keyer.ok()) << keyer.status();
  return *keyer;
}

TEST(RecordKeyerTest, RefusesShortSecrets) {
  EXPECT_EQ(RecordKeyer::Create(std::string(31, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(RecordKeyer::Create(std::string(32, 'x')).ok());
}

TEST(RecordKeyerTest, IsTheFirstFourBytesOfHmacSha256) {
  // RFC 4231 test case 6: a 131-byte key of 0xaa; HMAC-SHA256 begins 60 e4 31 59.
  auto keyer = RecordKeyer::Create(std::string(131, '\xaa'));
  ASSERT_TRUE(keyer.ok());
  EXPECT_EQ(keyer->KeyOf("Test Using Larger Than Block-Size Key - Hash Key First"), 0x60e43159u);
}

TEST(RecordKeyerTest, DependsOnSecretAndEntity) {
  RecordKeyer keyer = TestKeyer();
  auto other = RecordKeyer::Create(std::string(32, 't'));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(keyer.KeyOf("person:1"), keyer.KeyOf("person:1"));
  EXPECT_NE(keyer.KeyOf("person:1"), keyer.KeyOf("person:2"));
  EXPECT_NE(keyer.KeyOf("person:1"), other->KeyOf("person:1"));
}

TEST(CombineRecordKeysTest, IsAnOrderFreeSumModuloTwoToTheK) {
  EXPECT_EQ(CombineRecordKeys({}), 0u);
  EXPECT_EQ(CombineRecordKeys({1, 2, 3}), CombineRecordKeys({3, 1, 2}));
  EXPECT_EQ(CombineRecordKeys({0xffffffffu, 2}), 1u);  // wraps
  // Additive: a record leaving a cell is subtracted from a running key.
  const PerturbationKey with = CombineRecordKeys({0x90000000u, 0x80000000u, 7});
  EXPECT_EQ(static_cast<PerturbationKey>(with - 0x80000000u), CombineRecordKeys({0x90000000u, 7}));
}

struct ParameterCase {
  const char* name;
  PerturbationParameters parameters;
};

class PerturbationTablePropertiesTest : public ::testing::TestWithParam<ParameterCase> {};

// Properties every table has, whatever its parameters.
TEST_P(PerturbationTablePropertiesTest, RowsAreDistributionsWithinTheRules) {
  const PerturbationParameters& parameters = GetParam().parameters;
  auto table = PerturbationTable::Create(parameters);
  ASSERT_TRUE(table.ok()) << table.status();
  const mpq_class variance(mpz_class(std::to_string(parameters.variance_numerator)),
                           mpz_class(std::to_string(parameters.variance_denominator)));
  ASSERT_EQ(table->rows().size(),
            static_cast<size_t>(parameters.max_noise + parameters.forbidden_up_to + 2));
  for (const PerturbationRow& row : table->rows()) {
    SCOPED_TRACE(absl::StrCat("row ", row.value));
    mpq_class sum = 0, mean = 0, second_moment = 0;
    uint64_t previous_threshold = 0;
    int previous_noise = -1000;
    for (const PerturbationOutcome& outcome : row.outcomes) {
      EXPECT_GT(outcome.probability, 0);
      EXPECT_LE(std::abs(outcome.noise), parameters.max_noise);
      EXPECT_GT(outcome.noise, previous_noise);
      const int64_t published = row.value + outcome.noise;
      EXPECT_GE(published, 0);
      EXPECT_FALSE(published >= 1 && published <= parameters.forbidden_up_to) << published;
      sum += outcome.probability;
      mean += outcome.probability * outcome.noise;
      second_moment += outcome.probability * outcome.noise * outcome.noise;
      // The realised share of key space is within 2^-32 of the exact probability.
      EXPECT_GT(outcome.threshold, previous_threshold);
      const mpq_class realised(mpz_class(std::to_string(outcome.threshold - previous_threshold)),
                               mpz_class(std::to_string(kKeySpace)));
      mpq_class error = realised - outcome.probability;
      EXPECT_LT(abs(error), mpq_class(1, 1) / mpz_class(std::to_string(kKeySpace)));
      previous_threshold = outcome.threshold;
      previous_noise = outcome.noise;
    }
    EXPECT_EQ(sum, 1);
    EXPECT_EQ(previous_threshold, kKeySpace);
    if (row.mean_zero) {
      EXPECT_EQ(mean, 0);
    }
    if (row.variance_exact) {
      EXPECT_EQ(second_moment, variance);
    }
    if (row.value == 0) {
      ASSERT_EQ(row.outcomes.size(), 1u);
      EXPECT_EQ(row.outcomes[0].noise, 0);  // an empty cell stays 0
    }
  }
  // Past the small-value zone: mean 0 and variance V exactly, symmetric.
  const PerturbationRow& full = table->rows().back();
  EXPECT_TRUE(full.mean_zero);
  EXPECT_TRUE(full.variance_exact);
  // (A small V leaves the largest noises out: the flattest row's quadratic reaches 0.)
  for (size_t j = 0; j < full.outcomes.size(); ++j) {
    EXPECT_EQ(full.outcomes[j].noise, -full.outcomes[full.outcomes.size() - 1 - j].noise);
    EXPECT_EQ(full.outcomes[j].probability,
              full.outcomes[full.outcomes.size() - 1 - j].probability);
  }
  EXPECT_EQ(&table->RowFor(1000000), &full);
}

INSTANTIATE_TEST_SUITE_P(Parameters, PerturbationTablePropertiesTest,
                         ::testing::Values(ParameterCase{"Default", {2, 21, 20, 1}},
                                           ParameterCase{"NoForbiddenValues", {1, 1, 2, 0}},
                                           ParameterCase{"WiderNoise", {3, 2, 1, 2}},
                                           ParameterCase{"VarianceAtTheLimit", {2, 4, 1, 1}},
                                           ParameterCase{"LargestNoise", {5, 3, 1, 3}},
                                           ParameterCase{"SmallVariance", {4, 1, 3, 1}}),
                         [](const ::testing::TestParamInfo<ParameterCase>& info) {
                           return info.param.name;
                         });

TEST(PerturbationTableTest, DefaultRowsMeetMeanAndVarianceAndTheDocumentedFullRow) {
  const PerturbationTable& table = PerturbationTable::Default();
  ASSERT_EQ(table.rows().size(), 5u);
  for (size_t i = 1; i < table.rows().size(); ++i) {
    EXPECT_TRUE(table.rows()[i].mean_zero) << i;
    EXPECT_TRUE(table.rows()[i].variance_exact) << i;
  }
  const PerturbationRow& full = table.rows().back();
  ASSERT_EQ(full.outcomes.size(), 5u);
  EXPECT_EQ(full.outcomes[0].probability, mpq_class(9, 140));
  EXPECT_EQ(full.outcomes[1].probability, mpq_class(15, 56));
  EXPECT_EQ(full.outcomes[2].probability, mpq_class(47, 140));
  // Row 1 has one distribution on noises {-1, 1, 2} with mean 0 and variance 21/20.
  const PerturbationRow& one = table.rows()[1];
  ASSERT_EQ(one.outcomes.size(), 3u);
  EXPECT_EQ(one.outcomes[0].probability, mpq_class(61, 120));
  EXPECT_EQ(one.outcomes[1].probability, mpq_class(19, 40));
  EXPECT_EQ(one.outcomes[2].probability, mpq_class(1, 60));
}

TEST(PerturbationTableTest, RefusesBadParameters) {
  const PerturbationParameters bad[] = {
      {0, 1, 1, 0},                     // D < 1
      {6, 1, 1, 1},                     // D > 5
      {2, 21, 20, -1}, {2, 21, 20, 3},  // js > D
      {2, 0, 1, 1},                     // V = 0
      {2, 1, 0, 1},                     // zero denominator
      {2, 41, 10, 1},                   // V > D^2
  };
  for (const PerturbationParameters& parameters : bad) {
    EXPECT_EQ(PerturbationTable::Create(parameters).status().code(),
              absl::StatusCode::kInvalidArgument)
        << parameters.max_noise << " " << parameters.variance_numerator << "/"
        << parameters.variance_denominator << " " << parameters.forbidden_up_to;
  }
}

TEST(PerturbationTableTest, LookupFollowsTheRowsCumulativeDistribution) {
  const PerturbationTable& table = PerturbationTable::Default();
  for (int64_t value : {1, 2, 3, 4, 57}) {
    const PerturbationRow& row = table.RowFor(value);
    EXPECT_EQ(table.Noise(value, 0), row.outcomes.front().noise);
    EXPECT_EQ(table.Noise(value, 0xffffffffu), row.outcomes.back().noise);
    for (const PerturbationOutcome& outcome : row.outcomes) {
      if (outcome.threshold < kKeySpace) {
        EXPECT_EQ(table.Noise(value, static_cast<PerturbationKey>(outcome.threshold - 1)),
                  outcome.noise);
        EXPECT_NE(table.Noise(value, static_cast<PerturbationKey>(outcome.threshold)),
                  outcome.noise);
      }
    }
    // 2^16 evenly spaced keys draw each noise about in proportion.
    std::map<int, int> counts;
    for (uint64_t step = 0; step < (1u << 16); ++step) {
      ++counts[table.Noise(value, static_cast<PerturbationKey>(step << 16))];
    }
    for (const PerturbationOutcome& outcome : row.outcomes) {
      EXPECT_NEAR(counts[outcome.noise] / 65536.0, outcome.probability.get_d(), 2.0 / 65536);
    }
  }
}

TEST(PerturbationTableTest, PublishedCountsAreNeverOneNorNegativeAndZeroStaysZero) {
  const PerturbationTable& table = PerturbationTable::Default();
  absl::BitGen random;
  for (int trial = 0; trial < 20000; ++trial) {
    const int64_t value = absl::Uniform<int64_t>(random, 0, 12);
    const auto key = absl::Uniform<PerturbationKey>(random);
    auto published = table.Perturb(value, key);
    ASSERT_TRUE(published.ok());
    EXPECT_NE(*published, 1);
    EXPECT_GE(*published, 0);
    EXPECT_LE(std::abs(*published - value), 2);
    if (value == 0) {
      EXPECT_EQ(*published, 0);
    }
  }
  EXPECT_EQ(table.Perturb(-1, 0).status().code(), absl::StatusCode::kInvalidArgument);
}

// The published value of a cell of the given people under TestSecret().
int64_t PublishedCount(const std::vector<std::string>& people) {
  RecordKeyer keyer = TestKeyer();
  std::vector<RecordKey> keys;
  for (const std::string& person : people) keys.push_back(keyer.KeyOf(person));
  return *PerturbationTable::Default().Perturb(static_cast<int64_t>(people.size()),
                                               CombineRecordKeys(keys));
}

std::vector<std::string> People(int first, int count) {
  std::vector<std::string> people;
  for (int i = first; i < first + count; ++i) people.push_back(absl::StrCat("person:", i));
  return people;
}

TEST(CellKeyDeterminismTest, SameRecordsGiveTheSameValueInEveryTable) {
  // The same seven people reached through two tables in a different order.
  std::vector<std::string> by_region = People(100, 7);
  std::vector<std::string> by_degree(by_region.rbegin(), by_region.rend());
  EXPECT_EQ(PublishedCount(by_region), PublishedCount(by_degree));
}

TEST(CellKeyDeterminismTest, PinnedValuesSurviveRestartsAndCodeChanges) {
  // Golden values: a change here means every district's published numbers change.
  struct Case {
    int first, count;
    int64_t published;
  };
  const Case cases[] = {{0, 2, 2}, {0, 5, 6}, {10, 12, 12}, {3, 40, 38}};
  for (const Case& c : cases) {
    EXPECT_EQ(PublishedCount(People(c.first, c.count)), c.published) << c.first << "+" << c.count;
  }
}

TEST(CellKeyDeterminismTest, AnotherProcessPublishesTheSameValues) {
  int pipe_ends[2];
  ASSERT_EQ(pipe(pipe_ends), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_ends[0]);
    std::string values;
    for (int count = 1; count <= 30; ++count) {
      values += absl::StrCat(PublishedCount(People(500, count)), ",");
    }
    const ssize_t written = write(pipe_ends[1], values.data(), values.size());
    _exit(written == static_cast<ssize_t>(values.size()) ? 0 : 1);
  }
  close(pipe_ends[1]);
  std::string from_child;
  char buffer[256];
  ssize_t got;
  while ((got = read(pipe_ends[0], buffer, sizeof(buffer))) > 0) from_child.append(buffer, got);
  close(pipe_ends[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::string here;
  for (int count = 1; count <= 30; ++count) {
    here += absl::StrCat(PublishedCount(People(500, count)), ",");
  }
  EXPECT_EQ(from_child, here);
}

// Time adversary: one record joins a cell between two releases. The published difference
// equals the true change (1) only when both draws coincide, which for the full row
// happens with probability sum(p^2) = 0.264..., far from certainty.
TEST(CellKeyDeterminismTest, DifferencingTwoReleasesDoesNotRevealTheChange) {
  RecordKeyer keyer = TestKeyer();
  const PerturbationTable& table = PerturbationTable::Default();
  int revealed = 0;
  const int trials = 4000;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<RecordKey> keys;
    for (int i = 0; i < 10; ++i) keys.push_back(keyer.KeyOf(absl::StrCat("t", trial, ":", i)));
    const int64_t before = *table.Perturb(10, CombineRecordKeys(keys));
    keys.push_back(keyer.KeyOf(absl::StrCat("t", trial, ":new")));
    const int64_t after = *table.Perturb(11, CombineRecordKeys(keys));
    if (after - before == 1) ++revealed;
  }
  const double share = static_cast<double>(revealed) / trials;
  EXPECT_GT(share, 0.22);
  EXPECT_LT(share, 0.31);
}

}  // namespace
}  // namespace privacy
}  // namespace fedsync
