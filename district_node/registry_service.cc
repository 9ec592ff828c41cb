#include "district_node/registry_service.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "district_node/audit_log.h"
#include "shared/call_watchdog.h"
#include "shared/grpc_status.h"
#include "shared/limits.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

constexpr int kExportChunkRecords = 1000;

// The caller's identity for the audit log, when it may call `method`: its certificate's
// name over TLS, else what the call says (shared/operator_auth.h); checked for shape.
absl::StatusOr<std::string> OperatorOf(const OperatorAuth& auth, const grpc::ServerContext& context,
                                       absl::string_view method) {
  ASSIGN_OR_RETURN(OperatorCaller caller, auth.Authorize(context, method));
  RETURN_IF_ERROR(ValidateOperator(caller.name));
  return caller.name;
}

template <typename Response>
grpc::Status Reply(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

absl::StatusOr<v1::ImportResponse> ReadImport(const OperatorAuth& auth,
                                              grpc::ServerContext* context,
                                              grpc::ServerReader<v1::ImportRequest>* reader,
                                              Registry* registry) {
  ASSIGN_OR_RETURN(std::string operator_id, OperatorOf(auth, *context, "RegistryService/Import"));
  // A client that stalls mid-stream does not hold this thread past the server's limit.
  CallWatchdog::Guard deadline =
      CallWatchdog::Default().Watch(context, absl::Milliseconds(kMaxRegistryStreamMillis));
  v1::ImportRequest request;
  if (!reader->Read(&request)) {
    return absl::InvalidArgumentError("the import stream was empty");
  }
  ImportOptions options;
  options.skip_invalid = request.skip_invalid();
  ASSIGN_OR_RETURN(std::unique_ptr<ImportSession> session,
                   registry->BeginImport(request.kind(), options));
  do {
    if (context->IsCancelled()) return absl::CancelledError("the import was cancelled");
    if (!request.row_numbers().empty() && request.row_numbers_size() != request.records_size()) {
      return absl::InvalidArgumentError("row_numbers: must be empty or one per record");
    }
    for (int i = 0; i < request.records_size(); ++i) {
      RETURN_IF_ERROR(session->Add(request.records(i),
                                   request.row_numbers().empty() ? 0 : request.row_numbers(i)));
    }
  } while (reader->Read(&request));
  // A client that cancels mid-stream ends its reads too; store nothing then.
  if (context->IsCancelled()) return absl::CancelledError("the import was cancelled");
  return registry->FinishImport(operator_id, session.get());
}

}  // namespace

grpc::Status RegistryService::Import(grpc::ServerContext* context,
                                     grpc::ServerReader<v1::ImportRequest>* reader,
                                     v1::ImportResponse* response) {
  return Reply(ReadImport(*auth_, context, reader, registry_), response);
}

grpc::Status RegistryService::Export(grpc::ServerContext* context, const v1::ExportRequest* request,
                                     grpc::ServerWriter<v1::ExportResponse>* writer) {
  RETURN_IF_DENIED(auth_, context, "RegistryService/Export");
  // A client that stops reading does not hold this thread past the server's limit.
  CallWatchdog::Guard deadline =
      CallWatchdog::Default().Watch(context, absl::Milliseconds(kMaxRegistryStreamMillis));
  bool stopped = false;
  absl::Status status =
      registry_->Export(*request, kExportChunkRecords, [&](std::vector<v1::Record>& chunk) {
        v1::ExportResponse message;
        for (v1::Record& record : chunk) *message.add_records() = std::move(record);
        if (context->IsCancelled() || !writer->Write(message)) {
          stopped = true;
          return false;
        }
        return true;
      });
  if (!status.ok()) return ToGrpcStatus(status);
  if (stopped) return grpc::Status(grpc::StatusCode::CANCELLED, "the export was cancelled");
  return grpc::Status::OK;
}

grpc::Status RegistryService::CreateRecord(grpc::ServerContext* context,
                                           const v1::CreateRecordRequest* request,
                                           v1::RecordEntry* response) {
  absl::StatusOr<std::string> operator_id =
      OperatorOf(*auth_, *context, "RegistryService/CreateRecord");
  if (!operator_id.ok()) return ToGrpcStatus(operator_id.status());
  return Reply(registry_->Create(*operator_id, request->record()), response);
}

grpc::Status RegistryService::GetRecord(grpc::ServerContext* context,
                                        const v1::GetRecordRequest* request,
                                        v1::RecordEntry* response) {
  RETURN_IF_DENIED(auth_, context, "RegistryService/GetRecord");
  return Reply(registry_->Get(*request), response);
}

grpc::Status RegistryService::UpdateRecord(grpc::ServerContext* context,
                                           const v1::UpdateRecordRequest* request,
                                           v1::RecordEntry* response) {
  absl::StatusOr<std::string> operator_id =
      OperatorOf(*auth_, *context, "RegistryService/UpdateRecord");
  if (!operator_id.ok()) return ToGrpcStatus(operator_id.status());
  return Reply(registry_->Update(*operator_id, *request), response);
}

grpc::Status RegistryService::DeleteRecord(grpc::ServerContext* context,
                                           const v1::DeleteRecordRequest* request,
                                           v1::RecordEntry* response) {
  absl::StatusOr<std::string> operator_id =
      OperatorOf(*auth_, *context, "RegistryService/DeleteRecord");
  if (!operator_id.ok()) return ToGrpcStatus(operator_id.status());
  return Reply(registry_->Delete(*operator_id, *request), response);
}

grpc::Status RegistryService::RestoreRecord(grpc::ServerContext* context,
                                            const v1::RestoreRecordRequest* request,
                                            v1::RecordEntry* response) {
  absl::StatusOr<std::string> operator_id =
      OperatorOf(*auth_, *context, "RegistryService/RestoreRecord");
  if (!operator_id.ok()) return ToGrpcStatus(operator_id.status());
  return Reply(registry_->Restore(*operator_id, *request), response);
}

grpc::Status RegistryService::ListRecords(grpc::ServerContext* context,
                                          const v1::ListRecordsRequest* request,
                                          v1::ListRecordsResponse* response) {
  RETURN_IF_DENIED(auth_, context, "RegistryService/ListRecords");
  return Reply(registry_->List(*request), response);
}

grpc::Status RegistryService::GetHistory(grpc::ServerContext* context,
                                         const v1::GetHistoryRequest* request,
                                         v1::GetHistoryResponse* response) {
  RETURN_IF_DENIED(auth_, context, "RegistryService/GetHistory");
  return Reply(registry_->History(*request), response);
}

}  // namespace fedsync
