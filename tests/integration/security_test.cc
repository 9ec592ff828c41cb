// Hostile peers and hostile input against real processes on loopback, all on mutual TLS
// (DESIGN.md, guarantees 5 and 6):
//   - an expired certificate cannot connect, as a child or as an operator;
//   - a replayed old batch changes nothing at the parent;
//   - a child over its cells-held or rate limit is refused (RESOURCE_EXHAUSTED) and not
//     stored while another child keeps syncing;
//   - a connection that never handshakes, and a stream that falls silent, are closed;
//   - operator bearer tokens carry their role (a viewer's cannot sync), are audited as
//     NAME@token, and only their hash is configured;
//   - strings with SQL and control characters in every text field of every registry
//     record kind are either stored exactly as text and read back byte-identical, or
//     refused with INVALID_ARGUMENT, and nothing else changes.
//
// One file for the security acceptance items (as the issue lists them), so it is longer
// than most and holds its small helpers too (a raw child speaking the Federation proto,
// a certificate re-signed to expire); they are used nowhere else.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "fedsync/v1/admin.grpc.pb.h"
#include "fedsync/v1/federation.grpc.pb.h"
#include "fedsync/v1/registry.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "shared/admin_client.h"
#include "shared/cell.h"
#include "shared/grpc_status.h"
#include "shared/period.h"
#include "shared/privacy_groups.h"
#include "shared/privacy_parameters.h"
#include "shared/tls_credentials.h"
#include "tests/integration/process.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::chrono::system_clock::time_point In(absl::Duration timeout) {
  return absl::ToChronoTime(absl::Now() + timeout);
}

// Copies the --tls-dir `pki/name` to `pki/name-SUFFIX` with its certificate changed by
// `edit` and re-signed by the CA in `pki`. Everything else in it (key, and what `edit`
// leaves) stays.
absl::Status MakeEditedCopy(const std::string& pki, const std::string& name,
                            const std::string& suffix, const std::function<bool(X509*)>& edit) {
  const std::string from = pki + "/" + name;
  const std::string to = pki + "/" + name + "-" + suffix;
  std::error_code error;
  std::filesystem::create_directories(to, error);
  if (error) return absl::InternalError(error.message());
  for (const char* file : {"ca.pem", "key.pem"}) {
    std::filesystem::copy_file(from + "/" + file, to + "/" + file,
                               std::filesystem::copy_options::overwrite_existing, error);
    if (error) return absl::InternalError(error.message());
  }
  std::filesystem::permissions(
      to + "/key.pem", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::string cert_pem = FileContents(from + "/cert.pem");
  const std::string ca_key_pem = FileContents(pki + "/ca-key.pem");
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  BIO* key_bio = BIO_new_mem_buf(ca_key_pem.data(), static_cast<int>(ca_key_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  EVP_PKEY* ca_key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO_free(key_bio);
  std::string edited;
  bool ok = cert != nullptr && ca_key != nullptr && edit(cert) &&
            X509_sign(cert, ca_key, EVP_sha256()) > 0;
  if (ok) {
    BIO* out = BIO_new(BIO_s_mem());
    ok = out != nullptr && PEM_write_bio_X509(out, cert) == 1;
    char* data = nullptr;
    long size = ok ? BIO_get_mem_data(out, &data) : 0;
    if (ok && size > 0) edited.assign(data, static_cast<size_t>(size));
    BIO_free(out);
  }
  X509_free(cert);
  EVP_PKEY_free(ca_key);
  if (!ok || edited.empty()) return absl::InternalError("cannot re-sign " + from);
  std::ofstream(to + "/cert.pem") << edited;
  return absl::OkStatus();
}

// A copy of `pki/name` (as pki/name-SUFFIX) valid from ten days ago until
// `not_after_days` from now (negative: expired), so only the dates can make a peer
// refuse it.
absl::Status MakeResignedCopy(const std::string& pki, const std::string& name,
                              const std::string& suffix, long not_after_days) {
  return MakeEditedCopy(pki, name, suffix, [not_after_days](X509* cert) {
    return X509_gmtime_adj(X509_getm_notBefore(cert), -10L * 86400) != nullptr &&
           X509_gmtime_adj(X509_getm_notAfter(cert), not_after_days * 86400) != nullptr;
  });
}

// A copy of a node's `pki/name` (as pki/name-ROLE) with the operator role `role` (an
// OU) added: a node's names, key usages and key, and an operator's role, as a CA other
// than fedctl's might issue.
absl::Status MakeCopyWithRole(const std::string& pki, const std::string& name,
                              const std::string& role) {
  return MakeEditedCopy(pki, name, role, [&role](X509* cert) {
    return X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "OU", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(role.c_str()), -1, -1,
                                      0) == 1;
  });
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = dir_.File("pki");
    CommandOutput made =
        RunCommand(FEDSYNC_FEDCTL, {"certs", "init", "--out=" + pki_, "--node=hefei",
                                    "--node=luyang", "--node=rawchild", "--operator=alice:admin",
                                    "--operator=vera:viewer", "--operator=otto:operator"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }

  void StartCity(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--id=hefei", "--level=city", "--db=" + dir_.File("hefei.db"),
                                     "--listen=127.0.0.1:0", "--tls-dir=" + pki_ + "/hefei"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto city = NodeProcess::Start(FEDSYNC_CITY_NODE, args, dir_.File("hefei.log"));
    ASSERT_TRUE(city.ok()) << city.status();
    city_ = std::move(*city);
  }

  std::shared_ptr<grpc::ChannelCredentials> Credentials(const std::string& name) {
    absl::StatusOr<TlsFiles> files = LoadTlsDir(pki_ + "/" + name);
    EXPECT_TRUE(files.ok()) << files.status();
    return MutualTlsChannelCredentials(files.ok() ? *files : TlsFiles{});
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& address, const std::string& server_id,
                                         const std::string& name,
                                         grpc::ChannelArguments args = {}) {
    SetServerName(server_id, &args);
    return grpc::CreateCustomChannel(address, Credentials(name), args);
  }

  // District luyang with its demo data and no parent, whose registries answer the
  // certificates of `registry_operators` (NAME,...).
  absl::StatusOr<std::unique_ptr<NodeProcess>> StartLoneDistrict(
      const std::string& registry_operators) {
    return NodeProcess::Start(
        FEDSYNC_DISTRICT_NODE,
        {"--id=luyang", "--db=" + dir_.File("luyang.db"), "--listen=127.0.0.1:0",
         "--demo-data=luyang", "--tls-dir=" + pki_ + "/luyang",
         "--registry-operators=" + registry_operators},
        dir_.File("luyang.log"));
  }

  AdminClient CityAdmin(const std::string& name = "alice") {
    return AdminClient(city_->address(), Credentials(name), absl::Seconds(10), "hefei");
  }

  TempDir dir_;
  std::string pki_;
  std::unique_ptr<NodeProcess> city_;
};

// ---------------------------------------------------------------------------------------
// Expired certificates.

TEST_F(SecurityTest, ExpiredCertificatesCannotConnect) {
  StartCity();
  ASSERT_TRUE(MakeResignedCopy(pki_, "alice", "expired", -1).ok());
  ASSERT_TRUE(MakeResignedCopy(pki_, "alice", "resigned", 1).ok());
  ASSERT_TRUE(MakeResignedCopy(pki_, "luyang", "expired", -1).ok());

  // The same operator with a current certificate is served (also one re-signed the
  // same way, so that only the dates differ); with the expired one not.
  EXPECT_TRUE(CityAdmin("alice").Status().ok());
  absl::StatusOr<v1::GetStatusResponse> resigned = CityAdmin("alice-resigned").Status();
  EXPECT_TRUE(resigned.ok()) << resigned.status();
  absl::StatusOr<v1::GetStatusResponse> expired_operator = CityAdmin("alice-expired").Status();
  ASSERT_FALSE(expired_operator.ok());
  EXPECT_EQ(expired_operator.status().code(), absl::StatusCode::kUnavailable)
      << expired_operator.status();
  CommandOutput cli = RunCommand(
      FEDSYNC_FEDCTL, {"--target=" + city_->address(), "--tls-dir=" + pki_ + "/alice-expired",
                       "--server-id=hefei", "--timeout=5", "status"});
  EXPECT_NE(cli.exit_code, 0) << cli.out;

  // A district with an expired certificate never becomes a child: its uplink fails.
  auto district =
      NodeProcess::Start(FEDSYNC_DISTRICT_NODE,
                         {"--id=luyang", "--db=" + dir_.File("luyang.db"), "--listen=127.0.0.1:0",
                          "--parent=" + city_->address(), "--parent-id=hefei", "--demo-data=luyang",
                          "--debounce-ms=0", "--tls-dir=" + pki_ + "/luyang-expired"},
                         dir_.File("luyang.log"));
  ASSERT_TRUE(district.ok()) << district.status();
  absl::Status failing = WaitFor(
      [&] {
        std::string log = FileContents(dir_.File("luyang.log"));
        return absl::StrContains(log, "uplink") && absl::StrContains(log, "UNAVAILABLE")
                   ? absl::OkStatus()
                   : absl::UnavailableError("the expired district has not failed yet");
      },
      absl::Seconds(30));
  EXPECT_TRUE(failing.ok()) << failing << "\n" << FileContents(dir_.File("luyang.log"));
  absl::StatusOr<v1::GetStatusResponse> status = CityAdmin().Status();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->children_size(), 0) << status->DebugString();
}

// ---------------------------------------------------------------------------------------
// A replayed batch, from a raw child speaking the Federation proto over mTLS.

class RawChild {
 public:
  RawChild(std::shared_ptr<grpc::Channel> channel, const std::string& id)
      : stub_(v1::Federation::NewStub(std::move(channel))), id_(id) {
    context_.set_deadline(In(absl::Seconds(60)));
    stream_ = stub_->Sync(&context_);
  }

  // Says hello with `epoch` and returns the welcome.
  absl::StatusOr<v1::Welcome> Hello(uint64_t epoch, uint64_t max_seq) {
    v1::UpMessage hello;
    hello.mutable_hello()->set_node_id(id_);
    hello.mutable_hello()->set_level(v1::DISTRICT);
    hello.mutable_hello()->set_path("anhui/hefei/" + id_);
    hello.mutable_hello()->set_epoch(epoch);
    hello.mutable_hello()->set_max_seq(max_seq);
    if (!stream_->Write(hello)) return Ended();
    v1::DownMessage down;
    while (stream_->Read(&down)) {
      if (down.has_welcome()) return down.welcome();
    }
    return Ended();
  }

  // Sends `batch` and returns its acknowledgement.
  absl::StatusOr<v1::Ack> Send(const v1::CellBatch& batch) {
    v1::UpMessage message;
    *message.mutable_batch() = batch;
    if (!stream_->Write(message)) return Ended();
    v1::DownMessage down;
    while (stream_->Read(&down)) {
      if (down.has_ack()) return down.ack();
    }
    return Ended();
  }

  // Closes this side and returns how the parent ended the stream.
  grpc::Status Finish() {
    stream_->WritesDone();
    v1::DownMessage down;
    while (stream_->Read(&down)) {
    }
    finished_ = true;
    return stream_->Finish();
  }

  ~RawChild() {
    if (!finished_) {
      context_.TryCancel();
      stream_->Finish();
    }
  }

 private:
  // How the parent ended the stream (kUnknown when it ended it OK, unasked).
  absl::Status Ended() {
    finished_ = true;
    grpc::Status status = stream_->Finish();
    if (status.ok()) return absl::UnknownError("the stream ended without an error");
    return FromGrpcStatus(status);
  }

  std::unique_ptr<v1::Federation::Stub> stub_;
  std::string id_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::UpMessage, v1::DownMessage>> stream_;
  bool finished_ = false;
};

// Periods of `type`, oldest first, from the year before the current one.
std::vector<std::string> PeriodsOf(v1::PeriodType type, int count) {
  std::vector<std::string> periods;
  const int year = CurrentYear() - 1;
  for (int i = 1; i <= count; ++i) {
    switch (type) {
      case v1::QUARTER:
        periods.push_back(absl::StrCat(year, "-Q", i));
        break;
      case v1::MONTH:
        periods.push_back(absl::StrCat(year, "-0", i));
        break;
      default:
        periods.push_back(absl::StrCat(year - count + i));
    }
  }
  return periods;
}

// Cells of `metric` for three periods with `values`, taking seq from `first_seq`.
v1::CellBatch BatchOf(const v1::MetricDef& metric, uint64_t batch_id, uint64_t first_seq,
                      const std::vector<int64_t>& values) {
  v1::CellBatch batch;
  batch.set_batch_id(batch_id);
  const std::vector<std::string> periods =
      PeriodsOf(metric.period_type(), static_cast<int>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    v1::Cell* cell = batch.add_cells();
    cell->set_metric(metric.id());
    cell->set_period(periods[i]);
    for (const v1::Dimension& dimension : metric.dimensions()) {
      v1::DimensionValue* dim = cell->add_dims();
      dim->set_key(dimension.name());
      dim->set_value(DimensionValues(metric, dimension).front());  // the parent's closed list
    }
    cell->set_value(values[i]);
    cell->set_status(v1::OK);
    cell->set_seq(first_seq + i);
  }
  batch.set_child_max_seq(first_seq + values.size() - 1);
  return batch;
}

// `count` distinct cells (tombstones when `deleted`) of `metric`, with seq from
// `first_seq`: the cell with seq n is the nth of the metric's closed domain period by
// period from 1900 (the parent refuses a dimension value outside the catalog's lists).
v1::CellBatch DistinctCells(const v1::MetricDef& metric, uint64_t batch_id, uint64_t first_seq,
                            int count, bool deleted) {
  v1::CellBatch batch;
  batch.set_batch_id(batch_id);
  absl::StatusOr<std::vector<std::string>> domain = MetricDomain(metric);
  EXPECT_TRUE(domain.ok() && !domain->empty()) << metric.id();
  if (!domain.ok() || domain->empty()) return batch;
  const uint64_t per_period = domain->size();
  const int months = metric.period_type() == v1::MONTH     ? 1
                     : metric.period_type() == v1::QUARTER ? 3
                                                           : 12;
  for (int i = 0; i < count; ++i) {
    const uint64_t n = first_seq + i - 1;
    v1::Cell* cell = batch.add_cells();
    cell->set_metric(metric.id());
    cell->set_period(PeriodOf(
        absl::CivilDay(absl::CivilMonth(1900, 1) + static_cast<int64_t>(n / per_period) * months),
        metric.period_type()));
    AppendDims((*domain)[n % per_period], cell->mutable_dims());
    cell->set_seq(first_seq + i);
    if (deleted) {
      cell->set_deleted(true);
    } else {
      cell->set_value(1);
      cell->set_status(v1::OK);
    }
  }
  batch.set_child_max_seq(first_seq + count - 1);
  return batch;
}

// The metric with the fewest dimensions (at least `min_dimensions`) in the catalog the
// node at `channel` runs.
absl::StatusOr<v1::MetricDef> SimplestMetric(const std::shared_ptr<grpc::Channel>& channel,
                                             int min_dimensions = 0) {
  grpc::ClientContext context;
  context.set_deadline(In(absl::Seconds(10)));
  v1::Catalog catalog;
  grpc::Status status =
      v1::AdminService::NewStub(channel)->GetCatalog(&context, v1::GetCatalogRequest(), &catalog);
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  const v1::MetricDef* best = nullptr;
  for (const v1::MetricDef& metric : catalog.metrics()) {
    if (metric.dimensions_size() < min_dimensions) continue;
    if (best == nullptr || metric.dimensions_size() < best->dimensions_size()) best = &metric;
  }
  if (best == nullptr) return absl::NotFoundError("no metric with enough dimensions");
  return *best;
}

// What the city holds from children of `metric`, and its own aggregate, as text.
std::string Holdings(AdminClient& admin, const std::string& metric) {
  absl::StatusOr<v1::GetRollupResponse> rollup = admin.Rollup(metric);
  EXPECT_TRUE(rollup.ok()) << rollup.status();
  absl::StatusOr<v1::GetStatusResponse> status = admin.Status();
  EXPECT_TRUE(status.ok()) << status.status();
  std::string text = rollup.ok() ? rollup->DebugString() : "";
  if (status.ok()) {
    for (const v1::ChildStatus& child : status->children()) {
      absl::StrAppend(&text, child.node_id(), " watermark=", child.watermark(),
                      " cells=", child.cell_count(), " epoch=", child.epoch(), "\n");
    }
  }
  return text;
}

TEST_F(SecurityTest, ReplayedOldBatchChangesNothing) {
  StartCity();
  absl::StatusOr<v1::MetricDef> metric =
      SimplestMetric(Channel(city_->address(), "hefei", "alice"));
  ASSERT_TRUE(metric.ok()) << metric.status();

  RawChild child(Channel(city_->address(), "hefei", "rawchild"), "rawchild");
  absl::StatusOr<v1::Welcome> welcome = child.Hello(/*epoch=*/42, /*max_seq=*/6);
  ASSERT_TRUE(welcome.ok()) << welcome.status();
  EXPECT_EQ(welcome->watermark(), 0u);

  const v1::CellBatch old_batch = BatchOf(*metric, 1, 1, {10, 20, 30});
  absl::StatusOr<v1::Ack> ack = child.Send(old_batch);
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->rejected_size(), 0) << ack->DebugString();
  EXPECT_EQ(ack->watermark(), 3u);
  ack = child.Send(BatchOf(*metric, 2, 4, {11, 21, 31}));
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->rejected_size(), 0) << ack->DebugString();
  EXPECT_EQ(ack->watermark(), 6u);

  AdminClient admin = CityAdmin();
  const std::string before = Holdings(admin, metric->id());
  EXPECT_TRUE(absl::StrContains(before, "rawchild watermark=6 cells=3")) << before;

  // The old batch again, whole; then one old cell alone with another value.
  ack = child.Send(old_batch);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->watermark(), 6u);
  v1::CellBatch one_old = BatchOf(*metric, 3, 2, {999});
  ack = child.Send(one_old);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->watermark(), 6u);
  EXPECT_EQ(Holdings(admin, metric->id()), before);

  absl::StatusOr<v1::GetRollupResponse> rollup = admin.Rollup(metric->id());
  ASSERT_TRUE(rollup.ok()) << rollup.status();
  int held = 0;
  for (const v1::RollupCell& cell : rollup->cells()) {
    if (cell.node_id() != "rawchild") continue;
    ++held;
    EXPECT_GE(cell.cell().seq(), 4u) << cell.DebugString();
    EXPECT_TRUE(cell.cell().value() == 11 || cell.cell().value() == 21 || cell.cell().value() == 31)
        << cell.DebugString();
  }
  EXPECT_EQ(held, 3) << rollup->DebugString();
  EXPECT_TRUE(child.Finish().ok());
}

// ---------------------------------------------------------------------------------------
// Per-child limits: cells held and rate.

// The city's view of child `id`; kNotFound until it has one.
absl::StatusOr<v1::ChildStatus> ChildAt(AdminClient& city, const std::string& id) {
  absl::StatusOr<v1::GetStatusResponse> status = city.Status();
  if (!status.ok()) return status.status();
  for (const v1::ChildStatus& child : status->children()) {
    if (child.node_id() == id) return child;
  }
  return absl::NotFoundError(absl::StrCat("the city has not heard of ", id));
}

// Ok when the city holds everything the district at `district` has published.
absl::Status CaughtUp(AdminClient& city, AdminClient& district, const std::string& id,
                      uint64_t at_least_seq) {
  absl::StatusOr<v1::GetStatusResponse> own = district.Status();
  if (!own.ok()) return own.status();
  absl::StatusOr<v1::ChildStatus> held = ChildAt(city, id);
  if (!held.ok()) return held.status();
  if (own->max_seq() < at_least_seq || held->watermark() != own->max_seq()) {
    return absl::UnavailableError(absl::StrCat(id, " published up to ", own->max_seq(),
                                               "; the city holds up to ", held->watermark()));
  }
  return absl::OkStatus();
}

TEST_F(SecurityTest, AChildOverItsLimitsIsRefusedWhileAnotherKeepsSyncing) {
  CommandOutput more =
      RunCommand(FEDSYNC_FEDCTL, {"certs", "init", "--out=" + pki_, "--node=rawfast"});
  ASSERT_EQ(more.exit_code, 0) << more.err;
  StartCity({"--child-max-cells=20000", "--child-cells-per-second=1", "--child-burst-cells=25000"});
  AdminClient city = CityAdmin();

  // A real district converges, well within both limits.
  auto luyang = NodeProcess::Start(
      FEDSYNC_DISTRICT_NODE,
      {"--id=luyang", "--db=" + dir_.File("luyang.db"), "--listen=127.0.0.1:0",
       "--parent=" + city_->address(), "--parent-id=hefei", "--demo-data=luyang", "--debounce-ms=0",
       "--tls-dir=" + pki_ + "/luyang", "--registry-operators=otto"},
      dir_.File("luyang.log"));
  ASSERT_TRUE(luyang.ok()) << luyang.status();
  AdminClient district((*luyang)->address(), Credentials("alice"), absl::Seconds(10), "luyang");
  absl::Status caught_up =
      WaitFor([&] { return CaughtUp(city, district, "luyang", 1); }, absl::Seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up;
  absl::StatusOr<v1::ChildStatus> luyang_held = ChildAt(city, "luyang");
  ASSERT_TRUE(luyang_held.ok());
  ASSERT_LT(luyang_held->cell_count(), 5000) << "the demo district outgrew this test's limits";

  absl::StatusOr<v1::MetricDef> metric =
      SimplestMetric(Channel(city_->address(), "hefei", "alice"), /*min_dimensions=*/1);
  ASSERT_TRUE(metric.ok()) << metric.status();

  // Cells held: 20000 pass, one more new cell is refused and not stored.
  {
    RawChild child(Channel(city_->address(), "hefei", "rawchild"), "rawchild");
    ASSERT_TRUE(child.Hello(1, 20001).ok());
    for (int b = 0; b < 4; ++b) {
      absl::StatusOr<v1::Ack> ack =
          child.Send(DistinctCells(*metric, b + 1, 5000 * b + 1, 5000, false));
      ASSERT_TRUE(ack.ok()) << ack.status();
      ASSERT_EQ(ack->rejected_size(), 0) << ack->rejected(0).DebugString();
    }
    absl::StatusOr<v1::Ack> over = child.Send(DistinctCells(*metric, 5, 20001, 1, false));
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted) << over.status();
    EXPECT_TRUE(absl::StrContains(over.status().message(), "limit of 20000 cells"))
        << over.status();
  }
  absl::StatusOr<v1::ChildStatus> raw_held = ChildAt(city, "rawchild");
  ASSERT_TRUE(raw_held.ok()) << raw_held.status();
  EXPECT_EQ(raw_held->cell_count(), 20000);
  EXPECT_EQ(raw_held->watermark(), 20000u);

  // Rate: tombstones add no cell but cost their share of the 25000-cell burst; at one
  // cell a second the next batch is refused.
  {
    RawChild child(Channel(city_->address(), "hefei", "rawfast"), "rawfast");
    ASSERT_TRUE(child.Hello(1, 30000).ok());
    for (int b = 0; b < 5; ++b) {
      absl::StatusOr<v1::Ack> ack =
          child.Send(DistinctCells(*metric, b + 1, 5000 * b + 1, 5000, true));
      ASSERT_TRUE(ack.ok()) << ack.status();
    }
    absl::StatusOr<v1::Ack> fast = child.Send(DistinctCells(*metric, 6, 25001, 5000, true));
    ASSERT_FALSE(fast.ok());
    EXPECT_EQ(fast.status().code(), absl::StatusCode::kResourceExhausted) << fast.status();
    EXPECT_TRUE(absl::StrContains(fast.status().message(), "cells/s")) << fast.status();
  }
  absl::StatusOr<v1::ChildStatus> fast_held = ChildAt(city, "rawfast");
  ASSERT_TRUE(fast_held.ok()) << fast_held.status();
  EXPECT_EQ(fast_held->watermark(), 25000u);
  EXPECT_TRUE(absl::StrContains(FileContents(dir_.File("hefei.log")), "child.limit_exceeded"));

  // The district keeps syncing: a new record reaches the city.
  absl::StatusOr<v1::GetStatusResponse> before = district.Status();
  ASSERT_TRUE(before.ok()) << before.status();
  {
    grpc::ClientContext context;
    context.set_deadline(In(absl::Seconds(10)));
    v1::CreateRecordRequest create;
    *create.mutable_record() = Students(1, 4242).front();
    v1::RecordEntry created;
    grpc::Status written =
        v1::RegistryService::NewStub(Channel((*luyang)->address(), "luyang", "otto"))
            ->CreateRecord(&context, create, &created);
    ASSERT_TRUE(written.ok()) << written.error_message();
  }
  caught_up = WaitFor([&] { return CaughtUp(city, district, "luyang", before->max_seq() + 1); },
                      absl::Seconds(60));
  EXPECT_TRUE(caught_up.ok()) << caught_up;
}

TEST_F(SecurityTest, AConnectionThatNeverHandshakesIsDropped) {
  StartCity();
  const size_t colon = city_->address().rfind(':');
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(city_->address().substr(colon + 1), &port));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  // Say nothing: the server's handshake deadline (10 s) must close the connection well
  // before this read gives up.
  timeval wait{60, 0};
  ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)), 0);
  char byte;
  const absl::Time start = absl::Now();
  ssize_t got = ::read(fd, &byte, 1);
  const int error = errno;
  ::close(fd);
  EXPECT_TRUE(got == 0 || (got < 0 && error != EAGAIN && error != EWOULDBLOCK))
      << "the city kept a silent connection open for " << absl::Now() - start;
  EXPECT_LT(absl::Now() - start, absl::Seconds(20)) << "closed, but not by the 10 s deadline";
  EXPECT_TRUE(CityAdmin().Status().ok());
}

TEST_F(SecurityTest, SilentStreamsAreClosedByTheParent) {
  StartCity({"--child-idle-ms=300"});
  // Connected, but never a word; then a hello and silence.
  for (bool hello : {false, true}) {
    std::unique_ptr<v1::Federation::Stub> stub =
        v1::Federation::NewStub(Channel(city_->address(), "hefei", "rawchild"));
    grpc::ClientContext context;
    context.set_deadline(In(absl::Seconds(30)));
    auto stream = stub->Sync(&context);
    if (hello) {
      v1::UpMessage message;
      message.mutable_hello()->set_node_id("rawchild");
      message.mutable_hello()->set_level(v1::DISTRICT);
      message.mutable_hello()->set_epoch(1);
      ASSERT_TRUE(stream->Write(message));
    }
    v1::DownMessage down;
    while (stream->Read(&down)) {
    }
    grpc::Status ended = stream->Finish();
    EXPECT_EQ(ended.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << ended.error_code() << " " << ended.error_message();
    EXPECT_TRUE(absl::StrContains(ended.error_message(), "nothing heard")) << ended.error_message();
  }
  // The city still serves.
  EXPECT_TRUE(CityAdmin().Status().ok());
}

// A child that sends batches but never reads their acks fills its receive window, so
// the city's ack write never completes; once the child falls silent, the city must end
// the stream all the same (a close alone waits for that write for ever, and the child
// stays "connected").
TEST_F(SecurityTest, AStreamWhoseChildStoppedReadingIsEndedByTheParent) {
  StartCity({"--child-idle-ms=300"});
  grpc::ChannelArguments args;
  // A small receive window that does not grow: a few hundred acks fill it.
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  std::unique_ptr<v1::Federation::Stub> stub =
      v1::Federation::NewStub(Channel(city_->address(), "hefei", "rawchild", args));
  grpc::ClientContext context;
  context.set_deadline(In(absl::Seconds(60)));
  auto stream = stub->Sync(&context);
  v1::UpMessage hello;
  hello.mutable_hello()->set_node_id("rawchild");
  hello.mutable_hello()->set_level(v1::DISTRICT);
  hello.mutable_hello()->set_epoch(1);
  ASSERT_TRUE(stream->Write(hello));
  for (uint64_t id = 1; id <= 2000; ++id) {
    v1::UpMessage batch;
    batch.mutable_batch()->set_batch_id(id);
    if (!stream->Write(batch)) break;  // the city may end it meanwhile
  }
  // The child now holds the stream, silent, reading nothing. The city ends it: it no
  // longer shows the child as connected.
  absl::Status forgotten = WaitFor(
      [&]() -> absl::Status {
        absl::StatusOr<v1::GetStatusResponse> status = CityAdmin().Status();
        if (!status.ok()) return status.status();
        for (const v1::ChildStatus& child : status->children()) {
          if (child.connected()) return absl::UnavailableError(child.node_id() + " connected");
        }
        return absl::OkStatus();
      },
      absl::Seconds(10));
  EXPECT_TRUE(forgotten.ok()) << forgotten << "\n" << FileContents(dir_.File("hefei.log"));
  context.TryCancel();
  (void)stream->Finish();
}

// ---------------------------------------------------------------------------------------
// An operator's certificate posing as a parent.

// A "city" whose certificate is an operator's: the district never takes it as its
// parent, so nothing it would push down (catalog, targets, commands) is applied, and
// nothing is sent up. Once with the certificate fedctl issues an operator (client only,
// no DNS name: the TLS handshake fails), once with one a laxer CA might issue (a node's
// names and key usages plus a role: the district's uplink refuses it by its role).
TEST_F(SecurityTest, AnOperatorsCertificateCannotPoseAsAParent) {
  CommandOutput made = RunCommand(FEDSYNC_FEDCTL, {"certs", "init", "--out=" + pki_,
                                                   "--operator=fakecity:viewer", "--node=laxcity"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_TRUE(MakeCopyWithRole(pki_, "laxcity", "viewer").ok());

  for (const auto& [id, tls_dir] : std::vector<std::pair<std::string, std::string>>{
           {"fakecity", pki_ + "/fakecity"}, {"laxcity", pki_ + "/laxcity-viewer"}}) {
    SCOPED_TRACE(id);
    auto parent = NodeProcess::Start(FEDSYNC_CITY_NODE,
                                     {"--id=" + id, "--level=city", "--db=" + dir_.File(id + ".db"),
                                      "--listen=127.0.0.1:0", "--tls-dir=" + tls_dir},
                                     dir_.File(id + ".log"));
    ASSERT_TRUE(parent.ok()) << parent.status();
    auto luyang = NodeProcess::Start(
        FEDSYNC_DISTRICT_NODE,
        {"--id=luyang", "--db=" + dir_.File("luyang-" + id + ".db"), "--listen=127.0.0.1:0",
         "--parent=" + (*parent)->address(), "--parent-id=" + id, "--demo-data=luyang",
         "--debounce-ms=0", "--tls-dir=" + pki_ + "/luyang"},
        dir_.File("luyang-" + id + ".log"));
    ASSERT_TRUE(luyang.ok()) << luyang.status();
    AdminClient district((*luyang)->address(), Credentials("alice"), absl::Seconds(10), "luyang");
    // The district has tried, and says why it has no parent.
    std::string last_error;
    absl::Status refused = WaitFor([&]() -> absl::Status {
      absl::StatusOr<v1::GetStatusResponse> status = district.Status();
      if (!status.ok()) return status.status();
      last_error = status->parent().last_error();
      if (status->parent().connected()) return absl::OkStatus();  // fails below
      const bool why = id == "laxcity" ? absl::StrContains(last_error, "operator's certificate")
                                       : !last_error.empty();
      return why ? absl::OkStatus() : absl::UnavailableError("not refused yet: " + last_error);
    });
    ASSERT_TRUE(refused.ok()) << refused;
    absl::StatusOr<v1::GetStatusResponse> status = district.Status();
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_FALSE(status->parent().connected());
    EXPECT_EQ(status->parent().acked_seq(), 0u);
    if (id == "laxcity") {
      EXPECT_TRUE(absl::StrContains(FileContents(dir_.File("luyang-laxcity.log")),
                                    "uplink.parent_refused"));
    }
    // The impostor holds nothing of luyang's.
    AdminClient impostor((*parent)->address(), Credentials("alice"), absl::Seconds(10), id);
    absl::StatusOr<v1::GetStatusResponse> held = impostor.Status();
    if (held.ok()) {
      for (const v1::ChildStatus& child : held->children()) {
        EXPECT_EQ(child.watermark(), 0u) << child.node_id();
        EXPECT_EQ(child.cell_count(), 0) << child.node_id();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Operator bearer tokens.

TEST_F(SecurityTest, OperatorTokensCarryARoleAndNodesKeepOnlyTheirHash) {
  // Tokens for a viewer and an operator, and the entries that give them to the nodes.
  std::string entries;
  std::map<std::string, std::string> tokens;  // name -> token file
  for (const auto& [name, role] :
       std::vector<std::pair<std::string, std::string>>{{"vera", "viewer"}, {"otto", "operator"}}) {
    const std::string file = dir_.File(name + ".token");
    CommandOutput made = RunCommand(
        FEDSYNC_FEDCTL, {"tokens", "create", "--name=" + name, "--role=" + role, "--out=" + file});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    ASSERT_TRUE(absl::StrContains(made.out, "operator_tokens {")) << made.out;
    EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    entries += made.out;
    tokens[name] = file;
  }
  const std::string config = dir_.File("nodes.textproto");
  std::ofstream(config) << entries;
  const std::string otto_token(absl::StripAsciiWhitespace(FileContents(tokens["otto"])));
  ASSERT_FALSE(absl::StrContains(FileContents(config), otto_token.substr(4)))
      << "the config holds the token itself";
  // An operator with a token needs only the CA's certificate.
  const std::string ca_only = dir_.File("ca-only");
  std::filesystem::create_directories(ca_only);
  std::filesystem::copy_file(pki_ + "/ca.pem", ca_only + "/ca.pem");
  const std::string stranger = dir_.File("stranger.token");
  std::ofstream(stranger) << "fst_" << std::string(64, 'a') << "\n";
  std::filesystem::permissions(
      stranger, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  StartCity({"--config=" + config});
  auto fedctl = [&](const std::string& token_file, std::vector<std::string> command) {
    std::vector<std::string> args = {"--target=" + city_->address(), "--tls-dir=" + ca_only,
                                     "--server-id=hefei", "--token-file=" + token_file,
                                     "--timeout=10"};
    args.insert(args.end(), command.begin(), command.end());
    return RunCommand(FEDSYNC_FEDCTL, args);
  };

  // The viewer reads but cannot sync; the operator syncs, logged under its token.
  CommandOutput read = fedctl(tokens["vera"], {"status"});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  CommandOutput refused = fedctl(tokens["vera"], {"sync", "--all"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_TRUE(absl::StrContains(refused.err, "PERMISSION_DENIED")) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "needs role operator")) << refused.err;
  CommandOutput synced = fedctl(tokens["otto"], {"sync", "--all"});
  EXPECT_EQ(synced.exit_code, 0) << synced.err;
  const std::string log = FileContents(dir_.File("hefei.log"));
  EXPECT_TRUE(absl::StrContains(log, "operator.action")) << log;
  EXPECT_TRUE(absl::StrContains(log, "otto@token")) << log;
  EXPECT_TRUE(absl::StrContains(log, "operator.denied")) << log;
  EXPECT_FALSE(absl::StrContains(log, otto_token.substr(4))) << "a token reached the log";

  // A token the node does not know; a token file others may read; a token in plaintext.
  CommandOutput unknown = fedctl(stranger, {"status"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out;
  EXPECT_TRUE(absl::StrContains(unknown.err, "UNAUTHENTICATED")) << unknown.err;
  std::filesystem::permissions(stranger, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  EXPECT_EQ(fedctl(stranger, {"status"}).exit_code, 2);
  EXPECT_EQ(RunCommand(FEDSYNC_FEDCTL,
                       {"--target=" + city_->address(), "--token-file=" + tokens["vera"], "status"})
                .exit_code,
            2);

  // Clients may now connect without a certificate, but a child still needs one.
  {
    grpc::ChannelArguments args;
    SetServerName("hefei", &args);
    RawChild child(
        grpc::CreateCustomChannel(city_->address(),
                                  ServerOnlyTlsChannelCredentials(FileContents(pki_ + "/ca.pem")), args),
        "rawchild");
    absl::StatusOr<v1::Welcome> welcome = child.Hello(1, 0);
    ASSERT_FALSE(welcome.ok());
    EXPECT_EQ(welcome.status().code(), absl::StatusCode::kPermissionDenied) << welcome.status();
  }

  // At a district, a registry write with a listed token is audited under it; a token
  // whose entry is in the district's config but not listed reads status, not records.
  auto district = NodeProcess::Start(
      FEDSYNC_DISTRICT_NODE,
      {"--id=luyang", "--db=" + dir_.File("luyang.db"), "--listen=127.0.0.1:0",
       "--config=" + config, "--tls-dir=" + pki_ + "/luyang", "--registry-operators=otto@token"},
      dir_.File("luyang.log"));
  ASSERT_TRUE(district.ok()) << district.status();
  auto district_channel = [&](const std::string& token) {
    grpc::ChannelArguments args;
    SetServerName("luyang", &args);
    return grpc::CreateCustomChannel(
        (*district)->address(),
        grpc::CompositeChannelCredentials(
            ServerOnlyTlsChannelCredentials(FileContents(pki_ + "/ca.pem")),
            grpc::AccessTokenCredentials(token)),
        args);
  };
  const std::string vera_token(absl::StripAsciiWhitespace(FileContents(tokens["vera"])));
  {
    auto vera_registry = v1::RegistryService::NewStub(district_channel(vera_token));
    grpc::ClientContext context;
    context.set_deadline(In(absl::Seconds(10)));
    v1::ListRecordsRequest list;
    list.set_kind("returned_students");
    v1::ListRecordsResponse records;
    grpc::Status listed = vera_registry->ListRecords(&context, list, &records);
    EXPECT_EQ(listed.error_code(), grpc::StatusCode::PERMISSION_DENIED) << listed.error_message();
    EXPECT_TRUE(absl::StrContains(listed.error_message(), "registry operators"))
        << listed.error_message();
    auto vera_admin = v1::AdminService::NewStub(district_channel(vera_token));
    grpc::ClientContext status_context;
    status_context.set_deadline(In(absl::Seconds(10)));
    v1::GetStatusResponse status;
    grpc::Status read = vera_admin->GetStatus(&status_context, v1::GetStatusRequest(), &status);
    EXPECT_TRUE(read.ok()) << read.error_message();
  }
  auto registry = v1::RegistryService::NewStub(district_channel(otto_token));
  v1::CreateRecordRequest create;
  *create.mutable_record() = Students(1, 77).front();
  v1::RecordEntry created;
  {
    grpc::ClientContext context;
    context.set_deadline(In(absl::Seconds(10)));
    grpc::Status written = registry->CreateRecord(&context, create, &created);
    ASSERT_TRUE(written.ok()) << written.error_message();
  }
  grpc::ClientContext context;
  context.set_deadline(In(absl::Seconds(10)));
  v1::GetHistoryRequest request;
  request.set_kind(created.kind());
  request.set_id(created.id());
  v1::GetHistoryResponse history;
  grpc::Status got = registry->GetHistory(&context, request, &history);
  ASSERT_TRUE(got.ok()) << got.error_message();
  ASSERT_EQ(history.entries_size(), 1);
  EXPECT_EQ(history.entries(0).operator_(), "otto@token");
}

// An AdminService that records the bearer token each caller presents and answers
// nothing: a stand-in for whatever listens at an address a child chose to advertise.
class TokenRecorder final : public v1::AdminService::Service {
 public:
  grpc::Status GetStatus(grpc::ServerContext* context, const v1::GetStatusRequest*,
                         v1::GetStatusResponse*) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    auto found = context->client_metadata().find("authorization");
    if (found != context->client_metadata().end()) {
      authorizations_.emplace_back(found->second.data(), found->second.size());
    }
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "this node only records callers");
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::vector<std::string> authorizations() {
    absl::MutexLock lock(&mu_);
    return authorizations_;
  }

 private:
  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> authorizations_ ABSL_GUARDED_BY(mu_);
};

// A child advertises an address of its choosing; fedctl verify with a token dials it as
// it must, but sends the token to --target alone: below, a certificate or nothing.
TEST_F(SecurityTest, VerifySendsAnOperatorsTokenToTheTargetOnly) {
  const std::string token_file = dir_.File("vera.token");
  CommandOutput made = RunCommand(
      FEDSYNC_FEDCTL, {"tokens", "create", "--name=vera", "--role=viewer", "--out=" + token_file});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string config = dir_.File("nodes.textproto");
  std::ofstream(config) << made.out;
  const std::string token(absl::StripAsciiWhitespace(FileContents(token_file)));
  ASSERT_FALSE(token.empty());

  // The recorder presents luyang's own certificate, so a TLS client would trust it.
  absl::StatusOr<TlsFiles> luyang_files = LoadTlsDir(pki_ + "/luyang");
  ASSERT_TRUE(luyang_files.ok()) << luyang_files.status();
  TokenRecorder recorder;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0",
                           MutualTlsServerCredentials(*luyang_files,
                                                      /*client_certificate_optional=*/true),
                           &port);
  builder.RegisterService(&recorder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  ASSERT_GT(port, 0);
  const std::string recorder_address = absl::StrCat("127.0.0.1:", port);

  StartCity({"--config=" + config});
  auto luyang =
      NodeProcess::Start(FEDSYNC_DISTRICT_NODE,
                         {"--id=luyang", "--db=" + dir_.File("luyang.db"), "--listen=127.0.0.1:0",
                          "--parent=" + city_->address(), "--parent-id=hefei", "--demo-data=luyang",
                          "--tls-dir=" + pki_ + "/luyang", "--advertise=" + recorder_address},
                         dir_.File("luyang.log"));
  ASSERT_TRUE(luyang.ok()) << luyang.status();
  AdminClient city = CityAdmin();
  absl::Status advertised = WaitFor([&]() -> absl::Status {
    absl::StatusOr<v1::ChildStatus> held = ChildAt(city, "luyang");
    if (!held.ok()) return held.status();
    if (held->admin_address() != recorder_address) {
      return absl::UnavailableError("luyang has not advertised the recorder yet");
    }
    return absl::OkStatus();
  });
  ASSERT_TRUE(advertised.ok()) << advertised;

  auto verify = [&](const std::string& tls_dir) {
    return RunCommand(FEDSYNC_FEDCTL,
                      {"--target=" + city_->address(), "--tls-dir=" + tls_dir, "--server-id=hefei",
                       "--token-file=" + token_file, "--timeout=10", "verify"});
  };
  // With only ca.pem beside the token, luyang cannot be read, and says why.
  const std::string ca_only = dir_.File("ca-only");
  std::filesystem::create_directories(ca_only);
  std::filesystem::copy_file(pki_ + "/ca.pem", ca_only + "/ca.pem");
  CommandOutput token_only = verify(ca_only);
  EXPECT_EQ(token_only.exit_code, 1) << token_only.out << token_only.err;
  EXPECT_TRUE(absl::StrContains(token_only.out, "needs an operator certificate to read luyang"))
      << token_only.out;
  // With vera's certificate as well, luyang is dialled with the certificate alone.
  CommandOutput with_certificate = verify(pki_ + "/vera");
  EXPECT_EQ(with_certificate.exit_code, 1) << with_certificate.out << with_certificate.err;
  EXPECT_TRUE(absl::StrContains(with_certificate.out, "PERMISSION_DENIED")) << with_certificate.out;
  EXPECT_TRUE(absl::StrContains(with_certificate.err, "need an operator certificate"))
      << with_certificate.err;
  EXPECT_GE(recorder.calls(), 1) << "the test no longer dials the advertised address";
  for (const std::string& authorization : recorder.authorizations()) {
    EXPECT_FALSE(absl::StrContains(authorization, token.substr(4)))
        << "the operator's token reached an address a child advertised";
  }
  EXPECT_TRUE(recorder.authorizations().empty());
  server->Shutdown(In(absl::Seconds(5)));
}

// ---------------------------------------------------------------------------------------
// Hostile strings in the registries.

// Text that must be stored exactly: SQL, quotes, wildcards, right-to-left letters,
// emoji.
const std::vector<std::string>& StoredStrings() {
  static const auto* strings = new std::vector<std::string>{
      "O'Brien",
      "x'); DROP TABLE records; --",
      "\"; DELETE FROM audit_log WHERE \"\"=\"",
      "Robert'); DROP TABLE returned_students;--",
      "' OR '1'='1",
      "100% _under_ \\back\\slash",
      "\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A",           // Arabic letters
      "\xF0\x9F\x98\x80 \xE6\x9E\x97\xE5\xBA\x97",  // emoji, 林店
  };
  return *strings;
}

// Text stored without its surrounding spaces (shared/record_normalization.h), and what
// is stored of it.
const std::vector<std::pair<std::string, std::string>>& TrimmedStrings() {
  static const auto* strings = new std::vector<std::pair<std::string, std::string>>{
      {"  spaces at both ends  ", "spaces at both ends"},
      {"\xE3\x80\x80ideographic spaces\xE3\x80\x80 ", "ideographic spaces"},
  };
  return *strings;
}

// Text with control characters or invisible format characters (Unicode Cf: bidi
// overrides and marks, zero-width spaces, byte order marks), which every text field
// refuses.
const std::vector<std::string>& RefusedStrings() {
  static const auto* strings = new std::vector<std::string>{
      std::string("nul\0here", 8),
      "line\nbreak",
      "carriage\rreturn",
      "esc\x1b[31mred",
      "tab\there",
      "del\x7f",
      "\xE2\x80\xAE"
      "evil"
      "\xE2\x80\xAC",  // RIGHT-TO-LEFT OVERRIDE ... POP
      "\xE2\x80\x8F"
      "\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A",  // RLM + Arabic letters
      "zero\xE2\x80\x8Bwidth",
      "\xEF\xBB\xBF"
      "bom",
      "c1\xC2\x85"
      "control",  // a C1 control (NEL)
  };
  return *strings;
}

// The free-text fields of the record kinds: they must take every StoredStrings() and
// TrimmedStrings().
bool IsFreeText(const std::string& field) {
  static const auto* names = new std::set<std::string>{
      "name", "field", "community", "role", "note", "applicant_name", "student_name", "head_name"};
  return names->count(field) > 0;
}

class RegistryCalls {
 public:
  explicit RegistryCalls(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::RegistryService::NewStub(std::move(channel))) {}

  grpc::Status Create(const v1::Record& record, v1::RecordEntry* entry) {
    v1::CreateRecordRequest request;
    *request.mutable_record() = record;
    return Call(&Stub::CreateRecord, request, entry);
  }
  grpc::Status Update(int64_t id, const v1::Record& record, v1::RecordEntry* entry) {
    v1::UpdateRecordRequest request;
    request.set_id(id);
    *request.mutable_record() = record;
    return Call(&Stub::UpdateRecord, request, entry);
  }
  grpc::Status Get(const std::string& kind, int64_t id, v1::RecordEntry* entry) {
    v1::GetRecordRequest request;
    request.set_kind(kind);
    request.set_id(id);
    return Call(&Stub::GetRecord, request, entry);
  }
  grpc::Status Delete(const std::string& kind, int64_t id, const std::string& reason,
                      v1::RecordEntry* entry) {
    v1::DeleteRecordRequest request;
    request.set_kind(kind);
    request.set_id(id);
    request.set_reason(reason);
    return Call(&Stub::DeleteRecord, request, entry);
  }
  grpc::Status Restore(const std::string& kind, int64_t id, v1::RecordEntry* entry) {
    v1::RestoreRecordRequest request;
    request.set_kind(kind);
    request.set_id(id);
    return Call(&Stub::RestoreRecord, request, entry);
  }
  absl::StatusOr<v1::ListRecordsResponse> List(const v1::ListRecordsRequest& request) {
    v1::ListRecordsResponse response;
    grpc::Status status = Call(&Stub::ListRecords, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }
  // Every record of `kind`, serialized, in record id order.
  std::vector<std::string> Export(const std::string& kind) {
    grpc::ClientContext context;
    context.set_deadline(In(absl::Seconds(30)));
    v1::ExportRequest request;
    request.set_kind(kind);
    std::vector<std::string> records;
    auto reader = stub_->Export(&context, request);
    v1::ExportResponse chunk;
    while (reader->Read(&chunk)) {
      for (const v1::Record& record : chunk.records())
        records.push_back(record.SerializeAsString());
    }
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return records;
  }

 private:
  using Stub = v1::RegistryService::Stub;
  // One unary call with the tests' deadline.
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(In(absl::Seconds(10)));
    return (stub_.get()->*method)(&context, request, response);
  }

  std::unique_ptr<v1::RegistryService::Stub> stub_;
};

// The payload message of `record` (its one set oneof field).
Message* Payload(v1::Record* record) {
  const google::protobuf::Reflection* reflection = record->GetReflection();
  const FieldDescriptor* field = reflection->GetOneofFieldDescriptor(
      *record, v1::Record::descriptor()->FindOneofByName("kind"));
  return field == nullptr ? nullptr : reflection->MutableMessage(record, field);
}

// A district's records are for its own operators: a certificate from the same CA that
// the district does not list (a city's admin) reads its status and rollups, never a
// record, not even through export; a listed one does.
TEST_F(SecurityTest, ADistrictsRecordsAreRefusedToOperatorsItDoesNotList) {
  auto district = StartLoneDistrict("otto");
  ASSERT_TRUE(district.ok()) << district.status();
  const std::string address = (*district)->address();
  AdminClient as_city_admin(address, Credentials("alice"), absl::Seconds(10), "luyang");
  EXPECT_TRUE(as_city_admin.Status().ok());
  RegistryCalls stranger(Channel(address, "luyang", "alice"));
  v1::ListRecordsRequest list;
  list.set_kind("returned_students");
  absl::StatusOr<v1::ListRecordsResponse> refused = stranger.List(list);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "registry operators"))
      << refused.status();
  CommandOutput exported = RunCommand(
      FEDSYNC_FEDCTL, {"--target=" + address, "--tls-dir=" + pki_ + "/alice", "--server-id=luyang",
                       "--timeout=10", "registry", "export", "--kind=returned_students"});
  EXPECT_NE(exported.exit_code, 0) << exported.out;
  EXPECT_TRUE(absl::StrContains(exported.err, "PERMISSION_DENIED")) << exported.err;
  RegistryCalls own(Channel(address, "luyang", "otto"));
  absl::StatusOr<v1::ListRecordsResponse> listed = own.List(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_GT(listed->entries_size(), 0);
}

TEST_F(SecurityTest, HostileStringsInEveryTextFieldAreStoredExactlyOrTrimmedOrRefused) {
  auto district = StartLoneDistrict("otto,vera");
  ASSERT_TRUE(district.ok()) << district.status();
  RegistryCalls writer(Channel((*district)->address(), "luyang", "otto"));
  RegistryCalls reader(Channel((*district)->address(), "luyang", "vera"));

  const std::vector<std::string> kinds = {
      "returned_students", "identity_certifications", "study_certificates", "enterprises",
      "community_figures", "hardship_cases",          "aid_visits"};
  std::map<std::string, std::vector<std::string>> before;
  for (const std::string& kind : kinds) before[kind] = reader.Export(kind);

  std::map<std::string, int> created;
  std::map<std::string, std::string> base_stored;  // kind -> the base record as now stored
  std::map<std::string, v1::RecordEntry> bases;
  int free_text_fields = 0;
  for (const std::string& kind : kinds) {
    SCOPED_TRACE(kind);
    v1::ListRecordsRequest list;
    list.set_kind(kind);
    list.set_page_size(1);
    absl::StatusOr<v1::ListRecordsResponse> first = reader.List(list);
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_EQ(first->entries_size(), 1) << "the demo district has no " << kind;
    const v1::RecordEntry base = first->entries(0);
    bases[kind] = base;
    std::string stored = base.record().SerializeAsString();

    v1::Record probe = base.record();
    const google::protobuf::Descriptor* descriptor = Payload(&probe)->GetDescriptor();
    for (int f = 0; f < descriptor->field_count(); ++f) {
      const FieldDescriptor* field = descriptor->field(f);
      if (field->type() != FieldDescriptor::TYPE_STRING || field->is_repeated()) continue;
      SCOPED_TRACE(field->name());
      free_text_fields += IsFreeText(field->name()) ? 1 : 0;
      struct Case {
        std::string text;
        bool control;        // has control or invisible characters: refused
        std::string stored;  // what a text field stores of it
      };
      std::vector<Case> cases;
      for (const std::string& text : StoredStrings()) cases.push_back({text, false, text});
      for (const auto& [text, trimmed] : TrimmedStrings()) {
        cases.push_back({text, false, trimmed});
      }
      for (const std::string& text : RefusedStrings()) cases.push_back({text, true, ""});
      for (const auto& [text, control, stored_text] : cases) {
        v1::Record record = base.record();
        Message* payload = Payload(&record);
        payload->GetReflection()->SetString(payload, field, text);
        v1::Record as_stored = record;
        Message* stored_payload = Payload(&as_stored);
        stored_payload->GetReflection()->SetString(stored_payload, field, stored_text);
        v1::RecordEntry entry;
        grpc::Status status = writer.Update(base.id(), record, &entry);
        int64_t id = base.id();
        if (!status.ok() && absl::StrContains(status.error_message(), "cannot change")) {
          // A key field: the record under the new key is a new record.
          status = writer.Create(record, &entry);
          if (status.ok()) {
            id = entry.id();
            ++created[kind];
          }
        }
        if (status.ok()) {
          EXPECT_FALSE(control) << "stored text with control or invisible characters";
          v1::RecordEntry read;
          grpc::Status got = reader.Get(kind, id, &read);
          ASSERT_TRUE(got.ok()) << got.error_message();
          Message* read_payload = Payload(read.mutable_record());
          EXPECT_EQ(read_payload->GetReflection()->GetString(*read_payload, field), stored_text);
          EXPECT_EQ(read.record().SerializeAsString(), as_stored.SerializeAsString());
          if (id == base.id()) stored = as_stored.SerializeAsString();
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
              << status.error_message();
          EXPECT_FALSE(!control && IsFreeText(field->name()))
              << "refused a free-text value: " << status.error_message();
          v1::RecordEntry read;
          ASSERT_TRUE(reader.Get(kind, base.id(), &read).ok());
          EXPECT_EQ(read.record().SerializeAsString(), stored) << "a refused write changed it";
        }
      }
    }
    base_stored[kind] = stored;
  }
  EXPECT_GE(free_text_fields, 12) << "the record kinds lost their free-text fields?";
  EXPECT_GT(created["community_figures"], 0) << "a figure's name (its key) was never stored";

  // Nothing else changed: every other record is as it was, the new ones come last.
  for (const std::string& kind : kinds) {
    SCOPED_TRACE(kind);
    std::vector<std::string> after = reader.Export(kind);
    ASSERT_EQ(after.size(), before[kind].size() + created[kind]);
    for (size_t i = 0; i < before[kind].size(); ++i) {
      if (before[kind][i] == bases[kind].record().SerializeAsString()) {
        EXPECT_EQ(after[i], base_stored[kind]);
      } else {
        EXPECT_EQ(after[i], before[kind][i]) << "record " << i << " changed";
      }
    }
  }

  // Searching with the same strings is a search, not SQL.
  for (const std::string& text : StoredStrings()) {
    v1::ListRecordsRequest list;
    list.set_kind("community_figures");
    list.set_name_contains(text);
    absl::StatusOr<v1::ListRecordsResponse> found = reader.List(list);
    ASSERT_TRUE(found.ok()) << found.status();
    for (const v1::RecordEntry& entry : found->entries()) {
      EXPECT_TRUE(absl::StrContains(entry.record().community_figure().name(), text));
    }
  }

  // A delete reason is text too: stored exactly, or refused with the record untouched.
  const v1::RecordEntry& student = bases["returned_students"];
  for (const std::string& text : StoredStrings()) {
    v1::RecordEntry entry;
    grpc::Status deleted = writer.Delete(student.kind(), student.id(), text, &entry);
    ASSERT_TRUE(deleted.ok()) << deleted.error_message();
    v1::RecordEntry read;
    ASSERT_TRUE(reader.Get(student.kind(), student.id(), &read).ok());
    EXPECT_EQ(read.delete_reason(), text);
    ASSERT_TRUE(writer.Restore(student.kind(), student.id(), &entry).ok());
  }
  for (const std::string& text : RefusedStrings()) {
    v1::RecordEntry entry;
    grpc::Status deleted = writer.Delete(student.kind(), student.id(), text, &entry);
    EXPECT_EQ(deleted.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << deleted.error_message();
    v1::RecordEntry read;
    ASSERT_TRUE(reader.Get(student.kind(), student.id(), &read).ok());
    EXPECT_EQ(read.status(), v1::ACTIVE);
  }
}

}  // namespace
}  // namespace fedsync::testing
