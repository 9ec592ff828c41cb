// The DP release ledger of a district: per (metric, period), the privacy budget, how much
// of it releases have spent, and every cell's released noisy value. It makes two promises
// of DESIGN.md's `dp` method: a noisy value, once drawn, is stored and re-sent and never
// re-drawn (re-drawing and averaging would erode the noise); and a release that would
// overspend the budget is refused, across restarts, because the ledger lives in SQLite.
//
// Accounting. A release of (metric, period) covers its cells, which are disjoint (each
// contributor in one cell), so by parallel composition one release costs `epsilon` once.
// Cells whose exact value is unchanged keep their stored noise for free; if any cell needs
// a fresh draw the release spends `epsilon` (conservatively, even if only one cell
// changed). Budgets and spending are exact rationals (rational.h), in the unit of the
// metric's mechanism: epsilon for discrete Laplace (pure DP), rho for the discrete
// Gaussian (zCDP).
//
// The budget of a (metric, period) is fixed by its first release; a later call with a
// different budget is kFailedPrecondition (raising it would silently re-open spent
// privacy). Exact values stay in the district's own database, like its exact cells.
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

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "shared/database.h"

namespace fedsync {
namespace privacy {

// The ledger's tables, for the district's migration list (one migration).
extern const char kPrivacyLedgerSchema[];

// Noisy values by cell (the cell's canonical dimension text, cell.h).
using ReleasedValues = std::map<std::string, int64_t>;

struct BudgetState {
  mpq_class budget;  // 0 when (metric, period) was never released
  mpq_class spent;
  int64_t releases = 0;  // releases that drew fresh noise
};

class PrivacyLedger {
 public:
  // `db` must hold kPrivacyLedgerSchema (kFailedPrecondition otherwise) and outlive this.
  static absl::StatusOr<std::unique_ptr<PrivacyLedger>> Open(Database* db);

  // Releases the cells `exact` (dims -> exact value) of (metric, period). Cells whose
  // stored exact value equals the current one return their stored noisy value; the
  // others get `draw_noisy(exact value)` (the exact value plus fresh noise) and are
  // stored. A fresh draw spends `epsilon` once for the whole release.
  //   kResourceExhausted: spent + epsilon would exceed `budget`; nothing is drawn or
  //     written. The caller keeps publishing the stored values (Stored) or suppresses.
  //   kInvalidArgument: epsilon <= 0 or budget <= 0.
  //   kFailedPrecondition: `budget` differs from the one fixed by the first release.
  //   draw_noisy's error is returned as is, with nothing written.
  absl::StatusOr<ReleasedValues> Release(
      absl::string_view metric, absl::string_view period, const mpq_class& budget,
      const mpq_class& epsilon, const std::map<std::string, int64_t>& exact,
      absl::FunctionRef<absl::StatusOr<int64_t>(int64_t exact_value)> draw_noisy);

  // Every stored noisy value of (metric, period); empty when never released.
  absl::StatusOr<ReleasedValues> Stored(absl::string_view metric, absl::string_view period);
  absl::StatusOr<BudgetState> Budget(absl::string_view metric, absl::string_view period);

 private:
  explicit PrivacyLedger(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_PRIVACY_LEDGER_H_
