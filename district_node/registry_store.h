// The district's registries in SQLite: one table per registry kind, each record stored
// as its protobuf with its natural key (resident ID, ...), community, and the days it
// entered and left the registry. Personal data lives here and nowhere else.
//
// Functions run on the caller's connection, inside the caller's transaction (the node's
// one writer, NodeStore::Write); they are not thread-safe on their own.
#ifndef FEDSYNC_DISTRICT_NODE_REGISTRY_STORE_H_
#define FEDSYNC_DISTRICT_NODE_REGISTRY_STORE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/aggregator.h"
#include "shared/database.h"
#include "shared/migrations.h"

namespace fedsync {

// The district database's migrations (published cells included).
const Migrations& DistrictMigrations();

struct ImportCounts {
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
};

// Validates every record first (against `today`), and refuses the whole set with
// kInvalidArgument listing up to 20 row errors ("row 7: returned_students.resident_id:
// check character mismatch") when any is invalid, mixed kinds, or a natural key appears
// twice. Otherwise upserts each record by natural key. `row_numbers` may be empty (rows
// are then numbered from 1). Stores nothing on error (the caller's transaction rolls back).
absl::StatusOr<ImportCounts> ImportRecords(Database* db, const std::vector<v1::Record>& records,
                                           const std::vector<int64_t>& row_numbers,
                                           absl::CivilDay today,
                                           std::vector<v1::RowError>* row_errors);

// Every record of every registry, with its start and end days.
absl::StatusOr<std::vector<StoredRecord>> LoadAllRecords(Database* db);

absl::StatusOr<int64_t> CountRecords(Database* db);

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_REGISTRY_STORE_H_
