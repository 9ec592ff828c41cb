// The suppression audit: proves that what is published about linked tables
// (linked_tables.h) reveals no suppressed cell. It is the gate before publication; a
// table that fails is not published as is (secondary_suppression.h adds suppressions).
//
// The attacker knows every published value, every equation, that cells are >= 0, and
// that a count cell published at all (SUPPRESSED or not) is >= 1 (LinkedCell::min_value).
// For each suppressed cell the audit checks:
//   (a) it is not a linear combination of published values. Exact rational Gaussian
//       elimination (GMP) of the equations restricted to suppressed cells: the cell is
//       derivable iff its unit vector lies in their row space, i.e. its column is a pivot
//       whose reduced row has no other entry.
//   (b) for primary cells, its feasible interval [min, max] under the equations and
//       the cells' least values, two LPs (GLPK's simplex; when the width is within 0.5 of the
//       protection width, confirmed by GLPK's exact rational simplex from that basis),
//       is at least its protection width. A cell pinned by non-negativity
//       (x + y = 0 forces both to 0) fails here although it passes (a).
// The singleton problem: the lone contributor of a singleton primary cell knows that
// cell's value. For each singleton the audit repeats (a) and (b) for every other primary
// cell with the singleton's value known — except singleton cells nested with it (its
// parts, or totals it is part of, found through the equations), whose one contributor is
// the attacker itself.
//
// The intervals are doubles from GLPK's exact solver: exact for the integer and small
// rational vertices of these problems; compared with a 1e-7 tolerance. Stateless;
// thread-safe as far as GLPK is (each call builds its own problems).
#ifndef FEDSYNC_SHARED_PRIVACY_DISCLOSURE_AUDIT_H_
#define FEDSYNC_SHARED_PRIVACY_DISCLOSURE_AUDIT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "shared/privacy/linked_tables.h"

namespace fedsync {
namespace privacy {

struct CellAudit {
  int cell = -1;
  int known_singleton = -1;  // -1: the outside attacker; else the singleton who attacks
  bool derivable = false;
  double lower = 0;  // the attacker's feasible interval
  double upper = 0;  // +infinity when unbounded
  bool protected_enough = false;
};

struct AuditReport {
  // Every suppressed cell against the outside attacker, in cell order.
  std::vector<CellAudit> cells;
  // Only the failures of the singleton attackers (protected_enough == false).
  std::vector<CellAudit> singleton_breaches;

  bool passed() const;
  // The first cell that failed (outside attacker first), or nullptr.
  const CellAudit* FirstFailure() const;
};

// How long one audit's LPs may run, when the caller gives no deadline.
inline constexpr absl::Duration kDefaultAuditTimeLimit = absl::Seconds(5);

// kInvalidArgument when the tables do not validate; kInternal if GLPK fails or finds the
// published values infeasible (which valid tables never are); kDeadlineExceeded when
// an LP is still to solve at `deadline` (GLPK's time limit stops one running past it).
absl::StatusOr<AuditReport> AuditSuppression(const LinkedTables& tables, absl::Time deadline);
// With a deadline kDefaultAuditTimeLimit from now.
absl::StatusOr<AuditReport> AuditSuppression(const LinkedTables& tables);

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_DISCLOSURE_AUDIT_H_
