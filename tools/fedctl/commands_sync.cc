// fedctl sync: AdminService.SyncNow, rendered by sync_output.h.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include "fedsync/v1/admin.grpc.pb.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/output.h"
#include "tools/fedctl/sync_output.h"

namespace fedsync::fedctl {
namespace {

// How long the node may wait for results: a little under the RPC deadline, so the
// node answers with what it has (and who is missing) before the call itself times out.
absl::Duration NodeWaitFor(absl::Duration rpc_timeout) {
  absl::Duration margin = std::min(rpc_timeout / 10, absl::Seconds(2));
  return rpc_timeout - margin;
}

// While the command runs, one line on a terminal: which children this node already
// holds up to date (lag 0) and how far the others are behind.
void ShowProgress(v1::AdminService::Stub* stub, absl::Duration timeout,
                  const std::atomic<bool>& done) {
  ProgressLine progress;
  const absl::Time deadline = absl::Now() + timeout;
  while (!done && absl::Now() < deadline) {
    grpc::ClientContext context;
    SetDeadline(&context, absl::Seconds(2));
    v1::GetStatusResponse status;
    if (stub->GetStatus(&context, v1::GetStatusRequest(), &status).ok()) {
      int caught_up = 0;
      int64_t behind = 0;
      for (const v1::ChildStatus& child : status.children()) {
        const int64_t lag = static_cast<int64_t>(child.child_max_seq() - child.watermark());
        if (lag <= 0) ++caught_up; else behind += lag;
      }
      progress.Show(absl::StrCat("sync: ", caught_up, "/", status.children_size(),
                                 " children up to date, ", behind, " seq behind"));
    }
    // A progress display on a terminal; the command's own deadline ends the wait.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
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
      "per node that did not answer in time (a child registered with --children that\n"
      "has not connected is missing). Exits 1 if any node failed or is missing, and\n"
      "with --wait when no node answered at all.\n"
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
  grpc::Status status;
  std::atomic<bool> done{false};
  std::thread call([&] {
    status = stub->SyncNow(&context, request, &response);
    done = true;
  });
  if (wait) ShowProgress(stub.get(), command_line.timeout, done);
  call.join();
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
  if (report.none_answered) {
    std::cerr << "fedctl sync: no node answered: " << command_line.target
              << " has no child to sync (registered children that never connected count as "
                 "missing)\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace fedsync::fedctl
