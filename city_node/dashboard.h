// The dashboard of an aggregating node (city, province), on the node's HTTP listener:
// one embedded page (dashboard_page.cc: HTML, CSS and script inline, nothing fetched
// from elsewhere, so it works with no internet) that fetches two JSON documents and
// redraws itself every few seconds:
//   GET /                    the page
//   GET /api/overview        this node, its children (freshness, lag, completeness:
//                            how many of the catalog's metrics each child has reported),
//                            the catalog's metrics with Chinese titles, and targets
//                            (set here for children, and set by the parent for this
//                            node) with their progress and completion time
//   GET /api/rollup?metric=  one metric's cells: one row per period and dimension
//                            values, one column per node (this node's sum first)
// Numbers are exactly the node's published and held cells (the same as GetRollup and
// fedctl rollup); a SUPPRESSED cell has no value (null). Thread-safe; the node must
// outlive the handlers.
#ifndef FEDSYNC_CITY_NODE_DASHBOARD_H_
#define FEDSYNC_CITY_NODE_DASHBOARD_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "city_node/city_node.h"
#include "shared/http_server.h"

namespace fedsync {

class Dashboard {
 public:
  explicit Dashboard(const CityNode* node) : node_(node) {}

  // The routes above, for HttpServer::Start.
  std::map<std::string, HttpHandler> Routes() const;

  absl::StatusOr<std::string> OverviewJson(absl::Time now) const;
  // kNotFound for a metric the catalog does not define.
  absl::StatusOr<std::string> RollupJson(const std::string& metric) const;

 private:
  const CityNode* const node_;
};

// The page, in UTF-8.
absl::string_view DashboardPage();

// `text` as a JSON string literal (quotes included; invalid UTF-8 passes as is).
std::string JsonQuote(absl::string_view text);

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_DASHBOARD_H_
