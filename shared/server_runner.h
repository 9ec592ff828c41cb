// Serving a node: build a gRPC server on the configured address with health checking,
// announce "listening on HOST:PORT" on stdout, and shut down in order when SIGTERM or
// SIGINT arrives (stream loops first, then Server::Shutdown with a deadline).
#ifndef FEDSYNC_SHARED_SERVER_RUNNER_H_
#define FEDSYNC_SHARED_SERVER_RUNNER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace fedsync {

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts later;
// call first in main().
void BlockTerminationSignals();
// Waits for SIGTERM or SIGINT (blocked by BlockTerminationSignals) and returns it.
int WaitForTerminationSignal();

// Rewrites "--demo-data=x" as "--demo_data=x" in place (flag names only, up to '='),
// so that the documented dashed spellings reach Abseil's flags, whose names are
// identifiers.
void NormalizeFlagNames(int argc, char** argv);

// Whether boolean flag `name` is on the command line in any of its forms (--name,
// --name=VALUE, --noname; one dash or two) before a "--": to tell "--name=false" from
// not given. Call after NormalizeFlagNames.
bool BoolFlagGiven(int argc, char** argv, absl::string_view name);

struct BuiltServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

// Builds and starts a server listening on `listen` with `services` registered and gRPC
// health checking enabled, receiving messages of at most kMaxReceiveMessageBytes
// (shared/limits.h). kUnavailable when the address cannot be bound.
absl::StatusOr<BuiltServer> StartServer(const std::string& listen,
                                        std::shared_ptr<grpc::ServerCredentials> credentials,
                                        const std::vector<grpc::Service*>& services);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_SERVER_RUNNER_H_
