#include "shared/privacy/disclosure_audit.h"

#include <glpk.h>
#include <gmpxx.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace privacy {
namespace {

constexpr double kTolerance = 1e-7;
// Below this distance from the required width, an interval is confirmed exactly.
constexpr double kExactMargin = 0.5;

// One scenario's knowledge: the suppressed cells (columns) and, per equation, their
// coefficients and the constant the published cells contribute.
struct System {
  std::vector<int> columns;                  // cell index of each unknown
  std::vector<int64_t> lower;                // the least value of each unknown
  std::map<int, int> column_of_cell;         // cell index -> column
  std::vector<std::map<int, int64_t>> rows;  // column -> coefficient
  std::vector<int64_t> constants;            // sum of coefficient * x = constant
};

System BuildSystem(const LinkedTables& tables, int known_cell) {
  System system;
  for (int cell = 0; cell < static_cast<int>(tables.cells.size()); ++cell) {
    if (tables.cells[cell].suppressed()) {
      system.column_of_cell[cell] = static_cast<int>(system.columns.size());
      system.columns.push_back(cell);
      system.lower.push_back(tables.cells[cell].min_value);
    }
  }
  auto add_term = [&](int cell, int64_t coefficient, std::map<int, int64_t>* row,
                      int64_t* constant) {
    auto it = system.column_of_cell.find(cell);
    if (it == system.column_of_cell.end() || cell == known_cell) {
      *constant -= coefficient * tables.cells[cell].value;  // known: move to the right
    } else {
      (*row)[it->second] += coefficient;
    }
  };
  for (const LinearEquation& equation : tables.equations) {
    std::map<int, int64_t> row;
    int64_t constant = 0;
    add_term(equation.total, 1, &row, &constant);
    for (int part : equation.parts) add_term(part, -1, &row, &constant);
    for (auto it = row.begin(); it != row.end();) {
      it = it->second == 0 ? row.erase(it) : std::next(it);
    }
    if (row.empty()) continue;
    system.rows.push_back(std::move(row));
    system.constants.push_back(constant);
  }
  return system;
}

// Columns whose unit vector lies in the row space of `system`: the cells an attacker can
// compute exactly. Reduced row echelon form over the rationals.
std::vector<bool> DerivableColumns(const System& system) {
  const size_t n = system.columns.size();
  std::vector<std::vector<mpq_class>> matrix;
  for (const auto& sparse : system.rows) {
    std::vector<mpq_class> row(n, 0);
    for (const auto& [column, coefficient] : sparse) row[column] = static_cast<long>(coefficient);
    matrix.push_back(std::move(row));
  }
  std::vector<int> pivot_rows(n, -1);
  size_t rank = 0;
  for (size_t column = 0; column < n && rank < matrix.size(); ++column) {
    size_t pivot = rank;
    while (pivot < matrix.size() && matrix[pivot][column] == 0) ++pivot;
    if (pivot == matrix.size()) continue;
    std::swap(matrix[pivot], matrix[rank]);
    const mpq_class scale = matrix[rank][column];
    for (size_t k = column; k < n; ++k) matrix[rank][k] /= scale;
    for (size_t other = 0; other < matrix.size(); ++other) {
      if (other == rank || matrix[other][column] == 0) continue;
      const mpq_class factor = matrix[other][column];
      for (size_t k = column; k < n; ++k) matrix[other][k] -= factor * matrix[rank][k];
    }
    pivot_rows[column] = static_cast<int>(rank);
    ++rank;
  }
  std::vector<bool> derivable(n, false);
  for (size_t column = 0; column < n; ++column) {
    if (pivot_rows[column] < 0) continue;
    bool unit = true;
    const auto& row = matrix[pivot_rows[column]];
    for (size_t k = 0; k < n && unit; ++k) unit = k == column || row[k] == 0;
    derivable[column] = unit;
  }
  return derivable;
}

struct ProblemDeleter {
  void operator()(glp_prob* problem) const { glp_delete_prob(problem); }
};

// The attacker's LP for one scenario; Interval() minimises and maximises one column.
class AttackerLp {
 public:
  AttackerLp(const System& system, absl::Time deadline)
      : problem_(glp_create_prob()), deadline_(deadline) {
    glp_prob* lp = problem_.get();
    const int n = static_cast<int>(system.columns.size());
    const int m = static_cast<int>(system.rows.size());
    if (n > 0) glp_add_cols(lp, n);
    // Each unknown is at least what is known of it: 0, or 1 for a count cell present.
    for (int j = 1; j <= n; ++j) {
      glp_set_col_bnds(lp, j, GLP_LO, static_cast<double>(system.lower[j - 1]), 0.0);
    }
    if (m > 0) glp_add_rows(lp, m);
    std::vector<int> row_index{0}, column_index{0};
    std::vector<double> values{0};
    for (int i = 0; i < m; ++i) {
      const auto constant = static_cast<double>(system.constants[i]);
      glp_set_row_bnds(lp, i + 1, GLP_FX, constant, constant);
      for (const auto& [column, coefficient] : system.rows[i]) {
        row_index.push_back(i + 1);
        column_index.push_back(column + 1);
        values.push_back(static_cast<double>(coefficient));
      }
    }
    if (values.size() > 1) {
      glp_load_matrix(lp, static_cast<int>(values.size()) - 1, row_index.data(),
                      column_index.data(), values.data());
    }
    glp_init_smcp(&parameters_);
    parameters_.msg_lev = GLP_MSG_OFF;
  }

  // [min, max] of `column`; max is +infinity when unbounded. The floating-point simplex
  // decides alone when its width is clearly on one side of `required` (its error on
  // these small integer problems is far below kExactMargin); only a borderline width is
  // confirmed by the exact rational simplex, which costs far more.
  absl::StatusOr<std::pair<double, double>> Interval(int column, double required) {
    // No equation constrains anything (GLPK refuses a problem without rows): the
    // attacker knows only that the cell is >= 0.
    if (glp_get_num_rows(problem_.get()) == 0) {
      return std::make_pair(0.0, std::numeric_limits<double>::infinity());
    }
    ASSIGN_OR_RETURN(std::optional<double> lower, Optimise(column, GLP_MIN, /*exact=*/false));
    ASSIGN_OR_RETURN(std::optional<double> upper, Optimise(column, GLP_MAX, /*exact=*/false));
    if (lower.has_value() && upper.has_value() &&
        std::abs(*upper - *lower - required) < kExactMargin) {
      ASSIGN_OR_RETURN(lower, Optimise(column, GLP_MIN, /*exact=*/true));
      ASSIGN_OR_RETURN(upper, Optimise(column, GLP_MAX, /*exact=*/true));
    }
    if (!lower.has_value()) return absl::InternalError("audit LP: a cell unbounded below 0");
    return std::make_pair(*lower, upper.value_or(std::numeric_limits<double>::infinity()));
  }

 private:
  // The optimum, or nullopt when unbounded. Each solver call gets the time left before
  // the deadline as GLPK's limit; one that reaches it returns GLP_ETMLIM.
  //
  // GLPK reports an invalid call (a negative tm_lim, a bad bound) or an internal error
  // (memory exhausted) by abort(). The calls here are kept valid (the limit is checked
  // positive first). Catching the rest would take glp_error_hook with a longjmp out of
  // GLPK and glp_free_env afterwards, which frees every GLPK object of the thread,
  // including those the unique_ptrs here still own: not done.
  // GLPK's limit for the next call: the time left to the deadline, so that the calls
  // of one Optimise (a retry, the exact pass) share it rather than each taking it anew.
  absl::Status LimitToTimeLeft() {
    const absl::Duration left = deadline_ - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("audit LP: out of time");
    }
    parameters_.tm_lim = static_cast<int>(
        std::min<int64_t>(absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))),
                          std::numeric_limits<int>::max()));
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<double>> Optimise(int column, int direction, bool exact) {
    RETURN_IF_ERROR(LimitToTimeLeft());
    glp_prob* lp = problem_.get();
    const int n = glp_get_num_cols(lp);
    for (int j = 1; j <= n; ++j) glp_set_obj_coef(lp, j, j == column + 1 ? 1.0 : 0.0);
    glp_set_obj_dir(lp, direction);
    // The floating-point simplex finds the optimal basis fast; the exact simplex then
    // confirms it in rational arithmetic, so a borderline width is not a rounding accident.
    int failed = glp_simplex(lp, &parameters_);
    if (failed != 0 && failed != GLP_ETMLIM) {
      glp_std_basis(lp);
      RETURN_IF_ERROR(LimitToTimeLeft());
      failed = glp_simplex(lp, &parameters_);
    }
    if (failed == GLP_ETMLIM) return absl::DeadlineExceededError("audit LP: out of time");
    if (failed != 0) return absl::InternalError("audit LP failed");
    if (glp_get_status(lp) == GLP_UNBND) return std::optional<double>();
    if (exact && glp_get_status(lp) == GLP_OPT) {
      RETURN_IF_ERROR(LimitToTimeLeft());
      failed = glp_exact(lp, &parameters_);
      if (failed == GLP_ETMLIM) return absl::DeadlineExceededError("audit LP: out of time");
      if (failed != 0) return absl::InternalError("audit exact LP failed");
    }
    const int status = glp_get_status(lp);
    if (status == GLP_UNBND) return std::optional<double>();
    if (status != GLP_OPT) {
      return absl::InternalError("audit LP: the published values admit no solution");
    }
    return std::optional<double>(glp_get_obj_val(lp));
  }

  std::unique_ptr<glp_prob, ProblemDeleter> problem_;
  const absl::Time deadline_;
  glp_smcp parameters_;
};

// Audits the cells in `victims` in one scenario (known_cell: a singleton's cell, or -1).
absl::StatusOr<std::vector<CellAudit>> AuditScenario(const LinkedTables& tables, int known_cell,
                                                     const std::vector<int>& victims,
                                                     absl::Time deadline) {
  const System system = BuildSystem(tables, known_cell);
  const std::vector<bool> derivable = DerivableColumns(system);
  AttackerLp lp(system, deadline);
  std::vector<CellAudit> audits;
  for (int cell : victims) {
    const LinkedCell& linked = tables.cells[cell];
    const int column = system.column_of_cell.at(cell);
    CellAudit audit;
    audit.cell = cell;
    audit.known_singleton = known_cell;
    audit.derivable = derivable[column];
    const double required =
        linked.state == CellState::kPrimary ? static_cast<double>(linked.protection_width) : 0.0;
    ASSIGN_OR_RETURN(auto interval, lp.Interval(column, required));
    audit.lower = interval.first;
    audit.upper = interval.second;
    const double width = audit.upper - audit.lower;
    audit.protected_enough = !audit.derivable && width + kTolerance >= required;
    audits.push_back(audit);
  }
  return audits;
}

// Cells nested with `cell` through the equations: its parts, their parts, ... and the
// totals it is a part of, and theirs; and the parts (and theirs) of every such total
// that is itself a singleton: that total's one contributor is `cell`'s, so its parts
// with a contributor hold only that one too (a lone person is in the total, in its
// region and in its degree).
std::vector<bool> NestedWith(const LinkedTables& tables, int cell) {
  const size_t n = tables.cells.size();
  std::vector<std::vector<int>> parts_of(n), totals_of(n);
  for (const LinearEquation& equation : tables.equations) {
    for (int part : equation.parts) {
      parts_of[equation.total].push_back(part);
      totals_of[part].push_back(equation.total);
    }
  }
  std::vector<bool> nested(n, false);
  // Marks everything reachable from `from` along `edges`.
  auto reach = [&](int from, const std::vector<std::vector<int>>& edges) {
    std::vector<int> stack = {from};
    std::vector<bool> seen(n, false);
    while (!stack.empty()) {
      const int current = stack.back();
      stack.pop_back();
      for (int next : edges[current]) {
        if (seen[next]) continue;
        seen[next] = true;
        nested[next] = true;
        stack.push_back(next);
      }
    }
  };
  reach(cell, parts_of);
  reach(cell, totals_of);
  for (size_t total = 0; total < n; ++total) {
    if (nested[total] && tables.cells[total].singleton) reach(static_cast<int>(total), parts_of);
  }
  return nested;
}

}  // namespace

bool AuditReport::passed() const { return FirstFailure() == nullptr; }

const CellAudit* AuditReport::FirstFailure() const {
  for (const CellAudit& audit : cells) {
    if (!audit.protected_enough) return &audit;
  }
  return singleton_breaches.empty() ? nullptr : &singleton_breaches.front();
}

absl::StatusOr<AuditReport> AuditSuppression(const LinkedTables& tables) {
  return AuditSuppression(tables, absl::Now() + kDefaultAuditTimeLimit);
}

absl::StatusOr<AuditReport> AuditSuppression(const LinkedTables& tables, absl::Time deadline) {
  RETURN_IF_ERROR(tables.Validate());
  std::vector<int> suppressed, primaries, singletons;
  for (int cell = 0; cell < static_cast<int>(tables.cells.size()); ++cell) {
    const LinkedCell& linked = tables.cells[cell];
    if (!linked.suppressed()) continue;
    suppressed.push_back(cell);
    if (linked.state != CellState::kPrimary) continue;
    primaries.push_back(cell);
    if (linked.singleton) singletons.push_back(cell);
  }
  AuditReport report;
  ASSIGN_OR_RETURN(report.cells, AuditScenario(tables, -1, suppressed, deadline));
  for (int singleton : singletons) {
    // The singleton's contributor is also in every cell nested with its cell. A nested
    // singleton cell has that same contributor alone, and a cell inside the singleton's
    // holds only it: learning those reveals the attacker to itself, so they are not
    // victims. Totals above it that hold others are.
    const std::vector<bool> nested = NestedWith(tables, singleton);
    std::vector<int> victims;
    for (int cell : primaries) {
      if (cell == singleton) continue;
      if (nested[cell] && tables.cells[cell].singleton) continue;
      victims.push_back(cell);
    }
    if (victims.empty()) continue;
    ASSIGN_OR_RETURN(auto audits, AuditScenario(tables, singleton, victims, deadline));
    for (const CellAudit& audit : audits) {
      if (!audit.protected_enough) report.singleton_breaches.push_back(audit);
    }
  }
  return report;
}

}  // namespace privacy
}  // namespace fedsync
