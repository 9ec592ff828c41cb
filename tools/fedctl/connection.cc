#include "tools/fedctl/connection.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "shared/files.h"
#include "shared/limits.h"
#include "shared/node_config.h"
#include "shared/status_macros.h"
#include "shared/tls_credentials.h"

namespace fedsync::fedctl {
namespace {

// DIR/ca.pem: all of a --tls-dir that a token holder needs.
absl::StatusOr<std::string> ReadCaFile(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string ca, ReadFile(dir + "/ca.pem"));
  if (ca.empty()) return absl::FailedPreconditionError(absl::StrCat(dir, "/ca.pem is empty"));
  return ca;
}

// The token in `path`, without surrounding whitespace; refused when others may read
// the file, as a private key would be.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string token, ReadPrivateFile(path));
  token = std::string(absl::StripAsciiWhitespace(token));
  if (token.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("the token file ", path, " is empty"));
  }
  return token;
}

}  // namespace

absl::Status CheckTransport(const CommandLine& command_line) {
  if (command_line.tls_dir.empty()) {
    const bool contacts_node = command_line.command == nullptr || !command_line.command->local;
    if (contacts_node && !IsLoopbackAddress(command_line.target)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--target=", command_line.target,
                       " is not a loopback address, and without --tls-dir the call would travel in "
                       "plaintext; give --tls-dir=DIR (its ca.pem, cert.pem and key.pem), or "
                       "--tls-dir=DIR with --token-file=FILE (see fedctl --help)"));
    }
    return absl::OkStatus();
  }
  if (!command_line.token_file.empty()) {
    RETURN_IF_ERROR(ReadTokenFile(command_line.token_file).status());
    return ReadCaFile(command_line.tls_dir).status();
  }
  return LoadTlsDir(command_line.tls_dir).status();
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const CommandLine& command_line) {
  if (command_line.tls_dir.empty()) return grpc::InsecureChannelCredentials();
  if (!command_line.token_file.empty()) {
    absl::StatusOr<std::string> ca = ReadCaFile(command_line.tls_dir);
    absl::StatusOr<std::string> token = ReadTokenFile(command_line.token_file);
    // Without the files: TLS that trusts no CA, so every call fails closed.
    return grpc::CompositeChannelCredentials(
        ServerOnlyTlsChannelCredentials(ca.ok() ? *ca : "-"),
        grpc::AccessTokenCredentials(token.ok() ? *token : ""));
  }
  absl::StatusOr<TlsFiles> files = LoadTlsDir(command_line.tls_dir);
  // Without the files: TLS that trusts no CA, so every call fails closed.
  return MutualTlsChannelCredentials(files.ok() ? *files : TlsFiles{"-", "", ""});
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> CredentialsBelowTarget(
    const CommandLine& command_line, const std::string& address, const std::string& node_id) {
  if (command_line.tls_dir.empty()) {
    if (!IsLoopbackAddress(address)) {
      return absl::FailedPreconditionError(
          absl::StrCat(node_id, " advertised ", address,
                       ", not a loopback address: verify over TLS "
                       "(--tls-dir) to read it; plaintext goes to loopback only"));
    }
    return grpc::InsecureChannelCredentials();
  }
  absl::StatusOr<TlsFiles> files = LoadTlsDir(command_line.tls_dir);
  if (!files.ok()) {
    if (command_line.token_file.empty()) return files.status();
    return absl::FailedPreconditionError(
        absl::StrCat("needs an operator certificate to read ", node_id,
                     " (the token is sent to --target "
                     "only; give --tls-dir a cert.pem and key.pem, or verify from ",
                     node_id, " itself)"));
  }
  return MutualTlsChannelCredentials(*files);
}

std::shared_ptr<grpc::Channel> CreateChannel(const CommandLine& command_line) {
  grpc::ChannelArguments args;
  SetServerName(command_line.server_id, &args);
  args.SetMaxReceiveMessageSize(kMaxOperatorAnswerBytes);
  return grpc::CreateCustomChannel(command_line.target, ChannelCredentials(command_line), args);
}

void SetDeadline(grpc::ClientContext* context, absl::Duration timeout) {
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
}

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

std::string DescribeRpcError(const std::string& command, const std::string& target,
                             absl::Duration timeout, const grpc::Status& status) {
  const char* code = StatusCodeName(status.error_code());
  std::string detail =
      status.error_message().empty() ? "" : absl::StrCat(": ", status.error_message());
  std::string prefix = absl::StrCat("fedctl ", command);
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StrCat("fedctl: cannot reach ", target, " (", code, ")", detail,
                          "; check that the node is running and --target is right (a node "
                          "on TLS needs --tls-dir, and --server-id)");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("fedctl: ", target, " did not answer within ",
                          absl::FormatDuration(timeout), " (", code, ")",
                          "; check the node, or allow longer with --timeout=SECONDS");
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::StrCat(prefix, ": ", target, " does not serve this call (", code, ")", detail,
                          "; registry commands go to a district node, the others to any "
                          "node");
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::StrCat(prefix, ": ", target, " refused the call (", code, ")", detail);
    default:
      // The node's own words name the field or the thing that is wrong.
      if (status.error_message().empty()) {
        return absl::StrCat(prefix, ": ", target, " answered ", code);
      }
      return absl::StrCat(prefix, ": ", status.error_message(), " (", code, ")");
  }
}

}  // namespace fedsync::fedctl
