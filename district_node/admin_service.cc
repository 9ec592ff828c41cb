#include "district_node/admin_service.h"

#include <algorithm>

#include "shared/grpc_status.h"
#include "shared/limits.h"
#include "shared/operator_auth.h"

namespace fedsync {

grpc::Status DistrictAdminService::GetStatus(grpc::ServerContext* context,
                                             const v1::GetStatusRequest*,
                                             v1::GetStatusResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/GetStatus");
  absl::StatusOr<v1::GetStatusResponse> status = node_->Status();
  if (!status.ok()) return ToGrpcStatus(status.status());
  *response = std::move(*status);
  return grpc::Status::OK;
}

grpc::Status DistrictAdminService::GetRollup(grpc::ServerContext* context,
                                             const v1::GetRollupRequest* request,
                                             v1::GetRollupResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/GetRollup");
  absl::StatusOr<v1::GetRollupResponse> rollup =
      node_->Rollup(request->metric(), request->period());
  if (!rollup.ok()) return ToGrpcStatus(rollup.status());
  *response = std::move(*rollup);
  return grpc::Status::OK;
}

grpc::Status DistrictAdminService::SyncNow(grpc::ServerContext* context,
                                           const v1::SyncNowRequest* request,
                                           v1::SyncNowResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/SyncNow");
  if (!request->child_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "child_id: a district has no children");
  }
  absl::Duration timeout = request->timeout_millis() > 0
                               ? absl::Milliseconds(request->timeout_millis())
                               : absl::Seconds(10);
  // Never wait past the caller's own deadline.
  const absl::Duration caller_left =
      absl::FromChrono(context->deadline()) - absl::Now() - absl::Milliseconds(200);
  if (caller_left < timeout) timeout = caller_left;
  // A server-side bound too: a caller without a deadline does not hold a thread forever.
  timeout = std::min(timeout, absl::Milliseconds(kMaxCommandWaitMillis));
  *response->add_results() = node_->SyncNow(request->full(), timeout);
  return grpc::Status::OK;
}

grpc::Status DistrictAdminService::ListMetrics(grpc::ServerContext* context,
                                               const v1::ListMetricsRequest*,
                                               v1::ListMetricsResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/ListMetrics");
  const std::shared_ptr<const Catalog> catalog = node_->catalog();
  for (const v1::MetricDef& metric : catalog->proto().metrics()) {
    response->add_metric_ids(metric.id());
  }
  response->set_catalog_version(catalog->version());
  return grpc::Status::OK;
}

grpc::Status DistrictAdminService::SetTarget(grpc::ServerContext* context,
                                             const v1::SetTargetRequest*, v1::SetTargetResponse*) {
  RETURN_IF_DENIED(auth_, context, "AdminService/SetTarget");
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      "a district has no children to set targets for; set them at its city");
}

grpc::Status DistrictAdminService::ListTargets(grpc::ServerContext* context,
                                               const v1::ListTargetsRequest*,
                                               v1::ListTargetsResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/ListTargets");
  absl::StatusOr<v1::ListTargetsResponse> targets = node_->ListTargets();
  if (!targets.ok()) return ToGrpcStatus(targets.status());
  *response = std::move(*targets);
  return grpc::Status::OK;
}

grpc::Status DistrictAdminService::GetCatalog(grpc::ServerContext* context,
                                              const v1::GetCatalogRequest*, v1::Catalog* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/GetCatalog");
  *response = node_->catalog()->proto();
  return grpc::Status::OK;
}

grpc::Status DistrictAdminService::PushCatalog(grpc::ServerContext* context,
                                               const v1::PushCatalogRequest*,
                                               v1::PushCatalogResponse*) {
  RETURN_IF_DENIED(auth_, context, "AdminService/PushCatalog");
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      "push the catalog at the top of the tree; a district takes it from its "
                      "city");
}

}  // namespace fedsync
