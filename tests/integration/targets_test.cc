// Targets and completeness across real processes: targets set at a city and a province
// travel down, both ends show the same progress and the date a target was met, bad
// targets are refused, and status tells whether each child reported since the last
// ended periods.
#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "shared/admin_client.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

// The target of `metric` in `targets`, or nullptr.
const v1::TargetProgress* Find(const google::protobuf::RepeatedPtrField<v1::TargetProgress>& targets,
                               const std::string& metric, int64_t value) {
  for (const v1::TargetProgress& target : targets) {
    if (target.target().metric() == metric && target.target().value() == value) return &target;
  }
  return nullptr;
}

class TargetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tree = StartDemoTree(dir_);
    ASSERT_TRUE(tree.ok()) << tree.status();
    province_ = std::move(tree->province);
    city_ = std::move(tree->city);
    luyang_ = std::move(tree->luyang);
  }

  // `fedctl targets set` at node `at_id` at `at`.
  CommandOutput SetTarget(const std::string& at, const std::string& at_id, const std::string& child,
                          const std::string& metric, const std::string& period, int64_t value) {
    return RunFedctl(at, at_id,
                     {"targets", "set", "--child=" + child, "--metric=" + metric,
                      "--period=" + period, absl::StrCat("--value=", value)});
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> province_, city_, luyang_;
};

TEST_F(TargetsTest, TargetsTravelDownAndBothEndsAgree) {
  const std::string year = std::to_string(DemoYear());
  ASSERT_EQ(
      SetTarget(city_->address(), "hefei", "luyang", "certifications_issued_by_year", year, 10)
          .exit_code,
      0);
  ASSERT_EQ(SetTarget(city_->address(), "hefei", "luyang", "community_figures_total", year, 200)
                .exit_code,
            0);
  ASSERT_EQ(
      SetTarget(province_->address(), "anhui", "hefei", "enterprises_total", year, 50).exit_code,
      0);

  // The district's own view equals the city's, and the reachable target was met.
  absl::Status agreed = WaitFor([&]() -> absl::Status {
    auto at_city = Admin(city_->address(), "hefei").Targets();
    auto at_district = Admin(luyang_->address(), "luyang").Targets();
    if (!at_city.ok()) return at_city.status();
    if (!at_district.ok()) return at_district.status();
    struct Expected {
      std::string metric;
      int64_t value, progress;
    };
    // luyang: 11 + 20 certifications in the demo year, 112 community figures.
    for (const Expected& expected : std::vector<Expected>{
             {"certifications_issued_by_year", 10, 31}, {"community_figures_total", 200, 112}}) {
      const v1::TargetProgress* up = Find(at_city->set_here(), expected.metric, expected.value);
      const v1::TargetProgress* down =
          Find(at_district->from_parent(), expected.metric, expected.value);
      if (up == nullptr || down == nullptr) return absl::UnavailableError("target not there yet");
      if (up->progress() != down->progress() || up->progress() != expected.progress) {
        return absl::UnavailableError(absl::StrCat("progress ", up->progress(), " at the city, ",
                                                   down->progress(), " at the district"));
      }
      const bool met = expected.progress >= expected.value;
      if ((up->met_unix_millis() > 0) != met || (down->met_unix_millis() > 0) != met) {
        return absl::UnavailableError("met dates not yet right");
      }
    }
    auto at_province = Admin(province_->address(), "anhui").Targets();
    auto at_hefei = Admin(city_->address(), "hefei").Targets();
    if (!at_province.ok() || !at_hefei.ok()) return absl::UnavailableError("list failed");
    const v1::TargetProgress* up = Find(at_province->set_here(), "enterprises_total", 50);
    const v1::TargetProgress* down = Find(at_hefei->from_parent(), "enterprises_total", 50);
    if (up == nullptr || down == nullptr) return absl::UnavailableError("province target missing");
    if (up->progress() != 27 || down->progress() != 27 || up->met_unix_millis() != 0) {
      return absl::UnavailableError("province target progress differs");
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(agreed.ok()) << agreed;

  CommandOutput listed = RunFedctl(city_->address(), "hefei", {"targets", "list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(absl::StrContains(listed.out, "certifications_issued_by_year")) << listed.out;
  EXPECT_TRUE(absl::StrContains(listed.out, "310%")) << listed.out;
  EXPECT_TRUE(absl::StrContains(listed.out, "56%")) << listed.out;
}

// Sets for one child that run at once may commit in one order and reach the city's
// hub in another; the district must still end with the value the city holds.
TEST_F(TargetsTest, ConcurrentSetsLeaveTheDistrictWithTheCitysValue) {
  const std::string year = std::to_string(DemoYear());
  std::vector<std::thread> setters;
  std::atomic<int> failed{0};
  for (int value = 1; value <= 16; ++value) {
    setters.emplace_back([&, value] {
      if (SetTarget(city_->address(), "hefei", "luyang", "certifications_issued_by_year", year,
                    value)
              .exit_code != 0) {
        failed.fetch_add(1);
      }
    });
  }
  for (std::thread& setter : setters) setter.join();
  ASSERT_EQ(failed.load(), 0);
  absl::Status agreed = WaitFor([&]() -> absl::Status {
    auto at_city = Admin(city_->address(), "hefei").Targets();
    auto at_district = Admin(luyang_->address(), "luyang").Targets();
    if (!at_city.ok()) return at_city.status();
    if (!at_district.ok()) return at_district.status();
    if (at_city->set_here_size() != 1 || at_district->from_parent_size() != 1) {
      return absl::UnavailableError("not one target at each end yet");
    }
    const int64_t city = at_city->set_here(0).target().value();
    const int64_t district = at_district->from_parent(0).target().value();
    if (city != district) {
      return absl::UnavailableError(
          absl::StrCat("the city holds ", city, ", the district ", district));
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(agreed.ok()) << agreed;
}

TEST_F(TargetsTest, BadTargetsAreRefused) {
  const std::string year = std::to_string(DemoYear());
  struct Case {
    std::string at, at_id, child, metric, period;
    std::string says;
  };
  for (const Case& test : std::vector<Case>{
           {city_->address(), "hefei", "luyang", "no_such_metric", year, "not in the catalog"},
           {city_->address(), "hefei", "luyang", "certifications_issued_by_year", year + "-03",
            "per YEAR"},
           {city_->address(), "hefei", "nobody", "enterprises_total", year, "not a child"},
           {luyang_->address(), "luyang", "luyang", "enterprises_total", year, "no children"},
       }) {
    CommandOutput output = SetTarget(test.at, test.at_id, test.child, test.metric, test.period, 5);
    EXPECT_EQ(output.exit_code, 1) << test.says << ": " << output.err;
    EXPECT_TRUE(absl::StrContains(output.err, test.says)) << output.err;
  }
  auto targets = Admin(city_->address(), "hefei").Targets();
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->set_here_size(), 0);
}

TEST_F(TargetsTest, StatusTellsWhoReportedSinceThePeriodsEnded) {
  absl::Status reported = WaitFor([&]() -> absl::Status {
    auto status = Admin(city_->address(), "hefei").Status();
    if (!status.ok()) return status.status();
    if (status->children_size() != 1) return absl::UnavailableError("no child yet");
    const v1::ChildStatus& child = status->children(0);
    if (child.reports_size() != 3) return absl::UnavailableError("no reports listed");
    for (const v1::PeriodReport& report : child.reports()) {
      if (!report.reported()) return absl::UnavailableError(report.period() + " not reported");
      if (report.on_time() != (report.first_report_unix_millis() <= report.deadline_unix_millis())) {
        return absl::InternalError("on_time disagrees with the deadline");
      }
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(reported.ok()) << reported;
  CommandOutput status = RunFedctl(city_->address(), "hefei", {"status"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(status.out, "reported")) << status.out;
}

}  // namespace
}  // namespace fedsync::testing
