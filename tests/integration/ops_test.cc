// Operating a node, against real processes: SIGTERM during a sync ends the node within
// 5 s and a restart on the same database converges with nothing lost; generic gRPC
// clients can list the services by reflection and call health checking; /metrics
// serves Prometheus text whose counters move after a sync; --http is refused off
// loopback.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/http_get.h"
#include "tests/integration/process.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

const std::vector<std::string> kDistricts = {"luyang", "yaohai", "shushan"};

// The sum of every sample of metric `name` (any labels) in Prometheus text; -1 when
// the metric has no sample.
double MetricSum(const std::string& text, const std::string& name) {
  double sum = 0;
  bool found = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    size_t end = line.find_first_of("{ ");
    if (end == absl::string_view::npos || line.substr(0, end) != name) continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) {
      sum += value;
      found = true;
    }
  }
  return found ? sum : -1;
}

int CountInFile(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string contents = text.str();
  int count = 0;
  for (size_t at = contents.find(needle); at != std::string::npos;
       at = contents.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartCity("127.0.0.1:0");
    ASSERT_NE(city_, nullptr);
    for (const std::string& id : kDistricts) {
      auto district = StartNode(dir_, id, "district", "127.0.0.1:0", {city_->address(), "hefei"},
                                {"--http=127.0.0.1:0", "--demo-data=" + id});
      ASSERT_TRUE(district.ok()) << district.status();
      auto http = (*district)->ReadLineAfter("http on ");
      ASSERT_TRUE(http.ok()) << http.status();
      district_http_[id] = *http;
      addresses_[id] = (*district)->address();
      districts_.push_back(std::move(*district));
    }
    absl::Status converged =
        WaitFor([&] { return CheckParentConverged(city_->address(), "hefei", addresses_); });
    ASSERT_TRUE(converged.ok()) << converged;
  }

  void StartCity(const std::string& listen) {
    auto city = StartNode(dir_, "hefei", "city", listen, {}, {"--http=127.0.0.1:0"});
    ASSERT_TRUE(city.ok()) << city.status();
    city_ = std::move(*city);
    auto http = city_->ReadLineAfter("http on ");
    ASSERT_TRUE(http.ok()) << http.status();
    city_http_ = *http;
  }

  std::string Scrape(const std::string& http_address) {
    auto result = HttpGet(http_address, "/metrics");
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return "";
    EXPECT_EQ(result->status, 200);
    return result->body;
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> city_;
  std::string city_http_;
  std::vector<std::unique_ptr<NodeProcess>> districts_;
  std::map<std::string, std::string> addresses_;
  std::map<std::string, std::string> district_http_;
};

TEST_F(OpsTest, SigtermDuringSyncExitsWithinFiveSecondsAndRestartConverges) {
  const std::string log = dir_.File("hefei.log");
  const int hellos_before = CountInFile(log, "child.connected");
  // A full resync makes every district start a new epoch and send all its cells again.
  CommandOutput sync_output;
  std::thread sync([&] {
    sync_output =
        RunFedctl(city_->address(), "hefei", {"sync", "--all", "--full", "--wait", "--timeout=20"});
  });
  // Mid-sync: the first district has come back with its new epoch.
  absl::Status resyncing = WaitFor(
      [&] {
        return CountInFile(log, "child.connected") > hellos_before
                   ? absl::OkStatus()
                   : absl::UnavailableError("no district has reconnected for the resync yet");
      },
      absl::Seconds(20));
  ASSERT_TRUE(resyncing.ok()) << resyncing;

  const absl::Time signalled = absl::Now();
  city_->Signal(SIGTERM);
  const int status = city_->Wait(absl::Seconds(5));
  const absl::Duration took = absl::Now() - signalled;
  sync.join();
  ASSERT_NE(status, -1) << "the city did not exit within 5 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_GE(CountInFile(log, "node.stopped"), 1) << "no orderly stop in the log";

  // The same database and port: the districts reconnect on their own.
  const std::string address = city_->address();
  city_.reset();
  StartCity(address);
  ASSERT_NE(city_, nullptr);
  absl::Status converged =
      WaitFor([&] { return CheckParentConverged(city_->address(), "hefei", addresses_); });
  EXPECT_TRUE(converged.ok()) << converged;
}

TEST_F(OpsTest, DistrictStopsOnSigintToo) {
  districts_[0]->Signal(SIGINT);
  const int status = districts_[0]->Wait(absl::Seconds(5));
  ASSERT_NE(status, -1) << "the district did not exit within 5 s of SIGINT";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

// What a generic client (grpcurl, grpc_cli) does, with an operator's certificate: list
// the services of node `id` at `address`, then fetch the file that defines one.
std::vector<std::string> ListServices(const std::string& address, const std::string& id,
                                      std::string* admin_file) {
  auto channel = TlsChannel(address, id);
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  std::vector<std::string> names;
  if (stream->Write(request) && stream->Read(&response)) {
    for (const auto& service : response.list_services_response().service()) {
      names.push_back(service.name());
    }
  }
  request.set_file_containing_symbol("fedsync.v1.AdminService");
  if (stream->Write(request) && stream->Read(&response) &&
      response.file_descriptor_response().file_descriptor_proto_size() > 0) {
    google::protobuf::FileDescriptorProto file;
    if (file.ParseFromString(response.file_descriptor_response().file_descriptor_proto(0))) {
      *admin_file = file.name();
      for (const auto& service : file.service()) {
        for (const auto& method : service.method()) {
          absl::StrAppend(admin_file, " ", service.name(), ".", method.name());
        }
      }
    }
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  return names;
}

grpc::Status CheckHealth(const std::string& address, const std::string& id,
                         const std::string& service,
                         grpc::health::v1::HealthCheckResponse* response) {
  auto stub = grpc::health::v1::Health::NewStub(TlsChannel(address, id));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  return stub->Check(&context, request, response);
}

TEST_F(OpsTest, ReflectionListsTheServicesAndHealthAnswers) {
  struct Case {
    std::string address, id;
    std::vector<std::string> services;
  };
  for (const Case& test : std::vector<Case>{
           {city_->address(),
            "hefei",
            {"fedsync.v1.AdminService", "fedsync.v1.Federation", "grpc.health.v1.Health",
             "grpc.reflection.v1alpha.ServerReflection"}},
           {addresses_["luyang"],
            "luyang",
            {"fedsync.v1.AdminService", "fedsync.v1.RegistryService", "grpc.health.v1.Health",
             "grpc.reflection.v1alpha.ServerReflection"}},
       }) {
    std::string admin_file;
    std::vector<std::string> listed = ListServices(test.address, test.id, &admin_file);
    for (const std::string& service : test.services) {
      EXPECT_NE(std::find(listed.begin(), listed.end(), service), listed.end())
          << service << " not listed by " << test.address;
    }
    EXPECT_TRUE(absl::StartsWith(admin_file, "fedsync/v1/admin.proto")) << admin_file;
    EXPECT_TRUE(absl::StrContains(admin_file, "AdminService.GetStatus")) << admin_file;

    grpc::health::v1::HealthCheckResponse health;
    grpc::Status status = CheckHealth(test.address, test.id, "", &health);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
    status = CheckHealth(test.address, test.id, "no.such.Service", &health);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  }
}

TEST_F(OpsTest, MetricsCountersMoveAfterASync) {
  const std::string city_before = Scrape(city_http_);
  const std::string district_before = Scrape(district_http_["luyang"]);
  auto page = HttpGet(city_http_, "/metrics");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(absl::StartsWith(page->content_type, "text/plain; version=0.0.4"))
      << page->content_type;
  EXPECT_TRUE(absl::StrContains(city_before, "fedsync_build_info{version=\"")) << city_before;
  EXPECT_TRUE(absl::StrContains(city_before, "# TYPE fedsync_apply_latency_seconds histogram"));
  EXPECT_EQ(MetricSum(city_before, "fedsync_children_connected"), 3) << city_before;
  EXPECT_EQ(MetricSum(city_before, "fedsync_child_lag_seq"), 0) << city_before;
  EXPECT_GT(MetricSum(city_before, "fedsync_database_size_bytes"), 0);
  EXPECT_EQ(MetricSum(district_before, "fedsync_uplink_connected"), 1) << district_before;
  EXPECT_EQ(MetricSum(district_before, "fedsync_uplink_lag_seq"), 0) << district_before;
  EXPECT_GT(MetricSum(district_before, "fedsync_publishes_total"), 0);

  CommandOutput sync =
      RunFedctl(city_->address(), "hefei", {"sync", "--all", "--full", "--wait", "--timeout=20"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  absl::Status converged =
      WaitFor([&] { return CheckParentConverged(city_->address(), "hefei", addresses_); });
  ASSERT_TRUE(converged.ok()) << converged;

  const std::string city_after = Scrape(city_http_);
  const std::string district_after = Scrape(district_http_["luyang"]);
  for (const char* counter : {"fedsync_batches_received_total", "fedsync_cells_received_total",
                              "fedsync_apply_latency_seconds_count"}) {
    EXPECT_GT(MetricSum(city_after, counter), MetricSum(city_before, counter)) << counter;
  }
  for (const char* counter : {"fedsync_uplink_batches_sent_total",
                              "fedsync_uplink_cells_sent_total",
                              "fedsync_uplink_acks_received_total"}) {
    EXPECT_GT(MetricSum(district_after, counter), MetricSum(district_before, counter)) << counter;
  }
  EXPECT_EQ(MetricSum(city_after, "fedsync_cells_rejected_total"), -1)
      << "no cell was rejected, so the family has no sample";

  auto missing = HttpGet(city_http_, "/no-such-page");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST(OpsFlagsTest, HttpIsRefusedOffLoopbackOrMalformed) {
  TempDir dir;
  struct Case {
    std::string binary;
    std::string http;
    std::string says;
  };
  for (const Case& test : std::vector<Case>{
           {FEDSYNC_DISTRICT_NODE, "0.0.0.0:0", "loopback"},
           {FEDSYNC_CITY_NODE, "10.1.2.3:9100", "loopback"},
           {FEDSYNC_CITY_NODE, "127.0.0.1:http", "port"},
           {FEDSYNC_DISTRICT_NODE, "127.0.0.1", "HOST:PORT"},
       }) {
    std::vector<std::string> args = {"--id=hefei", "--db=" + dir.File("x.db"),
                                     "--listen=127.0.0.1:0", "--tls-dir=" + NodeTlsDir("hefei"),
                                     "--http=" + test.http};
    if (test.binary == FEDSYNC_CITY_NODE) args.push_back("--level=city");
    CommandOutput output = RunCommand(test.binary, args, absl::Seconds(20));
    EXPECT_EQ(output.exit_code, 2) << test.http << "\n" << output.err;
    EXPECT_TRUE(absl::StrContains(output.err, test.says)) << output.err;
  }
  EXPECT_FALSE(std::ifstream(dir.File("x.db")).good()) << "a refused node created its database";
}

// A second node on the database or the port of a running one stops with a message,
// instead of writing seqs of its own into the database or taking half the connections.
TEST(OpsFlagsTest, ASecondNodeOnTheSameDatabaseOrPortRefusesToStart) {
  TempDir dir;
  auto first = StartNode(dir, "shushan", "district", "127.0.0.1:0", {});
  ASSERT_TRUE(first.ok()) << first.status();

  CommandOutput same_db = RunCommand(FEDSYNC_DISTRICT_NODE,
                                     {"--id=shushan", "--db=" + dir.File("shushan.db"),
                                      "--listen=127.0.0.1:0", "--tls-dir=" + NodeTlsDir("shushan")},
                                     absl::Seconds(20));
  EXPECT_EQ(same_db.exit_code, 1) << same_db.err;
  EXPECT_TRUE(absl::StrContains(same_db.err, "already runs on this database")) << same_db.err;

  CommandOutput same_port =
      RunCommand(FEDSYNC_CITY_NODE,
                 {"--id=hefei", "--level=city", "--db=" + dir.File("hefei.db"),
                  "--listen=" + (*first)->address(), "--tls-dir=" + NodeTlsDir("hefei")},
                 absl::Seconds(20));
  EXPECT_EQ(same_port.exit_code, 1) << same_port.err;
  EXPECT_TRUE(absl::StrContains(same_port.err, "cannot listen")) << same_port.err;

  auto status = Admin((*first)->address(), "shushan").Status();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->node_id(), "shushan");
}

}  // namespace
}  // namespace fedsync::testing
