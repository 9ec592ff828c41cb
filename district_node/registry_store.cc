#include "district_node/registry_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/substitute.h"
#include "shared/published_cells.h"
#include "shared/record_validation.h"
#include "shared/registry_kinds.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

// One table per registry kind, the same shape for each. Records are kept as their
// protobuf so that every kind is handled by the same code (registry_kinds.h).
constexpr char kRegistryTableTemplate[] = R"sql(
CREATE TABLE $0(
  id INTEGER PRIMARY KEY,
  natural_key TEXT NOT NULL UNIQUE,
  community TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT,
  record BLOB NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
)sql";

constexpr char kSelectByKey[] = "SELECT id, record FROM $0 WHERE natural_key = ?";
constexpr char kInsertRecord[] =
    "INSERT INTO $0(natural_key, community, start_date, record) VALUES(?, ?, ?, ?)";
constexpr char kUpdateRecord[] =
    "UPDATE $0 SET community = ?, start_date = ?, record = ?, "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?";
constexpr char kSelectAll[] = "SELECT start_date, end_date, record FROM $0";

std::string ForTable(const char* sql_template, const RegistryKind& kind) {
  return absl::Substitute(sql_template, kind.name);
}

std::string FirstMigration() {
  std::string sql = kPublishedCellsSchema;
  for (const RegistryKind& kind : AllRegistryKinds()) {
    sql += ForTable(kRegistryTableTemplate, kind);
  }
  return sql;
}

constexpr size_t kMaxReportedErrors = 20;

}  // namespace

const Migrations& DistrictMigrations() {
  static const auto* migrations = new Migrations{FirstMigration()};
  return *migrations;
}

absl::StatusOr<ImportCounts> ImportRecords(Database* db, const std::vector<v1::Record>& records,
                                           const std::vector<int64_t>& row_numbers,
                                           absl::CivilDay today,
                                           std::vector<v1::RowError>* row_errors) {
  auto row_of = [&](size_t i) {
    return i < row_numbers.size() ? row_numbers[i] : static_cast<int64_t>(i + 1);
  };
  auto add_error = [&](size_t i, std::string field, std::string reason) {
    v1::RowError error;
    error.set_row(row_of(i));
    error.set_field(std::move(field));
    error.set_reason(std::move(reason));
    row_errors->push_back(std::move(error));
  };
  const RegistryKind* first_kind = records.empty() ? nullptr : RegistryKindOf(records[0]);
  std::set<std::string> keys;
  for (size_t i = 0; i < records.size(); ++i) {
    const RegistryKind* kind = RegistryKindOf(records[i]);
    if (kind == nullptr || kind != first_kind) {
      add_error(i, "kind", "every record of one import must be of the same registry");
      continue;
    }
    absl::Status valid = ValidateRecord(records[i], today);
    if (!valid.ok()) {
      add_error(i, "", std::string(valid.message()));
      continue;
    }
    if (!keys.insert(NaturalKey(*kind, RecordPayload(records[i]))).second) {
      add_error(i, absl::StrJoin(kind->key_fields, "+"),
                "the same record appears twice in this import");
    }
  }
  if (!row_errors->empty()) {
    std::vector<std::string> lines;
    for (size_t i = 0; i < row_errors->size() && i < kMaxReportedErrors; ++i) {
      const v1::RowError& error = (*row_errors)[i];
      lines.push_back(absl::StrCat("row ", error.row(), ": ",
                                   error.field().empty() ? "" : error.field() + ": ",
                                   error.reason()));
    }
    if (row_errors->size() > kMaxReportedErrors) {
      lines.push_back(absl::StrCat("... and ", row_errors->size() - kMaxReportedErrors,
                                   " more"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        row_errors->size(), " invalid row(s), nothing imported:\n", absl::StrJoin(lines, "\n")));
  }
  ImportCounts counts;
  if (first_kind == nullptr) return counts;
  ASSIGN_OR_RETURN(Statement select, db->Prepare(ForTable(kSelectByKey, *first_kind)));
  ASSIGN_OR_RETURN(Statement insert, db->Prepare(ForTable(kInsertRecord, *first_kind)));
  ASSIGN_OR_RETURN(Statement update, db->Prepare(ForTable(kUpdateRecord, *first_kind)));
  for (const v1::Record& record : records) {
    const google::protobuf::Message& payload = RecordPayload(record);
    const std::string key = NaturalKey(*first_kind, payload);
    const std::string community = FieldText(payload, first_kind->community_field);
    const std::string start_date = FieldText(payload, first_kind->start_date_field);
    std::string bytes;
    payload.SerializeToString(&bytes);
    select.Reset();
    select.Bind(1, key);
    ASSIGN_OR_RETURN(bool exists, select.Step());
    if (!exists) {
      insert.Reset();
      insert.Bind(1, key).Bind(2, community).Bind(3, start_date).BindBlob(4, bytes);
      RETURN_IF_ERROR(insert.Run());
      ++counts.created;
    } else if (select.ColumnBlob(1) == bytes) {
      ++counts.unchanged;
    } else {
      update.Reset();
      update.Bind(1, community).Bind(2, start_date).BindBlob(3, bytes).Bind(4, select.ColumnInt(0));
      RETURN_IF_ERROR(update.Run());
      ++counts.updated;
    }
  }
  return counts;
}

absl::StatusOr<std::vector<StoredRecord>> LoadAllRecords(Database* db) {
  std::vector<StoredRecord> records;
  for (const RegistryKind& kind : AllRegistryKinds()) {
    ASSIGN_OR_RETURN(Statement select, db->Prepare(ForTable(kSelectAll, kind)));
    while (true) {
      ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      StoredRecord stored;
      stored.start_date = select.ColumnText(0);
      stored.end_date = select.ColumnText(1);
      google::protobuf::Message* payload = MutableRecordPayload(kind, &stored.record);
      if (!payload->ParseFromString(select.ColumnBlob(2))) {
        return absl::DataLossError(absl::StrCat("a stored ", kind.name, " record is corrupt"));
      }
      records.push_back(std::move(stored));
    }
  }
  return records;
}

absl::StatusOr<int64_t> CountRecords(Database* db) {
  int64_t total = 0;
  for (const RegistryKind& kind : AllRegistryKinds()) {
    ASSIGN_OR_RETURN(Statement count, db->Prepare(absl::StrCat("SELECT COUNT(*) FROM ",
                                                              kind.name, " WHERE end_date IS NULL")));
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) total += count.ColumnInt(0);
  }
  return total;
}

}  // namespace fedsync
