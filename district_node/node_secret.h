// The district's node secret for cell-key record keys (shared/privacy/record_key.h): 32
// random bytes from OpenSSL's RAND_bytes, drawn once, the first time a district database
// asks for it, and kept in that database's node_secrets table (schema version 6) for
// life: every record keeps its key across restarts only because the secret does.
//
// The secret never leaves the district and is never logged: whoever holds it and the
// entity keys can strip the noise. A new database draws a new secret (and has a new
// epoch, so its parent replaces all its cells anyway).
//
// Runs on the caller's connection inside the caller's write transaction. Errors are
// SQLite's; kUnavailable when the random generator fails; kDataLoss for a stored secret
// too short to use.
#ifndef FEDSYNC_DISTRICT_NODE_NODE_SECRET_H_
#define FEDSYNC_DISTRICT_NODE_NODE_SECRET_H_

#include <string>

#include "absl/status/statusor.h"
#include "shared/database.h"

namespace fedsync {

// Schema version 6 of the district database (registry_store.cc): the node_secrets table,
// and the perturbation key column of exact_cells.
extern const char kCellKeySchema[];

// The stored record-key secret; draws and stores one first when there is none.
absl::StatusOr<std::string> LoadOrCreateRecordKeySecret(Database* db);

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_NODE_SECRET_H_
