// The dashboard as a person sees it: a city with four demo districts, the page loaded
// in headless Chromium (Debian's chromium, which scripts/install_deps.sh installs),
// and the rendered DOM checked against fedctl: every district is listed, every metric
// has its table, the targets section is there, and every number on the page equals
// `fedctl rollup --format=json` (and the other way round). A screenshot is saved in the
// test's directory (kept with FEDSYNC_KEEP_TEST_DIRS=1).
#include <filesystem>
#include <map>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/http_get.h"
#include "tests/integration/process.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

constexpr char kChromium[] = "/usr/bin/chromium";
const std::vector<std::string> kDistricts = {"luyang", "yaohai", "shushan", "baohe"};

// (metric, node, period, "k=v,...") -> "value" or "x" for a suppressed cell, plus status.
using CellKey = std::tuple<std::string, std::string, std::string, std::string>;
using CellMap = std::map<CellKey, std::string>;

std::string Unescape(std::string text) {
  for (auto [entity, plain] : std::vector<std::pair<std::string, std::string>>{
           {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at)) {
      text.replace(at, entity.size(), plain);
      at += plain.size();
    }
  }
  return text;
}

// The number cells of the page, read from their data attributes, after checking that
// the text a person reads equals the data attribute.
CellMap PageCells(const std::string& dom, std::vector<std::string>* problems) {
  CellMap cells;
  static const std::regex kSection(R"re(<section id="metric-([a-z0-9_]+)")re");
  static const std::regex kCell(
      R"re(<td class="num" data-node="([^"]*)" data-period="([^"]*)" data-dims="([^"]*)" data-value="([^"]*)" data-status="([^"]*)"[^>]*><span class="[^"]*">([^<]*)</span>)re");
  std::vector<std::pair<size_t, std::string>> sections;
  for (std::sregex_iterator it(dom.begin(), dom.end(), kSection), end; it != end; ++it) {
    sections.emplace_back(it->position(), (*it)[1]);
  }
  for (size_t i = 0; i < sections.size(); ++i) {
    const size_t begin = sections[i].first;
    const size_t end = i + 1 < sections.size() ? sections[i + 1].first : dom.size();
    const std::string part = dom.substr(begin, end - begin);
    for (std::sregex_iterator it(part.begin(), part.end(), kCell), stop; it != stop; ++it) {
      const std::string value = (*it)[4];
      const std::string shown = (*it)[6];
      const std::string expected_text = value.empty() ? "x" : value;
      if (shown != expected_text) {
        problems->push_back(absl::StrCat("cell ", (*it)[1].str(), " ", (*it)[2].str(),
                                         " shows '", shown, "' but holds '", value, "'"));
      }
      cells[{sections[i].second, (*it)[1], (*it)[2], Unescape((*it)[3])}] =
          absl::StrCat(expected_text, " ", (*it)[5].str());
    }
  }
  return cells;
}

// fedctl rollup --format=json prints one cell object per line (rollup_output.h).
CellMap FedctlCells(const std::string& metric, const std::string& json) {
  CellMap cells;
  static const std::regex kLine(
      R"re(\{"node": "([^"]*)", "metric": "[^"]*", "period": "([^"]*)", "dims": \{([^}]*)\}, "value": (null|-?[0-9]+), "status": "([A-Z]+)"\})re");
  static const std::regex kDim(R"re("([^"]*)": "([^"]*)")re");
  for (absl::string_view line : absl::StrSplit(json, '\n')) {
    std::string text(line);
    std::smatch match;
    if (!std::regex_search(text, match, kLine)) continue;
    std::vector<std::string> dims;
    const std::string dim_text = match[3];
    for (std::sregex_iterator it(dim_text.begin(), dim_text.end(), kDim), end; it != end; ++it) {
      dims.push_back(absl::StrCat((*it)[1].str(), "=", (*it)[2].str()));
    }
    const std::string value = match[4] == "null" ? "x" : match[4].str();
    cells[{metric, match[1], match[2], absl::StrJoin(dims, ",")}] =
        absl::StrCat(value, " ", match[5].str());
  }
  return cells;
}

std::vector<std::string> ChromiumArgs(const TempDir& dir, const std::string& profile) {
  return {"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=" + dir.File(profile), "--window-size=1300,2600",
          // Lets the page's fetches finish before the DOM is taken; under the 10 s refresh.
          "--virtual-time-budget=8000"};
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kChromium)) {
      GTEST_SKIP() << kChromium << " is missing: run scripts/install_deps.sh as root "
                   << "(it installs Debian's chromium package)";
    }
    auto city = StartNode(dir_, "hefei", "city", "127.0.0.1:0", {}, {"--http=127.0.0.1:0"});
    ASSERT_TRUE(city.ok()) << city.status();
    city_ = std::move(*city);
    auto http = city_->ReadLineAfter("http on ");
    ASSERT_TRUE(http.ok()) << http.status();
    url_ = absl::StrCat("http://", *http, "/");
    for (const std::string& id : kDistricts) {
      auto district = StartNode(dir_, id, "district", "127.0.0.1:0", {city_->address(), "hefei"},
                                {"--demo-data=" + id});
      ASSERT_TRUE(district.ok()) << district.status();
      addresses_[id] = (*district)->address();
      districts_.push_back(std::move(*district));
    }
    absl::Status converged =
        WaitFor([&] { return CheckParentConverged(city_->address(), "hefei", addresses_); });
    ASSERT_TRUE(converged.ok()) << converged;
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> city_;
  std::string url_;
  std::vector<std::unique_ptr<NodeProcess>> districts_;
  std::map<std::string, std::string> addresses_;
};

TEST_F(DashboardTest, EveryNumberOnThePageEqualsFedctlRollup) {
  const std::string year = std::to_string(DemoYear());
  CommandOutput set =
      RunFedctl(city_->address(), "hefei",
                {"targets", "set", "--child=luyang", "--metric=certifications_issued_by_year",
                 "--period=" + year, "--value=10"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  // The page draws itself from JSON; take the DOM once it says it has loaded.
  std::string dom;
  int attempt = 0;
  absl::Status loaded = WaitFor(
      [&] {
        std::vector<std::string> args = ChromiumArgs(dir_, absl::StrCat("profile", attempt++));
        args.push_back("--dump-dom");
        args.push_back(url_);
        CommandOutput output = RunCommand(kChromium, args, absl::Seconds(60));
        dom = output.out;
        if (output.exit_code != 0) {
          return absl::UnavailableError(absl::StrCat("chromium exited ", output.exit_code, ": ",
                                                     output.err.substr(0, 2000)));
        }
        return absl::StrContains(dom, "data-loaded=\"0\"") || !absl::StrContains(dom, "data-loaded")
                   ? absl::UnavailableError("the page has not loaded its data")
                   : absl::OkStatus();
      },
      absl::Seconds(90));
  ASSERT_TRUE(loaded.ok()) << loaded << "\n" << dom.substr(0, 3000);

  for (const std::string& id : kDistricts) {
    EXPECT_TRUE(absl::StrContains(dom, absl::StrCat("data-child=\"", id, "\""))) << id;
  }
  EXPECT_TRUE(absl::StrContains(dom, "id=\"targets-section\""));
  EXPECT_FALSE(absl::StrContains(dom, "id=\"no-targets\"")) << "a target is set";
  EXPECT_TRUE(absl::StrContains(
      dom, absl::StrCat("data-target=\"certifications_issued_by_year/luyang/", year, "\"")));
  EXPECT_TRUE(absl::StrContains(dom, "身份认定与就读证明(按年、按类型)"));
  EXPECT_TRUE(absl::StrContains(dom, "下级单位"));

  auto metrics = Admin(city_->address(), "hefei").Metrics();
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ASSERT_GT(metrics->metric_ids_size(), 0);
  std::vector<std::string> problems;
  const CellMap page = PageCells(dom, &problems);
  CellMap expected;
  for (const std::string& metric : metrics->metric_ids()) {
    EXPECT_TRUE(absl::StrContains(dom, absl::StrCat("<section id=\"metric-", metric, "\"")))
        << "no table for " << metric;
    CommandOutput rollup =
        RunFedctl(city_->address(), "hefei", {"rollup", "--metric=" + metric, "--format=json"});
    ASSERT_EQ(rollup.exit_code, 0) << rollup.err;
    CellMap cells = FedctlCells(metric, rollup.out);
    EXPECT_FALSE(cells.empty()) << metric << ": fedctl printed no cells\n" << rollup.out;
    expected.insert(cells.begin(), cells.end());
  }
  for (const std::string& problem : problems) ADD_FAILURE() << problem;
  for (const auto& [key, value] : expected) {
    auto it = page.find(key);
    if (it == page.end()) {
      ADD_FAILURE() << "missing on the page: " << std::get<0>(key) << " " << std::get<1>(key)
                    << " " << std::get<2>(key) << " [" << std::get<3>(key) << "] = " << value;
    } else {
      EXPECT_EQ(it->second, value) << std::get<0>(key) << " " << std::get<1>(key) << " "
                                   << std::get<2>(key) << " [" << std::get<3>(key) << "]";
    }
  }
  for (const auto& [key, value] : page) {
    EXPECT_TRUE(expected.count(key) > 0)
        << "on the page but not in fedctl: " << std::get<0>(key) << " " << std::get<1>(key)
        << " " << std::get<2>(key) << " [" << std::get<3>(key) << "]";
  }
  EXPECT_EQ(page.size(), expected.size());

  // Chinese labels come from the catalog and the dimension labels.
  EXPECT_TRUE(absl::StrContains(dom, "归国留学人员(按学位)"));
  EXPECT_TRUE(absl::StrContains(dom, "硕士"));
  EXPECT_TRUE(absl::StrContains(dom, "欧洲"));

  const std::string screenshot = dir_.File("dashboard.png");
  std::vector<std::string> args = ChromiumArgs(dir_, "profile-screenshot");
  args.push_back("--screenshot=" + screenshot);
  args.push_back(url_);
  CommandOutput shot = RunCommand(kChromium, args, absl::Seconds(60));
  ASSERT_EQ(shot.exit_code, 0) << shot.err.substr(0, 2000);
  ASSERT_TRUE(std::filesystem::exists(screenshot));
  EXPECT_GT(std::filesystem::file_size(screenshot), 20000u) << "an almost empty screenshot";
  std::cout << "dashboard screenshot: " << screenshot << "\n";
}

TEST_F(DashboardTest, JsonEndpointsAnswerAndRejectUnknownMetrics) {
  const std::string http = url_.substr(7, url_.size() - 8);
  auto empty = HttpGet(http, "/api/overview");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(absl::StrContains(empty->body, "\"targets\":[]")) << empty->body;
  const std::string year = std::to_string(DemoYear());
  CommandOutput set =
      RunFedctl(city_->address(), "hefei",
                {"targets", "set", "--child=yaohai", "--metric=certifications_issued_by_year",
                 "--period=" + year, "--value=7"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  auto overview = HttpGet(http, "/api/overview");
  ASSERT_TRUE(overview.ok()) << overview.status();
  EXPECT_EQ(overview->status, 200);
  EXPECT_TRUE(absl::StartsWith(overview->content_type, "application/json"));
  // The target as the page reads it: progress is yaohai's certifications held here.
  const std::regex target(absl::StrCat(
      R"re("targets":\[\{"metric":"certifications_issued_by_year","title_zh":")re",
      "身份认定与就读证明\\(按年、按类型\\)", R"re(","scope":"yaohai","period":")re", year,
      R"re(","value":7,"current":[0-9]+,"partial":(true|false),"completed_ms":[0-9]+)re"));
  EXPECT_TRUE(std::regex_search(overview->body, target)) << overview->body;
  for (const std::string& id : kDistricts) {
    EXPECT_TRUE(absl::StrContains(overview->body, absl::StrCat("\"id\":\"", id, "\""))) << id;
  }
  auto metrics = Admin(city_->address(), "hefei").Metrics();
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_TRUE(absl::StrContains(overview->body,
                                absl::StrCat("\"metrics_total\":", metrics->metric_ids_size())))
      << overview->body;
  // Every demo district reports at least the returned students' metrics.
  static const std::regex kReported(R"re("metrics_reported":([1-9][0-9]*))re");
  EXPECT_EQ(std::distance(std::sregex_iterator(overview->body.begin(), overview->body.end(),
                                               kReported),
                          std::sregex_iterator()),
            static_cast<long>(kDistricts.size()))
      << overview->body;
  auto unknown = HttpGet(http, "/api/rollup?metric=no_such_metric");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  auto page = HttpGet(http, "/");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(absl::StartsWith(page->content_type, "text/html"));
  // No asset from elsewhere: the page works with no internet. (The SVG namespace URI
  // is a name, never fetched.)
  for (const char* outside : {"src=\"http", "href=\"http", "url(http", "@import", "//cdn"}) {
    EXPECT_FALSE(absl::StrContains(page->body, outside)) << "the page loads " << outside;
  }
}

}  // namespace
}  // namespace fedsync::testing
