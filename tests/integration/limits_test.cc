// Hostile input at a parent (DESIGN.md, guarantee 6), real processes on loopback over
// mutual TLS: a raw client with a district's certificate sends a batch over the
// cells-per-batch limit, a message over the size limit and bytes that are no protobuf,
// and a plain socket sends bytes that are not even a TLS handshake. Each is refused, nothing of
// it is stored, and the city keeps serving a real district, which converges.
#include "shared/limits.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "fedsync/v1/federation.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/process.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto city = StartNode(dir_, "hefei", "city", "127.0.0.1:0", {});
    ASSERT_TRUE(city.ok()) << city.status();
    city_ = std::move(*city);
  }

  // A channel to the city with district `id`'s own certificate, so the city takes it
  // for that child.
  std::shared_ptr<grpc::Channel> Channel(const std::string& id) {
    return TlsChannel(city_->address(), "hefei", NodeTlsDir(id));
  }

  // Says hello as district `id`, waits for the welcome, sends `batch`, and returns how
  // the city ended the stream.
  grpc::Status SendBatch(const std::string& id, const v1::CellBatch& batch) {
    std::unique_ptr<v1::Federation::Stub> stub = v1::Federation::NewStub(Channel(id));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    auto stream = stub->Sync(&context);
    v1::UpMessage hello;
    hello.mutable_hello()->set_node_id(id);
    hello.mutable_hello()->set_level(v1::DISTRICT);
    hello.mutable_hello()->set_path("anhui/hefei/" + id);
    hello.mutable_hello()->set_epoch(1);
    EXPECT_TRUE(stream->Write(hello));
    v1::DownMessage down;
    EXPECT_TRUE(stream->Read(&down));
    EXPECT_TRUE(down.has_welcome()) << down.DebugString();
    v1::UpMessage message;
    *message.mutable_batch() = batch;
    stream->Write(message);  // may fail when the server has already given up
    stream->WritesDone();
    while (stream->Read(&down)) {
      EXPECT_FALSE(down.has_ack()) << "the city acknowledged a batch it should refuse";
    }
    return stream->Finish();
  }

  std::string CityLog() { return FileContents(dir_.File("hefei.log")); }

  TempDir dir_;
  std::unique_ptr<NodeProcess> city_;
};

v1::CellBatch BatchOf(int cells, size_t metric_chars) {
  v1::CellBatch batch;
  batch.set_batch_id(1);
  for (int i = 0; i < cells; ++i) {
    v1::Cell* cell = batch.add_cells();
    cell->set_metric(std::string(metric_chars, 'm'));
    cell->set_period("2026");
    cell->set_value(1);
    cell->set_status(v1::OK);
    cell->set_seq(i + 1);
  }
  batch.set_child_max_seq(cells);
  return batch;
}

// Sends `bytes` raw over TCP to `address` (HOST:PORT) and closes.
void SendRawBytes(const std::string& address, const std::string& bytes) {
  const size_t colon = address.rfind(':');
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(address.substr(colon + 1), &port));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

TEST_F(LimitsTest, OversizeAndGarbageAreRefusedAndTheCityKeepsServing) {
  // Over the cells-per-batch limit.
  grpc::Status too_many = SendBatch("rogue", BatchOf(kMaxCellsPerBatch + 1, 4));
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << too_many.error_message();
  EXPECT_TRUE(absl::StrContains(too_many.error_message(), "at most 5000"))
      << too_many.error_message();
  EXPECT_TRUE(absl::StrContains(CityLog(), "child.batch_refused"));

  // Within the cell limit, over the message size limit (100 cells of 50 KB each).
  grpc::Status too_big = SendBatch("rogue", BatchOf(100, 50 * 1024));
  EXPECT_EQ(too_big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << too_big.error_message();

  // Bytes that are not an UpMessage, on the Federation method itself.
  {
    grpc::GenericStub generic(Channel("rogue"));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    grpc::CompletionQueue queue;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
        generic.PrepareCall(&context, "/fedsync.v1.Federation/Sync", &queue);
    void* tag = nullptr;
    bool ok = false;
    call->StartCall(reinterpret_cast<void*>(1));
    ASSERT_TRUE(queue.Next(&tag, &ok));
    ASSERT_TRUE(ok);
    const std::string garbage = "\xff\xff\xff\xff\x0f garbage \x00\x01\x02";
    grpc::Slice slice(garbage.data(), garbage.size());
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, reinterpret_cast<void*>(2));
    ASSERT_TRUE(queue.Next(&tag, &ok));
    call->WritesDone(reinterpret_cast<void*>(3));
    ASSERT_TRUE(queue.Next(&tag, &ok));
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(4));
    ASSERT_TRUE(queue.Next(&tag, &ok));
    EXPECT_EQ(tag, reinterpret_cast<void*>(4));
    EXPECT_FALSE(status.ok()) << "the city accepted bytes that are no UpMessage";
    queue.Shutdown();
    while (queue.Next(&tag, &ok)) {
    }
  }

  // Bytes that are not even a TLS handshake.
  SendRawBytes(city_->address(), std::string(4096, '\x07') + "GET / HTTP/1.0\r\n\r\n");

  // Nothing of the rogue was stored, and a real district still syncs.
  auto luyang = StartNode(dir_, "luyang", "district", "127.0.0.1:0", {city_->address(), "hefei"},
                          {"--demo-data=luyang", "--debounce-ms=0"});
  ASSERT_TRUE(luyang.ok()) << luyang.status();
  absl::Status converged = WaitFor(
      [&] {
        return CheckParentConverged(city_->address(), "hefei", {{"luyang", (*luyang)->address()}});
      },
      absl::Seconds(60));
  EXPECT_TRUE(converged.ok()) << converged;
  AdminClient admin = Admin(city_->address(), "hefei");
  absl::StatusOr<v1::ListMetricsResponse> metrics = admin.Metrics();
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  for (const std::string& metric : metrics->metric_ids()) {
    absl::StatusOr<v1::GetRollupResponse> rollup = admin.Rollup(metric);
    ASSERT_TRUE(rollup.ok()) << rollup.status();
    for (const v1::RollupCell& cell : rollup->cells()) {
      EXPECT_NE(cell.node_id(), "rogue") << "a cell of a refused batch was stored";
    }
  }
}

}  // namespace
}  // namespace fedsync::testing
