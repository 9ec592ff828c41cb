// Linked tables for secondary suppression: every published cell of one registry and
// period that is tied to others by additivity — a table, its marginals and totals, and
// any other metric whose cells are sums of its cells — as one list of cells and linear
// equations "cell = sum of cells". The audit (disclosure_audit.h) reasons only about
// these equations, so a caller must list every additive relation a reader could use;
// a relation left out is one the audit cannot defend.
//
// A plain value type; not synchronised.
#ifndef FEDSYNC_SHARED_PRIVACY_LINKED_TABLES_H_
#define FEDSYNC_SHARED_PRIVACY_LINKED_TABLES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fedsync {
namespace privacy {

enum class CellState {
  kPublished,
  kPrimary,    // suppressed by a primary rule (primary_suppression.h)
  kSecondary,  // suppressed to protect primary cells
};

struct LinkedCell {
  std::string label;  // for messages and tests; never a value
  int64_t value = 0;  // >= 0
  CellState state = CellState::kPublished;
  int64_t protection_width = 0;  // required of kPrimary cells
  bool singleton = false;        // one contributor, who knows the value
  // What anyone knows of the cell though it is suppressed: it is at least this. A count
  // cell that is published at all (even as SUPPRESSED) has a contributor, so >= 1.
  int64_t min_value = 0;
  bool suppressed() const { return state != CellState::kPublished; }
};

// cells[total] = sum of cells[parts].
struct LinearEquation {
  int total = 0;
  std::vector<int> parts;
};

struct LinkedTables {
  std::vector<LinkedCell> cells;
  std::vector<LinearEquation> equations;

  // kInvalidArgument when an index is out of range, a value is negative or below its
  // min_value, a primary cell has no protection width, or an equation does not hold
  // for the values.
  absl::Status Validate() const;
  int SuppressedCount() const;
};

// A d-dimensional table (d >= 1) with every marginal: sizes[i] categories on axis i, plus
// a "total" category at index sizes[i]. `interior` holds the cells with no total
// coordinate, in row-major order (the last axis fastest); every other cell is computed as
// a sum. Cell (c0, ..., c(d-1)) is at GridIndex; labels read "2,T" for (2, total). One
// equation per cell and per axis on which it is a total. All cells start kPublished.
// kInvalidArgument for a size < 1, a wrong interior count or a negative value.
absl::StatusOr<LinkedTables> GridWithMarginals(const std::vector<int>& sizes,
                                               const std::vector<int64_t>& interior);
int GridIndex(const std::vector<int>& sizes, const std::vector<int>& coordinates);

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_LINKED_TABLES_H_
