#include "district_node/audit_log.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/message_differencer.h"
#include "shared/status_macros.h"

namespace fedsync {

const char kAuditLogSchema[] = R"sql(
CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  operator TEXT NOT NULL,
  operation TEXT NOT NULL,
  kind TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT '');
CREATE INDEX audit_log_record ON audit_log(kind, record_id);
)sql";

namespace {

constexpr size_t kMaxOperatorChars = 64;
constexpr char kInsert[] =
    "INSERT INTO audit_log(at, operator, operation, kind, record_id, detail) "
    "VALUES(?, ?, ?, ?, ?, ?)";
constexpr char kSelectHistory[] =
    "SELECT id, at, operator, operation, kind, record_id, detail FROM audit_log "
    "WHERE kind = ? AND record_id = ? ORDER BY id";

// RecordEach's statement: kRowsPerInsert rows sharing ?1-?4 (at, operator, operation,
// kind), record ids from ?5 on.
constexpr int kRowsPerInsert = 64;

std::string InsertManySql() {
  std::string sql = "INSERT INTO audit_log(at, operator, operation, kind, record_id) VALUES";
  for (int i = 0; i < kRowsPerInsert; ++i) {
    absl::StrAppend(&sql, i == 0 ? "" : ",", "(?1, ?2, ?3, ?4, ?", 5 + i, ")");
  }
  return sql;
}

bool IsOperatorChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '@' || c == '-';
}

}  // namespace

absl::Status ValidateOperator(absl::string_view identity) {
  if (identity.empty() || identity.size() > kMaxOperatorChars) {
    return absl::InvalidArgumentError("x-fedsync-operator: must be 1 to 64 characters");
  }
  for (char c : identity) {
    if (!IsOperatorChar(c)) {
      return absl::InvalidArgumentError(
          "x-fedsync-operator: only letters, digits and . _ @ - are allowed");
    }
  }
  return absl::OkStatus();
}

std::string AuditTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

absl::StatusOr<AuditWriter> AuditWriter::Prepare(Database* db, std::string operator_identity,
                                                 absl::Time now) {
  ASSIGN_OR_RETURN(Statement insert, db->Prepare(kInsert));
  return AuditWriter(db, std::move(insert), std::move(operator_identity), AuditTime(now));
}

absl::Status AuditWriter::Record(absl::string_view operation, absl::string_view kind,
                                 int64_t record_id, absl::string_view detail) {
  insert_.Reset();
  insert_.Bind(1, at_).Bind(2, operator_).Bind(3, operation).Bind(4, kind).Bind(5, record_id)
      .Bind(6, detail);
  return insert_.Run();
}

absl::Status AuditWriter::RecordEach(absl::string_view operation, absl::string_view kind,
                                     absl::Span<const int64_t> record_ids) {
  size_t next = 0;
  if (record_ids.size() >= kRowsPerInsert && !insert_many_.has_value()) {
    ASSIGN_OR_RETURN(insert_many_, db_->Prepare(InsertManySql()));
  }
  for (; next + kRowsPerInsert <= record_ids.size(); next += kRowsPerInsert) {
    insert_many_->Reset();
    insert_many_->Bind(1, at_).Bind(2, operator_).Bind(3, operation).Bind(4, kind);
    for (int i = 0; i < kRowsPerInsert; ++i) insert_many_->Bind(5 + i, record_ids[next + i]);
    RETURN_IF_ERROR(insert_many_->Run());
  }
  for (; next < record_ids.size(); ++next) {
    RETURN_IF_ERROR(Record(operation, kind, record_ids[next]));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AuditEntry>> ReadHistory(Database* db, absl::string_view kind,
                                                        int64_t record_id) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectHistory));
  select.Bind(1, kind).Bind(2, record_id);
  std::vector<v1::AuditEntry> entries;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    v1::AuditEntry& entry = entries.emplace_back();
    entry.set_id(select.ColumnInt(0));
    entry.set_at(select.ColumnText(1));
    entry.set_operator_(select.ColumnText(2));
    entry.set_operation(select.ColumnText(3));
    entry.set_kind(select.ColumnText(4));
    entry.set_record_id(select.ColumnInt(5));
    entry.set_detail(select.ColumnText(6));
  }
  return entries;
}

std::string ChangedFields(const google::protobuf::Message& before,
                          const google::protobuf::Message& after) {
  std::vector<std::string> changed;
  const google::protobuf::Descriptor* type = before.GetDescriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    google::protobuf::util::MessageDifferencer differencer;
    std::vector<const google::protobuf::FieldDescriptor*> only = {field};
    if (!differencer.CompareWithFields(before, after, only, only)) {
      changed.push_back(field->name());
    }
  }
  return absl::StrJoin(changed, ",");
}

}  // namespace fedsync
