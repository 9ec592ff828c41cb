#include "district_node/registry_store.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "district_node/audit_log.h"
#include "district_node/cell_publication.h"
#include "district_node/exact_cells.h"
#include "district_node/node_secret.h"
#include "shared/catalog_holder.h"
#include "shared/privacy/privacy_ledger.h"
#include "shared/published_cells.h"
#include "shared/record_normalization.h"
#include "shared/status_macros.h"
#include "shared/targets.h"

namespace fedsync {
namespace {

// Schema version 1: the three registries of the foundation. Frozen: a migration never
// changes once released; later kinds and columns come in later migrations.
constexpr char kVersion1Table[] = R"sql(
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
constexpr const char* kVersion1Kinds[] = {"returned_students", "identity_certifications",
                                          "study_certificates"};

// Schema version 2: soft deletes, names for search, the other registries, the audit
// log. New tables are version 1's shape plus the version 2 columns.
constexpr char kVersion2Columns[] = R"sql(
ALTER TABLE $0 ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE $0 ADD COLUMN deleted_at TEXT;
ALTER TABLE $0 ADD COLUMN delete_reason TEXT;
ALTER TABLE $0 ADD COLUMN delete_end_date TEXT;
CREATE INDEX $0_community ON $0(community);
)sql";
constexpr const char* kVersion2Kinds[] = {"enterprises", "community_figures", "hardship_cases",
                                          "aid_visits"};

constexpr char kSelectByKey[] = "SELECT $1 FROM $0 WHERE natural_key = ?";
constexpr char kSelectById[] = "SELECT $1 FROM $0 WHERE id = ?";
constexpr char kInsertRecord[] =
    "INSERT INTO $0(natural_key, community, start_date, end_date, name, record) "
    "VALUES(?, ?, ?, ?, ?, ?)";
constexpr char kInsertRecordIfAbsent[] =
    "INSERT INTO $0(natural_key, community, start_date, end_date, name, record, created_at, "
    "updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT(natural_key) DO NOTHING";
constexpr char kUpdateRecord[] =
    "UPDATE $0 SET community = ?, start_date = ?, end_date = ?, name = ?, record = ?, "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?";
constexpr char kSetDeletion[] =
    "UPDATE $0 SET deleted_at = ?, delete_reason = ?, delete_end_date = ?, end_date = ?, "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?";
constexpr char kSelectCounted[] =
    "SELECT start_date, end_date, record, "
    "CASE WHEN deleted_at IS NULL THEN NULL ELSE delete_end_date END "
    "FROM $0 WHERE end_date IS NULL OR end_date > start_date";
constexpr char kSelectUnnamed[] = "SELECT id, record FROM $0 WHERE name = ''";
constexpr char kSetName[] = "UPDATE $0 SET name = ? WHERE id = ?";

std::string ForTable(const char* sql_template, absl::string_view table) {
  return absl::Substitute(sql_template, table, kRowColumns);
}

std::string Version1() {
  std::string sql = kPublishedCellsSchema;
  for (const char* kind : kVersion1Kinds) sql += ForTable(kVersion1Table, kind);
  return sql;
}

std::string Version2() {
  std::string sql;
  for (const char* kind : kVersion1Kinds) sql += ForTable(kVersion2Columns, kind);
  for (const char* kind : kVersion2Kinds) {
    sql += ForTable(kVersion1Table, kind);
    sql += ForTable(kVersion2Columns, kind);
  }
  sql += kAuditLogSchema;
  return sql;
}

// Earlier of two dates, either of which may be empty (no date).
std::string EarlierDate(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a < b ? a : b;
}

void BindNullable(Statement& statement, int index, const std::string& text) {
  if (text.empty()) {
    statement.BindNull(index);
  } else {
    statement.Bind(index, text);
  }
}

}  // namespace

const char kRowColumns[] =
    "id, natural_key, community, start_date, end_date, name, record, deleted_at, "
    "delete_reason, delete_end_date, created_at, updated_at";

const Migrations& DistrictMigrations() {
  static const auto* migrations = new Migrations{
      Version1(), Version2(),
      // 3: the targets this district's city sets for it.
      kReceivedTargetsSchema,
      // 4: the exact cells, kept incrementally (exact_cells.h).
      kExactCellsSchema,
      // 5: the catalog this district runs, once a newer one than the built-in arrived.
      kCatalogSchema,
      // 6: the record-key secret and the exact cells' perturbation keys (node_secret.h).
      kCellKeySchema,
      // 7: the DP release ledger, the contributors' shares of cells and the local
      // suppression decisions (cell_publication.h); recomputes the cells once.
      PublicationSchema(),
      // 8: the published cells keyed by seq, with a unique index by cell: the uplink
      // reads its outbox in the table's order instead of looking each cell up by key.
      kPublishedCellsKeyedBySeq,
      // 9: the DP spending per (registry, period), whatever the metric's id.
      privacy::kPrivacyRegistryAccountsSchema};
  return *migrations;
}

RecordColumns ColumnsOf(const RegistryKind& kind, const google::protobuf::Message& given) {
  // Stored as validated: trimmed (record_normalization.h), so that the natural key of
  // "王建国 " is that of "王建国". Copied only when it differs.
  std::unique_ptr<google::protobuf::Message> normalized;
  if (!IsNormalized(given)) {
    normalized.reset(given.New());
    normalized->CopyFrom(given);
    Normalize(normalized.get());
  }
  return ColumnsOfNormalized(kind, normalized != nullptr ? *normalized : given);
}

RecordColumns ColumnsOfNormalized(const RegistryKind& kind,
                                  const google::protobuf::Message& payload) {
  RecordColumns columns;
  columns.natural_key = NaturalKey(kind, payload);
  columns.community = FieldText(payload, kind.community_field);
  columns.start_date = FieldText(payload, kind.start_date_field);
  if (!kind.end_date_field.empty()) columns.own_end_date = FieldText(payload, kind.end_date_field);
  if (!kind.name_field.empty()) columns.name = FieldText(payload, kind.name_field);
  payload.SerializeToString(&columns.bytes);
  return columns;
}

std::string EffectiveEndDate(const std::string& own_end_date, bool deleted,
                             const std::string& delete_end_date) {
  return deleted ? EarlierDate(own_end_date, delete_end_date) : own_end_date;
}

StoredRow ReadRow(const Statement& statement) {
  StoredRow row;
  row.id = statement.ColumnInt(0);
  row.columns.natural_key = statement.ColumnText(1);
  row.columns.community = statement.ColumnText(2);
  row.columns.start_date = statement.ColumnText(3);
  row.end_date = statement.ColumnText(4);
  row.columns.name = statement.ColumnText(5);
  row.columns.bytes = statement.ColumnBlob(6);
  row.deleted_at = statement.ColumnText(7);
  row.delete_reason = statement.ColumnText(8);
  row.delete_end_date = statement.ColumnText(9);
  row.created_at = statement.ColumnText(10);
  row.updated_at = statement.ColumnText(11);
  return row;
}

absl::StatusOr<v1::RecordEntry> ToEntry(const RegistryKind& kind, const StoredRow& row) {
  v1::RecordEntry entry;
  entry.set_id(row.id);
  entry.set_kind(kind.name);
  if (!MutableRecordPayload(kind, entry.mutable_record())->ParseFromString(row.columns.bytes)) {
    return absl::DataLossError(absl::StrCat("stored ", kind.name, " record ", row.id,
                                            " is corrupt"));
  }
  entry.set_status(!row.deleted_at.empty() ? v1::DELETED
                   : !row.end_date.empty() ? v1::LEFT
                                           : v1::ACTIVE);
  entry.set_start_date(row.columns.start_date);
  entry.set_end_date(row.end_date);
  entry.set_deleted_at(row.deleted_at);
  entry.set_delete_reason(row.delete_reason);
  entry.set_created_at(row.created_at);
  entry.set_updated_at(row.updated_at);
  return entry;
}

absl::StatusOr<RegistryTable> RegistryTable::Prepare(Database* db, const RegistryKind& kind) {
  ASSIGN_OR_RETURN(Statement by_key, db->Prepare(ForTable(kSelectByKey, kind.name)));
  ASSIGN_OR_RETURN(Statement by_id, db->Prepare(ForTable(kSelectById, kind.name)));
  ASSIGN_OR_RETURN(Statement insert, db->Prepare(ForTable(kInsertRecord, kind.name)));
  ASSIGN_OR_RETURN(Statement insert_if_absent,
                   db->Prepare(ForTable(kInsertRecordIfAbsent, kind.name)));
  ASSIGN_OR_RETURN(Statement update, db->Prepare(ForTable(kUpdateRecord, kind.name)));
  ASSIGN_OR_RETURN(Statement deletion, db->Prepare(ForTable(kSetDeletion, kind.name)));
  return RegistryTable(db, &kind, std::move(by_key), std::move(by_id), std::move(insert),
                       std::move(insert_if_absent), std::move(update), std::move(deletion));
}

absl::StatusOr<std::optional<StoredRow>> RegistryTable::FindOne(Statement& statement) {
  ASSIGN_OR_RETURN(bool found, statement.Step());
  if (!found) return std::optional<StoredRow>();
  StoredRow row = ReadRow(statement);
  // The record's own end date has no column (end_date may be the deletion's); it is read
  // from the record, for the kinds that have one.
  if (!kind_->end_date_field.empty()) {
    v1::Record record;
    google::protobuf::Message* payload = MutableRecordPayload(*kind_, &record);
    if (!payload->ParseFromString(row.columns.bytes)) {
      return absl::DataLossError(absl::StrCat("stored ", kind_->name, " record ", row.id,
                                              " is corrupt"));
    }
    row.columns.own_end_date = FieldText(*payload, kind_->end_date_field);
  }
  return std::optional<StoredRow>(std::move(row));
}

absl::StatusOr<std::optional<StoredRow>> RegistryTable::FindByKey(absl::string_view natural_key) {
  by_key_.Reset();
  by_key_.Bind(1, natural_key);
  return FindOne(by_key_);
}

absl::StatusOr<std::optional<StoredRow>> RegistryTable::FindById(int64_t id) {
  by_id_.Reset();
  by_id_.Bind(1, id);
  return FindOne(by_id_);
}

void RegistryTable::BindInsert(Statement& statement, const RecordColumns& columns) {
  statement.Reset();
  statement.Bind(1, columns.natural_key).Bind(2, columns.community).Bind(3, columns.start_date);
  BindNullable(statement, 4, columns.own_end_date);
  statement.Bind(5, columns.name).BindBlob(6, columns.bytes);
}

absl::StatusOr<std::optional<int64_t>> RegistryTable::InsertIfAbsent(
    const RecordColumns& columns, absl::string_view at) {
  BindInsert(insert_if_absent_, columns);
  insert_if_absent_.Bind(7, at);
  RETURN_IF_ERROR(insert_if_absent_.Run());
  if (db_->Changes() == 0) return std::optional<int64_t>();
  return std::optional<int64_t>(db_->LastInsertRowId());
}

absl::StatusOr<int64_t> RegistryTable::Insert(const RecordColumns& columns) {
  BindInsert(insert_, columns);
  absl::Status status = insert_.Run();
  if (!status.ok()) {
    // The UNIQUE index on natural_key is the one constraint a valid record can break.
    if (absl::StrContains(status.message(), "UNIQUE")) {
      return absl::AlreadyExistsError(
          absl::StrCat(kind_->name, ": a record with this key exists already"));
    }
    return status;
  }
  return db_->LastInsertRowId();
}

absl::Status RegistryTable::Update(const StoredRow& existing, const RecordColumns& columns) {
  update_.Reset();
  update_.Bind(1, columns.community).Bind(2, columns.start_date);
  BindNullable(update_, 3,
               EffectiveEndDate(columns.own_end_date, !existing.deleted_at.empty(),
                                existing.delete_end_date));
  update_.Bind(4, columns.name).BindBlob(5, columns.bytes).Bind(6, existing.id);
  return update_.Run();
}

absl::Status RegistryTable::SetDeletion(const StoredRow& existing, const std::string& deleted_at,
                                        const std::string& reason,
                                        const std::string& delete_end_date) {
  deletion_.Reset();
  BindNullable(deletion_, 1, deleted_at);
  BindNullable(deletion_, 2, reason);
  BindNullable(deletion_, 3, delete_end_date);
  BindNullable(deletion_, 4,
               EffectiveEndDate(existing.columns.own_end_date, !deleted_at.empty(),
                                delete_end_date));
  deletion_.Bind(5, existing.id);
  return deletion_.Run();
}

absl::Status BackfillNames(Database* db) {
  for (const RegistryKind& kind : AllRegistryKinds()) {
    if (kind.name_field.empty()) continue;
    ASSIGN_OR_RETURN(Statement select, db->Prepare(ForTable(kSelectUnnamed, kind.name)));
    ASSIGN_OR_RETURN(Statement set_name, db->Prepare(ForTable(kSetName, kind.name)));
    std::vector<std::pair<int64_t, std::string>> names;
    while (true) {
      ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      v1::Record record;
      google::protobuf::Message* payload = MutableRecordPayload(kind, &record);
      if (!payload->ParseFromString(select.ColumnBlob(1))) continue;  // LoadAllRecords reports it
      names.emplace_back(select.ColumnInt(0), FieldText(*payload, kind.name_field));
    }
    for (const auto& [id, name] : names) {
      set_name.Reset();
      set_name.Bind(1, name).Bind(2, id);
      RETURN_IF_ERROR(set_name.Run());
    }
  }
  return absl::OkStatus();
}

StoredRow UpdatedRow(const StoredRow& existing, const RecordColumns& columns) {
  StoredRow row = existing;
  row.columns = columns;
  row.end_date = EffectiveEndDate(columns.own_end_date, !existing.deleted_at.empty(),
                                  existing.delete_end_date);
  return row;
}

StoredRow InsertedRow(int64_t id, const RecordColumns& columns) {
  StoredRow row;
  row.id = id;
  row.columns = columns;
  row.end_date = columns.own_end_date;
  return row;
}

// kSelectCounted says the same in SQL.
bool CountsInRegistry(absl::string_view start_date, absl::string_view end_date) {
  return end_date.empty() || end_date > start_date;
}

absl::StatusOr<std::optional<StoredRecord>> CountedRecord(const RegistryKind& kind,
                                                          const StoredRow& row) {
  if (!CountsInRegistry(row.columns.start_date, row.end_date)) {
    return std::optional<StoredRecord>();
  }
  StoredRecord stored;
  stored.start_date = row.columns.start_date;
  stored.end_date = row.end_date;
  if (!row.deleted_at.empty()) stored.deletion_end_date = row.delete_end_date;
  if (!MutableRecordPayload(kind, &stored.record)->ParseFromString(row.columns.bytes)) {
    return absl::DataLossError(absl::StrCat("stored ", kind.name, " record ", row.id,
                                            " is corrupt"));
  }
  return std::optional<StoredRecord>(std::move(stored));
}

absl::Status ForEachCountedRecord(Database* db,
                                  absl::FunctionRef<void(const StoredRecord&)> fn) {
  StoredRecord stored;
  for (const RegistryKind& kind : AllRegistryKinds()) {
    ASSIGN_OR_RETURN(Statement select, db->Prepare(ForTable(kSelectCounted, kind.name)));
    while (true) {
      ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      stored.start_date = select.ColumnText(0);
      stored.end_date = select.ColumnText(1);
      stored.deletion_end_date = select.ColumnText(3);
      google::protobuf::Message* payload = MutableRecordPayload(kind, &stored.record);
      if (!payload->ParseFromString(select.ColumnBlob(2))) {
        return absl::DataLossError(absl::StrCat("a stored ", kind.name, " record is corrupt"));
      }
      fn(stored);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredRecord>> LoadAllRecords(Database* db) {
  std::vector<StoredRecord> records;
  RETURN_IF_ERROR(
      ForEachCountedRecord(db, [&](const StoredRecord& stored) { records.push_back(stored); }));
  return records;
}

absl::StatusOr<int64_t> CountRecords(Database* db) {
  int64_t total = 0;
  for (const RegistryKind& kind : AllRegistryKinds()) {
    ASSIGN_OR_RETURN(Statement count,
                     db->Prepare(absl::StrCat("SELECT COUNT(*) FROM ", kind.name)));
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) total += count.ColumnInt(0);
  }
  return total;
}

}  // namespace fedsync
