// Versioned schema migrations. The schema version is SQLite's user_version; migration
// N takes the schema from version N-1 to N and runs in one transaction with the version
// bump. A database whose version is newer than the code knows is refused
// (kFailedPrecondition), so an old binary never writes a newer schema.
#ifndef FEDSYNC_SHARED_MIGRATIONS_H_
#define FEDSYNC_SHARED_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "shared/database.h"

namespace fedsync {

// Migration i (0-based) in the list produces schema version i+1.
using Migrations = std::vector<std::string>;

absl::StatusOr<int> SchemaVersion(Database* db);

// Brings `db` to version migrations.size(), applying what is missing in order.
absl::Status Migrate(Database* db, const Migrations& migrations);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_MIGRATIONS_H_
