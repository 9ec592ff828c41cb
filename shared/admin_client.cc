#include "shared/admin_client.h"

#include "grpcpp/grpcpp.h"
#include "shared/grpc_status.h"
#include "shared/limits.h"
#include "shared/tls_credentials.h"

namespace fedsync {
namespace {

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> Call(v1::AdminService::Stub* stub, Method method,
                              const Request& request, absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  Response response;
  absl::Status status = FromGrpcStatus((stub->*method)(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

}  // namespace

AdminClient::AdminClient(const std::string& address,
                         std::shared_ptr<grpc::ChannelCredentials> credentials,
                         absl::Duration timeout, const std::string& server_name)
    : address_(address), timeout_(timeout) {
  if (credentials == nullptr) credentials = grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  SetServerName(server_name, &args);
  args.SetMaxReceiveMessageSize(kMaxOperatorAnswerBytes);
  stub_ = v1::AdminService::NewStub(grpc::CreateCustomChannel(address, credentials, args));
}

absl::StatusOr<v1::GetStatusResponse> AdminClient::Status() {
  return Call<v1::GetStatusRequest, v1::GetStatusResponse>(
      stub_.get(), &v1::AdminService::Stub::GetStatus, v1::GetStatusRequest(), timeout_);
}

absl::StatusOr<v1::GetRollupResponse> AdminClient::Rollup(const std::string& metric,
                                                          const std::string& period) {
  v1::GetRollupRequest request;
  request.set_metric(metric);
  request.set_period(period);
  return Call<v1::GetRollupRequest, v1::GetRollupResponse>(
      stub_.get(), &v1::AdminService::Stub::GetRollup, request, timeout_);
}

absl::StatusOr<v1::ListMetricsResponse> AdminClient::Metrics() {
  return Call<v1::ListMetricsRequest, v1::ListMetricsResponse>(
      stub_.get(), &v1::AdminService::Stub::ListMetrics, v1::ListMetricsRequest(), timeout_);
}

absl::StatusOr<v1::ListTargetsResponse> AdminClient::Targets() {
  return Call<v1::ListTargetsRequest, v1::ListTargetsResponse>(
      stub_.get(), &v1::AdminService::Stub::ListTargets, v1::ListTargetsRequest(), timeout_);
}

absl::StatusOr<v1::SyncNowResponse> AdminClient::SyncNow(const v1::SyncNowRequest& request) {
  // A sync with --wait runs as long as the request allows, plus a margin.
  absl::Duration timeout = timeout_;
  if (request.timeout_millis() > 0) {
    timeout = std::max(timeout, absl::Milliseconds(request.timeout_millis()) + absl::Seconds(2));
  }
  return Call<v1::SyncNowRequest, v1::SyncNowResponse>(
      stub_.get(), &v1::AdminService::Stub::SyncNow, request, timeout);
}

}  // namespace fedsync
