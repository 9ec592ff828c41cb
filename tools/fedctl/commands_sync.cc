// fedctl sync: AdminService.SyncNow, rendered by sync_output.h.
#include <algorithm>
#include <iostream>

#include "fedsync/v1/admin.grpc.pb.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/sync_output.h"

namespace fedsync::fedctl {
namespace {

// How long the node may wait for results: a little under the RPC deadline, so the
// node answers with what it has (and who is missing) before the call itself times out.
absl::Duration NodeWaitFor(absl::Duration rpc_timeout) {
  absl::Duration margin = std::min(rpc_timeout / 10, absl::Seconds(2));
  return rpc_timeout - margin;
}

}  // namespace

CommandSpec SyncCommandSpec() {
  CommandSpec spec;
  spec.name = "sync";
  spec.summary = "make children send their cells now";
  spec.flags = {
      {"child", "ID", "only this child"},
      {"all", "", "every child (the default)"},
      {"full", "", "start a new epoch: the children send every cell again"},
      {"wait", "", "wait for every node's result, up to --timeout"},
  };
  spec.description =
      "Prints one line per node that answered (ok or failed, with its message) and one\n"
      "per node that did not answer in time. Exits 1 if any node failed or is missing.\n"
      "--child and --all exclude each other.";
  return spec;
}

int RunSync(const CommandLine& command_line) {
  if (command_line.Has("child") && command_line.IsSet("all")) {
    return ReportUsageError(
        UsageError(*command_line.command, "--child and --all exclude each other"));
  }
  v1::SyncNowRequest request;
  if (command_line.Has("child")) {
    request.set_child_id(command_line.Get("child"));
  } else {
    request.set_all(true);
  }
  request.set_full(command_line.IsSet("full"));
  bool wait = command_line.IsSet("wait");
  request.set_wait(wait);
  if (wait) {
    request.set_timeout_millis(absl::ToInt64Milliseconds(NodeWaitFor(command_line.timeout)));
  }

  auto stub = v1::AdminService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  SetDeadline(&context, command_line.timeout);
  v1::SyncNowResponse response;
  grpc::Status status = stub->SyncNow(&context, request, &response);
  if (!status.ok()) {
    std::cerr << DescribeRpcError("sync", command_line.target, command_line.timeout, status)
              << "\n";
    return kExitFailure;
  }
  SyncReport report = RenderSyncResults(response, wait);
  std::cout << report.text;
  if (report.failed > 0 || report.missing > 0) {
    std::cerr << "fedctl sync: " << report.failed << " failed, " << report.missing << " missing\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace fedsync::fedctl
