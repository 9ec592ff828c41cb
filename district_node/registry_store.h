// The district's registries in SQLite: one table per registry kind, each record stored
// as its protobuf with its natural key (resident ID, credit code, ...), community,
// name, and the days it entered and left the registry; soft deletes keep the row with
// its reason. Personal data lives here and nowhere else.
//
// A record's end_date column is the day it stopped counting: its own end date (a
// hardship case's lifted_date, an enterprise's closed_date) or, when deleted, the
// deletion's end date, whichever is earlier. Stock at the end of any past period is
// then right from start_date and end_date alone (aggregator.h).
//
// Functions run on the caller's connection, inside the caller's transaction (the node's
// one writer, NodeStore::Write) where they write; they are not thread-safe on their own.
#ifndef FEDSYNC_DISTRICT_NODE_REGISTRY_STORE_H_
#define FEDSYNC_DISTRICT_NODE_REGISTRY_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/aggregator.h"
#include "shared/database.h"
#include "shared/migrations.h"
#include "shared/registry_kinds.h"

namespace fedsync {

// The district database's migrations (published cells included).
const Migrations& DistrictMigrations();

// Fills the name column of rows stored before it existed (schema version 1). Cheap when
// there is nothing to fill; run once after opening.
absl::Status BackfillNames(Database* db);

// The columns a record's data decides.
struct RecordColumns {
  std::string natural_key;
  std::string community;
  std::string start_date;
  std::string own_end_date;  // empty when the kind has none or it is not set
  std::string name;
  std::string bytes;  // the payload, serialized
};
// Of the payload's normalised form (shared/record_normalization.h).
RecordColumns ColumnsOf(const RegistryKind& kind, const google::protobuf::Message& payload);
// The same, of a payload normalised already (a bulk import's rows): not checked again.
RecordColumns ColumnsOfNormalized(const RegistryKind& kind,
                                  const google::protobuf::Message& payload);

// One stored row.
struct StoredRow {
  int64_t id = 0;
  RecordColumns columns;
  std::string end_date;
  std::string deleted_at;  // empty unless deleted
  std::string delete_reason;
  std::string delete_end_date;
  std::string created_at;
  std::string updated_at;
};

// The end_date column for a row: see the file comment.
std::string EffectiveEndDate(const std::string& own_end_date, bool deleted,
                             const std::string& delete_end_date);

// The row as the API shows it (status, dates, the record).
absl::StatusOr<v1::RecordEntry> ToEntry(const RegistryKind& kind, const StoredRow& row);

// The SELECT column list that ReadRow() reads, for queries in other files.
extern const char kRowColumns[];
StoredRow ReadRow(const Statement& statement);

// Prepared statements for writing one kind's table, reused across rows (an import
// writes a million through one).
class RegistryTable {
 public:
  static absl::StatusOr<RegistryTable> Prepare(Database* db, const RegistryKind& kind);

  // nullopt when there is no such row. The row's columns.own_end_date is filled in.
  absl::StatusOr<std::optional<StoredRow>> FindByKey(absl::string_view natural_key);
  absl::StatusOr<std::optional<StoredRow>> FindById(int64_t id);
  // Inserts a new active row; returns its id. kAlreadyExists for a taken natural key.
  absl::StatusOr<int64_t> Insert(const RecordColumns& columns);
  // Inserts a new active row unless its natural key is taken: its id, or nullopt (and
  // nothing written). One index search where FindByKey then Insert take two. The row is
  // created (and last updated) `at` (AuditTime, audit_log.h): one time for all the rows
  // of a bulk import, the time of their audit rows.
  absl::StatusOr<std::optional<int64_t>> InsertIfAbsent(const RecordColumns& columns,
                                                        absl::string_view at);
  // Replaces the record data of row `existing`, keeping its deletion state.
  absl::Status Update(const StoredRow& existing, const RecordColumns& columns);
  // Sets or clears (deleted_at empty) the deletion of row `existing`.
  absl::Status SetDeletion(const StoredRow& existing, const std::string& deleted_at,
                           const std::string& reason, const std::string& delete_end_date);

  const RegistryKind& kind() const { return *kind_; }

 private:
  RegistryTable(Database* db, const RegistryKind* kind, Statement by_key, Statement by_id,
                Statement insert, Statement insert_if_absent, Statement update,
                Statement deletion)
      : db_(db), kind_(kind), by_key_(std::move(by_key)), by_id_(std::move(by_id)),
        insert_(std::move(insert)), insert_if_absent_(std::move(insert_if_absent)),
        update_(std::move(update)), deletion_(std::move(deletion)) {}
  void BindInsert(Statement& statement, const RecordColumns& columns);
  absl::StatusOr<std::optional<StoredRow>> FindOne(Statement& statement);

  Database* db_;
  const RegistryKind* kind_;
  Statement by_key_, by_id_, insert_, insert_if_absent_, update_, deletion_;
};

// The row `existing` becomes when RegistryTable::Update writes `columns` into it, and
// the row RegistryTable::Insert makes (timestamps left empty): what a write changed,
// without reading it back.
StoredRow UpdatedRow(const StoredRow& existing, const RecordColumns& columns);
StoredRow InsertedRow(int64_t id, const RecordColumns& columns);

// Whether a row in the registry from `start_date` until `end_date` (empty: still there)
// ever counted: not when it left on or before the day it entered (CountedRecord).
bool CountsInRegistry(absl::string_view start_date, absl::string_view end_date);

// What aggregation sees of a row: its record with its start and end days; nullopt for a
// row that never counted. A record whose end is on or before its start (deleted as
// entered in error) never was in the registry, which also keeps it out of event
// metrics. kDataLoss for a corrupt stored record.
absl::StatusOr<std::optional<StoredRecord>> CountedRecord(const RegistryKind& kind,
                                                          const StoredRow& row);

// Calls `fn` with every record of every registry that ever counted (see CountedRecord),
// one at a time, so that memory does not grow with the registries.
absl::Status ForEachCountedRecord(Database* db,
                                  absl::FunctionRef<void(const StoredRecord&)> fn);
// All of them at once, for tests and small registries.
absl::StatusOr<std::vector<StoredRecord>> LoadAllRecords(Database* db);

// Rows stored in all registries together, whatever their status.
absl::StatusOr<int64_t> CountRecords(Database* db);

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_REGISTRY_STORE_H_
