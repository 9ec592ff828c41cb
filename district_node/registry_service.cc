#include "district_node/registry_service.h"

#include "absl/strings/str_cat.h"
#include "shared/grpc_status.h"
#include "shared/registry_kinds.h"

namespace fedsync {

grpc::Status RegistryService::Import(grpc::ServerContext* context,
                                     grpc::ServerReader<v1::ImportRequest>* reader,
                                     v1::ImportResponse* response) {
  std::vector<v1::Record> records;
  std::vector<int64_t> row_numbers;
  const RegistryKind* kind = nullptr;
  v1::ImportRequest request;
  bool first = true;
  while (reader->Read(&request)) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    if (first) {
      kind = FindRegistryKind(request.kind());
      if (kind == nullptr) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("kind: unknown registry kind '",
                                         request.kind().substr(0, 40), "'"));
      }
      first = false;
    }
    if (!request.row_numbers().empty() &&
        request.row_numbers_size() != request.records_size()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "row_numbers: must be empty or one per record");
    }
    for (int i = 0; i < request.records_size(); ++i) {
      if (request.records(i).kind_case() != kind->record_case) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("records: a record is not of kind ", kind->name));
      }
      records.push_back(std::move(*request.mutable_records(i)));
      row_numbers.push_back(request.row_numbers().empty()
                                ? static_cast<int64_t>(records.size())
                                : request.row_numbers(i));
    }
  }
  if (first) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the import stream was empty");
  }
  absl::StatusOr<v1::ImportResponse> result = node_->Import(records, row_numbers);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace fedsync
