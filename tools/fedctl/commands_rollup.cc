// fedctl rollup: AdminService.GetRollup, rendered by rollup_output.h.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "fedsync/v1/admin.grpc.pb.h"
#include "shared/period.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/rollup_output.h"

namespace fedsync::fedctl {
namespace {

// After NOT_FOUND for a metric, the metrics the node does know are the most useful
// next line. Best effort: an empty string when the node cannot say.
std::string KnownMetricsHint(v1::AdminService::Stub* stub, absl::Duration timeout) {
  grpc::ClientContext context;
  SetDeadline(&context, timeout);
  v1::ListMetricsResponse response;
  if (!stub->ListMetrics(&context, v1::ListMetricsRequest(), &response).ok() ||
      response.metric_ids().empty()) {
    return "";
  }
  return absl::StrCat("; metrics at this node: ", absl::StrJoin(response.metric_ids(), ", "));
}

}  // namespace

CommandSpec RollupCommandSpec() {
  CommandSpec spec;
  spec.name = "rollup";
  spec.summary = "show a metric's published cells at this node and its children";
  spec.flags = {
      {"metric", "ID", "the metric, e.g. returned_students_total", /*required=*/true},
      {"period", "P", "only this period: YYYY, YYYY-Qn or YYYY-MM (default: every period)"},
      {"lang", "zh|en", "name dimensions and their values in Chinese or English"},
  };
  spec.formats = {OutputFormat::kTable, OutputFormat::kCsv, OutputFormat::kJson};
  spec.description =
      "Rows are sorted by node, period and dimension values. A suppressed cell has no\n"
      "value: \"x\" in the table, empty in CSV, null in JSON. PARTIAL marks a sum that\n"
      "includes a suppressed input.\n"
      "CSV columns: node,metric,period,<dimension keys>,value,status.\n"
      "JSON: an array of {\"node\", \"metric\", \"period\", \"dims\": {key: value}, \"value\",\n"
      "\"status\"} objects.\n"
      "--lang=zh|en names dimensions and their values for people (degree=master: 学位 硕士,\n"
      "Degree Master) in the table and CSV; in JSON each object gains \"labels\": {key: label}.";
  return spec;
}

int RunRollup(const CommandLine& command_line) {
  std::optional<LabelLanguage> language;
  if (command_line.Has("lang")) {
    LabelLanguage parsed;
    if (!ParseLabelLanguage(command_line.Get("lang"), &parsed)) {
      return ReportUsageError(UsageError(
          *command_line.command,
          absl::StrCat("--lang must be zh or en, not '", command_line.Get("lang"), "'")));
    }
    language = parsed;
  }
  v1::GetRollupRequest request;
  request.set_metric(command_line.Get("metric"));
  if (command_line.Has("period")) {
    absl::StatusOr<Period> period = ParsePeriod(command_line.Get("period"));
    if (!period.ok()) {
      return ReportUsageError(UsageError(*command_line.command, period.status().message()));
    }
    request.set_period(command_line.Get("period"));
  }

  auto stub = v1::AdminService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  SetDeadline(&context, command_line.timeout);
  v1::GetRollupResponse response;
  grpc::Status status = stub->GetRollup(&context, request, &response);
  if (!status.ok()) {
    std::string message =
        DescribeRpcError("rollup", command_line.target, command_line.timeout, status);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      message += KnownMetricsHint(stub.get(), command_line.timeout);
    }
    std::cerr << message << "\n";
    return kExitFailure;
  }
  std::cout << RenderRollup(response, command_line.format, language);
  return kExitOk;
}

}  // namespace fedsync::fedctl
