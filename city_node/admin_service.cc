#include "city_node/admin_service.h"

#include <algorithm>

#include "shared/grpc_status.h"
#include "shared/limits.h"
#include "shared/operator_auth.h"

namespace fedsync {

grpc::Status CityAdminService::GetStatus(grpc::ServerContext* context, const v1::GetStatusRequest*,
                                         v1::GetStatusResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/GetStatus");
  absl::StatusOr<v1::GetStatusResponse> status = node_->Status();
  if (!status.ok()) return ToGrpcStatus(status.status());
  *response = std::move(*status);
  return grpc::Status::OK;
}

grpc::Status CityAdminService::GetRollup(grpc::ServerContext* context,
                                         const v1::GetRollupRequest* request,
                                         v1::GetRollupResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/GetRollup");
  absl::StatusOr<v1::GetRollupResponse> rollup =
      node_->Rollup(request->metric(), request->period());
  if (!rollup.ok()) return ToGrpcStatus(rollup.status());
  *response = std::move(*rollup);
  return grpc::Status::OK;
}

grpc::Status CityAdminService::SyncNow(grpc::ServerContext* context,
                                       const v1::SyncNowRequest* request,
                                       v1::SyncNowResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/SyncNow");
  if (!request->child_id().empty() && request->all()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "child_id and all: give one or the other");
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
  absl::StatusOr<v1::SyncNowResponse> result =
      node_->SyncNow(request->child_id(), request->full(), request->wait(), timeout);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status CityAdminService::ListMetrics(grpc::ServerContext* context,
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

grpc::Status CityAdminService::SetTarget(grpc::ServerContext* context,
                                         const v1::SetTargetRequest* request,
                                         v1::SetTargetResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/SetTarget");
  absl::StatusOr<v1::TargetProgress> target = node_->SetTarget(*request);
  if (!target.ok()) return ToGrpcStatus(target.status());
  *response->mutable_target() = std::move(*target);
  return grpc::Status::OK;
}

grpc::Status CityAdminService::ListTargets(grpc::ServerContext* context,
                                           const v1::ListTargetsRequest*,
                                           v1::ListTargetsResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/ListTargets");
  absl::StatusOr<v1::ListTargetsResponse> targets = node_->ListTargets();
  if (!targets.ok()) return ToGrpcStatus(targets.status());
  *response = std::move(*targets);
  return grpc::Status::OK;
}

grpc::Status CityAdminService::GetCatalog(grpc::ServerContext* context,
                                          const v1::GetCatalogRequest*, v1::Catalog* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/GetCatalog");
  *response = node_->catalog()->proto();
  return grpc::Status::OK;
}

grpc::Status CityAdminService::PushCatalog(grpc::ServerContext* context,
                                           const v1::PushCatalogRequest* request,
                                           v1::PushCatalogResponse* response) {
  RETURN_IF_DENIED(auth_, context, "AdminService/PushCatalog");
  absl::StatusOr<v1::PushCatalogResponse> pushed = node_->PushCatalog(request->catalog());
  if (!pushed.ok()) return ToGrpcStatus(pushed.status());
  *response = std::move(*pushed);
  return grpc::Status::OK;
}

}  // namespace fedsync
