// Linked tables, the suppression audit and secondary suppression. The random-table tests
// check the result with the test's own attacker LP (every cell a variable, published
// ones fixed), independent of the audit's formulation.
#include <glpk.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "shared/privacy/disclosure_audit.h"
#include "shared/privacy/linked_tables.h"
#include "shared/privacy/secondary_suppression.h"

namespace fedsync {
namespace privacy {
namespace {

constexpr int64_t kCountWidth = 2;  // threshold k = 3: k - 1

LinkedTables Grid(const std::vector<int>& sizes, const std::vector<int64_t>& interior) {
  auto tables = GridWithMarginals(sizes, interior);
  EXPECT_TRUE(tables.ok()) << tables.status();
  return *tables;
}

void MarkPrimary(LinkedTables* tables, int cell, bool singleton = false) {
  tables->cells[cell].state = CellState::kPrimary;
  tables->cells[cell].protection_width = kCountWidth;
  tables->cells[cell].singleton = singleton;
}

TEST(LinkedTablesTest, GridHasEveryMarginalAndValidates) {
  LinkedTables tables = Grid({2, 3}, {1, 2, 3, 4, 5, 6});
  ASSERT_EQ(tables.cells.size(), 12u);
  EXPECT_EQ(tables.cells[GridIndex({2, 3}, {0, 3})].value, 6);   // row 0 total
  EXPECT_EQ(tables.cells[GridIndex({2, 3}, {2, 1})].value, 7);   // column 1 total
  EXPECT_EQ(tables.cells[GridIndex({2, 3}, {2, 3})].value, 21);  // grand total
  EXPECT_EQ(tables.cells[GridIndex({2, 3}, {2, 3})].label, "T,T");
  // Row totals (2) + column totals (3) + the grand total along both axes (2).
  EXPECT_EQ(tables.equations.size(), 7u);
  EXPECT_TRUE(tables.Validate().ok());
  LinkedTables three = Grid({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(three.cells.size(), 27u);
  EXPECT_EQ(three.cells.back().value, 36);
  EXPECT_TRUE(three.Validate().ok());
}

TEST(LinkedTablesTest, RefusesBadShapesAndBrokenEquations) {
  EXPECT_FALSE(GridWithMarginals({}, {}).ok());
  EXPECT_FALSE(GridWithMarginals({2, 0}, {}).ok());
  EXPECT_FALSE(GridWithMarginals({2, 2}, {1, 2, 3}).ok());
  EXPECT_FALSE(GridWithMarginals({2}, {1, -2}).ok());
  LinkedTables tables = Grid({2}, {1, 2});
  tables.cells[2].value = 4;
  EXPECT_EQ(tables.Validate().code(), absl::StatusCode::kInvalidArgument);
  tables = Grid({2}, {1, 2});
  tables.cells[0].state = CellState::kPrimary;  // without a width
  EXPECT_EQ(tables.Validate().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DisclosureAuditTest, LoneSuppressedCellInARowIsDerivable) {
  LinkedTables tables = Grid({2, 2}, {2, 9, 8, 7});
  MarkPrimary(&tables, GridIndex({2, 2}, {0, 0}));
  auto report = AuditSuppression(tables);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->cells.size(), 1u);
  EXPECT_TRUE(report->cells[0].derivable);
  EXPECT_DOUBLE_EQ(report->cells[0].lower, 2);
  EXPECT_DOUBLE_EQ(report->cells[0].upper, 2);
  EXPECT_FALSE(report->passed());
}

TEST(DisclosureAuditTest, RectangleOfSuppressionsProtects) {
  // The 2x2 corner block suppressed: its four cells can shift together around the
  // rectangle, so none is determined.
  LinkedTables tables = Grid({3, 3}, {2, 5, 9, 4, 6, 9, 9, 9, 9});
  MarkPrimary(&tables, GridIndex({3, 3}, {0, 0}));
  for (auto coordinates : std::vector<std::vector<int>>{{0, 1}, {1, 0}, {1, 1}}) {
    tables.cells[GridIndex({3, 3}, coordinates)].state = CellState::kSecondary;
  }
  auto report = AuditSuppression(tables);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed());
  // x00 + x01 = 7, x00 + x10 = 6, x10 + x11 = 10: x00 runs over [0, 6].
  const CellAudit& corner = report->cells[0];
  EXPECT_FALSE(corner.derivable);
  EXPECT_DOUBLE_EQ(corner.lower, 0);
  EXPECT_DOUBLE_EQ(corner.upper, 6);  // x10 = 6 - x00 >= 0
}

// The audit runs in a district's write transaction: past its deadline it fails (and
// the unit is withheld) rather than block every write.
TEST(DisclosureAuditTest, AnAuditPastItsDeadlineFails) {
  LinkedTables tables = Grid({3, 3}, {2, 5, 9, 4, 6, 9, 9, 9, 9});
  MarkPrimary(&tables, GridIndex({3, 3}, {0, 0}));
  EXPECT_EQ(AuditSuppression(tables, absl::Now() - absl::Seconds(1)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(SuppressUntilSafe(&tables, absl::Now() - absl::Seconds(1)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(AuditSuppression(tables, absl::Now() + absl::Minutes(10)).ok());
}

TEST(DisclosureAuditTest, NonNegativityPinIsCaughtByTheLpNotTheElimination) {
  // T = a + b with T = 0 published: neither a nor b is a linear combination of published
  // values, but both are pinned to 0 by non-negativity.
  LinkedTables tables = Grid({2}, {0, 0});
  MarkPrimary(&tables, 0);
  MarkPrimary(&tables, 1);
  auto report = AuditSuppression(tables);
  ASSERT_TRUE(report.ok());
  for (const CellAudit& audit : report->cells) {
    EXPECT_FALSE(audit.derivable);
    EXPECT_DOUBLE_EQ(audit.upper - audit.lower, 0);
    EXPECT_FALSE(audit.protected_enough);
  }
}

TEST(DisclosureAuditTest, SingletonSubtractingItselfIsABreachUntilSecondarySuppression) {
  // Two lone contributors in one row: the outsider sees x0 + x1 = 2 (interval [0, 2],
  // enough), but contributor 0 knows x0 = 1 and so learns x1 = 1.
  LinkedTables tables = Grid({3}, {1, 1, 5});
  MarkPrimary(&tables, 0, /*singleton=*/true);
  MarkPrimary(&tables, 1, /*singleton=*/true);
  auto report = AuditSuppression(tables);
  ASSERT_TRUE(report.ok());
  for (const CellAudit& audit : report->cells) EXPECT_TRUE(audit.protected_enough);
  ASSERT_FALSE(report->singleton_breaches.empty());
  EXPECT_TRUE(report->singleton_breaches[0].derivable);
  EXPECT_FALSE(report->passed());

  auto result = SuppressUntilSafe(&tables);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->added, 1);
  EXPECT_EQ(tables.cells[2].state, CellState::kSecondary);
  EXPECT_TRUE(result->report.passed());
}

// A table of one cell (a total with no published breakdown): no equation, so the
// attacker knows only that it is >= 0.
// Seven families, 3,1,1,1,1 by type, the total published: the four ones suppressed sum
// to 4, and a reader knows each has a family (a cell is published only then), so each
// is exactly 1. The audit must know that too, and secondary suppression must then hide
// more.
TEST(DisclosureAuditTest, ACountCellPresentIsKnownToBeAtLeastOne) {
  LinkedTables tables = Grid({5}, {3, 1, 1, 1, 1});
  for (int cell = 1; cell <= 4; ++cell) MarkPrimary(&tables, cell);
  auto without = AuditSuppression(tables);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_TRUE(without->passed()) << "cells >= 0 only: [0, 4] looks wide enough";
  for (LinkedCell& cell : tables.cells) cell.min_value = 1;
  auto with = AuditSuppression(tables);
  ASSERT_TRUE(with.ok()) << with.status();
  ASSERT_FALSE(with->passed());
  EXPECT_DOUBLE_EQ(with->FirstFailure()->lower, 1);
  EXPECT_DOUBLE_EQ(with->FirstFailure()->upper, 1);
  auto secured = SuppressUntilSafe(&tables);
  ASSERT_TRUE(secured.ok()) << secured.status();
  EXPECT_TRUE(secured->report.passed());
  EXPECT_GT(tables.SuppressedCount(), 4);
  // A cell below its known least value is no valid table.
  tables.cells[1].min_value = 2;
  EXPECT_EQ(tables.Validate().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DisclosureAuditTest, LoneCellWithoutEquationsIsProtected) {
  LinkedTables tables;
  tables.cells = {{"total", 1, CellState::kPrimary, 2, true}};
  auto report = AuditSuppression(tables);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed());
  ASSERT_EQ(report->cells.size(), 1u);
  EXPECT_EQ(report->cells[0].lower, 0);
  EXPECT_TRUE(std::isinf(report->cells[0].upper));
}

TEST(DisclosureAuditTest, NothingSuppressedPassesAndAddsNothing) {
  LinkedTables tables = Grid({2, 2}, {5, 6, 7, 8});
  auto result = SuppressUntilSafe(&tables);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->added, 0);
  EXPECT_TRUE(result->report.cells.empty());
}

// The attacker's LP as the test sees it: a variable per cell, published cells fixed, the
// equations as rows "total - parts = 0". `known` cells (a singleton's own) are fixed too.
// With `free_suppressed`, suppressed cells have no bounds: the cell is then determined by
// the equations alone exactly when its minimum is finite.
struct TestInterval {
  bool bounded_below;
  double lower, upper;
};

TestInterval AttackerInterval(const LinkedTables& tables, int target, int known,
                              bool free_suppressed) {
  glp_prob* lp = glp_create_prob();
  const int n = static_cast<int>(tables.cells.size());
  glp_add_cols(lp, n);
  for (int cell = 0; cell < n; ++cell) {
    const LinkedCell& linked = tables.cells[cell];
    const auto value = static_cast<double>(linked.value);
    if (!linked.suppressed() || cell == known) {
      glp_set_col_bnds(lp, cell + 1, GLP_FX, value, value);
    } else {
      glp_set_col_bnds(lp, cell + 1, free_suppressed ? GLP_FR : GLP_LO, 0, 0);
    }
  }
  const int m = static_cast<int>(tables.equations.size());
  glp_add_rows(lp, m);
  for (int e = 0; e < m; ++e) {
    const LinearEquation& equation = tables.equations[e];
    glp_set_row_bnds(lp, e + 1, GLP_FX, 0, 0);
    std::vector<int> columns{0, equation.total + 1};
    std::vector<double> coefficients{0, 1};
    for (int part : equation.parts) {
      columns.push_back(part + 1);
      coefficients.push_back(-1);
    }
    glp_set_mat_row(lp, e + 1, static_cast<int>(columns.size()) - 1, columns.data(),
                    coefficients.data());
  }
  glp_set_obj_coef(lp, target + 1, 1);
  glp_smcp parameters;
  glp_init_smcp(&parameters);
  parameters.msg_lev = GLP_MSG_OFF;
  TestInterval interval{true, 0, 0};
  glp_set_obj_dir(lp, GLP_MIN);
  EXPECT_EQ(glp_simplex(lp, &parameters), 0);
  if (glp_get_status(lp) == GLP_UNBND) {
    interval.bounded_below = false;
  } else {
    EXPECT_EQ(glp_get_status(lp), GLP_OPT);
    interval.lower = glp_get_obj_val(lp);
  }
  glp_set_obj_dir(lp, GLP_MAX);
  EXPECT_EQ(glp_simplex(lp, &parameters), 0);
  interval.upper = glp_get_status(lp) == GLP_UNBND ? INFINITY : glp_get_obj_val(lp);
  glp_delete_prob(lp);
  return interval;
}

// Whether grid cells `a` and `b` are nested (one is a sum the other is part of), read
// from their labels: on every axis they agree or one of them is the total.
bool Nested(const LinkedCell& a, const LinkedCell& b) {
  const std::vector<std::string> left = absl::StrSplit(a.label, ',');
  const std::vector<std::string> right = absl::StrSplit(b.label, ',');
  bool a_inside_b = true, b_inside_a = true;
  for (size_t axis = 0; axis < left.size(); ++axis) {
    a_inside_b = a_inside_b && (left[axis] == right[axis] || right[axis] == "T");
    b_inside_a = b_inside_a && (left[axis] == right[axis] || left[axis] == "T");
  }
  return a_inside_b || b_inside_a;
}

// Checks a suppression pattern with the test's own LPs: no suppressed cell determined by
// the equations, every primary cell's interval at least its width, also for every
// singleton attacker; and, as a cheap independent witness, no equation with exactly one
// suppressed cell.
void ExpectSafe(const LinkedTables& tables) {
  for (const LinearEquation& equation : tables.equations) {
    int suppressed = tables.cells[equation.total].suppressed();
    for (int part : equation.parts) suppressed += tables.cells[part].suppressed();
    EXPECT_NE(suppressed, 1) << "equation of " << tables.cells[equation.total].label;
  }
  std::vector<int> attackers = {-1};
  for (int cell = 0; cell < static_cast<int>(tables.cells.size()); ++cell) {
    const LinkedCell& linked = tables.cells[cell];
    if (linked.state == CellState::kPrimary && linked.singleton) attackers.push_back(cell);
  }
  for (int attacker : attackers) {
    for (int cell = 0; cell < static_cast<int>(tables.cells.size()); ++cell) {
      const LinkedCell& linked = tables.cells[cell];
      if (!linked.suppressed() || cell == attacker) continue;
      if (attacker >= 0 && linked.state != CellState::kPrimary) continue;
      // A nested singleton is the attacker's own contribution.
      if (attacker >= 0 && linked.singleton && Nested(linked, tables.cells[attacker])) continue;
      SCOPED_TRACE(absl::StrCat("cell ", linked.label, " attacker ", attacker));
      EXPECT_FALSE(AttackerInterval(tables, cell, attacker, true).bounded_below)
          << "determined by the published values";
      if (linked.state == CellState::kPrimary) {
        const TestInterval interval = AttackerInterval(tables, cell, attacker, false);
        EXPECT_GE(interval.upper - interval.lower + 1e-6,
                  static_cast<double>(linked.protection_width));
        EXPECT_LE(interval.lower, linked.value + 1e-6);
        EXPECT_GE(interval.upper, linked.value - 1e-6);
      }
    }
  }
}

// The test's own LP must be able to fail: it sees a lone suppressed cell as determined
// and its interval as a point.
TEST(AttackerLpTest, SeesADerivableCell) {
  LinkedTables tables = Grid({2, 2}, {2, 9, 8, 7});
  MarkPrimary(&tables, 0);
  EXPECT_TRUE(AttackerInterval(tables, 0, -1, /*free_suppressed=*/true).bounded_below);
  const TestInterval interval = AttackerInterval(tables, 0, -1, false);
  EXPECT_DOUBLE_EQ(interval.lower, 2);
  EXPECT_DOUBLE_EQ(interval.upper, 2);
}

// Random counts with many small (primary) cells, a few zeros and singletons.
LinkedTables RandomGrid(const std::vector<int>& sizes, std::mt19937* random) {
  size_t interior_count = 1;
  for (int size : sizes) interior_count *= static_cast<size_t>(size);
  std::vector<int64_t> interior;
  std::uniform_int_distribution<int> kind(0, 9), large(3, 30);
  for (size_t i = 0; i < interior_count; ++i) {
    const int k = kind(*random);
    interior.push_back(k == 0 ? 0 : k <= 2 ? 1 : k <= 3 ? 2 : large(*random));
  }
  LinkedTables tables = Grid(sizes, interior);
  for (size_t cell = 0; cell < tables.cells.size(); ++cell) {
    const int64_t value = tables.cells[cell].value;
    if (value > 0 && value < 3) MarkPrimary(&tables, static_cast<int>(cell), value == 1);
  }
  return tables;
}

struct ShapeCase {
  const char* name;
  std::vector<int> sizes;
  int seeds;
};

class RandomLinkedTablesTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(RandomLinkedTablesTest, SecondarySuppressionLeavesNothingRecoverable) {
  int with_primaries = 0, with_singletons = 0;
  for (int seed = 1; seed <= GetParam().seeds; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    std::mt19937 random(seed);
    LinkedTables tables = RandomGrid(GetParam().sizes, &random);
    int primaries = 0, singletons = 0;
    for (const LinkedCell& cell : tables.cells) {
      primaries += cell.state == CellState::kPrimary;
      singletons += cell.singleton;
    }
    with_primaries += primaries > 0;
    with_singletons += singletons > 1;
    auto result = SuppressUntilSafe(&tables);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->report.passed());
    ExpectSafe(tables);
  }
  // The generator must actually exercise the audit.
  EXPECT_GT(with_primaries, GetParam().seeds / 2);
  EXPECT_GT(with_singletons, 0);
}

INSTANTIATE_TEST_SUITE_P(Shapes, RandomLinkedTablesTest,
                         ::testing::Values(ShapeCase{"OneDimension", {5}, 20},
                                           ShapeCase{"TwoByThree", {2, 3}, 20},
                                           ShapeCase{"FourByFive", {4, 5}, 15},
                                           ShapeCase{"ThreeByThreeByTwo", {3, 3, 2}, 8},
                                           ShapeCase{"ThreeCubed", {3, 3, 3}, 4}),
                         [](const ::testing::TestParamInfo<ShapeCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace privacy
}  // namespace fedsync
