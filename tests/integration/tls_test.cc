// Mutual TLS end to end (DESIGN.md, guarantee 5), real processes on loopback: fedctl
// certs init makes a CA with a city (hefei), two districts (luyang, yaohai) and an
// operator, and a second, foreign CA; the three nodes run on mTLS and converge. Then:
// a district presenting another district's certificate is refused and nothing of it is
// stored; a certificate from the foreign CA cannot connect; plaintext to the TLS port
// fails; fedctl talks TLS only to the node its --server-id names. Operators have the
// role in their certificate: a viewer reads but cannot sync or write, an operator syncs
// and writes under its certificate's name in the audit log, a node certificate has no
// role.
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fedsync/v1/registry.grpc.pb.h"
#include "gtest/gtest.h"
#include "shared/admin_client.h"
#include "shared/tls_credentials.h"
#include "shared/verify.h"
#include "tests/integration/process.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = dir_.File("pki");
    CommandOutput made =
        RunCommand(FEDSYNC_FEDCTL, {"certs", "init", "--out=" + pki_, "--node=hefei",
                                    "--node=luyang", "--node=yaohai", "--operator=alice:admin",
                                    "--operator=vera:viewer", "--operator=otto:operator"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    CommandOutput foreign = RunCommand(
        FEDSYNC_FEDCTL, {"certs", "init", "--out=" + dir_.File("foreign"), "--node=stranger"});
    ASSERT_EQ(foreign.exit_code, 0) << foreign.err;

    auto city = NodeProcess::Start(FEDSYNC_CITY_NODE,
                                   {"--id=hefei", "--level=city", "--db=" + dir_.File("hefei.db"),
                                    "--listen=127.0.0.1:0", "--tls-dir=" + pki_ + "/hefei"},
                                   dir_.File("hefei.log"));
    ASSERT_TRUE(city.ok()) << city.status();
    city_ = std::move(*city);
  }

  // A district streaming to the city as `id`, with the certificate in `tls_dir`.
  absl::StatusOr<std::unique_ptr<NodeProcess>> StartDistrict(const std::string& id,
                                                             const std::string& tls_dir,
                                                             const std::string& db_name) {
    return NodeProcess::Start(
        FEDSYNC_DISTRICT_NODE,
        {"--id=" + id, "--db=" + dir_.File(db_name), "--listen=127.0.0.1:0",
         "--parent=" + city_->address(), "--parent-id=hefei", "--demo-data=" + id,
         "--debounce-ms=0", "--tls-dir=" + tls_dir, "--registry-operators=vera,otto"},
        dir_.File(db_name + ".log"));
  }

  std::shared_ptr<grpc::ChannelCredentials> Credentials(const std::string& tls_dir) {
    absl::StatusOr<TlsFiles> files = LoadTlsDir(tls_dir);
    EXPECT_TRUE(files.ok()) << files.status();
    return MutualTlsChannelCredentials(files.ok() ? *files : TlsFiles{});
  }

  // An admin client of `address` whose certificate must name `id`, as `operator_name`.
  std::unique_ptr<AdminClient> Admin(const std::string& address, const std::string& id,
                                     const std::string& operator_name = "alice") {
    return std::make_unique<AdminClient>(address, Credentials(pki_ + "/" + operator_name),
                                         absl::Seconds(5), id);
  }

  // The city holds exactly what each district (id -> address) publishes.
  absl::Status Converged(const std::map<std::string, std::string>& districts) {
    std::unique_ptr<AdminClient> parent = Admin(city_->address(), "hefei");
    std::vector<std::unique_ptr<AdminClient>> owned;
    std::map<std::string, AdminClient*> children;
    for (const auto& [id, address] : districts) {
      owned.push_back(Admin(address, id));
      children[id] = owned.back().get();
    }
    return VerifyParent(parent.get(), children);
  }

  // The ids of the children the city has ever accepted.
  absl::StatusOr<std::vector<std::string>> CityChildren() {
    absl::StatusOr<v1::GetStatusResponse> status = Admin(city_->address(), "hefei")->Status();
    if (!status.ok()) return status.status();
    std::vector<std::string> ids;
    for (const v1::ChildStatus& child : status->children()) ids.push_back(child.node_id());
    return ids;
  }

  TempDir dir_;
  std::string pki_;
  std::unique_ptr<NodeProcess> city_;
};

TEST_F(TlsTest, DistrictsConvergeOverMutualTlsAndImpostorsAreRefused) {
  auto yaohai = StartDistrict("yaohai", pki_ + "/yaohai", "yaohai.db");
  ASSERT_TRUE(yaohai.ok()) << yaohai.status();
  absl::Status converged = WaitFor(
      [&] {
        return Converged({{"yaohai", (*yaohai)->address()}});
      },
      absl::Seconds(60));
  ASSERT_TRUE(converged.ok()) << converged;

  // A district claiming to be luyang with yaohai's certificate: refused and logged,
  // and the city stores nothing under luyang.
  auto impostor = StartDistrict("luyang", pki_ + "/yaohai", "impostor.db");
  ASSERT_TRUE(impostor.ok()) << impostor.status();
  absl::Status refused = WaitFor(
      [&] {
        std::string log = FileContents(dir_.File("hefei.log"));
        return absl::StrContains(log, "child.refused") && absl::StrContains(log, "luyang")
                   ? absl::OkStatus()
                   : absl::UnavailableError("the city has not refused the impostor yet");
      },
      absl::Seconds(30));
  ASSERT_TRUE(refused.ok()) << refused;
  absl::Status told = WaitFor(
      [&] {
        return absl::StrContains(FileContents(dir_.File("impostor.db.log")), "PERMISSION_DENIED")
                   ? absl::OkStatus()
                   : absl::UnavailableError("the impostor has not heard PERMISSION_DENIED");
      },
      absl::Seconds(30));
  EXPECT_TRUE(told.ok()) << told << "\n" << FileContents(dir_.File("impostor.db.log"));
  absl::StatusOr<std::vector<std::string>> children = CityChildren();
  ASSERT_TRUE(children.ok()) << children.status();
  EXPECT_EQ(*children, std::vector<std::string>{"yaohai"});
  absl::StatusOr<v1::ListMetricsResponse> metrics = Admin(city_->address(), "hefei")->Metrics();
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ASSERT_GT(metrics->metric_ids_size(), 0);
  absl::StatusOr<v1::GetRollupResponse> rollup =
      Admin(city_->address(), "hefei")->Rollup(metrics->metric_ids(0));
  ASSERT_TRUE(rollup.ok()) << rollup.status();
  for (const v1::RollupCell& cell : rollup->cells()) {
    EXPECT_NE(cell.node_id(), "luyang") << "a cell of the impostor was stored";
  }
  impostor->reset();

  // The real luyang is accepted, and the city converges on both districts.
  auto luyang = StartDistrict("luyang", pki_ + "/luyang", "luyang.db");
  ASSERT_TRUE(luyang.ok()) << luyang.status();
  converged = WaitFor(
      [&] {
        return Converged({{"yaohai", (*yaohai)->address()}, {"luyang", (*luyang)->address()}});
      },
      absl::Seconds(60));
  EXPECT_TRUE(converged.ok()) << converged;
}

TEST_F(TlsTest, ForeignCertificatesPlaintextAndWrongNamesCannotConnect) {
  // The operator's certificate from this CA works, through fedctl too.
  EXPECT_TRUE(Admin(city_->address(), "hefei")->Status().ok());
  CommandOutput ok =
      RunCommand(FEDSYNC_FEDCTL, {"--target=" + city_->address(), "--tls-dir=" + pki_ + "/alice",
                                  "--server-id=hefei", "status"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  // A certificate from another CA.
  AdminClient stranger(city_->address(), Credentials(dir_.File("foreign") + "/stranger"),
                       absl::Seconds(5), "hefei");
  absl::StatusOr<v1::GetStatusResponse> foreign = stranger.Status();
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kUnavailable) << foreign.status();

  // Plaintext to the TLS port.
  absl::StatusOr<v1::GetStatusResponse> plaintext =
      AdminClient(city_->address(), nullptr, absl::Seconds(5)).Status();
  ASSERT_FALSE(plaintext.ok());
  EXPECT_EQ(plaintext.status().code(), absl::StatusCode::kUnavailable) << plaintext.status();
  CommandOutput plain_cli =
      RunCommand(FEDSYNC_FEDCTL, {"--target=" + city_->address(), "--timeout=5", "status"});
  EXPECT_EQ(plain_cli.exit_code, 1) << plain_cli.out;

  // The right CA, but the server is not the node fedctl was told to expect.
  CommandOutput wrong_name =
      RunCommand(FEDSYNC_FEDCTL, {"--target=" + city_->address(), "--tls-dir=" + pki_ + "/alice",
                                  "--server-id=luyang", "--timeout=5", "status"});
  EXPECT_EQ(wrong_name.exit_code, 1) << wrong_name.out;

  // A district from another CA never becomes the city's child.
  auto district =
      NodeProcess::Start(FEDSYNC_DISTRICT_NODE,
                         {"--id=stranger", "--db=" + dir_.File("stranger.db"),
                          "--listen=127.0.0.1:0", "--parent=" + city_->address(),
                          "--parent-id=hefei", "--tls-dir=" + dir_.File("foreign") + "/stranger"},
                         dir_.File("stranger.log"));
  ASSERT_TRUE(district.ok()) << district.status();
  absl::Status failing = WaitFor(
      [&] {
        std::string log = FileContents(dir_.File("stranger.log"));
        return absl::StrContains(log, "uplink") && absl::StrContains(log, "UNAVAILABLE")
                   ? absl::OkStatus()
                   : absl::UnavailableError("the stranger has not failed to connect yet");
      },
      absl::Seconds(30));
  EXPECT_TRUE(failing.ok()) << failing << "\n" << FileContents(dir_.File("stranger.log"));
  absl::StatusOr<std::vector<std::string>> children = CityChildren();
  ASSERT_TRUE(children.ok()) << children.status();
  EXPECT_TRUE(children->empty());
}

TEST_F(TlsTest, OperatorRolesComeFromTheCertificate) {
  auto yaohai = StartDistrict("yaohai", pki_ + "/yaohai", "yaohai.db");
  ASSERT_TRUE(yaohai.ok()) << yaohai.status();

  // A viewer reads status, but may not sync, at the city or at the district.
  EXPECT_TRUE(Admin(city_->address(), "hefei", "vera")->Status().ok());
  v1::SyncNowRequest sync;
  sync.set_all(true);
  for (const auto& [address, id] : std::vector<std::pair<std::string, std::string>>{
           {city_->address(), "hefei"}, {(*yaohai)->address(), "yaohai"}}) {
    absl::StatusOr<v1::SyncNowResponse> refused =
        Admin(address, id, "vera")->SyncNow(id == "hefei" ? sync : v1::SyncNowRequest());
    ASSERT_FALSE(refused.ok()) << id;
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
    EXPECT_TRUE(absl::StrContains(refused.status().message(), "needs role operator"))
        << refused.status();
  }
  CommandOutput cli =
      RunCommand(FEDSYNC_FEDCTL, {"--target=" + city_->address(), "--tls-dir=" + pki_ + "/vera",
                                  "--server-id=hefei", "--timeout=5", "sync", "--all"});
  EXPECT_NE(cli.exit_code, 0) << cli.out;
  EXPECT_TRUE(absl::StrContains(cli.err, "PERMISSION_DENIED") ||
              absl::StrContains(cli.err, "needs role operator"))
      << cli.err;
  EXPECT_TRUE(absl::StrContains(FileContents(dir_.File("hefei.log")), "operator.denied"));

  // An operator can sync.
  absl::StatusOr<v1::SyncNowResponse> synced =
      Admin(city_->address(), "hefei", "otto")->SyncNow(sync);
  EXPECT_TRUE(synced.ok()) << synced.status();

  // Registry writes: a viewer is refused; an operator's write is audited under the name
  // in its certificate, whatever the call metadata claims.
  auto registry = [&](const std::string& operator_name) {
    grpc::ChannelArguments args;
    SetServerName("yaohai", &args);
    return v1::RegistryService::NewStub(grpc::CreateCustomChannel(
        (*yaohai)->address(), Credentials(pki_ + "/" + operator_name), args));
  };
  v1::CreateRecordRequest create;
  *create.mutable_record() = Students(1, 7).front();
  v1::RecordEntry created;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Status denied = registry("vera")->CreateRecord(&context, create, &created);
    EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.error_message();
  }
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    context.AddMetadata("x-fedsync-operator", "mallory");
    grpc::Status written = registry("otto")->CreateRecord(&context, create, &created);
    ASSERT_TRUE(written.ok()) << written.error_message();
  }
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetHistoryRequest request;
    request.set_kind(created.kind());
    request.set_id(created.id());
    v1::GetHistoryResponse history;
    grpc::Status read = registry("vera")->GetHistory(&context, request, &history);
    ASSERT_TRUE(read.ok()) << read.error_message();
    ASSERT_EQ(history.entries_size(), 1);
    EXPECT_EQ(history.entries(0).operator_(), "otto");
  }

  // A node's own certificate carries no operator role.
  absl::StatusOr<v1::GetStatusResponse> node_as_operator =
      AdminClient(city_->address(), Credentials(pki_ + "/yaohai"), absl::Seconds(5), "hefei")
          .Status();
  ASSERT_FALSE(node_as_operator.ok());
  EXPECT_EQ(node_as_operator.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(TlsFlagsTest, NodesRefuseIncompleteTransportSettings) {
  TempDir dir;
  const std::string pki = dir.File("pki");
  ASSERT_EQ(
      RunCommand(FEDSYNC_FEDCTL, {"certs", "init", "--out=" + pki, "--node=luyang"}).exit_code, 0);
  const std::string db = "--db=" + dir.File("x.db");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& test : std::vector<Case>{
           {{"--tls-dir=" + pki + "/luyang", "--insecure"}, "not both"},
           {{"--tls-dir=" + dir.File("missing")}, "cannot read"},
           {{"--tls-dir=" + pki + "/luyang", "--parent=127.0.0.1:1"}, "--parent-id"},
       }) {
    std::vector<std::string> args = {"--id=luyang", db, "--listen=127.0.0.1:0"};
    args.insert(args.end(), test.args.begin(), test.args.end());
    CommandOutput output = RunCommand(FEDSYNC_DISTRICT_NODE, args, absl::Seconds(20));
    EXPECT_EQ(output.exit_code, 2) << test.says << "\n" << output.err;
    EXPECT_TRUE(absl::StrContains(output.err, test.says)) << output.err;
  }
  EXPECT_FALSE(std::ifstream(dir.File("x.db")).good()) << "a refused node created its database";
}

}  // namespace
}  // namespace fedsync::testing
