#include "district_node/registry_queries.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "district_node/registry_store.h"
#include "shared/civil_date.h"
#include "shared/registry_kinds.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

constexpr int kMaxSearchChars = 50;

absl::StatusOr<const RegistryKind*> KindNamed(absl::string_view name) {
  const RegistryKind* kind = FindRegistryKind(name);
  if (kind == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind: unknown registry kind '", name.substr(0, 40), "'"));
  }
  return kind;
}

// LIKE pattern for a substring, with the pattern characters escaped by '\'.
std::string ContainsPattern(absl::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

absl::Status CheckDate(absl::string_view field, const std::string& text) {
  absl::CivilDay day;
  if (!text.empty() && !ParseDate(text, &day)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a date in YYYY-MM-DD form"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ListRecordsResponse> ListRecords(Database* db,
                                                    const v1::ListRecordsRequest& request) {
  ASSIGN_OR_RETURN(const RegistryKind* kind, KindNamed(request.kind()));
  int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be between 1 and ", kMaxPageSize));
  }
  int64_t after_id = 0;
  if (!request.page_token().empty() &&
      (!absl::SimpleAtoi(request.page_token(), &after_id) || after_id < 0)) {
    return absl::InvalidArgumentError("page_token: not a token from a previous page");
  }
  RETURN_IF_ERROR(CheckDate("start_from", request.start_from()));
  RETURN_IF_ERROR(CheckDate("start_to", request.start_to()));
  if (!v1::RecordStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError("status: unknown enum value");
  }
  if (!request.name_contains().empty()) {
    if (kind->name_field.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("name_contains: ", kind->name, " records have no name"));
    }
    if (request.name_contains().size() > kMaxSearchChars * 4) {
      return absl::InvalidArgumentError("name_contains: too long");
    }
  }

  std::string sql = absl::StrCat("SELECT ", kRowColumns, " FROM ", kind->name, " WHERE id > ?");
  if (!request.community().empty()) absl::StrAppend(&sql, " AND community = ?");
  switch (request.status()) {
    case v1::ACTIVE:
      absl::StrAppend(&sql, " AND deleted_at IS NULL AND end_date IS NULL");
      break;
    case v1::LEFT:
      absl::StrAppend(&sql, " AND deleted_at IS NULL AND end_date IS NOT NULL");
      break;
    case v1::DELETED:
      absl::StrAppend(&sql, " AND deleted_at IS NOT NULL");
      break;
    default:
      break;
  }
  if (!request.start_from().empty()) absl::StrAppend(&sql, " AND start_date >= ?");
  if (!request.start_to().empty()) absl::StrAppend(&sql, " AND start_date <= ?");
  if (!request.name_contains().empty()) absl::StrAppend(&sql, " AND name LIKE ? ESCAPE '\\'");
  absl::StrAppend(&sql, " ORDER BY id LIMIT ?");

  ASSIGN_OR_RETURN(Statement select, db->Prepare(sql));
  int index = 1;
  select.Bind(index++, after_id);
  if (!request.community().empty()) select.Bind(index++, request.community());
  if (!request.start_from().empty()) select.Bind(index++, request.start_from());
  if (!request.start_to().empty()) select.Bind(index++, request.start_to());
  if (!request.name_contains().empty()) {
    select.Bind(index++, ContainsPattern(request.name_contains()));
  }
  // One row more than the page tells whether another page follows.
  select.Bind(index++, static_cast<int64_t>(page_size) + 1);

  v1::ListRecordsResponse response;
  int64_t last_id = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    if (response.entries_size() == page_size) {
      response.set_next_page_token(absl::StrCat(last_id));
      break;
    }
    const StoredRow stored = ReadRow(select);
    ASSIGN_OR_RETURN(*response.add_entries(), ToEntry(*kind, stored));
    last_id = stored.id;
  }
  return response;
}

absl::Status ExportRecords(Database* db, const v1::ExportRequest& request, int chunk_size,
                           absl::FunctionRef<bool(std::vector<v1::Record>&)> consume) {
  ASSIGN_OR_RETURN(const RegistryKind* kind, KindNamed(request.kind()));
  ASSIGN_OR_RETURN(
      Statement select,
      db->Prepare(absl::StrCat("SELECT record FROM ", kind->name,
                               request.include_deleted() ? "" : " WHERE deleted_at IS NULL",
                               " ORDER BY id")));
  std::vector<v1::Record> chunk;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    v1::Record& record = chunk.emplace_back();
    if (!MutableRecordPayload(*kind, &record)->ParseFromString(select.ColumnBlob(0))) {
      return absl::DataLossError(absl::StrCat("a stored ", kind->name, " record is corrupt"));
    }
    if (static_cast<int>(chunk.size()) == chunk_size) {
      if (!consume(chunk)) return absl::OkStatus();
      chunk.clear();
    }
  }
  if (!chunk.empty()) consume(chunk);
  return absl::OkStatus();
}

}  // namespace fedsync
