// How fedctl talks to a node: the one function that makes a channel (so TLS, when it
// comes, changes one place), the deadline every call carries, and the one mapping from a
// failed call's gRPC status to the line an operator reads. Thread-safe.
#ifndef FEDSYNC_TOOLS_FEDCTL_CONNECTION_H_
#define FEDSYNC_TOOLS_FEDCTL_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace fedsync::fedctl {

// A channel to `target` ("HOST:PORT"). Plaintext for now: nodes run with --insecure
// until certificates exist. Never fails; a bad or unreachable target shows up as
// UNAVAILABLE on the first call.
std::shared_ptr<grpc::Channel> CreateChannel(const std::string& target);

// Every call fedctl makes carries a deadline, so no command hangs on a dead node.
void SetDeadline(grpc::ClientContext* context, absl::Duration timeout);

// "OK", "UNAVAILABLE", ... as in the gRPC status code spec.
const char* StatusCodeName(grpc::StatusCode code);

// The line to print for a failed call made by `command` ("rollup") to `target`, saying
// what happened and what to try, e.g.
//   fedctl: cannot reach 127.0.0.1:7000 (UNAVAILABLE): <detail>; check that ...
//   fedctl rollup: unknown metric 'm' (NOT_FOUND)
// `timeout` is the deadline the call had, named when it ran out.
std::string DescribeRpcError(const std::string& command, const std::string& target,
                             absl::Duration timeout, const grpc::Status& status);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_CONNECTION_H_
