#include "district_node/registry_service.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "district_node/audit_log.h"
#include "shared/grpc_status.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

constexpr int kExportChunkRecords = 1000;

// The caller's identity for the audit log. Until operators authenticate (DESIGN.md,
// "Only who should"), it is what the call says, checked for shape.
absl::StatusOr<std::string> OperatorOf(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kOperatorMetadataKey);
  if (it == metadata.end()) return std::string(kLocalOperator);
  std::string identity(it->second.data(), it->second.size());
  RETURN_IF_ERROR(ValidateOperator(identity));
  return identity;
}

template <typename Response>
grpc::Status Reply(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

absl::StatusOr<v1::ImportResponse> ReadImport(grpc::ServerContext* context,
                                              grpc::ServerReader<v1::ImportRequest>* reader,
                                              Registry* registry) {
  ASSIGN_OR_RETURN(std::string operator_id, OperatorOf(*context));
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
  return Reply(ReadImport(context, reader, registry_), response);
}

grpc::Status RegistryService::Export(grpc::ServerContext* context,
                                     const v1::ExportRequest* request,
                                     grpc::ServerWriter<v1::ExportResponse>* writer) {
  bool stopped = false;
  absl::Status status = registry_->Export(
      *request, kExportChunkRecords, [&](std::vector<v1::Record>& chunk) {
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
  absl::StatusOr<std::string> operator_id = OperatorOf(*context);
  if (!operator_id.ok()) return ToGrpcStatus(operator_id.status());
  return Reply(registry_->Create(*operator_id, request->record()), response);
}

grpc::Status RegistryService::GetRecord(grpc::ServerContext*, const v1::GetRecordRequest* request,
                                        v1::RecordEntry* response) {
  return Reply(registry_->Get(*request), response);
}

grpc::Status RegistryService::UpdateRecord(grpc::ServerContext* context,
                                           const v1::UpdateRecordRequest* request,
                                           v1::RecordEntry* response) {
  absl::StatusOr<std::string> operator_id = OperatorOf(*context);
  if (!operator_id.ok()) return ToGrpcStatus(operator_id.status());
  return Reply(registry_->Update(*operator_id, *request), response);
}

grpc::Status RegistryService::DeleteRecord(grpc::ServerContext* context,
                                           const v1::DeleteRecordRequest* request,
                                           v1::RecordEntry* response) {
  absl::StatusOr<std::string> operator_id = OperatorOf(*context);
  if (!operator_id.ok()) return ToGrpcStatus(operator_id.status());
  return Reply(registry_->Delete(*operator_id, *request), response);
}

grpc::Status RegistryService::RestoreRecord(grpc::ServerContext* context,
                                            const v1::RestoreRecordRequest* request,
                                            v1::RecordEntry* response) {
  absl::StatusOr<std::string> operator_id = OperatorOf(*context);
  if (!operator_id.ok()) return ToGrpcStatus(operator_id.status());
  return Reply(registry_->Restore(*operator_id, *request), response);
}

grpc::Status RegistryService::ListRecords(grpc::ServerContext*,
                                          const v1::ListRecordsRequest* request,
                                          v1::ListRecordsResponse* response) {
  return Reply(registry_->List(*request), response);
}

grpc::Status RegistryService::GetHistory(grpc::ServerContext*,
                                         const v1::GetHistoryRequest* request,
                                         v1::GetHistoryResponse* response) {
  return Reply(registry_->History(*request), response);
}

}  // namespace fedsync
