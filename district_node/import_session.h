// One bulk import into one registry, in two phases so that memory stays bounded and the
// node's one writer is held only while rows are stored, never while the client is still
// sending:
//
//   1. Add() each record as it arrives: validate it (record_validation.h), look for its
//      natural key earlier in the same import, spool the valid ones, already turned
//      into table columns, to an anonymous temporary file, and add their contributions
//      to the exact cells as new records (aggregator.h, as period ranges). Memory: a
//      16-byte fingerprint per row (about 40 MB for a million rows), the listed errors,
//      and the ranges (one entry per metric, dimension values and run of periods).
//   2. Apply() inside the caller's transaction: upsert every spooled row by natural key,
//      write the audit log, hand the new rows' contributions to the write's cell
//      changes (the caller applies them, CellUpdater::Apply) and correct them for rows
//      that were not new (taken away again; an update adds its own change), and check
//      what needs the database (an aid visit's household must have a hardship case).
//
// All or nothing by default: with any error, Apply() returns kInvalidArgument listing
// the first errors ("row 7: returned_students.resident_id: check character mismatch")
// and the caller's transaction rolls back. With skip_invalid, the valid rows are stored
// and the invalid ones reported. Errors name rows and fields, never values.
//
// Not thread-safe: one session belongs to one import stream.
#ifndef FEDSYNC_DISTRICT_NODE_IMPORT_SESSION_H_
#define FEDSYNC_DISTRICT_NODE_IMPORT_SESSION_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "district_node/audit_log.h"
#include "district_node/cell_updater.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/aggregator.h"
#include "shared/database.h"
#include "shared/registry_kinds.h"

namespace fedsync {

struct ImportOptions {
  bool skip_invalid = false;
  // Row errors kept for the report; the rest are only counted.
  int max_listed_errors = 1000;
};

class ImportSession {
 public:
  // Validates as of `aggregator.today()` and computes contributions with `aggregator`
  // (CellUpdater::NewAggregator). kInternal when no temporary file can be made.
  static absl::StatusOr<std::unique_ptr<ImportSession>> Create(const RegistryKind& kind,
                                                               ImportOptions options,
                                                               Aggregator aggregator);
  ~ImportSession();
  ImportSession(const ImportSession&) = delete;
  ImportSession& operator=(const ImportSession&) = delete;

  // Checks one record from data row `row` (1-based; 0: the next number). An invalid
  // record is an error of the import, not of this call: only a failed spool write
  // (kInternal) is returned.
  absl::Status Add(const v1::Record& record, int64_t row = 0);

  // Stores the spooled rows in `db` (inside the caller's transaction), audits each
  // change and adds it to `changes`. kInvalidArgument (see the file comment) when the
  // import must store nothing; the caller then rolls back. The response counts rows and
  // lists errors.
  absl::StatusOr<v1::ImportResponse> Apply(Database* db, AuditWriter* audit,
                                           CellChanges* changes);

  int64_t rows_received() const { return rows_received_; }
  int64_t error_count() const { return error_count_; }
  const RegistryKind& kind() const { return *kind_; }

 private:
  ImportSession(const RegistryKind* kind, ImportOptions options, Aggregator aggregator,
                std::FILE* spool)
      : kind_(kind), options_(options), aggregator_(std::move(aggregator)), spool_(spool) {}
  void AddError(int64_t row, absl::string_view field, absl::string_view reason);
  absl::Status Rejection() const;

  const RegistryKind* kind_;
  const ImportOptions options_;
  const Aggregator aggregator_;
  std::FILE* spool_;
  int64_t rows_received_ = 0;
  int64_t spooled_ = 0;
  int64_t error_count_ = 0;   // field errors
  int64_t invalid_rows_ = 0;  // rows with errors
  int64_t last_invalid_row_ = -1;
  std::vector<v1::RowError> errors_;  // the first max_listed_errors
  // Fingerprint of each natural key seen -> the row it was first seen on.
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, int64_t> first_row_;
  // The spooled rows' contributions, as if each were new.
  CellRanges new_rows_;
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_IMPORT_SESSION_H_
