// The one place where absl::Status and grpc::Status are translated.
#ifndef FEDSYNC_SHARED_GRPC_STATUS_H_
#define FEDSYNC_SHARED_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace fedsync {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_GRPC_STATUS_H_
