#include "shared/http_server.h"

#include "gtest/gtest.h"

namespace fedsync {
namespace {

TEST(HttpServerTest, AddressesOffLoopbackOrMalformedAreRefused) {
  struct Case {
    std::string listen;
    absl::StatusCode code;
  };
  for (const Case& test : std::vector<Case>{
           {"127.0.0.1:0", absl::StatusCode::kOk},
           {"localhost:9100", absl::StatusCode::kOk},
           {"[::1]:9100", absl::StatusCode::kOk},
           {"0.0.0.0:9100", absl::StatusCode::kFailedPrecondition},
           {"192.168.1.5:9100", absl::StatusCode::kFailedPrecondition},
           {"127.0.0.1", absl::StatusCode::kInvalidArgument},
           {"127.0.0.1:99999", absl::StatusCode::kInvalidArgument},
           {"127.0.0.1:http", absl::StatusCode::kInvalidArgument},
       }) {
    EXPECT_EQ(CheckHttpAddress(test.listen).code(), test.code) << test.listen;
  }
}

TEST(HttpServerTest, DispatchesByExactPathAndAnswers404Otherwise) {
  auto server = HttpServer::Start(
      "127.0.0.1:0", {{"/metrics", [](const HttpRequest& request) {
                         return HttpResponse::Text(200, "m=" + request.Param("m"));
                       }}});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
  HttpRequest request;
  request.path = "/metrics";
  request.query["m"] = "x";
  EXPECT_EQ((*server)->Dispatch(request).body, "m=x");
  request.path = "/metrics/";
  EXPECT_EQ((*server)->Dispatch(request).status, 404);
  (*server)->Stop();
  (*server)->Stop();  // twice is harmless
}

TEST(HttpServerTest, APortInUseIsUnavailable) {
  auto first = HttpServer::Start("127.0.0.1:0", {});
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = HttpServer::Start("127.0.0.1:" + std::to_string((*first)->port()), {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fedsync
