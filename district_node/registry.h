// The district's registries as an operator works with them: create, get, update, soft
// delete and restore one record, list and search, history, export, and bulk import —
// every write validated first (record_validation.h), stored in one transaction with its
// audit row (audit_log.h) and with the exact and published cells it changes
// (cell_updater.h), so the published cells follow the data at once and whatever a
// write's size. No gRPC here: registry_service.cc adapts it.
//
// Errors: kInvalidArgument names the request or record field ("enterprises.credit_code:
// check character mismatch"), never a value; kNotFound for an unknown record id;
// kAlreadyExists for a taken natural key; kFailedPrecondition for a state that does
// not allow the change (updating a deleted record, restoring an active one).
//
// Thread-safe: writes are serialised by the NodeStore; reads use their own connection
// where the database is a file.
#ifndef FEDSYNC_DISTRICT_NODE_REGISTRY_H_
#define FEDSYNC_DISTRICT_NODE_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "district_node/cell_updater.h"
#include "district_node/import_session.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/clock.h"
#include "shared/node_store.h"

namespace fedsync {

class Registry {
 public:
  // `store`, `clock` and `cells` must outlive the registry. `on_change` (may be empty)
  // runs after every committed write that changed a record, outside any lock.
  Registry(NodeStore* store, Clock* clock, const CellUpdater* cells,
           std::function<void()> on_change = nullptr);

  // `operator_id` is the caller's identity for the audit log (see ValidateOperator).
  absl::StatusOr<v1::RecordEntry> Create(absl::string_view operator_id, const v1::Record& record);
  absl::StatusOr<v1::RecordEntry> Get(const v1::GetRecordRequest& request) const;
  // Replaces a record's data; its natural key may not change.
  absl::StatusOr<v1::RecordEntry> Update(absl::string_view operator_id,
                                         const v1::UpdateRecordRequest& request);
  absl::StatusOr<v1::RecordEntry> Delete(absl::string_view operator_id,
                                         const v1::DeleteRecordRequest& request);
  absl::StatusOr<v1::RecordEntry> Restore(absl::string_view operator_id,
                                          const v1::RestoreRecordRequest& request);
  absl::StatusOr<v1::ListRecordsResponse> List(const v1::ListRecordsRequest& request) const;
  // kNotFound for a record that never existed; an existing record's history may be empty
  // only for rows stored before the audit log existed.
  absl::StatusOr<v1::GetHistoryResponse> History(const v1::GetHistoryRequest& request) const;
  // See ExportRecords (registry_queries.h).
  absl::Status Export(const v1::ExportRequest& request, int chunk_size,
                      absl::FunctionRef<bool(std::vector<v1::Record>&)> consume) const;

  // A bulk import: Add() the records to the session as they arrive, then FinishImport().
  absl::StatusOr<std::unique_ptr<ImportSession>> BeginImport(absl::string_view kind,
                                                             ImportOptions options) const;
  absl::StatusOr<v1::ImportResponse> FinishImport(absl::string_view operator_id,
                                                  ImportSession* session);

 private:
  // Runs `fn` on a read connection: a reader of its own for a file database, the
  // writer's connection (serialised) for ":memory:".
  absl::Status WithReader(absl::FunctionRef<absl::Status(Database*)> fn) const;
  absl::CivilDay Today() const;
  // Runs `fn` in one write transaction, gathering the cell changes of the rows it
  // writes; applies them (CellUpdater::Apply) before the commit and counts the
  // publication after it.
  absl::Status WriteWithCells(absl::FunctionRef<absl::Status(Database*, CellChanges*)> fn);

  void Changed() const {
    if (on_change_) on_change_();
  }

  NodeStore* const store_;
  Clock* const clock_;
  const CellUpdater* const cells_;
  const std::function<void()> on_change_;
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_REGISTRY_H_
