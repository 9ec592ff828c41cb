// fedctl targets set|list: AdminService.SetTarget and ListTargets, with a progress
// table (target, progress, percent, the date it was met).
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "fedsync/v1/admin.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/output.h"

namespace fedsync::fedctl {
namespace {

std::string MetDate(int64_t met_millis) {
  if (met_millis <= 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMillis(met_millis),
                          absl::FixedTimeZone(8 * 3600));
}

std::string Percent(const v1::TargetProgress& progress) {
  if (progress.target().value() <= 0) return "100%";
  return absl::StrFormat("%.0f%%", 100.0 * static_cast<double>(progress.progress()) /
                                       static_cast<double>(progress.target().value()));
}

void AddRows(const google::protobuf::RepeatedPtrField<v1::TargetProgress>& targets,
             const std::string& direction, TextTable* table) {
  for (const v1::TargetProgress& progress : targets) {
    table->AddRow({direction, progress.target().child_id(), progress.target().metric(),
                   progress.target().period(), absl::StrCat(progress.target().value()),
                   absl::StrCat(progress.progress(), progress.partial() ? " (partial)" : ""),
                   Percent(progress), MetDate(progress.met_unix_millis())});
  }
}

}  // namespace

CommandSpec TargetsSetCommandSpec() {
  CommandSpec spec;
  spec.name = "targets set";
  spec.summary = "set a child's target for a metric and period (city or province)";
  spec.flags = {
      {"child", "ID", "the child the target is for", /*required=*/true},
      {"metric", "ID", "the metric, e.g. certifications_issued_by_year", /*required=*/true},
      {"period", "P", "the period, of the metric's type: YYYY, YYYY-Qn or YYYY-MM",
       /*required=*/true},
      {"value", "N", "the value to reach (the child's cells of the metric and period, summed)",
       /*required=*/true},
  };
  spec.description =
      "The target travels down to the child at once (or with its next connection); both\n"
      "ends then show progress and the date the target was met.";
  return spec;
}

int RunTargetsSet(const CommandLine& command_line) {
  v1::SetTargetRequest request;
  request.set_child_id(command_line.Get("child"));
  request.set_metric(command_line.Get("metric"));
  request.set_period(command_line.Get("period"));
  int64_t value = 0;
  if (!absl::SimpleAtoi(command_line.Get("value"), &value) || value < 0) {
    return ReportUsageError(
        UsageError(*command_line.command, "--value must be a whole number, 0 or more"));
  }
  request.set_value(value);
  auto stub = v1::AdminService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  SetDeadline(&context, command_line.timeout);
  v1::SetTargetResponse response;
  grpc::Status status = stub->SetTarget(&context, request, &response);
  if (!status.ok()) {
    std::cerr << DescribeRpcError("targets set", command_line.target, command_line.timeout,
                                  status)
              << "\n";
    return kExitFailure;
  }
  const v1::TargetProgress& progress = response.target();
  std::cout << "target set: " << progress.target().child_id() << " "
            << progress.target().metric() << " " << progress.target().period() << " >= "
            << progress.target().value() << "; progress " << progress.progress() << " ("
            << Percent(progress) << ")\n";
  return kExitOk;
}

CommandSpec TargetsListCommandSpec() {
  CommandSpec spec;
  spec.name = "targets list";
  spec.summary = "targets set here for children and received from the parent, with progress";
  spec.formats = {OutputFormat::kTable, OutputFormat::kJson};
  spec.description =
      "Columns: set here (for a child) or from the parent (for this node), the node the\n"
      "target is for, metric, period, target, progress (partial when some of the cells\n"
      "summed are suppressed), percent, and when the target was met (Beijing time).";
  return spec;
}

int RunTargetsList(const CommandLine& command_line) {
  auto stub = v1::AdminService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  SetDeadline(&context, command_line.timeout);
  v1::ListTargetsResponse response;
  grpc::Status status = stub->ListTargets(&context, v1::ListTargetsRequest(), &response);
  if (!status.ok()) {
    std::cerr << DescribeRpcError("targets list", command_line.target, command_line.timeout,
                                  status)
              << "\n";
    return kExitFailure;
  }
  if (command_line.format == OutputFormat::kJson) {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(response, &json, options);
    std::cout << json << "\n";
    return kExitOk;
  }
  if (response.set_here().empty() && response.from_parent().empty()) {
    std::cout << "no targets\n";
    return kExitOk;
  }
  TextTable table({"", "for", "metric", "period", "target", "progress", "done", "met"});
  for (size_t column : {4, 5, 6}) table.AlignRight(column);
  AddRows(response.set_here(), "set here", &table);
  AddRows(response.from_parent(), "from parent", &table);
  std::cout << table.Render();
  return kExitOk;
}

}  // namespace fedsync::fedctl
