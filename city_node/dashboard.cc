#include "city_node/dashboard.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "shared/dimension_labels.h"
#include "shared/node_metrics.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

std::string Bool(bool value) { return value ? "true" : "false"; }

std::string StringList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back(JsonQuote(item));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

std::vector<std::string> DimensionNames(const v1::MetricDef& metric) {
  std::vector<std::string> names;
  for (const v1::Dimension& dimension : metric.dimensions()) names.push_back(dimension.name());
  return names;
}

HttpResponse FromStatus(const absl::Status& status) {
  int code = 500;
  if (status.code() == absl::StatusCode::kNotFound) code = 404;
  if (status.code() == absl::StatusCode::kInvalidArgument) code = 400;
  return HttpResponse::Text(code, absl::StrCat(status.message(), "\n"));
}

}  // namespace

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      // "</script>" must never close an inline script, should JSON ever be inlined.
      case '<': out.append("\\u003c"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out.append(absl::StrFormat("\\u%04x", c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::map<std::string, HttpHandler> Dashboard::Routes() const {
  std::map<std::string, HttpHandler> routes;
  routes["/"] = [](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/html; charset=utf-8";
    response.body = std::string(DashboardPage());
    return response;
  };
  routes["/api/overview"] = [this](const HttpRequest&) {
    absl::StatusOr<std::string> json = OverviewJson(absl::Now());
    return json.ok() ? HttpResponse::Json(*std::move(json)) : FromStatus(json.status());
  };
  routes["/api/rollup"] = [this](const HttpRequest& request) {
    absl::StatusOr<std::string> json = RollupJson(request.Param("metric"));
    return json.ok() ? HttpResponse::Json(*std::move(json)) : FromStatus(json.status());
  };
  return routes;
}

absl::StatusOr<std::string> Dashboard::OverviewJson(absl::Time now) const {
  ASSIGN_OR_RETURN(v1::GetStatusResponse status, node_->Status());
  const std::shared_ptr<const Catalog> current = node_->catalog();
  const v1::Catalog& catalog = current->proto();
  // Completeness: how many of the catalog's metrics each child has cells of.
  std::vector<std::string> child_ids;
  for (const v1::ChildStatus& child : status.children()) child_ids.push_back(child.node_id());
  ASSIGN_OR_RETURN(auto reported, node_->MetricsReported(child_ids));
  std::vector<std::string> metrics;
  for (const v1::MetricDef& metric : catalog.metrics()) {
    metrics.push_back(absl::StrCat(
        "{\"id\":", JsonQuote(metric.id()), ",\"title_zh\":", JsonQuote(metric.title_zh()),
        ",\"title_en\":", JsonQuote(metric.title_en()),
        ",\"dims\":", StringList(DimensionNames(metric)), "}"));
  }
  std::vector<std::string> children;
  for (const v1::ChildStatus& child : status.children()) {
    const uint64_t lag = child.child_max_seq() > child.watermark()
                             ? child.child_max_seq() - child.watermark() : 0;
    children.push_back(absl::StrCat(
        "{\"id\":", JsonQuote(child.node_id()),
        ",\"level\":", JsonQuote(NodeLevelName(child.level())),
        ",\"path\":", JsonQuote(child.path()), ",\"connected\":", Bool(child.connected()),
        ",\"last_seen_ms\":", child.last_seen_unix_millis(), ",\"watermark\":", child.watermark(),
        ",\"child_max_seq\":", child.child_max_seq(), ",\"lag_seq\":", lag,
        ",\"catalog_version\":", child.catalog_version(), ",\"cells\":", child.cell_count(),
        ",\"metrics_reported\":", reported[child.node_id()], "}"));
  }
  // Targets set here for the children, and those the parent set for this node.
  ASSIGN_OR_RETURN(v1::ListTargetsResponse listed, node_->ListTargets());
  std::vector<std::string> targets;
  for (const auto* group : {&listed.set_here(), &listed.from_parent()}) {
    for (const v1::TargetProgress& one : *group) {
      const v1::Target& target = one.target();
      const v1::MetricDef* metric = current->Find(target.metric());
      targets.push_back(absl::StrCat(
          "{\"metric\":", JsonQuote(target.metric()),
          ",\"title_zh\":", JsonQuote(metric == nullptr ? "" : metric->title_zh()),
          ",\"scope\":", JsonQuote(target.child_id()), ",\"period\":", JsonQuote(target.period()),
          ",\"value\":", target.value(), ",\"current\":", one.progress(),
          ",\"partial\":", Bool(one.partial()), ",\"completed_ms\":", one.met_unix_millis(),
          ",\"set_by\":", JsonQuote(target.set_by()), "}"));
    }
  }
  std::string parent = "null";
  if (status.has_parent()) {
    parent = absl::StrCat("{\"target\":", JsonQuote(status.parent().target()),
                          ",\"connected\":", Bool(status.parent().connected()),
                          ",\"acked_seq\":", status.parent().acked_seq(),
                          ",\"last_ack_ms\":", status.parent().last_ack_unix_millis(), "}");
  }
  return absl::StrCat(
      "{\"now_ms\":", absl::ToUnixMillis(now), ",\"node\":{\"id\":", JsonQuote(status.node_id()),
      ",\"level\":", JsonQuote(NodeLevelName(status.level())),
      ",\"path\":", JsonQuote(status.path()), ",\"catalog_version\":", status.catalog_version(),
      ",\"max_seq\":", status.max_seq(), ",\"published_cells\":", status.published_cells(),
      ",\"parent\":", parent, "},\"children\":[", absl::StrJoin(children, ","), "],\"metrics\":[",
      absl::StrJoin(metrics, ","), "],\"metrics_total\":", catalog.metrics_size(), ",\"targets\":[",
      absl::StrJoin(targets, ","), "]}");
}

absl::StatusOr<std::string> Dashboard::RollupJson(const std::string& metric_id) const {
  const std::shared_ptr<const Catalog> catalog = node_->catalog();
  const v1::MetricDef* metric = catalog->Find(metric_id);
  if (metric == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown metric '", metric_id.substr(0, 64), "'"));
  }
  ASSIGN_OR_RETURN(v1::GetRollupResponse rollup, node_->Rollup(metric_id, ""));
  ASSIGN_OR_RETURN(v1::GetStatusResponse status, node_->Status());

  // One row per (period, dimension values); newest period first.
  using RowKey = std::pair<std::string, std::vector<std::pair<std::string, std::string>>>;
  std::map<RowKey, std::map<std::string, const v1::Cell*>> rows;
  std::set<std::string> nodes_with_cells;
  for (const v1::RollupCell& rollup_cell : rollup.cells()) {
    const v1::Cell& cell = rollup_cell.cell();
    if (cell.deleted()) continue;
    RowKey key{cell.period(), {}};
    for (const v1::DimensionValue& dim : cell.dims()) key.second.emplace_back(dim.key(), dim.value());
    rows[key][rollup_cell.node_id()] = &cell;
    nodes_with_cells.insert(rollup_cell.node_id());
  }
  // Columns: this node's sum, then every child it knows (with or without cells).
  std::vector<std::string> nodes = {status.node_id()};
  std::set<std::string> children;
  for (const v1::ChildStatus& child : status.children()) children.insert(child.node_id());
  for (const std::string& id : nodes_with_cells) {
    if (id != status.node_id()) children.insert(id);
  }
  nodes.insert(nodes.end(), children.begin(), children.end());

  std::vector<RowKey> keys;
  for (const auto& [key, cells] : rows) keys.push_back(key);
  std::stable_sort(keys.begin(), keys.end(), [](const RowKey& a, const RowKey& b) {
    return std::tie(b.first, a.second) < std::tie(a.first, b.second);
  });
  std::vector<std::string> row_json;
  for (const RowKey& key : keys) {
    std::vector<std::string> dims;
    for (const auto& [name, value] : key.second) {
      dims.push_back(absl::StrCat(
          "{\"key\":", JsonQuote(name), ",\"value\":", JsonQuote(value),
          ",\"zh\":", JsonQuote(DimensionValueLabel(name, value, LabelLanguage::kChinese)),
          ",\"en\":", JsonQuote(DimensionValueLabel(name, value, LabelLanguage::kEnglish)), "}"));
    }
    std::vector<std::string> cells;
    for (const auto& [node, cell] : rows[key]) {
      const bool suppressed = cell->status() == v1::SUPPRESSED;
      cells.push_back(absl::StrCat(JsonQuote(node), ":{\"value\":",
                                   suppressed ? "null" : absl::StrCat(cell->value()),
                                   ",\"status\":", JsonQuote(v1::CellStatus_Name(cell->status())),
                                   "}"));
    }
    row_json.push_back(absl::StrCat("{\"period\":", JsonQuote(key.first), ",\"dims\":[",
                                    absl::StrJoin(dims, ","), "],\"cells\":{",
                                    absl::StrJoin(cells, ","), "}}"));
  }
  std::vector<std::string> dim_labels;
  for (const std::string& name : DimensionNames(*metric)) {
    dim_labels.push_back(absl::StrCat(
        JsonQuote(name), ":{\"zh\":", JsonQuote(DimensionKeyLabel(name, LabelLanguage::kChinese)),
        ",\"en\":", JsonQuote(DimensionKeyLabel(name, LabelLanguage::kEnglish)), "}"));
  }
  return absl::StrCat(
      "{\"metric\":", JsonQuote(metric->id()), ",\"title_zh\":", JsonQuote(metric->title_zh()),
      ",\"title_en\":", JsonQuote(metric->title_en()),
      ",\"dims\":", StringList(DimensionNames(*metric)), ",\"dim_labels\":{",
      absl::StrJoin(dim_labels, ","), "},\"own\":", JsonQuote(status.node_id()),
      ",\"nodes\":", StringList(nodes), ",\"rows\":[", absl::StrJoin(row_json, ","), "]}");
}

}  // namespace fedsync
