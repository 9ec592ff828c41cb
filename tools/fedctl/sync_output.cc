#include "tools/fedctl/sync_output.h"

#include "absl/strings/str_cat.h"
#include "tools/fedctl/output.h"

namespace fedsync::fedctl {

SyncReport RenderSyncResults(const v1::SyncNowResponse& response, bool waited) {
  SyncReport report;
  TextTable table({});
  for (const v1::NodeResult& result : response.results()) {
    if (!result.ok()) ++report.failed;
    table.AddRow({result.node_id(), result.ok() ? "ok" : "failed", result.message()});
  }
  for (const std::string& node : response.missing()) {
    ++report.missing;
    table.AddRow({node, "missing", "no answer within the deadline"});
  }
  report.text = table.Render();
  if (table.row_count() == 0) {
    std::string command =
        response.command_id().empty() ? "" : absl::StrCat(" ", response.command_id());
    report.none_answered = waited;
    report.text =
        waited ? absl::StrCat("sync command", command, ": no node answered\n")
               : absl::StrCat("sync command", command, " sent; add --wait to see the results\n");
  }
  return report;
}

}  // namespace fedsync::fedctl
