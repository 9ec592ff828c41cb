#include "shared/privacy/secondary_suppression.h"

#include <tuple>
#include <vector>

#include "shared/status_macros.h"

namespace fedsync {
namespace privacy {
namespace {

// For each cell, the equations it appears in.
std::vector<std::vector<int>> EquationsOfCells(const LinkedTables& tables) {
  std::vector<std::vector<int>> equations_of(tables.cells.size());
  for (int e = 0; e < static_cast<int>(tables.equations.size()); ++e) {
    const LinearEquation& equation = tables.equations[e];
    equations_of[equation.total].push_back(e);
    for (int part : equation.parts) equations_of[part].push_back(e);
  }
  return equations_of;
}

std::vector<int> CellsOf(const LinearEquation& equation) {
  std::vector<int> cells = equation.parts;
  cells.push_back(equation.total);
  return cells;
}

// The cheapest published cell sharing an equation with `victim` (any suppressed cell
// when victim is -1), or -1.
int ChooseCandidate(const LinkedTables& tables, const std::vector<std::vector<int>>& equations_of,
                    int victim) {
  std::vector<bool> candidate(tables.cells.size(), false);
  for (int cell = 0; cell < static_cast<int>(tables.cells.size()); ++cell) {
    if (!(victim < 0 ? tables.cells[cell].suppressed() : cell == victim)) continue;
    for (int e : equations_of[cell]) {
      for (int other : CellsOf(tables.equations[e])) {
        if (!tables.cells[other].suppressed()) candidate[other] = true;
      }
    }
  }
  int best = -1;
  std::tuple<int64_t, int, int> best_cost;
  for (int cell = 0; cell < static_cast<int>(tables.cells.size()); ++cell) {
    if (!candidate[cell]) continue;
    int shared = 0;
    for (int e : equations_of[cell]) {
      for (int other : CellsOf(tables.equations[e])) {
        shared += other != victim && tables.cells[other].suppressed();
      }
    }
    // Smaller is better: value, then more shared suppressed neighbours, then index.
    const auto cost = std::make_tuple(tables.cells[cell].value, -shared, cell);
    if (best < 0 || cost < best_cost) {
      best = cell;
      best_cost = cost;
    }
  }
  return best;
}

}  // namespace

absl::StatusOr<SecondaryResult> SuppressUntilSafe(LinkedTables* tables) {
  return SuppressUntilSafe(tables, absl::Now() + kDefaultAuditTimeLimit);
}

absl::StatusOr<SecondaryResult> SuppressUntilSafe(LinkedTables* tables, absl::Time deadline) {
  const std::vector<std::vector<int>> equations_of = EquationsOfCells(*tables);
  SecondaryResult result;
  while (true) {
    ASSIGN_OR_RETURN(result.report, AuditSuppression(*tables, deadline));
    const CellAudit* failure = result.report.FirstFailure();
    if (failure == nullptr) return result;
    int chosen = ChooseCandidate(*tables, equations_of, failure->cell);
    if (chosen < 0) chosen = ChooseCandidate(*tables, equations_of, -1);
    if (chosen < 0) {
      // No published cell is linked to a suppressed one, yet a cell fails: only an
      // unlinked published cell remains, which cannot help. Report the failure.
      return absl::InternalError("secondary suppression found no cell that could help");
    }
    tables->cells[chosen].state = CellState::kSecondary;
    ++result.added;
  }
}

}  // namespace privacy
}  // namespace fedsync
