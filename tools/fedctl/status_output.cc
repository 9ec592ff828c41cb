#include "tools/fedctl/status_output.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "shared/csv.h"
#include "google/protobuf/util/json_util.h"
#include "tools/fedctl/output.h"

namespace fedsync::fedctl {
namespace {

std::string LevelName(v1::NodeLevel level) {
  if (level == v1::NODE_LEVEL_UNSPECIFIED) return "-";
  const std::string& name = v1::NodeLevel_Name(level);
  return name.empty() ? absl::StrCat(static_cast<int>(level)) : absl::AsciiStrToLower(name);
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

std::string Age(int64_t unix_millis, absl::Time now) {
  if (unix_millis <= 0) return "never";
  return RelativeTime(absl::FromUnixMillis(unix_millis), now);
}

std::string NodeSection(const v1::GetStatusResponse& status, absl::Time now) {
  TextTable table({});
  table.AddRow({"node", status.node_id()});
  table.AddRow({"level", LevelName(status.level())});
  table.AddRow({"path", status.path()});
  table.AddRow({"epoch", absl::StrCat(status.epoch())});
  table.AddRow({"max seq", absl::StrCat(status.max_seq())});
  table.AddRow({"catalog version", absl::StrCat(status.catalog_version())});
  table.AddRow({"published cells", absl::StrCat(status.published_cells())});
  if (!status.has_parent()) {
    table.AddRow({"parent", "none (top of the tree)"});
  } else {
    const v1::ParentLinkStatus& parent = status.parent();
    table.AddRow({"parent", parent.target()});
    table.AddRow({"  connected", YesNo(parent.connected())});
    table.AddRow({"  acked seq", absl::StrCat(parent.acked_seq())});
    table.AddRow({"  last ack", Age(parent.last_ack_unix_millis(), now)});
    table.AddRow({"  last error", parent.last_error().empty() ? "none" : parent.last_error()});
    const int64_t lag = static_cast<int64_t>(status.max_seq() - parent.acked_seq());
    table.AddRow({"  lag seq", absl::StrCat(lag)});
    table.AddRow({"  rejected", absl::StrCat(parent.rejected_total(), " cells")});
  }
  return table.Render();
}

// "2025 on time, 2026-Q3 late, 2026-10 missing": has the child reported since each
// of the last ended periods, and within its deadline.
std::string Completeness(const v1::ChildStatus& child) {
  std::vector<std::string> parts;
  for (const v1::PeriodReport& report : child.reports()) {
    parts.push_back(absl::StrCat(report.period(), " ",
                                 !report.reported() ? "missing"
                                 : report.on_time() ? "on time"
                                                    : "late"));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

std::string ChildrenSection(const v1::GetStatusResponse& status, absl::Time now) {
  if (status.children().empty()) return "children: none\n";
  TextTable table({"id", "level", "connected", "last seen", "watermark", "child max seq", "lag",
                   "lag s", "catalog version", "cells", "reported (last ended periods)"});
  for (size_t column : {4, 5, 6, 7, 8, 9}) table.AlignRight(column);
  for (const v1::ChildStatus& child : status.children()) {
    table.AddRow({child.node_id(), LevelName(child.level()), YesNo(child.connected()),
                  Age(child.last_seen_unix_millis(), now), absl::StrCat(child.watermark()),
                  absl::StrCat(child.child_max_seq()), absl::StrCat(ChildLagSeq(child)),
                  absl::StrCat(ChildLagSeconds(child, now)),
                  absl::StrCat(child.catalog_version()), absl::StrCat(child.cell_count()),
                  Completeness(child)});
  }
  return absl::StrCat("children (", status.children_size(), "):\n", table.Render());
}

}  // namespace

int64_t ChildLagSeq(const v1::ChildStatus& child) {
  return static_cast<int64_t>(child.child_max_seq() - child.watermark());
}

int64_t ChildLagSeconds(const v1::ChildStatus& child, absl::Time now) {
  if (ChildLagSeq(child) <= 0 || child.last_seen_unix_millis() <= 0) return 0;
  return std::max<int64_t>(
      0, absl::ToInt64Seconds(now - absl::FromUnixMillis(child.last_seen_unix_millis())));
}

std::string RenderStatusCsv(const v1::GetStatusResponse& status, absl::Time now) {
  std::string out = FormatCsvRow({"id", "level", "path", "connected", "last_seen_unix_millis",
                                  "watermark", "child_max_seq", "lag_seq", "lag_seconds",
                                  "catalog_version", "cells"});
  for (const v1::ChildStatus& child : status.children()) {
    out.append(FormatCsvRow(
        {child.node_id(), LevelName(child.level()), child.path(),
         child.connected() ? "true" : "false", absl::StrCat(child.last_seen_unix_millis()),
         absl::StrCat(child.watermark()), absl::StrCat(child.child_max_seq()),
         absl::StrCat(ChildLagSeq(child)), absl::StrCat(ChildLagSeconds(child, now)),
         absl::StrCat(child.catalog_version()), absl::StrCat(child.cell_count())}));
  }
  return out;
}

std::string RenderStatusTable(const v1::GetStatusResponse& status, absl::Time now) {
  return absl::StrCat(NodeSection(status, now), "\n", ChildrenSection(status, now));
}

absl::StatusOr<std::string> RenderStatusJson(const v1::GetStatusResponse& status) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  auto printed = google::protobuf::util::MessageToJsonString(status, &json, options);
  if (!printed.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the status as JSON: ", std::string(printed.message())));
  }
  json.push_back('\n');
  return json;
}

}  // namespace fedsync::fedctl
