// How fedctl talks to a node: the one function that makes a channel (so TLS, when it
// comes, changes one place), the deadline every call carries, and the one mapping from a
// failed call's gRPC status to the line an operator reads. Thread-safe.
#ifndef FEDSYNC_TOOLS_FEDCTL_CONNECTION_H_
#define FEDSYNC_TOOLS_FEDCTL_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tools/fedctl/command_line.h"

namespace fedsync::fedctl {

// Checks --tls-dir's files (with --token-file: ca.pem and the token file, which only its
// owner may read) before anything is sent; fedctl's main calls it once.
// kFailedPrecondition naming the file. Without --tls-dir, calls are plaintext, which
// only a loopback --target may get: kInvalidArgument saying to give --tls-dir for any
// other (unless the command contacts no node, CommandSpec::local).
absl::Status CheckTransport(const CommandLine& command_line);

// A channel to --target: mutual TLS from --tls-dir (checking that the server's
// certificate names --server-id when given), or with --token-file TLS that presents
// the bearer token on every call instead of a certificate; else plaintext (loopback
// only, CheckTransport). Never fails: a bad or
// unreachable target, or TLS files gone since CheckTransport, shows up as UNAVAILABLE
// on the first call (never as a silent fall back to plaintext).
std::shared_ptr<grpc::Channel> CreateChannel(const CommandLine& command_line);
// The same for another address (fedctl verify walks the tree): credentials only, since
// the server id is not known. With --token-file they carry the token: for --target only.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const CommandLine& command_line);

// Credentials for a node below --target, dialled at the address that node advertised
// itself (fedctl verify), so anyone's: --tls-dir's client certificate alone, never the
// bearer token of --token-file, which goes to --target only. kFailedPrecondition
// "needs an operator certificate to read NODE_ID ..." when --tls-dir holds no
// certificate (an operator with only a token and ca.pem), or when fedctl is on
// plaintext and `address` is not loopback.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> CredentialsBelowTarget(
    const CommandLine& command_line, const std::string& address, const std::string& node_id);

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
