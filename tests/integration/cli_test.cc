// What operators and scripts touch, against real processes: bad flags, bad files and
// unknown metrics give a clear message and a non-zero exit and store nothing; rollups
// print the documented JSON; sync commands travel down the tree and their results
// come back; verify walks the tree on mutual TLS. Nodes and fedctl run on mutual TLS,
// except where the flag checks test --insecure itself.
#include <signal.h>

#include <fstream>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/process.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

int ExitCode(const CommandOutput& output) { return output.exit_code; }

TEST(NodeFlagsTest, MissingOrUnsafeFlagsRefuseToStart) {
  TempDir dir;
  struct Case {
    std::string binary;
    std::vector<std::string> args;
    std::string says;
  };
  const std::string db = "--db=" + dir.File("x.db");
  for (const Case& test : std::vector<Case>{
           {FEDSYNC_DISTRICT_NODE, {db, "--listen=127.0.0.1:0", "--insecure"}, "--id is required"},
           {FEDSYNC_DISTRICT_NODE, {"--id=luyang", "--listen=127.0.0.1:0", "--insecure"},
            "--db is required"},
           {FEDSYNC_DISTRICT_NODE, {"--id=luyang", db, "--insecure"}, "--listen is required"},
           {FEDSYNC_DISTRICT_NODE, {"--id=Lu Yang", db, "--listen=127.0.0.1:0", "--insecure"},
            "--id must be"},
           {FEDSYNC_DISTRICT_NODE, {"--id=luyang", db, "--listen=127.0.0.1:0"}, "--insecure"},
           {FEDSYNC_DISTRICT_NODE, {"--id=luyang", db, "--listen=0.0.0.0:0", "--insecure"},
            "loopback"},
           {FEDSYNC_DISTRICT_NODE,
            {"--id=luyang", db, "--listen=127.0.0.1:0", "--insecure", "--parent=10.1.2.3:7000"},
            "loopback"},
           {FEDSYNC_CITY_NODE, {"--id=hefei", db, "--listen=127.0.0.1:0", "--insecure"},
            "--level is required"},
           {FEDSYNC_CITY_NODE,
            {"--id=hefei", "--level=county", db, "--listen=127.0.0.1:0", "--insecure"},
            "--level must be"},
           {FEDSYNC_DISTRICT_NODE, {"--config=" + dir.File("missing.textproto")}, "cannot be read"},
           {FEDSYNC_DISTRICT_NODE, {"--config=" + dir.path()}, "is a directory"},
           {FEDSYNC_CITY_NODE, {"--config=" + dir.path()}, "is a directory"},
       }) {
    CommandOutput output = RunCommand(test.binary, test.args, absl::Seconds(20));
    EXPECT_EQ(ExitCode(output), 2) << test.says << "\n" << output.err;
    EXPECT_TRUE(absl::StrContains(output.err, test.says)) << output.err;
  }
  EXPECT_FALSE(std::ifstream(dir.File("x.db")).good()) << "a refused node created its database";
}

// Asking for the usage succeeds, and lists the flags as operators spell them.
TEST(NodeFlagsTest, HelpPrintsTheFlagsAndExitsZero) {
  for (const std::string& binary :
       {std::string(FEDSYNC_DISTRICT_NODE), std::string(FEDSYNC_CITY_NODE)}) {
    SCOPED_TRACE(binary);
    CommandOutput output = RunCommand(binary, {"--help"}, absl::Seconds(20));
    EXPECT_EQ(ExitCode(output), 0) << output.err;
    EXPECT_TRUE(absl::StrContains(output.out, "--listen")) << output.out;
    EXPECT_TRUE(absl::StrContains(output.out, "--tls-dir")) << output.out;
  }
}

TEST(NodeFlagsTest, ConfigFileIsCheckedAgainstItsSchema) {
  TempDir dir;
  const std::string config = dir.File("node.textproto");
  std::ofstream(config) << "id: \"luyang\"\nno_such_field: 3\n";
  CommandOutput output = RunCommand(FEDSYNC_DISTRICT_NODE, {"--config=" + config});
  EXPECT_EQ(ExitCode(output), 2);
  EXPECT_TRUE(absl::StrContains(output.err, "line 2")) << output.err;
  EXPECT_TRUE(absl::StrContains(output.err, "no_such_field")) << output.err;
}

// Without --tls-dir, fedctl talks plaintext to loopback only: a record meant for a
// district elsewhere is refused before anything is sent.
TEST(FedctlFlagsTest, PlaintextToAnotherHostIsRefusedBeforeSending) {
  CommandOutput output =
      RunCommand(FEDSYNC_FEDCTL, {"--target=10.1.2.3:7000", "--timeout=2", "registry", "get",
                                  "--kind=returned_students", "--id=1"});
  EXPECT_EQ(ExitCode(output), 2) << output.err;
  EXPECT_TRUE(absl::StrContains(output.err, "give --tls-dir=DIR")) << output.err;
  EXPECT_FALSE(absl::StrContains(output.err, "cannot reach")) << output.err;
}

class RunningTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tree = StartDemoTree(dir_);
    ASSERT_TRUE(tree.ok()) << tree.status();
    province_ = std::move(tree->province);
    city_ = std::move(tree->city);
    luyang_ = std::move(tree->luyang);
  }

  // fedctl as the admin operator against node `id` (anhui, hefei or luyang).
  CommandOutput Fedctl(const std::string& id, const std::vector<std::string>& args) {
    const NodeProcess& node = id == "anhui" ? *province_ : id == "hefei" ? *city_ : *luyang_;
    return RunFedctl(node.address(), id, args);
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> province_, city_, luyang_;
};

TEST_F(RunningTreeTest, RollupJsonHasTheDocumentedShape) {
  CommandOutput output =
      Fedctl("hefei", {"rollup", "--metric=returned_students_total", "--format=json"});
  ASSERT_EQ(ExitCode(output), 0) << output.err;
  EXPECT_TRUE(absl::StartsWith(output.out, "[")) << output.out;
  EXPECT_TRUE(absl::StrContains(output.out, R"("node": "luyang")") ||
              absl::StrContains(output.out, R"("node":"luyang")"))
      << output.out;
  EXPECT_TRUE(absl::StrContains(output.out, R"("metric")")) << output.out;
  EXPECT_TRUE(absl::StrContains(output.out, R"("dims")")) << output.out;
  EXPECT_TRUE(absl::StrContains(output.out, R"("status")")) << output.out;
  EXPECT_TRUE(absl::StrContains(output.out, "53")) << output.out;
}

TEST_F(RunningTreeTest, UnknownMetricAndMissingFlagsFail) {
  CommandOutput unknown = Fedctl("hefei", {"rollup", "--metric=no_such_metric"});
  EXPECT_EQ(ExitCode(unknown), 1);
  EXPECT_TRUE(
      absl::StrContains(unknown.err, "metric: 'no_such_metric' is not in this node's catalog"))
      << unknown.err;
  CommandOutput missing = Fedctl("hefei", {"rollup"});
  EXPECT_EQ(ExitCode(missing), 2);
  EXPECT_TRUE(absl::StrContains(missing.err, "--metric")) << missing.err;
  CommandOutput bad_period =
      Fedctl("hefei", {"rollup", "--metric=returned_students_total", "--period=2026-13"});
  EXPECT_EQ(ExitCode(bad_period), 2);
  CommandOutput no_command = Fedctl("hefei", {"frobnicate"});
  EXPECT_EQ(ExitCode(no_command), 2);
}

// A rollup the node cannot answer says why, on the city and the district alike: a
// period of the wrong type is not "no cells", and a huge metric is echoed cut short
// (a status past gRPC's metadata limit reaches the operator as a transport error).
TEST_F(RunningTreeTest, RollupsOfWrongPeriodsOrHugeMetricsSayWhy) {
  for (const std::string id : {"hefei", "luyang"}) {
    CommandOutput wrong_type =
        Fedctl(id, {"rollup", "--metric=returned_students_total", "--period=2026-Q1"});
    EXPECT_EQ(ExitCode(wrong_type), 1) << id << ": " << wrong_type.out;
    EXPECT_TRUE(absl::StrContains(
        wrong_type.err, "period: returned_students_total is reported per YEAR, not per QUARTER"))
        << id << ": " << wrong_type.err;
    CommandOutput huge = Fedctl(id, {"rollup", "--metric=" + std::string(20000, 'm')});
    EXPECT_EQ(ExitCode(huge), 1) << id;
    EXPECT_TRUE(absl::StrContains(
        huge.err, "metric: '" + std::string(64, 'm') + "' is not in this node's catalog"))
        << id << ": " << huge.err.substr(0, 300);
    EXPECT_FALSE(absl::StrContains(huge.err, std::string(65, 'm'))) << id;
    auto empty = Admin(id == "hefei" ? city_->address() : luyang_->address(), id).Rollup("", "");
    EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(empty.status().message(), "metric: required") << id;
  }
}

TEST_F(RunningTreeTest, BadImportsStoreNothing) {
  AdminClient luyang = Admin(luyang_->address(), "luyang");
  auto before = luyang.Status();
  ASSERT_TRUE(before.ok());

  struct Case {
    std::string name;
    std::string contents;
    std::string says;
  };
  const std::string header =
      "name,gender,resident_id,birth_date,study_country,degree,field,return_year,"
      "employer_type,community,phone,registered_date\n";
  const std::string good_row =
      "王伟,MALE,11010519491231002X,1949-12-31,GB,MASTER,物理,2020,GOVERNMENT,"
      "林店街道金池社区,13800138000,2021-03-01\n";
  for (const Case& test : std::vector<Case>{
           {"unterminated.csv", header + good_row + "\"李娜,FEMALE\n", "line 3"},
           {"wrong_header.csv", "nom,genre\n" + good_row, "column"},
           {"bad_check_digit.csv",
            header + good_row +
                "李娜,FEMALE,110105194912310021,1949-12-31,GB,MASTER,化学,2020,GOVERNMENT,"
                "林店街道金池社区,13800138001,2021-03-01\n",
            "resident_id"},
           {"empty.csv", "", "empty"},
       }) {
    const std::string path = dir_.File(test.name);
    std::ofstream(path) << test.contents;
    CommandOutput output =
        Fedctl("luyang", {"registry", "import", "--kind=returned_students", path});
    EXPECT_EQ(ExitCode(output), 1) << test.name << "\n" << output.out << output.err;
    EXPECT_TRUE(absl::StrContains(output.err, test.says)) << test.name << ": " << output.err;
  }
  auto after = luyang.Status();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->max_seq(), before->max_seq()) << "a rejected import changed published cells";
  auto total = luyang.Rollup("returned_students_total", "");
  ASSERT_TRUE(total.ok());
  int64_t latest = 0;
  for (const auto& cell : total->cells()) latest = std::max(latest, cell.cell().value());
  EXPECT_EQ(latest, 53);
}

TEST_F(RunningTreeTest, SyncCommandTravelsDownTheTreeAndBack) {
  CommandOutput output = Fedctl("anhui", {"sync", "--all", "--wait"});
  ASSERT_EQ(ExitCode(output), 0) << output.out << output.err;
  EXPECT_TRUE(absl::StrContains(output.out, "hefei")) << output.out;
  EXPECT_TRUE(absl::StrContains(output.out, "luyang")) << output.out;

  output = Fedctl("hefei", {"sync", "--child=luyang", "--full", "--wait"});
  ASSERT_EQ(ExitCode(output), 0) << output.out << output.err;
  EXPECT_TRUE(absl::StrContains(output.out, "full resync")) << output.out;
  absl::Status converged = WaitFor([&] {
    return CheckParentConverged(city_->address(), "hefei", {{"luyang", luyang_->address()}});
  });
  EXPECT_TRUE(converged.ok()) << converged;

  output = Fedctl("hefei", {"sync", "--child=nobody", "--wait"});
  EXPECT_EQ(ExitCode(output), 1);
  EXPECT_TRUE(absl::StrContains(output.err, "nobody")) << output.err;
}

// A child registered with --children that never connected is one the sync names as
// missing, by itself or among all; a node with no child to sync does not report
// success for a --wait that nobody answered.
TEST(SyncCommandTest, RegisteredChildrenThatNeverConnectedAreMissing) {
  TempDir dir;
  auto city = StartNode(dir, "hefei", "city", "127.0.0.1:0", {}, {"--children=luyang,yaohai"});
  ASSERT_TRUE(city.ok()) << city.status();
  auto luyang = StartNode(dir, "luyang", "district", "127.0.0.1:0", {(*city)->address(), "hefei"},
                          {"--demo-data=luyang"});
  ASSERT_TRUE(luyang.ok()) << luyang.status();
  absl::Status connected = WaitFor([&] {
    return CheckParentConverged((*city)->address(), "hefei", {{"luyang", (*luyang)->address()}});
  });
  ASSERT_TRUE(connected.ok()) << connected;

  CommandOutput all =
      RunFedctl((*city)->address(), "hefei", {"sync", "--all", "--wait", "--timeout=10"});
  EXPECT_EQ(ExitCode(all), 1) << all.out << all.err;
  EXPECT_TRUE(absl::StrContains(all.out, "luyang")) << all.out;
  EXPECT_TRUE(absl::StrContains(all.out, "yaohai")) << all.out;
  EXPECT_TRUE(absl::StrContains(all.out, "missing")) << all.out;
  EXPECT_TRUE(absl::StrContains(all.err, "0 failed, 1 missing")) << all.err;

  CommandOutput one =
      RunFedctl((*city)->address(), "hefei", {"sync", "--child=yaohai", "--wait", "--timeout=10"});
  EXPECT_EQ(ExitCode(one), 1) << one.out << one.err;
  EXPECT_TRUE(absl::StrContains(one.out, "yaohai")) << one.out;
  EXPECT_FALSE(absl::StrContains(one.err, "NOT_FOUND")) << one.err;

  auto lone = StartNode(dir, "anhui", "province", "127.0.0.1:0", {});
  ASSERT_TRUE(lone.ok()) << lone.status();
  CommandOutput nobody =
      RunFedctl((*lone)->address(), "anhui", {"sync", "--all", "--wait", "--timeout=5"});
  EXPECT_EQ(ExitCode(nobody), 1) << nobody.out << nobody.err;
  EXPECT_TRUE(absl::StrContains(nobody.out, "no node answered")) << nobody.out;
}

// The operator's --timeout travels down with the command: with a district that does
// not answer, the city answers within what it was given, naming that district, rather
// than waiting on fixed times of its own past the province's deadline.
TEST_F(RunningTreeTest, ASyncWaitNamesTheNodeThatDidNotAnswerWithinTheTimeout) {
  luyang_->Signal(SIGSTOP);
  CommandOutput output = Fedctl("anhui", {"sync", "--all", "--wait", "--timeout=5"});
  luyang_->Signal(SIGCONT);
  EXPECT_EQ(ExitCode(output), 1) << output.out << output.err;
  const std::string said = output.out + output.err;
  EXPECT_TRUE(absl::StrContains(said, "luyang")) << said;
  EXPECT_TRUE(absl::StrContains(said, "did not answer in time")) << said;
  EXPECT_TRUE(absl::StrContains(said, "1 failed, 0 missing")) << said;  // hefei answered
}

TEST_F(RunningTreeTest, StatusShowsTheTreeBelow) {
  CommandOutput output = Fedctl("hefei", {"status", "--format=json"});
  ASSERT_EQ(ExitCode(output), 0) << output.err;
  EXPECT_TRUE(absl::StrContains(output.out, "luyang")) << output.out;
  output = Fedctl("hefei", {"status"});
  ASSERT_EQ(ExitCode(output), 0) << output.err;
  EXPECT_TRUE(absl::StrContains(output.out, "luyang")) << output.out;
}

// fedctl verify walks province -> city -> districts on mutual TLS with the operator's
// certificate, dialling each node below the first as the id its parent reports; a
// district that is gone is named as its link's failure, and the rest still verify.
TEST_F(RunningTreeTest, VerifyReachesEveryDistrictOverMutualTls) {
  auto yaohai = StartNode(dir_, "yaohai", "district", "127.0.0.1:0", {city_->address(), "hefei"},
                          {"--demo-data=yaohai"});
  ASSERT_TRUE(yaohai.ok()) << yaohai.status();
  CommandOutput output;
  absl::Status verified = WaitFor([&] {
    output = Fedctl("anhui", {"verify"});
    return ExitCode(output) == 0 && absl::StrContains(output.out, "hefei -> yaohai  ok")
               ? absl::OkStatus()
               : absl::UnavailableError(output.out + output.err);
  });
  ASSERT_TRUE(verified.ok()) << verified;
  for (const char* link : {"anhui -> hefei  ok", "hefei -> luyang  ok", "hefei -> yaohai  ok"}) {
    EXPECT_TRUE(absl::StrContains(output.out, link)) << link << "\n" << output.out;
  }
  EXPECT_FALSE(absl::StrContains(output.out, "FAILED")) << output.out;

  // Read access is enough: a viewer's certificate verifies the same tree.
  std::vector<std::string> as_viewer =
      FedctlTarget(province_->address(), "anhui", OperatorTlsDir("vera", "viewer"));
  as_viewer.push_back("verify");
  CommandOutput viewer = RunCommand(FEDSYNC_FEDCTL, as_viewer);
  EXPECT_EQ(ExitCode(viewer), 0) << viewer.out << viewer.err;

  // On TLS the first hop needs its id too: without --server-id nothing verifies.
  CommandOutput unnamed =
      RunCommand(FEDSYNC_FEDCTL, {"--target=" + province_->address(),
                                  "--tls-dir=" + OperatorTlsDir(), "verify", "--timeout=5"});
  EXPECT_EQ(ExitCode(unnamed), 1) << unnamed.out;
  EXPECT_TRUE(absl::StrContains(unnamed.out, "FAILED: cannot reach " + province_->address()))
      << unnamed.out;
  EXPECT_TRUE(absl::StrContains(unnamed.err, "--server-id")) << unnamed.err;

  const std::string gone = (*yaohai)->address();
  (*yaohai)->Signal(SIGKILL);
  ASSERT_NE((*yaohai)->Wait(), -1);
  output = Fedctl("anhui", {"verify", "--timeout=5"});
  EXPECT_EQ(ExitCode(output), 1) << output.out << output.err;
  EXPECT_TRUE(absl::StrContains(
      output.out, "hefei -> yaohai  FAILED: cannot reach yaohai at " + gone + " (UNAVAILABLE)"))
      << output.out;
  EXPECT_TRUE(absl::StrContains(output.out, "hefei -> luyang  ok")) << output.out;
  EXPECT_TRUE(absl::StrContains(output.out, "anhui -> hefei  ok")) << output.out;
}

TEST_F(RunningTreeTest, NodeStopsCleanlyOnSigterm) {
  luyang_->Signal(SIGTERM);
  int status = luyang_->Wait(absl::Seconds(5));
  ASSERT_NE(status, -1) << "luyang did not exit within 5 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace fedsync::testing
