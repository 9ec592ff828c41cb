#include "shared/catalog_holder.h"

#include "absl/strings/str_cat.h"
#include "shared/logging.h"
#include "shared/status_macros.h"

namespace fedsync {

const char kCatalogSchema[] = R"sql(
CREATE TABLE catalog(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  definition BLOB NOT NULL);
)sql";

absl::StatusOr<std::shared_ptr<const Catalog>> LoadStoredCatalog(Database* db) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare("SELECT definition FROM catalog WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return Catalog::Default();
  v1::Catalog proto;
  if (!proto.ParseFromString(select.ColumnBlob(0))) {
    return absl::DataLossError("the stored catalog is corrupt");
  }
  const int64_t version = proto.version();
  absl::StatusOr<std::shared_ptr<const Catalog>> stored = Catalog::FromProto(std::move(proto));
  if (stored.ok()) return stored;
  // Stored by an older build whose checks it passed: a node that would not start could
  // not be sent a better one. It runs the built-in catalog until its parent (or, at the
  // top, an operator) gives it one this build accepts.
  LogError("catalog.stored_refused", {{"version", version}, {"error", stored.status().message()}});
  return Catalog::Default();
}

absl::Status StoreCatalog(Database* db, const Catalog& catalog) {
  ASSIGN_OR_RETURN(Statement upsert,
                   db->Prepare("INSERT INTO catalog(id, version, definition) VALUES(1, ?, ?) "
                               "ON CONFLICT(id) DO UPDATE SET version = excluded.version, "
                               "definition = excluded.definition"));
  std::string bytes;
  catalog.proto().SerializeToString(&bytes);
  upsert.Bind(1, catalog.version()).BindBlob(2, bytes);
  return upsert.Run();
}

absl::Status CheckNewer(const Catalog& current, const Catalog& candidate) {
  if (candidate.version() <= current.version()) {
    return absl::FailedPreconditionError(
        absl::StrCat("catalog version ", candidate.version(), " is not newer than version ",
                     current.version(), " which this node runs"));
  }
  return absl::OkStatus();
}

}  // namespace fedsync
