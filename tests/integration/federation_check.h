// Checks on a running federation, from the outside, over the admin API: has a parent
// caught up with each child, and does every cell it holds equal what the child
// published, and every aggregate the sum of its inputs? The sums are re-derived here
// independently of city_node's code.
#ifndef FEDSYNC_TESTS_INTEGRATION_FEDERATION_CHECK_H_
#define FEDSYNC_TESTS_INTEGRATION_FEDERATION_CHECK_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedsync/v1/admin.grpc.pb.h"

namespace fedsync::testing {

class AdminClient {
 public:
  explicit AdminClient(const std::string& address);
  absl::StatusOr<v1::GetStatusResponse> Status();
  absl::StatusOr<v1::GetRollupResponse> Rollup(const std::string& metric,
                                               const std::string& period = "");
  absl::StatusOr<v1::ListMetricsResponse> Metrics();
  absl::StatusOr<v1::SyncNowResponse> SyncNow(const v1::SyncNowRequest& request);

 private:
  std::unique_ptr<v1::AdminService::Stub> stub_;
};

// Ok when `parent` holds exactly what each child (id -> address) published, for every
// metric, and each of its own cells is the sum of its children's cells.
absl::Status CheckParentConverged(const std::string& parent_address,
                                  const std::map<std::string, std::string>& children);

// The value of the cell of `node` (metric, period, no dimensions) in `rollup`; -1 when
// absent.
int64_t TotalOf(const v1::GetRollupResponse& rollup, const std::string& node,
                const std::string& period);

}  // namespace fedsync::testing

#endif  // FEDSYNC_TESTS_INTEGRATION_FEDERATION_CHECK_H_
