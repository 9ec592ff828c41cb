// fedctl catalog show|push: the catalog a node runs, and a newer one pushed at the top
// of the tree (it travels down to every node over the sync streams).
#include <fstream>
#include <iostream>
#include <sstream>

#include "fedsync/v1/admin.grpc.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "shared/catalog.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"

namespace fedsync::fedctl {

CommandSpec CatalogShowCommandSpec() {
  CommandSpec spec;
  spec.name = "catalog show";
  spec.summary = "print the catalog a node runs (protobuf text format)";
  spec.formats = {OutputFormat::kTable, OutputFormat::kJson};
  spec.description =
      "The table format is the catalog in protobuf text format, the same form `catalog\n"
      "push` reads; --format=json prints it in protobuf's JSON mapping.";
  return spec;
}

int RunCatalogShow(const CommandLine& command_line) {
  auto stub = v1::AdminService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  SetDeadline(&context, command_line.timeout);
  v1::Catalog catalog;
  grpc::Status status = stub->GetCatalog(&context, v1::GetCatalogRequest(), &catalog);
  if (!status.ok()) {
    std::cerr << DescribeRpcError("catalog show", command_line.target, command_line.timeout,
                                  status)
              << "\n";
    return kExitFailure;
  }
  std::string out;
  if (command_line.format == OutputFormat::kJson) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(catalog, &out, options);
    out += "\n";
  } else {
    google::protobuf::TextFormat::PrintToString(catalog, &out);
  }
  std::cout << out;
  return kExitOk;
}

CommandSpec CatalogPushCommandSpec() {
  CommandSpec spec;
  spec.name = "catalog push";
  spec.summary = "adopt a newer catalog at the top node and send it down the tree";
  spec.arguments = "FILE.textproto";
  spec.min_arguments = 1;
  spec.max_arguments = 1;
  spec.description =
      "FILE is a fedsync.v1.Catalog in protobuf text format (see `catalog show`). It is\n"
      "checked here first (an identifying or free-text field as a dimension is refused),\n"
      "then by the node, which takes it only if its version is newer than the one it runs.";
  return spec;
}

int RunCatalogPush(const CommandLine& command_line) {
  const std::string& path = command_line.arguments[0];
  std::ifstream in(path);
  if (!in) {
    std::cerr << "fedctl catalog push: cannot read " << path << "\n";
    return kExitFailure;
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::shared_ptr<const Catalog>> catalog = Catalog::FromText(text.str());
  if (!catalog.ok()) {
    std::cerr << "fedctl catalog push: " << path << ": " << catalog.status().message()
              << "; nothing was sent\n";
    return kExitFailure;
  }
  v1::PushCatalogRequest request;
  *request.mutable_catalog() = (*catalog)->proto();
  auto stub = v1::AdminService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  SetDeadline(&context, command_line.timeout);
  v1::PushCatalogResponse response;
  grpc::Status status = stub->PushCatalog(&context, request, &response);
  if (!status.ok()) {
    std::cerr << DescribeRpcError("catalog push", command_line.target, command_line.timeout,
                                  status)
              << "\n";
    return kExitFailure;
  }
  std::cout << "catalog version " << response.version() << " adopted; sent to "
            << response.sent_to_size() << " connected children\n";
  return kExitOk;
}

}  // namespace fedsync::fedctl
