#include "tools/fedctl/rollup_output.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "shared/csv.h"
#include "tools/fedctl/output.h"

namespace fedsync::fedctl {
namespace {

// One cell, flattened for every format: its dimension values aligned to the union of
// dimension keys, "" where a cell lacks a key (e.g. a total beside a breakdown).
struct Row {
  std::string node;
  std::string metric;
  std::string period;
  std::vector<std::string> dims;
  bool suppressed;
  int64_t value;
  std::string status;
  const v1::Cell* cell;
};

std::string StatusName(v1::CellStatus status) {
  const std::string& name = v1::CellStatus_Name(status);
  // A status newer than this binary still prints as something a person can report.
  return name.empty() ? absl::StrCat(static_cast<int>(status)) : name;
}

std::vector<std::string> DimensionKeys(const v1::GetRollupResponse& response) {
  std::set<std::string> keys;
  for (const v1::RollupCell& rollup_cell : response.cells()) {
    for (const v1::DimensionValue& dim : rollup_cell.cell().dims()) keys.insert(dim.key());
  }
  return {keys.begin(), keys.end()};
}

std::vector<Row> SortedRows(const v1::GetRollupResponse& response,
                            const std::vector<std::string>& keys) {
  std::vector<Row> rows;
  for (const v1::RollupCell& rollup_cell : response.cells()) {
    const v1::Cell& cell = rollup_cell.cell();
    if (cell.deleted()) continue;
    Row row{rollup_cell.node_id(),
            cell.metric(),
            cell.period(),
            std::vector<std::string>(keys.size()),
            cell.status() == v1::SUPPRESSED,
            cell.value(),
            StatusName(cell.status()),
            &cell};
    for (const v1::DimensionValue& dim : cell.dims()) {
      size_t column = std::lower_bound(keys.begin(), keys.end(), dim.key()) - keys.begin();
      row.dims[column] = dim.value();
    }
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.node, a.period, a.dims, a.metric) <
           std::tie(b.node, b.period, b.dims, b.metric);
  });
  return rows;
}

// Dimension values (and keys) in `language`, in place; unchanged without one.
void Label(std::vector<Row>* rows, std::vector<std::string>* keys,
           std::optional<LabelLanguage> language) {
  if (!language.has_value()) return;
  for (Row& row : *rows) {
    for (size_t i = 0; i < keys->size(); ++i) {
      if (!row.dims[i].empty()) row.dims[i] = DimensionValueLabel((*keys)[i], row.dims[i], *language);
    }
  }
  for (std::string& key : *keys) key = DimensionKeyLabel(key, *language);
}

std::string RenderTable(const std::vector<Row>& rows, const std::vector<std::string>& keys) {
  if (rows.empty()) return "no cells\n";
  std::vector<std::string> header = {"node", "period"};
  header.insert(header.end(), keys.begin(), keys.end());
  header.push_back("value");
  header.push_back("status");
  TextTable table(header);
  table.AlignRight(header.size() - 2);
  for (const Row& row : rows) {
    std::vector<std::string> cells = {row.node, row.period};
    cells.insert(cells.end(), row.dims.begin(), row.dims.end());
    cells.push_back(row.suppressed ? "x" : absl::StrCat(row.value));
    cells.push_back(row.status);
    table.AddRow(std::move(cells));
  }
  return table.Render();
}

// ", \"labels\": {key: label}" for a cell's dimension values; "" without a language.
std::string JsonLabels(const v1::Cell& cell, std::optional<LabelLanguage> language) {
  if (!language.has_value()) return "";
  std::vector<std::string> labels;
  for (const v1::DimensionValue& dim : cell.dims()) {
    labels.push_back(absl::StrCat(JsonString(dim.key()), ": ",
                                  JsonString(DimensionValueLabel(dim.key(), dim.value(), *language))));
  }
  return absl::StrCat(", \"labels\": {", absl::StrJoin(labels, ", "), "}");
}

std::string RenderCsv(const std::vector<Row>& rows, const std::vector<std::string>& keys) {
  std::vector<std::string> header = {"node", "metric", "period"};
  header.insert(header.end(), keys.begin(), keys.end());
  header.push_back("value");
  header.push_back("status");
  std::string out = FormatCsvRow(header);
  for (const Row& row : rows) {
    std::vector<std::string> cells = {row.node, row.metric, row.period};
    cells.insert(cells.end(), row.dims.begin(), row.dims.end());
    cells.push_back(row.suppressed ? "" : absl::StrCat(row.value));
    cells.push_back(row.status);
    out.append(FormatCsvRow(cells));
  }
  return out;
}

std::string RenderJson(const std::vector<Row>& rows, std::optional<LabelLanguage> language) {
  if (rows.empty()) return "[]\n";
  std::vector<std::string> objects;
  for (const Row& row : rows) {
    // The cell's own dims, in its (key-sorted) wire order: a key the cell lacks is
    // absent rather than "".
    std::vector<std::string> dims;
    for (const v1::DimensionValue& dim : row.cell->dims()) {
      dims.push_back(absl::StrCat(JsonString(dim.key()), ": ", JsonString(dim.value())));
    }
    objects.push_back(absl::StrCat(
        "  {\"node\": ", JsonString(row.node), ", \"metric\": ", JsonString(row.metric),
        ", \"period\": ", JsonString(row.period), ", \"dims\": {", absl::StrJoin(dims, ", "),
        "}, \"value\": ", row.suppressed ? "null" : absl::StrCat(row.value),
        ", \"status\": ", JsonString(row.status), JsonLabels(*row.cell, language), "}"));
  }
  return absl::StrCat("[\n", absl::StrJoin(objects, ",\n"), "\n]\n");
}

}  // namespace

std::string RenderRollup(const v1::GetRollupResponse& response, OutputFormat format,
                         std::optional<LabelLanguage> language) {
  std::vector<std::string> keys = DimensionKeys(response);
  std::vector<Row> rows = SortedRows(response, keys);
  if (format == OutputFormat::kJson) return RenderJson(rows, language);
  Label(&rows, &keys, language);
  switch (format) {
    case OutputFormat::kCsv:
      return RenderCsv(rows, keys);
    case OutputFormat::kJson:
      break;
    case OutputFormat::kTable:
      break;
  }
  return RenderTable(rows, keys);
}

}  // namespace fedsync::fedctl
