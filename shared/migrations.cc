#include "shared/migrations.h"

#include "absl/strings/str_cat.h"
#include "shared/status_macros.h"

namespace fedsync {

absl::StatusOr<int> SchemaVersion(Database* db) {
  ASSIGN_OR_RETURN(Statement statement, db->Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, statement.Step());
  if (!row) return absl::InternalError("PRAGMA user_version returned no row");
  return static_cast<int>(statement.ColumnInt(0));
}

absl::Status Migrate(Database* db, const Migrations& migrations) {
  ASSIGN_OR_RETURN(int version, SchemaVersion(db));
  const int known = static_cast<int>(migrations.size());
  if (version > known) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database ", db->path(), " has schema version ", version,
        " but this binary knows only up to ", known, "; use a newer fedsync"));
  }
  for (int next = version + 1; next <= known; ++next) {
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(db));
    absl::Status status = db->Execute(migrations[next - 1]);
    if (!status.ok()) {
      return absl::InternalError(
          absl::StrCat("migration ", next, " failed: ", status.message()));
    }
    RETURN_IF_ERROR(db->Execute(absl::StrCat("PRAGMA user_version = ", next)));
    RETURN_IF_ERROR(transaction->Commit());
  }
  return absl::OkStatus();
}

}  // namespace fedsync
