// End to end: a province, a city and two districts as real processes on loopback.
// Data comes in through fedctl; the test waits (polling with a deadline) until every
// level holds what the level below published and every aggregate is the sum of its
// inputs; then it kills the city with SIGKILL, adds records while it is down, restarts
// it on the same database, and checks again that nothing is lost or counted twice.
#include <signal.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "shared/csv.h"
#include "shared/demo_data.h"
#include "shared/record_csv.h"
#include "shared/registry_kinds.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/process.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

constexpr char kStudentsTotal[] = "returned_students_total";

// Writes the records of `kind` among `records[begin, end)` as a CSV file.
int WriteCsv(const std::string& path, const std::vector<v1::Record>& records,
             const std::string& kind_name, size_t begin, size_t end) {
  const RegistryKind* kind = FindRegistryKind(kind_name);
  std::ofstream out(path);
  out << FormatCsvRow(CsvHeader(*kind));
  int written = 0;
  size_t index = 0;
  for (const v1::Record& record : records) {
    if (record.kind_case() != kind->record_case) continue;
    if (index >= begin && index < end) {
      out << FormatCsvRow(RecordToCsvRow(record));
      ++written;
    }
    ++index;
  }
  return written;
}

std::vector<std::string> NodeArgs(const TempDir& dir, const std::string& id,
                                  const std::string& listen, const ParentLink& parent) {
  std::vector<std::string> args = {"--id=" + id, "--db=" + dir.File(id + ".db"),
                                   "--listen=" + listen};
  for (std::string& flag : NodeTlsFlags(id, parent)) args.push_back(std::move(flag));
  return args;
}

// Converged, and the province's total is `expected_total`: a district publishes a
// moment after an import, so convergence alone may still be on the older numbers.
absl::Status Converged(const std::string& province, const std::string& city,
                       const std::map<std::string, std::string>& districts,
                       int64_t expected_total) {
  absl::Status city_ok = CheckParentConverged(city, "hefei", districts);
  if (!city_ok.ok()) return city_ok;
  absl::Status province_ok = CheckParentConverged(province, "anhui", {{"hefei", city}});
  if (!province_ok.ok()) return province_ok;
  const std::string year = std::to_string(CurrentYear());
  auto rollup = Admin(province, "anhui").Rollup(kStudentsTotal, year);
  if (!rollup.ok()) return rollup.status();
  const int64_t total = TotalOf(*rollup, "anhui", year);
  if (total != expected_total) {
    return absl::UnavailableError(
        absl::StrCat("province total is ", total, ", expected ", expected_total));
  }
  return absl::OkStatus();
}

int CountOfKind(const std::vector<v1::Record>& records, v1::Record::KindCase kind) {
  return static_cast<int>(std::count_if(records.begin(), records.end(), [&](const v1::Record& r) {
    return r.kind_case() == kind;
  }));
}

TEST(FederationTest, ConvergesAtEveryLevelAndSurvivesACityCrash) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::vector<std::string> province_args = NodeArgs(dir, "anhui", "127.0.0.1:0", {});
  province_args.push_back("--level=province");
  auto province = NodeProcess::Start(FEDSYNC_CITY_NODE, province_args, dir.File("anhui.log"));
  ASSERT_TRUE(province.ok()) << province.status();

  std::vector<std::string> city_args =
      NodeArgs(dir, "hefei", "127.0.0.1:0", {(*province)->address(), "anhui"});
  city_args.push_back("--level=city");
  auto city = NodeProcess::Start(FEDSYNC_CITY_NODE, city_args, dir.File("hefei.log"));
  ASSERT_TRUE(city.ok()) << city.status();
  const std::string city_address = (*city)->address();

  std::vector<std::string> luyang_args =
      NodeArgs(dir, "luyang", "127.0.0.1:0", {city_address, "hefei"});
  luyang_args.push_back("--demo-data=luyang");
  luyang_args.push_back(std::string("--registry-operators=") + kAdminOperator);
  auto luyang = NodeProcess::Start(FEDSYNC_DISTRICT_NODE, luyang_args, dir.File("luyang.log"));
  ASSERT_TRUE(luyang.ok()) << luyang.status();
  std::vector<std::string> yaohai_args =
      NodeArgs(dir, "yaohai", "127.0.0.1:0", {city_address, "hefei"});
  yaohai_args.push_back(std::string("--registry-operators=") + kAdminOperator);
  auto yaohai = NodeProcess::Start(FEDSYNC_DISTRICT_NODE, yaohai_args, dir.File("yaohai.log"));
  ASSERT_TRUE(yaohai.ok()) << yaohai.status();

  // yaohai's registries arrive through fedctl, all but five students.
  absl::StatusOr<std::vector<v1::Record>> yaohai_records = DemoRecords("yaohai", DemoYear());
  ASSERT_TRUE(yaohai_records.ok()) << yaohai_records.status();
  const std::string first_file = dir.File("yaohai_students_1.csv");
  const int first_count = CountOfKind(*yaohai_records, v1::Record::kReturnedStudent) - 5;
  ASSERT_EQ(WriteCsv(first_file, *yaohai_records, "returned_students", 0, first_count),
            first_count);
  CommandOutput imported =
      RunFedctl((*yaohai)->address(), "yaohai",
                {"registry", "import", "--kind=returned_students", first_file});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  for (const std::string kind : {"identity_certifications", "study_certificates"}) {
    const std::string file = dir.File("yaohai_" + kind + ".csv");
    WriteCsv(file, *yaohai_records, kind, 0, 1000);
    CommandOutput result =
        RunFedctl((*yaohai)->address(), "yaohai", {"registry", "import", "--kind=" + kind, file});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  const std::map<std::string, std::string> districts = {{"luyang", (*luyang)->address()},
                                                        {"yaohai", (*yaohai)->address()}};
  absl::Status converged = WaitFor(
      [&] { return Converged((*province)->address(), city_address, districts, 53 + first_count); },
      absl::Seconds(60));
  ASSERT_TRUE(converged.ok()) << converged;

  const std::string year = std::to_string(CurrentYear());
  auto luyang_own = Admin((*luyang)->address(), "luyang").Rollup(kStudentsTotal, year);
  ASSERT_TRUE(luyang_own.ok()) << luyang_own.status();
  EXPECT_EQ(TotalOf(*luyang_own, "luyang", year), 53);  // the report's count
  auto at_city = Admin(city_address, "hefei").Rollup(kStudentsTotal, year);
  ASSERT_TRUE(at_city.ok());
  EXPECT_EQ(TotalOf(*at_city, "luyang", year), 53);
  EXPECT_EQ(TotalOf(*at_city, "yaohai", year), first_count);
  auto at_province = Admin((*province)->address(), "anhui").Rollup(kStudentsTotal, year);
  ASSERT_TRUE(at_province.ok());
  EXPECT_EQ(TotalOf(*at_province, "anhui", year), 53 + first_count);

  // The city dies mid-flight; records keep arriving at a district meanwhile.
  (*city)->Signal(SIGKILL);
  ASSERT_NE((*city)->Wait(), -1);
  const std::string second_file = dir.File("yaohai_students_2.csv");
  const int second_count =
      WriteCsv(second_file, *yaohai_records, "returned_students", first_count, 1000);
  ASSERT_EQ(second_count, 5);
  imported = RunFedctl((*yaohai)->address(), "yaohai",
                       {"registry", "import", "--kind=returned_students", second_file});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  city_args = NodeArgs(dir, "hefei", city_address, {(*province)->address(), "anhui"});
  city_args.push_back("--level=city");
  city = NodeProcess::Start(FEDSYNC_CITY_NODE, city_args, dir.File("hefei.log"));
  ASSERT_TRUE(city.ok()) << city.status();

  converged = WaitFor(
      [&] {
        return Converged((*province)->address(), city_address, districts,
                         53 + first_count + second_count);
      },
      absl::Seconds(60));
  ASSERT_TRUE(converged.ok()) << converged;
  at_province = Admin((*province)->address(), "anhui").Rollup(kStudentsTotal, year);
  ASSERT_TRUE(at_province.ok());
  EXPECT_EQ(TotalOf(*at_province, "anhui", year), 53 + first_count + second_count);
  EXPECT_EQ(TotalOf(*at_province, "hefei", year), 53 + first_count + second_count);

  // A record deleted at a district reaches the province as a changed cell.
  CommandOutput listed =
      RunFedctl((*yaohai)->address(), "yaohai",
                {"registry", "list", "--kind=returned_students", "--page-size=1", "--format=csv"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const std::string first_row = listed.out.substr(listed.out.find('\n') + 1);
  const std::string id = first_row.substr(0, first_row.find(','));
  CommandOutput deleted = RunFedctl((*yaohai)->address(), "yaohai",
                                    {"registry", "delete", "--kind=returned_students", "--id=" + id,
                                     "--reason=duplicate entry", "--entered-in-error"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  converged = WaitFor(
      [&] {
        return Converged((*province)->address(), city_address, districts,
                         53 + first_count + second_count - 1);
      },
      absl::Seconds(60));
  EXPECT_TRUE(converged.ok()) << converged;
}

}  // namespace
}  // namespace fedsync::testing
