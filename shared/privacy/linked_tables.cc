#include "shared/privacy/linked_tables.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fedsync {
namespace privacy {

absl::Status LinkedTables::Validate() const {
  const int count = static_cast<int>(cells.size());
  for (const LinkedCell& cell : cells) {
    if (cell.value < 0 || cell.min_value < 0) {
      return absl::InvalidArgumentError(absl::StrCat("cell ", cell.label, " is negative"));
    }
    // The value stays out of the message: the cell may be suppressed.
    if (cell.value < cell.min_value) {
      return absl::InvalidArgumentError(absl::StrCat("cell ", cell.label, " is below its minimum"));
    }
    if (cell.state == CellState::kPrimary && cell.protection_width <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("primary cell ", cell.label, " has no protection width"));
    }
  }
  for (const LinearEquation& equation : equations) {
    if (equation.total < 0 || equation.total >= count) {
      return absl::InvalidArgumentError("equation total out of range");
    }
    int64_t sum = 0;
    for (int part : equation.parts) {
      if (part < 0 || part >= count)
        return absl::InvalidArgumentError("equation part out of range");
      sum += cells[part].value;
    }
    // Values stay out of the message: some of them are suppressed.
    if (sum != cells[equation.total].value) {
      return absl::InvalidArgumentError(
          absl::StrCat("cell ", cells[equation.total].label, " is not the sum of its parts"));
    }
  }
  return absl::OkStatus();
}

int LinkedTables::SuppressedCount() const {
  int suppressed = 0;
  for (const LinkedCell& cell : cells) suppressed += cell.suppressed();
  return suppressed;
}

int GridIndex(const std::vector<int>& sizes, const std::vector<int>& coordinates) {
  int index = 0;
  for (size_t axis = 0; axis < sizes.size(); ++axis) {
    index = index * (sizes[axis] + 1) + coordinates[axis];
  }
  return index;
}

absl::StatusOr<LinkedTables> GridWithMarginals(const std::vector<int>& sizes,
                                               const std::vector<int64_t>& interior) {
  if (sizes.empty()) return absl::InvalidArgumentError("a grid needs at least one axis");
  size_t interior_count = 1, cell_count = 1;
  for (int size : sizes) {
    if (size < 1) return absl::InvalidArgumentError("every grid axis needs a category");
    interior_count *= static_cast<size_t>(size);
    cell_count *= static_cast<size_t>(size) + 1;
  }
  if (interior.size() != interior_count) {
    return absl::InvalidArgumentError(absl::StrCat("a grid of this shape has ", interior_count,
                                                   " interior cells, not ", interior.size()));
  }
  LinkedTables tables;
  tables.cells.resize(cell_count);
  std::vector<std::vector<int>> coordinates_of(cell_count);
  for (size_t index = 0; index < cell_count; ++index) {
    std::vector<int> coordinates(sizes.size());
    size_t rest = index;
    for (size_t axis = sizes.size(); axis-- > 0;) {
      coordinates[axis] = static_cast<int>(rest % (sizes[axis] + 1));
      rest /= sizes[axis] + 1;
    }
    std::vector<std::string> parts;
    for (size_t axis = 0; axis < sizes.size(); ++axis) {
      parts.push_back(coordinates[axis] == sizes[axis] ? "T" : absl::StrCat(coordinates[axis]));
    }
    tables.cells[index].label = absl::StrJoin(parts, ",");
    coordinates_of[index] = std::move(coordinates);
  }
  // Interior values in row-major order, then totals by equations, fewest totals first so
  // that every part is known when its total is summed.
  size_t next_interior = 0;
  for (size_t index = 0; index < cell_count; ++index) {
    bool is_interior = true;
    for (size_t axis = 0; axis < sizes.size(); ++axis) {
      is_interior = is_interior && coordinates_of[index][axis] < sizes[axis];
    }
    if (!is_interior) continue;
    if (interior[next_interior] < 0) {
      return absl::InvalidArgumentError("grid values must be non-negative");
    }
    tables.cells[index].value = interior[next_interior++];
  }
  for (size_t totals = 1; totals <= sizes.size(); ++totals) {
    for (size_t index = 0; index < cell_count; ++index) {
      const std::vector<int>& coordinates = coordinates_of[index];
      size_t total_axes = 0;
      for (size_t axis = 0; axis < sizes.size(); ++axis) {
        total_axes += coordinates[axis] == sizes[axis];
      }
      if (total_axes != totals) continue;
      for (size_t axis = 0; axis < sizes.size(); ++axis) {
        if (coordinates[axis] != sizes[axis]) continue;
        LinearEquation equation;
        equation.total = static_cast<int>(index);
        std::vector<int> part = coordinates;
        int64_t sum = 0;
        for (int category = 0; category < sizes[axis]; ++category) {
          part[axis] = category;
          const int part_index = GridIndex(sizes, part);
          equation.parts.push_back(part_index);
          sum += tables.cells[part_index].value;
        }
        tables.cells[index].value = sum;  // the same sum along every axis
        tables.equations.push_back(std::move(equation));
      }
    }
  }
  return tables;
}

}  // namespace privacy
}  // namespace fedsync
