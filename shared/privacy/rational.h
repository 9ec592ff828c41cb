// Exact rationals for privacy parameters (epsilon, rho, variances) as they appear in the
// catalog and in the ledger: "1/2", "0.25", "3". Decimal text is read exactly (0.1 is
// 1/10, not the nearest double), so budgets add up without rounding: 0.1 + 0.2 spends
// exactly 0.3. kInvalidArgument for anything else (exponents, spaces, a zero
// denominator). Stateless; thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_RATIONAL_H_
#define FEDSYNC_SHARED_PRIVACY_RATIONAL_H_

#include <gmpxx.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fedsync {
namespace privacy {

absl::StatusOr<mpq_class> ParseRational(absl::string_view text);
// Canonical "a/b" (or "a" for integers); ParseRational reads it back exactly.
std::string FormatRational(const mpq_class& value);

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_RATIONAL_H_
