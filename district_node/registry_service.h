// gRPC adapter for the district's RegistryService: proto in, Registry call, proto out.
// Validation and the audit log live in the domain (district_node/registry.h); here
// only the caller is authorized and identified (shared/operator_auth.h: over TLS its
// certificate, on a plaintext node the call metadata "x-fedsync-operator", "local" when
// absent) and statuses are translated (shared/grpc_status.h).
#ifndef FEDSYNC_DISTRICT_NODE_REGISTRY_SERVICE_H_
#define FEDSYNC_DISTRICT_NODE_REGISTRY_SERVICE_H_

#include "district_node/district_node.h"
#include "district_node/registry.h"
#include "fedsync/v1/registry.grpc.pb.h"
#include "shared/operator_auth.h"

namespace fedsync {

class RegistryService final : public v1::RegistryService::Service {
 public:
  // `registry` (or `node`) and `auth` must outlive the service.
  RegistryService(Registry* registry, const OperatorAuth* auth)
      : registry_(registry), auth_(auth) {}
  RegistryService(DistrictNode* node, const OperatorAuth* auth)
      : registry_(&node->registry()), auth_(auth) {}

  grpc::Status Import(grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
                      v1::ImportResponse* response) override;
  grpc::Status Export(grpc::ServerContext* context, const v1::ExportRequest* request,
                      grpc::ServerWriter<v1::ExportResponse>* writer) override;
  grpc::Status CreateRecord(grpc::ServerContext* context, const v1::CreateRecordRequest* request,
                            v1::RecordEntry* response) override;
  grpc::Status GetRecord(grpc::ServerContext* context, const v1::GetRecordRequest* request,
                         v1::RecordEntry* response) override;
  grpc::Status UpdateRecord(grpc::ServerContext* context, const v1::UpdateRecordRequest* request,
                            v1::RecordEntry* response) override;
  grpc::Status DeleteRecord(grpc::ServerContext* context, const v1::DeleteRecordRequest* request,
                            v1::RecordEntry* response) override;
  grpc::Status RestoreRecord(grpc::ServerContext* context, const v1::RestoreRecordRequest* request,
                             v1::RecordEntry* response) override;
  grpc::Status ListRecords(grpc::ServerContext* context, const v1::ListRecordsRequest* request,
                           v1::ListRecordsResponse* response) override;
  grpc::Status GetHistory(grpc::ServerContext* context, const v1::GetHistoryRequest* request,
                          v1::GetHistoryResponse* response) override;

 private:
  Registry* registry_;
  const OperatorAuth* auth_;
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_REGISTRY_SERVICE_H_
