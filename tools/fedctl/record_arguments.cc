#include "tools/fedctl/record_arguments.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "shared/record_csv.h"

namespace fedsync::fedctl {

absl::StatusOr<v1::Record> RecordFromAssignments(const RegistryKind& kind,
                                                 const std::vector<std::string>& assignments,
                                                 const v1::Record* base) {
  const std::vector<std::string> header = CsvHeader(kind);
  std::vector<std::string> row =
      base != nullptr ? RecordToCsvRow(*base) : std::vector<std::string>(header.size());
  std::set<std::string> assigned;
  for (const std::string& assignment : assignments) {
    const size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(
          "arguments must be FIELD=VALUE (an argument has no field name and '=')");
    }
    const std::string field = assignment.substr(0, equals);
    size_t column = 0;
    while (column < header.size() && header[column] != field) ++column;
    if (column == header.size()) {
      return absl::InvalidArgumentError(absl::StrCat("'", field.substr(0, 40),
                                                     "' is not a field of ", kind.name,
                                                     " (fields: ", absl::StrJoin(header, ", "),
                                                     ")"));
    }
    if (!assigned.insert(field).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, " is given twice"));
    }
    row[column] = assignment.substr(equals + 1);
  }
  absl::StatusOr<RecordCsvMapper> mapper = RecordCsvMapper::Create(kind.name, header);
  if (!mapper.ok()) return mapper.status();
  v1::Record record;
  absl::Status filled = mapper->Fill(row, &record);
  if (!filled.ok()) return filled;
  return record;
}

}  // namespace fedsync::fedctl
