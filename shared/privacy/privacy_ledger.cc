#include "shared/privacy/privacy_ledger.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "shared/privacy/rational.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace privacy {

const char kPrivacyLedgerSchema[] = R"sql(
CREATE TABLE privacy_budget (
  metric_id TEXT NOT NULL,
  period TEXT NOT NULL,
  budget TEXT NOT NULL,    -- exact rational, "a/b"
  spent TEXT NOT NULL,     -- exact rational, "a/b"
  releases INTEGER NOT NULL,
  PRIMARY KEY (metric_id, period)
) WITHOUT ROWID;
CREATE TABLE privacy_release (
  metric_id TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  exact_value INTEGER NOT NULL,
  noisy_value INTEGER NOT NULL,
  release INTEGER NOT NULL,  -- the release that drew noisy_value
  PRIMARY KEY (metric_id, period, dims)
) WITHOUT ROWID;
)sql";

// Spending before this table existed is not in it; no built-in catalog has a DP metric.
const char kPrivacyRegistryAccountsSchema[] = R"sql(
CREATE TABLE privacy_registry_account (
  registry TEXT NOT NULL,
  period TEXT NOT NULL,
  spent TEXT NOT NULL,  -- exact rational, "a/b", in DpCharge.registry_units
  PRIMARY KEY (registry, period)
) WITHOUT ROWID;
)sql";

namespace {

constexpr char kSelectBudget[] =
    "SELECT budget, spent, releases FROM privacy_budget WHERE metric_id = ? AND period = ?";
constexpr char kUpsertBudget[] =
    "INSERT INTO privacy_budget(metric_id, period, budget, spent, releases) "
    "VALUES(?, ?, ?, ?, ?) ON CONFLICT(metric_id, period) DO UPDATE SET "
    "spent = excluded.spent, releases = excluded.releases";
constexpr char kSelectReleased[] =
    "SELECT dims, exact_value, noisy_value FROM privacy_release "
    "WHERE metric_id = ? AND period = ?";
constexpr char kUpsertReleased[] =
    "INSERT INTO privacy_release(metric_id, period, dims, exact_value, noisy_value, release) "
    "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(metric_id, period, dims) DO UPDATE SET "
    "exact_value = excluded.exact_value, noisy_value = excluded.noisy_value, "
    "release = excluded.release";
constexpr char kSelectAccount[] =
    "SELECT spent FROM privacy_registry_account WHERE registry = ? AND period = ?";
constexpr char kUpsertAccount[] =
    "INSERT INTO privacy_registry_account(registry, period, spent) VALUES(?, ?, ?) "
    "ON CONFLICT(registry, period) DO UPDATE SET spent = excluded.spent";

struct StoredCell {
  int64_t exact = 0;
  int64_t noisy = 0;
};

absl::StatusOr<std::map<std::string, StoredCell>> ReadCells(Database* db, absl::string_view metric,
                                                            absl::string_view period) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectReleased));
  select.Bind(1, metric).Bind(2, period);
  std::map<std::string, StoredCell> cells;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    cells[select.ColumnText(0)] = StoredCell{select.ColumnInt(1), select.ColumnInt(2)};
  }
  return cells;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PrivacyLedger>> PrivacyLedger::Open(Database* db) {
  // Preparing against the tables proves the schema is there.
  if (!db->Prepare(kSelectBudget).ok() || !db->Prepare(kSelectReleased).ok() ||
      !db->Prepare(kSelectAccount).ok()) {
    return absl::FailedPreconditionError(
        "database lacks the privacy ledger tables (kPrivacyLedgerSchema, "
        "kPrivacyRegistryAccountsSchema)");
  }
  return std::unique_ptr<PrivacyLedger>(new PrivacyLedger(db));
}

absl::StatusOr<BudgetState> PrivacyLedger::Budget(absl::string_view metric,
                                                  absl::string_view period) {
  ASSIGN_OR_RETURN(Statement select, db_->Prepare(kSelectBudget));
  select.Bind(1, metric).Bind(2, period);
  ASSIGN_OR_RETURN(bool row, select.Step());
  BudgetState state;
  if (!row) return state;
  ASSIGN_OR_RETURN(state.budget, ParseRational(select.ColumnText(0)));
  ASSIGN_OR_RETURN(state.spent, ParseRational(select.ColumnText(1)));
  state.releases = select.ColumnInt(2);
  return state;
}

absl::StatusOr<mpq_class> PrivacyLedger::RegistrySpent(absl::string_view registry,
                                                       absl::string_view period) {
  ASSIGN_OR_RETURN(Statement select, db_->Prepare(kSelectAccount));
  select.Bind(1, registry).Bind(2, period);
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return mpq_class(0);
  return ParseRational(select.ColumnText(0));
}

absl::StatusOr<ReleasedValues> PrivacyLedger::Stored(absl::string_view metric,
                                                     absl::string_view period) {
  ASSIGN_OR_RETURN(auto cells, ReadCells(db_, metric, period));
  ReleasedValues values;
  for (const auto& [dims, cell] : cells) values[dims] = cell.noisy;
  return values;
}

absl::StatusOr<ReleasedValues> PrivacyLedger::Release(
    absl::string_view metric, absl::string_view period, const DpCharge& charge,
    const std::map<std::string, int64_t>& exact,
    absl::FunctionRef<absl::StatusOr<int64_t>(int64_t exact_value)> draw_noisy) {
  if (charge.epsilon <= 0 || charge.budget <= 0 || charge.registry_units <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("DP release of ", metric, " ", period,
                                                   " needs epsilon, budget and units > 0"));
  }
  ASSIGN_OR_RETURN(BudgetState state, Budget(metric, period));
  if (state.releases > 0 && state.budget != charge.budget) {
    return absl::FailedPreconditionError(absl::StrCat(
        "privacy budget of ", metric, " ", period, " is fixed at ", FormatRational(state.budget),
        " by its first release; ", FormatRational(charge.budget), " was asked"));
  }
  ASSIGN_OR_RETURN(auto stored, ReadCells(db_, metric, period));

  ReleasedValues released;
  bool unchanged = true;
  for (const auto& [dims, value] : exact) {
    auto it = stored.find(dims);
    unchanged = unchanged && it != stored.end() && it->second.exact == value;
    if (unchanged) released[dims] = it->second.noisy;
  }
  if (unchanged) return released;  // a re-send: nothing drawn, nothing spent

  const mpq_class spent = state.spent + charge.epsilon;
  if (spent > charge.budget) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "privacy budget of ", metric, " ", period, " is spent: ", FormatRational(state.spent),
        " of ", FormatRational(charge.budget), " used, this release needs ",
        FormatRational(charge.epsilon)));
  }
  std::map<std::string, mpq_class> accounts;
  for (const std::string& registry : charge.registries) {
    ASSIGN_OR_RETURN(mpq_class account, RegistrySpent(registry, period));
    accounts[registry] = account + charge.registry_units;
    if (accounts[registry] > charge.registry_cap) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "privacy budget of registry ", registry, " ", period, " is spent: ",
          FormatRational(account), " of ", FormatRational(charge.registry_cap), " used"));
    }
  }
  // Draw everything before writing anything, so a failed draw leaves no trace.
  for (const auto& [dims, value] : exact) {
    ASSIGN_OR_RETURN(released[dims], draw_noisy(value));
  }
  const int64_t release_number = state.releases + 1;
  ASSIGN_OR_RETURN(Statement upsert_cell, db_->Prepare(kUpsertReleased));
  for (const auto& [dims, value] : exact) {
    upsert_cell.Reset();
    upsert_cell.Bind(1, metric).Bind(2, period).Bind(3, dims).Bind(4, value);
    upsert_cell.Bind(5, released[dims]).Bind(6, release_number);
    RETURN_IF_ERROR(upsert_cell.Run());
  }
  ASSIGN_OR_RETURN(Statement upsert_budget, db_->Prepare(kUpsertBudget));
  upsert_budget.Bind(1, metric).Bind(2, period).Bind(3, FormatRational(charge.budget));
  upsert_budget.Bind(4, FormatRational(spent)).Bind(5, release_number);
  RETURN_IF_ERROR(upsert_budget.Run());
  ASSIGN_OR_RETURN(Statement upsert_account, db_->Prepare(kUpsertAccount));
  for (const auto& [registry, account] : accounts) {
    upsert_account.Reset();
    upsert_account.Bind(1, registry).Bind(2, period).Bind(3, FormatRational(account));
    RETURN_IF_ERROR(upsert_account.Run());
  }
  return released;
}

}  // namespace privacy
}  // namespace fedsync
