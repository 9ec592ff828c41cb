// gRPC adapter for an aggregating node's AdminService: status of the tree below it,
// rollups (its own cells and its children's), and sync commands sent down the tree.
#ifndef FEDSYNC_CITY_NODE_ADMIN_SERVICE_H_
#define FEDSYNC_CITY_NODE_ADMIN_SERVICE_H_

#include "city_node/city_node.h"
#include "fedsync/v1/admin.grpc.pb.h"
#include "shared/operator_auth.h"

namespace fedsync {

class CityAdminService final : public v1::AdminService::Service {
 public:
  // `node` and `auth` must outlive the service.
  CityAdminService(CityNode* node, const OperatorAuth* auth) : node_(node), auth_(auth) {}

  grpc::Status GetStatus(grpc::ServerContext* context, const v1::GetStatusRequest* request,
                         v1::GetStatusResponse* response) override;
  grpc::Status GetRollup(grpc::ServerContext* context, const v1::GetRollupRequest* request,
                         v1::GetRollupResponse* response) override;
  grpc::Status SyncNow(grpc::ServerContext* context, const v1::SyncNowRequest* request,
                       v1::SyncNowResponse* response) override;
  grpc::Status ListMetrics(grpc::ServerContext* context, const v1::ListMetricsRequest* request,
                           v1::ListMetricsResponse* response) override;
  grpc::Status SetTarget(grpc::ServerContext* context, const v1::SetTargetRequest* request,
                         v1::SetTargetResponse* response) override;
  grpc::Status ListTargets(grpc::ServerContext* context, const v1::ListTargetsRequest* request,
                           v1::ListTargetsResponse* response) override;
  grpc::Status GetCatalog(grpc::ServerContext* context, const v1::GetCatalogRequest* request,
                          v1::Catalog* response) override;
  grpc::Status PushCatalog(grpc::ServerContext* context, const v1::PushCatalogRequest* request,
                           v1::PushCatalogResponse* response) override;

 private:
  CityNode* node_;
  const OperatorAuth* auth_;
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_ADMIN_SERVICE_H_
