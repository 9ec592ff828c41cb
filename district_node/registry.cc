#include "district_node/registry.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "district_node/audit_log.h"
#include "district_node/registry_queries.h"
#include "district_node/registry_store.h"
#include "google/protobuf/util/message_differencer.h"
#include "shared/civil_date.h"
#include "shared/field_checker.h"
#include "shared/node_metrics.h"
#include "shared/record_normalization.h"
#include "shared/record_validation.h"
#include "shared/registry_kinds.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr int kMaxReasonChars = 200;

absl::StatusOr<const RegistryKind*> KindNamed(absl::string_view name) {
  const RegistryKind* kind = FindRegistryKind(name);
  if (kind == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind: unknown registry kind '", name.substr(0, 40), "'"));
  }
  return kind;
}

absl::StatusOr<StoredRow> MustFind(RegistryTable& table, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<StoredRow> row, table.FindById(id));
  if (!row.has_value()) {
    return absl::NotFoundError(absl::StrCat(table.kind().name, ": no record with id ", id));
  }
  return *std::move(row);
}

absl::Status AlreadyExists(const RegistryKind& kind, const StoredRow& row) {
  return absl::AlreadyExistsError(absl::StrCat(
      kind.name, ".", absl::StrJoin(kind.key_fields, "+"), ": record ", row.id,
      " has this key already",
      row.deleted_at.empty() ? "; update it instead" : " and is deleted; restore it instead"));
}

// An aid visit belongs to a family with a case file at this district, not deleted.
absl::Status CheckHousehold(Database* db, const v1::Record& record) {
  if (record.kind_case() != v1::Record::kAidVisit) return absl::OkStatus();
  ASSIGN_OR_RETURN(RegistryTable households,
                   RegistryTable::Prepare(db, *FindRegistryKind("hardship_cases")));
  ASSIGN_OR_RETURN(std::optional<StoredRow> found,
                   households.FindByKey(
                       std::string(TrimRecordText(record.aid_visit().household_resident_id()))));
  if (!found.has_value()) {
    return absl::InvalidArgumentError(
        "aid_visits.household_resident_id: no hardship case with this resident_id at this "
        "district");
  }
  // A deleted case file is no family's: visits wait until it is restored.
  if (!found->deleted_at.empty()) {
    return absl::FailedPreconditionError(
        "aid_visits.household_resident_id: the hardship case with this resident_id is "
        "deleted; restore it first");
  }
  return absl::OkStatus();
}

}  // namespace

Registry::Registry(NodeStore* store, Clock* clock, const CellUpdater* cells,
                   std::function<void()> on_change)
    : store_(store), clock_(clock), cells_(cells), on_change_(std::move(on_change)) {}

absl::CivilDay Registry::Today() const { return TodayInChina(clock_->Now()); }

absl::Status Registry::WithReader(absl::FunctionRef<absl::Status(Database*)> fn) const {
  if (store_->path() == ":memory:" || store_->path().empty()) return store_->Read(fn);
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  return fn(reader.get());
}

absl::Status Registry::WriteWithCells(
    absl::FunctionRef<absl::Status(Database*, CellChanges*)> fn) {
  const absl::Time start = absl::Now();
  int published_changed = 0;
  RETURN_IF_ERROR(store_->Write([&](Database* db, PublishedCells* published) -> absl::Status {
    ASSIGN_OR_RETURN(CellChanges changes, cells_->BeginChanges(db));
    RETURN_IF_ERROR(fn(db, &changes));
    ASSIGN_OR_RETURN(published_changed, cells_->Apply(db, published, changes));
    return absl::OkStatus();
  }));
  // Outside the store's lock: metrics take locks of their own.
  RecordPublished(published_changed, absl::Now() - start);
  return absl::OkStatus();
}

absl::StatusOr<v1::RecordEntry> Registry::Create(absl::string_view operator_id,
                                                 const v1::Record& record) {
  RETURN_IF_ERROR(ValidateRecord(record, Today()));
  const RegistryKind& kind = *RegistryKindOf(record);
  v1::RecordEntry entry;
  RETURN_IF_ERROR(WriteWithCells([&](Database* db, CellChanges* changes) -> absl::Status {
    RETURN_IF_ERROR(CheckHousehold(db, record));
    ASSIGN_OR_RETURN(RegistryTable table, RegistryTable::Prepare(db, kind));
    const RecordColumns columns = ColumnsOf(kind, RecordPayload(record));
    ASSIGN_OR_RETURN(std::optional<StoredRow> existing, table.FindByKey(columns.natural_key));
    if (existing.has_value()) return AlreadyExists(kind, *existing);
    ASSIGN_OR_RETURN(int64_t id, table.Insert(columns));
    ASSIGN_OR_RETURN(AuditWriter audit,
                     AuditWriter::Prepare(db, std::string(operator_id), clock_->Now()));
    RETURN_IF_ERROR(audit.Record(kAuditCreate, kind.name, id));
    ASSIGN_OR_RETURN(StoredRow row, MustFind(table, id));
    RETURN_IF_ERROR(changes->RowChanged(kind, nullptr, &row));
    ASSIGN_OR_RETURN(entry, ToEntry(kind, row));
    return absl::OkStatus();
  }));
  Changed();
  return entry;
}

absl::StatusOr<v1::RecordEntry> Registry::Get(const v1::GetRecordRequest& request) const {
  ASSIGN_OR_RETURN(const RegistryKind* kind, KindNamed(request.kind()));
  if ((request.id() != 0) == !request.key().empty()) {
    return absl::InvalidArgumentError("id: give either the record id or its key");
  }
  v1::RecordEntry entry;
  RETURN_IF_ERROR(WithReader([&](Database* db) -> absl::Status {
    ASSIGN_OR_RETURN(RegistryTable table, RegistryTable::Prepare(db, *kind));
    std::optional<StoredRow> row;
    if (request.id() != 0) {
      ASSIGN_OR_RETURN(row, table.FindById(request.id()));
    } else {
      // Each part as the stored key has it: trimmed (record_normalization.h).
      const std::string key = absl::StrJoin(absl::StrSplit(request.key(), '|'), "|",
                                            [](std::string* out, absl::string_view part) {
                                              absl::StrAppend(out, TrimRecordText(part));
                                            });
      ASSIGN_OR_RETURN(row, table.FindByKey(key));
    }
    if (!row.has_value()) {
      return absl::NotFoundError(
          request.id() != 0 ? absl::StrCat(kind->name, ": no record with id ", request.id())
                            : absl::StrCat(kind->name, ": no record with this key"));
    }
    ASSIGN_OR_RETURN(entry, ToEntry(*kind, *row));
    return absl::OkStatus();
  }));
  return entry;
}

absl::StatusOr<v1::RecordEntry> Registry::Update(absl::string_view operator_id,
                                                 const v1::UpdateRecordRequest& request) {
  RETURN_IF_ERROR(ValidateRecord(request.record(), Today()));
  // As it will be stored, so that the audit names only fields whose stored value changes.
  v1::Record record = request.record();
  NormalizeRecord(&record);
  const RegistryKind& kind = *RegistryKindOf(record);
  v1::RecordEntry entry;
  bool changed = false;
  RETURN_IF_ERROR(WriteWithCells([&](Database* db, CellChanges* changes) -> absl::Status {
    ASSIGN_OR_RETURN(RegistryTable table, RegistryTable::Prepare(db, kind));
    ASSIGN_OR_RETURN(StoredRow row, MustFind(table, request.id()));
    if (!row.deleted_at.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(kind.name, ": record ", row.id, " is deleted; restore it first"));
    }
    if (request.has_expected()) {
      v1::Record stored;
      MutableRecordPayload(kind, &stored)->ParseFromString(row.columns.bytes);
      if (!MessageDifferencer::Equals(stored, request.expected())) {
        return absl::AbortedError(absl::StrCat(kind.name, ": record ", row.id, " changed at ",
                                               row.updated_at,
                                               " after it was read; read it again and redo "
                                               "the change"));
      }
    }
    const RecordColumns columns = ColumnsOf(kind, RecordPayload(record));
    if (columns.natural_key != row.columns.natural_key) {
      return absl::InvalidArgumentError(absl::StrCat(
          kind.name, ".", absl::StrJoin(kind.key_fields, "+"),
          ": the key of a record cannot change; delete it (entered in error) and create it anew"));
    }
    if (columns.bytes != row.columns.bytes) {
      RETURN_IF_ERROR(CheckHousehold(db, record));
      RETURN_IF_ERROR(table.Update(row, columns));
      v1::Record before;
      MutableRecordPayload(kind, &before)->ParseFromString(row.columns.bytes);
      ASSIGN_OR_RETURN(AuditWriter audit,
                       AuditWriter::Prepare(db, std::string(operator_id), clock_->Now()));
      RETURN_IF_ERROR(audit.Record(kAuditUpdate, kind.name, row.id,
                                   ChangedFields(RecordPayload(before), RecordPayload(record))));
      ASSIGN_OR_RETURN(StoredRow after, MustFind(table, row.id));
      RETURN_IF_ERROR(changes->RowChanged(kind, &row, &after));
      row = std::move(after);
      changed = true;
    }
    ASSIGN_OR_RETURN(entry, ToEntry(kind, row));
    return absl::OkStatus();
  }));
  if (changed) Changed();
  return entry;
}

absl::StatusOr<v1::RecordEntry> Registry::Delete(absl::string_view operator_id,
                                                 const v1::DeleteRecordRequest& request) {
  ASSIGN_OR_RETURN(const RegistryKind* kind, KindNamed(request.kind()));
  FieldChecker check(Today());
  check.Text("reason", request.reason(), /*required=*/true, kMaxReasonChars);
  absl::CivilDay end;
  bool has_end = false;
  check.OptionalDate("end_date", request.end_date(), &end, &has_end);
  if (has_end && request.entered_in_error()) {
    check.Fail("end_date", "not with entered_in_error (such a record counts in no period)");
  }
  std::vector<FieldError> errors = check.TakeErrors();
  if (!errors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(errors.front().field, ": ", errors.front().reason));
  }
  v1::RecordEntry entry;
  RETURN_IF_ERROR(WriteWithCells([&](Database* db, CellChanges* changes) -> absl::Status {
    ASSIGN_OR_RETURN(RegistryTable table, RegistryTable::Prepare(db, *kind));
    ASSIGN_OR_RETURN(StoredRow row, MustFind(table, request.id()));
    if (!row.deleted_at.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(kind->name, ": record ", row.id, " is deleted already"));
    }
    std::string end_date = request.end_date();
    if (request.entered_in_error()) {
      end_date = row.columns.start_date;
    } else if (end_date.empty()) {
      end_date = FormatDate(Today());
    }
    if (!request.entered_in_error() && end_date < row.columns.start_date) {
      return absl::InvalidArgumentError(
          "end_date: is before the record entered the registry (use entered_in_error)");
    }
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(table.SetDeletion(row, AuditTime(now), request.reason(), end_date));
    ASSIGN_OR_RETURN(AuditWriter audit, AuditWriter::Prepare(db, std::string(operator_id), now));
    RETURN_IF_ERROR(audit.Record(kAuditDelete, kind->name, row.id,
                                 absl::StrCat(request.entered_in_error() ? "entered in error; "
                                                                         : "",
                                              "reason: ", request.reason())));
    ASSIGN_OR_RETURN(StoredRow after, MustFind(table, row.id));
    RETURN_IF_ERROR(changes->RowChanged(*kind, &row, &after));
    ASSIGN_OR_RETURN(entry, ToEntry(*kind, after));
    return absl::OkStatus();
  }));
  Changed();
  return entry;
}

absl::StatusOr<v1::RecordEntry> Registry::Restore(absl::string_view operator_id,
                                                  const v1::RestoreRecordRequest& request) {
  ASSIGN_OR_RETURN(const RegistryKind* kind, KindNamed(request.kind()));
  v1::RecordEntry entry;
  RETURN_IF_ERROR(WriteWithCells([&](Database* db, CellChanges* changes) -> absl::Status {
    ASSIGN_OR_RETURN(RegistryTable table, RegistryTable::Prepare(db, *kind));
    ASSIGN_OR_RETURN(StoredRow row, MustFind(table, request.id()));
    if (row.deleted_at.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(kind->name, ": record ", row.id, " is not deleted"));
    }
    RETURN_IF_ERROR(table.SetDeletion(row, "", "", ""));
    ASSIGN_OR_RETURN(AuditWriter audit,
                     AuditWriter::Prepare(db, std::string(operator_id), clock_->Now()));
    RETURN_IF_ERROR(audit.Record(kAuditRestore, kind->name, row.id));
    ASSIGN_OR_RETURN(StoredRow after, MustFind(table, row.id));
    RETURN_IF_ERROR(changes->RowChanged(*kind, &row, &after));
    ASSIGN_OR_RETURN(entry, ToEntry(*kind, after));
    return absl::OkStatus();
  }));
  Changed();
  return entry;
}

absl::StatusOr<v1::ListRecordsResponse> Registry::List(
    const v1::ListRecordsRequest& request) const {
  v1::ListRecordsResponse response;
  RETURN_IF_ERROR(WithReader([&](Database* db) -> absl::Status {
    ASSIGN_OR_RETURN(response, ListRecords(db, request));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::GetHistoryResponse> Registry::History(
    const v1::GetHistoryRequest& request) const {
  ASSIGN_OR_RETURN(const RegistryKind* kind, KindNamed(request.kind()));
  v1::GetHistoryResponse response;
  RETURN_IF_ERROR(WithReader([&](Database* db) -> absl::Status {
    ASSIGN_OR_RETURN(RegistryTable table, RegistryTable::Prepare(db, *kind));
    RETURN_IF_ERROR(MustFind(table, request.id()).status());
    ASSIGN_OR_RETURN(std::vector<v1::AuditEntry> entries,
                     ReadHistory(db, kind->name, request.id()));
    for (v1::AuditEntry& entry : entries) *response.add_entries() = std::move(entry);
    return absl::OkStatus();
  }));
  return response;
}

absl::Status Registry::Export(const v1::ExportRequest& request, int chunk_size,
                              absl::FunctionRef<bool(std::vector<v1::Record>&)> consume) const {
  return WithReader([&](Database* db) { return ExportRecords(db, request, chunk_size, consume); });
}

absl::StatusOr<std::unique_ptr<ImportSession>> Registry::BeginImport(absl::string_view kind_name,
                                                                     ImportOptions options) const {
  ASSIGN_OR_RETURN(const RegistryKind* kind, KindNamed(kind_name));
  return ImportSession::Create(*kind, options, cells_->NewAggregator());
}

absl::StatusOr<v1::ImportResponse> Registry::FinishImport(absl::string_view operator_id,
                                                          ImportSession* session) {
  v1::ImportResponse response;
  RETURN_IF_ERROR(WriteWithCells([&](Database* db, CellChanges* changes) -> absl::Status {
    ASSIGN_OR_RETURN(AuditWriter audit,
                     AuditWriter::Prepare(db, std::string(operator_id), clock_->Now()));
    ASSIGN_OR_RETURN(response, session->Apply(db, &audit, changes));
    return absl::OkStatus();
  }));
  if (response.created() + response.updated() > 0) Changed();
  return response;
}

}  // namespace fedsync
