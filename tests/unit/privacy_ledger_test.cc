// The DP release ledger: stored values are re-sent, never re-drawn; a change draws the
// whole release afresh; the budget and the registry's account refuse an overspend, also
// after a restart and whatever the metric is called; refusals and failed draws leave no
// trace.
#include "shared/privacy/privacy_ledger.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "shared/database.h"
#include "shared/migrations.h"
#include "shared/privacy/byte_source.h"
#include "shared/privacy/exact_sampler.h"
#include "shared/privacy/rational.h"

namespace fedsync {
namespace privacy {
namespace {

mpq_class Q(const char* text) { return *ParseRational(text); }

// A charge to the metric's budget, and as much to the returned_students account (cap 4).
DpCharge Charge(const char* budget, const char* epsilon) {
  DpCharge charge;
  charge.epsilon = Q(epsilon);
  charge.budget = Q(budget);
  charge.registries = {"returned_students"};
  charge.registry_units = Q(epsilon);
  charge.registry_cap = 4;
  return charge;
}

// Runs one release of `metric` in its own transaction, as the district's writer would.
absl::StatusOr<ReleasedValues> ReleaseInTransaction(Database* db, PrivacyLedger* ledger,
                                                    const char* budget, const char* epsilon,
                                                    const std::map<std::string, int64_t>& exact,
                                                    int* draws,
                                                    const char* metric = "returned_students") {
  auto transaction = Transaction::Begin(db);
  if (!transaction.ok()) return transaction.status();
  auto released = ledger->Release(metric, "2026", Charge(budget, epsilon), exact,
                                  [draws](int64_t value) -> absl::StatusOr<int64_t> {
                                    ++*draws;
                                    return value + 1000 + *draws;  // recognisable noise
                                  });
  if (!released.ok()) return released.status();
  absl::Status committed = (*transaction)->Commit();
  if (!committed.ok()) return committed;
  return released;
}

class PrivacyLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/privacy_ledger_test_XXXXXX";
    const int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    close(fd);
    std::remove(name);  // Database::Open creates it afresh
    path_ = name;
    Reopen();
  }
  void TearDown() override {
    ledger_.reset();
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  // Closes and reopens the file: a restart of the district.
  void Reopen() {
    ledger_.reset();
    db_.reset();
    auto db = Database::Open(path_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(Migrate(db_.get(), {kPrivacyLedgerSchema, kPrivacyRegistryAccountsSchema}).ok());
    auto ledger = PrivacyLedger::Open(db_.get());
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = std::move(*ledger);
  }

  std::string path_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<PrivacyLedger> ledger_;
};

TEST_F(PrivacyLedgerTest, OpenNeedsTheSchema) {
  auto bare = Database::Open(":memory:");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(PrivacyLedger::Open(bare->get()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(PrivacyLedgerTest, ResendReturnsStoredValuesWithoutDrawingOrSpending) {
  int draws = 0;
  const std::map<std::string, int64_t> exact = {{"degree=master", 12}, {"degree=phd", 4}};
  auto first = ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1/4", exact, &draws);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(draws, 2);
  Reopen();
  auto again = ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1/4", exact, &draws);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(draws, 2);  // nothing re-drawn
  EXPECT_EQ(*again, *first);
  auto state = ledger_->Budget("returned_students", "2026");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->spent, Q("1/4"));
  EXPECT_EQ(state->releases, 1);
  EXPECT_EQ(*ledger_->Stored("returned_students", "2026"), *first);
}

// Re-drawing only the changed cell would tell exactly which cell moved (the one a
// newcomer joined): a change draws every cell afresh, and spends once.
TEST_F(PrivacyLedgerTest, AChangeRedrawsTheWholeReleaseAndSpendsOnce) {
  int draws = 0;
  auto first = ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1/4",
                                    {{"a", 12}, {"b", 4}, {"c", 9}}, &draws);
  ASSERT_TRUE(first.ok());
  auto second = ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1/4",
                                     {{"a", 12}, {"b", 5}, {"c", 9}, {"d", 1}}, &draws);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(draws, 7);  // 3, then all 4
  for (const char* unchanged : {"a", "c"}) {
    EXPECT_NE(second->at(unchanged), first->at(unchanged)) << unchanged << " kept its draw";
  }
  EXPECT_EQ(*ledger_->Stored("returned_students", "2026"), *second);
  EXPECT_EQ(ledger_->Budget("returned_students", "2026")->spent, Q("1/2"));
  EXPECT_EQ(*ledger_->RegistrySpent("returned_students", "2026"), Q("1/2"));
}

// A catalog that renames a metric (or adds a copy) gets no new budget for the same
// records: the registry's account is spent whatever the metric is called.
TEST_F(PrivacyLedgerTest, ARenamedMetricSharesItsRegistrysAccount) {
  int draws = 0;
  const char* names[] = {"students_v1", "students_v2", "students_v3", "students_v4"};
  for (const char* name : names) {
    ASSERT_TRUE(
        ReleaseInTransaction(db_.get(), ledger_.get(), "4", "1", {{"a", 10}}, &draws, name).ok())
        << name;
  }
  Reopen();
  EXPECT_EQ(*ledger_->RegistrySpent("returned_students", "2026"), Q("4"));
  auto refused =
      ReleaseInTransaction(db_.get(), ledger_.get(), "4", "1", {{"a", 10}}, &draws, "students_v5");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(draws, 4);
  EXPECT_TRUE(ledger_->Stored("students_v5", "2026")->empty());
  EXPECT_EQ(ledger_->Budget("students_v5", "2026")->releases, 0);
  // Another registry, or another period, has an account of its own.
  auto transaction = Transaction::Begin(db_.get());
  ASSERT_TRUE(transaction.ok());
  DpCharge other = Charge("4", "1");
  other.registries = {"enterprises"};
  EXPECT_TRUE(ledger_
                  ->Release("students_v5", "2026", other, {{"a", 10}},
                            [](int64_t v) -> absl::StatusOr<int64_t> { return v; })
                  .ok());
  EXPECT_TRUE(ledger_
                  ->Release("students_v5", "2027", Charge("4", "1"), {{"a", 10}},
                            [](int64_t v) -> absl::StatusOr<int64_t> { return v; })
                  .ok());
}

TEST_F(PrivacyLedgerTest, SpentBudgetIsRefusedAfterARestartAndLeavesNoTrace) {
  int draws = 0;
  // 0.1 + 0.2 + 0.3 + 0.4 is exactly 1: the fourth release fits, a fifth does not.
  const char* epsilons[] = {"0.1", "0.2", "0.3", "0.4"};
  for (int i = 0; i < 4; ++i) {
    Reopen();
    auto released =
        ReleaseInTransaction(db_.get(), ledger_.get(), "1", epsilons[i], {{"a", 10 + i}}, &draws);
    ASSERT_TRUE(released.ok()) << i << ": " << released.status();
  }
  Reopen();
  const ReleasedValues before = *ledger_->Stored("returned_students", "2026");
  auto refused = ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1/1000", {{"a", 99}}, &draws);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(draws, 4);
  EXPECT_EQ(*ledger_->Stored("returned_students", "2026"), before);
  EXPECT_EQ(ledger_->Budget("returned_students", "2026")->spent, Q("1"));
  // The unchanged cell still re-sends for free.
  auto resend = ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1/1000", {{"a", 13}}, &draws);
  ASSERT_TRUE(resend.ok()) << resend.status();
  EXPECT_EQ(*resend, before);
}

TEST_F(PrivacyLedgerTest, BudgetIsFixedByTheFirstRelease) {
  int draws = 0;
  ASSERT_TRUE(ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1", {{"a", 1}}, &draws).ok());
  EXPECT_EQ(
      ReleaseInTransaction(db_.get(), ledger_.get(), "2", "1", {{"a", 2}}, &draws).status().code(),
      absl::StatusCode::kFailedPrecondition);
  // Another period has its own budget.
  auto transaction = Transaction::Begin(db_.get());
  ASSERT_TRUE(transaction.ok());
  EXPECT_TRUE(ledger_
                  ->Release("returned_students", "2027", Charge("2", "1"), {{"a", 2}},
                            [](int64_t v) -> absl::StatusOr<int64_t> { return v; })
                  .ok());
}

TEST_F(PrivacyLedgerTest, RefusesNonPositiveParametersAndFailedDrawsWriteNothing) {
  int draws = 0;
  EXPECT_EQ(
      ReleaseInTransaction(db_.get(), ledger_.get(), "1", "0", {{"a", 1}}, &draws).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ReleaseInTransaction(db_.get(), ledger_.get(), "0", "1", {{"a", 1}}, &draws).status().code(),
      absl::StatusCode::kInvalidArgument);
  auto transaction = Transaction::Begin(db_.get());
  ASSERT_TRUE(transaction.ok());
  auto failed = ledger_->Release(
      "returned_students", "2026", Charge("1", "1/2"), {{"a", 1}, {"b", 2}},
      [](int64_t) -> absl::StatusOr<int64_t> { return absl::UnavailableError("no entropy"); });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(ledger_->Stored("returned_students", "2026")->empty());
  EXPECT_EQ(ledger_->Budget("returned_students", "2026")->releases, 0);
}

// With the real sampler: the ledger stores discrete Laplace draws, and a re-send after a
// restart returns them exactly.
TEST_F(PrivacyLedgerTest, StoresRealNoiseAcrossRestarts) {
  SecureByteSource source;
  ExactSampler sampler(&source);
  const mpq_class scale = LaplaceScaleFor(1, Q("1/2"));
  std::map<std::string, int64_t> exact;
  for (int i = 0; i < 50; ++i) exact["cell=" + std::to_string(i)] = i;
  ReleasedValues first;
  {
    auto transaction = Transaction::Begin(db_.get());
    ASSERT_TRUE(transaction.ok());
    auto released = ledger_->Release("returned_students", "2026", Charge("1", "1/2"), exact,
                                     [&](int64_t value) -> absl::StatusOr<int64_t> {
                                       auto noise = sampler.DiscreteLaplace(scale);
                                       if (!noise.ok()) return noise.status();
                                       return value + *noise;
                                     });
    ASSERT_TRUE(released.ok());
    ASSERT_TRUE((*transaction)->Commit().ok());
    first = *released;
  }
  int differing = 0;
  for (const auto& [dims, value] : exact) differing += first.at(dims) != value;
  EXPECT_GT(differing, 10);  // scale 2: P(noise = 0) is about 0.24
  Reopen();
  EXPECT_EQ(*ledger_->Stored("returned_students", "2026"), first);
}

}  // namespace
}  // namespace privacy
}  // namespace fedsync
