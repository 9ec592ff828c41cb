// Secondary suppression: after the primary rules, suppresses further published cells of
// linked tables until the audit (disclosure_audit.h) passes, so that no suppressed cell
// can be recovered from totals, marginals or a singleton's own knowledge.
//
// Greedy: while the audit fails, take its first failing cell and suppress the published
// cell that costs least among those sharing an equation with it — smallest value (the
// information lost), then the one sharing most equations with cells already suppressed
// (it tends to close the rectangle that protects both), then the lowest index. When no
// published cell shares an equation with it, the cheapest published cell linked to any
// suppressed cell is taken. Each round suppresses one more cell, so it ends within as
// many rounds as there are published cells, and with everything suppressed the audit
// passes. Not optimal (that is an integer program, as in tau-Argus's optimal mode) but
// always safe: the result is whatever the audit accepts.
//
// Deterministic for given tables. Not synchronised.
#ifndef FEDSYNC_SHARED_PRIVACY_SECONDARY_SUPPRESSION_H_
#define FEDSYNC_SHARED_PRIVACY_SECONDARY_SUPPRESSION_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "shared/privacy/disclosure_audit.h"
#include "shared/privacy/linked_tables.h"

namespace fedsync {
namespace privacy {

struct SecondaryResult {
  int added = 0;       // cells newly marked kSecondary
  AuditReport report;  // the final, passing audit
};

// Marks cells of `tables` kSecondary until the audit passes. Errors of the audit are
// returned as is (kDeadlineExceeded when its rounds reach `deadline`); `tables` may
// then hold some new kSecondary cells.
absl::StatusOr<SecondaryResult> SuppressUntilSafe(LinkedTables* tables, absl::Time deadline);
// With a deadline kDefaultAuditTimeLimit (disclosure_audit.h) from now.
absl::StatusOr<SecondaryResult> SuppressUntilSafe(LinkedTables* tables);

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_SECONDARY_SUPPRESSION_H_
