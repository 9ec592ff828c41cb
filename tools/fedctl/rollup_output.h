// `fedctl rollup` output: a GetRollupResponse as a table for people, CSV for
// spreadsheets, or JSON for scripts. Every format lists the same cells in the same order:
// by node, then period, then dimension values (tombstones are not cells and are left
// out). A SUPPRESSED cell never shows a number: "x" in the table (the statistical
// offices' sign for "withheld"), an empty value in CSV, null in JSON. Pure functions;
// thread-safe.
//
// JSON is an array with one cell object per line ("[]" when there are none):
//   [
//     {"node": "luyang", "metric": "m", "period": "2026", "dims": {"region": "asia"}, ...
//   ]
// each object exactly {"node", "metric", "period", "dims": {key: value}, "value",
// "status"}, status by its enum name (OK, SUPPRESSED, PERTURBED, NOISY, PARTIAL).
// CSV: header node,metric,period,<one column per dimension key>,value,status.
// Table: node, period, <one column per dimension key>, value, status.
#ifndef FEDSYNC_TOOLS_FEDCTL_ROLLUP_OUTPUT_H_
#define FEDSYNC_TOOLS_FEDCTL_ROLLUP_OUTPUT_H_

#include <optional>
#include <string>

#include "fedsync/v1/admin.pb.h"
#include "shared/dimension_labels.h"
#include "tools/fedctl/command_line.h"

namespace fedsync::fedctl {

// The whole output, ending in '\n'. A table with no cells reads "no cells\n" so that
// people see the answer was empty; CSV then has its header only, JSON is "[]".
// With `language` (fedctl rollup --lang), the table and CSV name each dimension and its
// values in that language (degree=master -> 学位 硕士 / Degree Master), and each JSON
// object gains "labels": {key: label}; without it the output is exactly as above.
std::string RenderRollup(const v1::GetRollupResponse& response, OutputFormat format,
                         std::optional<LabelLanguage> language = std::nullopt);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_ROLLUP_OUTPUT_H_
