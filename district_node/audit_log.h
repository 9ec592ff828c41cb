// The district's audit log (审计日志): one row for every change to a registry record —
// who (the operator identity the call carried), when (UTC), what operation, which
// kind and record, and a detail naming the fields changed (never their values) or the
// reason of a delete. It lives in the district's database and nowhere else: nothing
// in the federation protocol can carry it.
//
// Writes run inside the caller's transaction, so a change and its audit row commit or
// roll back together. Not thread-safe on its own (the node's one writer).
#ifndef FEDSYNC_DISTRICT_NODE_AUDIT_LOG_H_
#define FEDSYNC_DISTRICT_NODE_AUDIT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/database.h"

namespace fedsync {

// Part of the district schema (registry_store.cc, migration 2).
extern const char kAuditLogSchema[];

// Operations, as stored and shown.
inline constexpr char kAuditCreate[] = "create";
inline constexpr char kAuditUpdate[] = "update";
inline constexpr char kAuditDelete[] = "delete";
inline constexpr char kAuditRestore[] = "restore";
inline constexpr char kAuditImportCreate[] = "import_create";
inline constexpr char kAuditImportUpdate[] = "import_update";

// The default operator when a call names none.
inline constexpr char kLocalOperator[] = "local";

// OK when `identity` may be stored as an operator: 1-64 characters of letters, digits
// and . _ @ -. kInvalidArgument otherwise (the identity is not quoted back).
absl::Status ValidateOperator(absl::string_view identity);

// UTC, RFC 3339 with milliseconds: "2026-11-30T04:17:03.123Z".
std::string AuditTime(absl::Time time);

// A prepared insert into the log, reused across the rows of one transaction.
class AuditWriter {
 public:
  static absl::StatusOr<AuditWriter> Prepare(Database* db, std::string operator_identity,
                                             absl::Time now);

  absl::Status Record(absl::string_view operation, absl::string_view kind, int64_t record_id,
                      absl::string_view detail = "");
  // Record(operation, kind, id) for each of `record_ids`, in that order, several rows
  // per statement: for the many rows of a bulk import.
  absl::Status RecordEach(absl::string_view operation, absl::string_view kind,
                          absl::Span<const int64_t> record_ids);

  // The time every entry is written with (AuditTime).
  const std::string& at() const { return at_; }

 private:
  AuditWriter(Database* db, Statement insert, std::string operator_identity, std::string at)
      : db_(db), insert_(std::move(insert)), operator_(std::move(operator_identity)),
        at_(std::move(at)) {}
  Database* db_;
  Statement insert_;
  std::optional<Statement> insert_many_;  // prepared on first use
  std::string operator_;
  std::string at_;
};

// Every entry for one record, oldest first.
absl::StatusOr<std::vector<v1::AuditEntry>> ReadHistory(Database* db, absl::string_view kind,
                                                        int64_t record_id);

// The names of the top-level fields whose values differ between two messages of the
// same type, joined by ','; for an update's detail.
std::string ChangedFields(const google::protobuf::Message& before,
                          const google::protobuf::Message& after);

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_AUDIT_LOG_H_
