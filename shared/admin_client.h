// A small synchronous client of a node's AdminService, with a deadline on every call;
// used by verify and by tests. Thread-compatible.
#ifndef FEDSYNC_SHARED_ADMIN_CLIENT_H_
#define FEDSYNC_SHARED_ADMIN_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fedsync/v1/admin.grpc.pb.h"
#include "grpcpp/security/credentials.h"

namespace fedsync {

class AdminClient {
 public:
  // Plaintext credentials when `credentials` is null. With TLS credentials,
  // `server_name` (a node id) is what the server's certificate must name instead of
  // the host of `address`.
  explicit AdminClient(const std::string& address,
                       std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr,
                       absl::Duration timeout = absl::Seconds(10),
                       const std::string& server_name = "");

  absl::StatusOr<v1::GetStatusResponse> Status();
  absl::StatusOr<v1::GetRollupResponse> Rollup(const std::string& metric,
                                               const std::string& period = "");
  absl::StatusOr<v1::ListMetricsResponse> Metrics();
  absl::StatusOr<v1::SyncNowResponse> SyncNow(const v1::SyncNowRequest& request);
  absl::StatusOr<v1::ListTargetsResponse> Targets();
  const std::string& address() const { return address_; }

 private:
  std::string address_;
  absl::Duration timeout_;
  std::unique_ptr<v1::AdminService::Stub> stub_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_ADMIN_CLIENT_H_
