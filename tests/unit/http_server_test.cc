#include "shared/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace fedsync {
namespace {

// A raw connection to the server, so that a test can send half a request, or headers
// without their body. Each receive waits at most `wait`.
class RawConnection {
 public:
  RawConnection(int port, absl::Duration wait) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval timeout = absl::ToTimeval(wait);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }

  bool Send(const std::string& text) {
    return connected_ &&
           ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // Reads until the server closes the connection (true) or a receive times out (false).
  bool ReadUntilClosed(std::string* text) {
    char buffer[4096];
    while (true) {
      const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (got == 0 || (got < 0 && errno == ECONNRESET)) return true;
      if (got < 0) return false;
      text->append(buffer, static_cast<size_t>(got));
    }
  }

 private:
  const int fd_;
  bool connected_ = false;
};

std::unique_ptr<HttpServer> StartMetricsServer() {
  auto server = HttpServer::Start(
      "127.0.0.1:0",
      {{"/metrics", [](const HttpRequest&) { return HttpResponse::Text(200, "m\n"); }}});
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

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

// A request that is refused is answered as soon as its headers are in, and its body
// is never read: a client announcing a huge body gets its answer without sending it.
TEST(HttpServerTest, OtherMethodsAndBodiesAreRefusedBeforeTheBody) {
  std::unique_ptr<HttpServer> server = StartMetricsServer();
  ASSERT_NE(server, nullptr);
  struct Case {
    std::string request;
    std::string status_line;
  };
  for (const Case& test : std::vector<Case>{
           {"POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n",
            "HTTP/1.1 405"},
           {"PUT /metrics HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 405"},
           {"DELETE /metrics HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 405"},
           {"GET /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n",
            "HTTP/1.1 413"},
           {"GET /metrics HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 413"},
           {"GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "HTTP/1.1 200"},
           {"HEAD /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 200"},
       }) {
    RawConnection connection(server->port(), absl::Seconds(10));
    ASSERT_TRUE(connection.Send(test.request));
    std::string response;
    EXPECT_TRUE(connection.ReadUntilClosed(&response))
        << test.request << ": the connection stayed open";
    EXPECT_TRUE(absl::StartsWith(response, test.status_line)) << test.request << response;
  }
}

// Slow clients (half a request each, then nothing) hold at most the per-address share
// of the connections, and lose them after the idle timeout; then the server answers
// again.
TEST(HttpServerTest, SlowClientsHoldAtMostTheirShareUntilTheIdleTimeout) {
  std::unique_ptr<HttpServer> server = StartMetricsServer();
  ASSERT_NE(server, nullptr);
  const absl::Duration wait = kHttpIdleTimeout + absl::Seconds(10);
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < kHttpMaxConnectionsPerAddress; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server->port(), wait));
    ASSERT_TRUE(slow.back()->Send("GET /metrics HTTP/1.1\r\nX-Slow: "));
  }
  // The server's threads accept in parallel: wait until it holds all of them, or the
  // next connection could be taken before the last slow one.
  const absl::Time accepted_by = absl::Now() + absl::Seconds(5);
  while (server->OpenConnections() < kHttpMaxConnectionsPerAddress && absl::Now() < accepted_by) {
    absl::SleepFor(absl::Milliseconds(1));  // polling the server's count
  }
  ASSERT_EQ(server->OpenConnections(), kHttpMaxConnectionsPerAddress);
  {
    RawConnection one_more(server->port(), absl::Seconds(10));
    one_more.Send("GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    std::string response;
    EXPECT_TRUE(one_more.ReadUntilClosed(&response));
    EXPECT_EQ(response, "") << "a connection past the per-address limit was served";
  }
  const absl::Time start = absl::Now();
  for (auto& connection : slow) {
    std::string response;
    EXPECT_TRUE(connection->ReadUntilClosed(&response)) << "an idle connection stayed open";
  }
  EXPECT_LE(absl::Now() - start, wait);
  EXPECT_LE(kHttpIdleTimeout, absl::Seconds(10));
  // Slots free again: a request is answered (the server may take a moment to count
  // the closed connections out).
  std::string response;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline && !absl::StartsWith(response, "HTTP/1.1 200")) {
    response.clear();
    RawConnection again(server->port(), absl::Seconds(10));
    again.Send("GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    again.ReadUntilClosed(&response);
    if (!absl::StartsWith(response, "HTTP/1.1 200")) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 200")) << response;
}

}  // namespace
}  // namespace fedsync
