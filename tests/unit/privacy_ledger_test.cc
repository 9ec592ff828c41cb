// The DP release ledger: stored values are re-sent, never re-drawn; the budget refuses
// an overspend, also after a restart; refusals and failed draws leave no trace.
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

// Runs one release in its own transaction, as the district's writer would.
absl::StatusOr<ReleasedValues> ReleaseInTransaction(Database* db, PrivacyLedger* ledger,
                                                    const char* budget, const char* epsilon,
                                                    const std::map<std::string, int64_t>& exact,
                                                    int* draws) {
  auto transaction = Transaction::Begin(db);
  if (!transaction.ok()) return transaction.status();
  auto released = ledger->Release("returned_students", "2026", Q(budget), Q(epsilon), exact,
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
    ASSERT_TRUE(Migrate(db_.get(), {kPrivacyLedgerSchema}).ok());
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

TEST_F(PrivacyLedgerTest, ChangedCellIsRedrawnAndTheReleaseSpendsOnce) {
  int draws = 0;
  auto first = ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1/4",
                                    {{"a", 12}, {"b", 4}, {"c", 9}}, &draws);
  ASSERT_TRUE(first.ok());
  auto second = ReleaseInTransaction(db_.get(), ledger_.get(), "1", "1/4",
                                     {{"a", 12}, {"b", 5}, {"c", 9}, {"d", 1}}, &draws);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(draws, 5);  // b and d only
  EXPECT_EQ(second->at("a"), first->at("a"));
  EXPECT_EQ(second->at("c"), first->at("c"));
  EXPECT_NE(second->at("b"), first->at("b"));
  EXPECT_EQ(ledger_->Budget("returned_students", "2026")->spent, Q("1/2"));
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
                  ->Release("returned_students", "2027", Q("2"), Q("1"), {{"a", 2}},
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
      "returned_students", "2026", Q("1"), Q("1/2"), {{"a", 1}, {"b", 2}},
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
    auto released = ledger_->Release("returned_students", "2026", Q("1"), Q("1/2"), exact,
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
