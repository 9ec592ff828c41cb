#include "shared/server_runner.h"

#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpcpp/health_check_service_interface.h"
#include "shared/limits.h"

namespace fedsync {
namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

void NormalizeFlagNames(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if (arg[0] != '-' || arg[1] != '-') continue;
    if (arg[2] == '\0') break;  // "--" ends the flags
    for (char* c = arg + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') *c = '_';
    }
  }
}

bool BoolFlagGiven(int argc, char** argv, absl::string_view name) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (!absl::ConsumePrefix(&arg, "--")) {
      if (!absl::ConsumePrefix(&arg, "-")) continue;
    }
    if (arg == name || absl::StartsWith(arg, absl::StrCat(name, "=")) ||
        arg == absl::StrCat("no", name)) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<BuiltServer> StartServer(const std::string& listen,
                                        std::shared_ptr<grpc::ServerCredentials> credentials,
                                        const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  BuiltServer built;
  builder.AddListeningPort(listen, std::move(credentials), &built.port);
  // gRPC binds with SO_REUSEPORT by default, so a second node on a port in use would
  // start and the kernel would split the connections between the two.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Children keep streams open for days; let their keepalive pings through.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // Peers that stall: a connection must finish its (TLS) handshake within 10 s, and one
  // whose peer stops answering keepalive pings (a client that crashed, a half-open
  // link) is closed with every call on it, so no call waits for a peer that is gone.
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, kHandshakeTimeoutMillis);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  // Hostile or broken peers: nothing larger than this is read into memory.
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  for (grpc::Service* service : services) builder.RegisterService(service);
  built.server = builder.BuildAndStart();
  if (built.server == nullptr || built.port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  }
  return built;
}

}  // namespace fedsync
