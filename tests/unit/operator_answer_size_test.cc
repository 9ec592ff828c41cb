#include "absl/strings/str_cat.h"
#include "fedsync/v1/admin.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "shared/admin_client.h"
#include "shared/limits.h"
#include "shared/server_runner.h"
#include "tools/fedctl/connection.h"

namespace fedsync {
namespace {

// A node whose rollup answer is `cells` cells: what a province with every child's
// whole history sends for an unfiltered rollup.
class BigRollupNode final : public v1::AdminService::Service {
 public:
  explicit BigRollupNode(int cells) : cells_(cells) {}
  grpc::Status GetRollup(grpc::ServerContext*, const v1::GetRollupRequest* request,
                         v1::GetRollupResponse* response) override {
    for (int i = 0; i < cells_; ++i) {
      v1::RollupCell* cell = response->add_cells();
      cell->set_node_id(absl::StrCat("district_", i % 3000));
      cell->mutable_cell()->set_metric(request->metric());
      cell->mutable_cell()->set_period(absl::StrCat(1990 + i % 37));
      v1::DimensionValue* dim = cell->mutable_cell()->add_dims();
      dim->set_key("region");
      dim->set_value("southeast_asia");
      cell->mutable_cell()->set_value(i);
    }
    return grpc::Status::OK;
  }

 private:
  const int cells_;
};

// gRPC's default 4 MiB would refuse this answer; an operator's client reads it whole.
TEST(OperatorAnswerSizeTest, AdminClientReadsARollupAnswerLargerThanGrpcsDefaultLimit) {
  BigRollupNode node(120000);
  auto server = StartServer("127.0.0.1:0", grpc::InsecureServerCredentials(), {&node});
  ASSERT_TRUE(server.ok()) << server.status();
  AdminClient client(absl::StrCat("127.0.0.1:", server->port), nullptr, absl::Seconds(30));
  auto rollup = client.Rollup("returned_students_by_region", "");
  ASSERT_TRUE(rollup.ok()) << rollup.status();
  EXPECT_EQ(rollup->cells_size(), 120000);
  EXPECT_GT(rollup->ByteSizeLong(), size_t{4 << 20});
  server->server->Shutdown();
}

TEST(OperatorAnswerSizeTest, FedctlReadsARollupAnswerLargerThanGrpcsDefaultLimit) {
  BigRollupNode node(120000);
  auto server = StartServer("127.0.0.1:0", grpc::InsecureServerCredentials(), {&node});
  ASSERT_TRUE(server.ok()) << server.status();
  fedctl::CommandLine command_line;
  command_line.target = absl::StrCat("127.0.0.1:", server->port);
  auto stub = v1::AdminService::NewStub(fedctl::CreateChannel(command_line));
  grpc::ClientContext context;
  fedctl::SetDeadline(&context, absl::Seconds(30));
  v1::GetRollupRequest request;
  request.set_metric("returned_students_by_region");
  v1::GetRollupResponse response;
  grpc::Status status = stub->GetRollup(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.cells_size(), 120000);
  server->server->Shutdown();
}

}  // namespace
}  // namespace fedsync
