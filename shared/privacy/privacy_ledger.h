// The DP release ledger of a district: per (metric, period), the privacy budget, how much
// of it releases have spent, and every cell's released noisy value. It makes two promises
// of DESIGN.md's `dp` method: a noisy value, once drawn, is stored and re-sent and never
// re-drawn (re-drawing and averaging would erode the noise); and a release that would
// overspend the budget is refused, across restarts, because the ledger lives in SQLite.
//
// Accounting. A release of (metric, period) covers its cells, which are disjoint (each
// contributor in one cell), so by parallel composition one release costs `epsilon` once.
// A release whose exact values are all unchanged re-sends its stored noise for free; if
// any cell changed, every cell of the release is drawn afresh, so that which cells'
// values moved carries noise too (re-drawing only the changed cell would tell exactly
// which cell a newcomer joined). Budgets and spending are exact rationals (rational.h),
// in the unit of the metric's mechanism: epsilon for discrete Laplace (pure DP), rho for
// the discrete Gaussian (zCDP).
//
// The budget of a (metric, period) is fixed by its first release; a later call with a
// different budget is kFailedPrecondition (raising it would silently re-open spent
// privacy). A release is also charged to an account per (registry, period) that every
// DP metric counting the registry shares, whatever its id: a catalog that renames or
// copies a metric gets no new budget for the same records. Exact values stay in the
// district's own database, like its exact cells.
//
// Not thread-safe: owned by the node's one writer. Every method must run inside the
// caller's transaction on the same connection, so that the spend, the stored values and
// the published cells commit together or not at all; Release writes nothing before it
// has checked the budget and drawn every value.
#ifndef FEDSYNC_SHARED_PRIVACY_PRIVACY_LEDGER_H_
#define FEDSYNC_SHARED_PRIVACY_PRIVACY_LEDGER_H_

#include <gmpxx.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "shared/database.h"

namespace fedsync {
namespace privacy {

// The ledger's tables, for the district's migration list: the budgets and values, and
// (a later migration) the registries' accounts.
extern const char kPrivacyLedgerSchema[];
extern const char kPrivacyRegistryAccountsSchema[];

// Noisy values by cell (the cell's canonical dimension text, cell.h).
using ReleasedValues = std::map<std::string, int64_t>;

struct BudgetState {
  mpq_class budget;  // 0 when (metric, period) was never released
  mpq_class spent;
  int64_t releases = 0;  // releases that drew fresh noise
};

// What a release that draws fresh noise spends.
struct DpCharge {
  mpq_class epsilon;  // of the (metric, period) budget
  mpq_class budget;   // the (metric, period) budget, fixed by its first release
  // Each registry's (registry, period) account is charged `registry_units`, and may
  // spend at most `registry_cap` in all.
  std::vector<std::string> registries;
  mpq_class registry_units;
  mpq_class registry_cap;
};

class PrivacyLedger {
 public:
  // `db` must hold kPrivacyLedgerSchema (kFailedPrecondition otherwise) and outlive this.
  static absl::StatusOr<std::unique_ptr<PrivacyLedger>> Open(Database* db);

  // Releases the cells `exact` (dims -> exact value) of (metric, period). When every
  // cell has a stored exact value equal to the current one, the stored noisy values
  // come back and nothing is spent; otherwise every cell gets `draw_noisy(exact value)`
  // (the exact value plus fresh noise), stored, and the release spends `charge`.
  //   kResourceExhausted: the (metric, period) budget or a registry's account would be
  //     overspent; nothing is drawn or written. The caller keeps publishing the stored
  //     values (Stored) or suppresses.
  //   kInvalidArgument: epsilon, budget or registry_units <= 0.
  //   kFailedPrecondition: `budget` differs from the one fixed by the first release.
  //   draw_noisy's error is returned as is, with nothing written.
  absl::StatusOr<ReleasedValues> Release(
      absl::string_view metric, absl::string_view period, const DpCharge& charge,
      const std::map<std::string, int64_t>& exact,
      absl::FunctionRef<absl::StatusOr<int64_t>(int64_t exact_value)> draw_noisy);

  // Every stored noisy value of (metric, period); empty when never released.
  absl::StatusOr<ReleasedValues> Stored(absl::string_view metric, absl::string_view period);
  absl::StatusOr<BudgetState> Budget(absl::string_view metric, absl::string_view period);
  // What the (registry, period) account has spent; 0 when never charged.
  absl::StatusOr<mpq_class> RegistrySpent(absl::string_view registry, absl::string_view period);

 private:
  explicit PrivacyLedger(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_PRIVACY_LEDGER_H_
