// fedctl status: AdminService.GetStatus, rendered by status_output.h.
#include <iostream>

#include "absl/time/clock.h"
#include "fedsync/v1/admin.grpc.pb.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/status_output.h"

namespace fedsync::fedctl {

CommandSpec StatusCommandSpec() {
  CommandSpec spec;
  spec.name = "status";
  spec.summary = "show the node, its parent link and how fresh each child's data is";
  spec.formats = {OutputFormat::kTable, OutputFormat::kCsv, OutputFormat::kJson};
  spec.description =
      "The table lists each child's last contact, the highest seq this node holds from it\n"
      "(watermark), the child's newest seq and the lag between the two, in seq and in\n"
      "seconds (since last contact while behind). The parent link shows its own lag and\n"
      "the cells the parent rejected. --format=csv prints one row per child. --format=json\n"
      "prints the GetStatusResponse in protobuf's JSON mapping (field names as in\n"
      "admin.proto; 64-bit numbers as strings; zero and false fields omitted).";
  return spec;
}

int RunStatus(const CommandLine& command_line) {
  auto stub = v1::AdminService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  SetDeadline(&context, command_line.timeout);
  v1::GetStatusResponse response;
  grpc::Status status = stub->GetStatus(&context, v1::GetStatusRequest(), &response);
  if (!status.ok()) {
    std::cerr << DescribeRpcError("status", command_line.target, command_line.timeout, status)
              << "\n";
    return kExitFailure;
  }
  if (command_line.format == OutputFormat::kJson) {
    absl::StatusOr<std::string> json = RenderStatusJson(response);
    if (!json.ok()) {
      std::cerr << "fedctl status: " << json.status().message() << "\n";
      return kExitFailure;
    }
    std::cout << *json;
  } else if (command_line.format == OutputFormat::kCsv) {
    std::cout << RenderStatusCsv(response, absl::Now());
  } else {
    std::cout << RenderStatusTable(response, absl::Now());
  }
  return kExitOk;
}

}  // namespace fedsync::fedctl
