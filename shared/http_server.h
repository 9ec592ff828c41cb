// The node's HTTP listener (--http): GET routes by exact path, served by GNU
// libmicrohttpd on two threads of its own. It carries /metrics and, on aggregating
// nodes, the dashboard and its JSON. Until nodes have TLS it listens on loopback only:
// any other address is refused with kFailedPrecondition saying why.
//
// Handlers run on the server's threads, may block briefly (a database read) and must be
// thread-safe. Stop() (or destruction) waits for running handlers, so whatever a
// handler uses must outlive Stop(). Requests other than GET and HEAD get 405, and a
// request with a body 413, as soon as their headers are in, with no byte of the body
// read, on a connection that then closes; unknown paths 404. Responses are never
// cached (the data is live).
//
// Connections: at most kHttpMaxConnectionsPerAddress from one client address (more
// are closed at once), and a connection that sends nothing for kHttpIdleTimeout is
// closed. Since the listener is on loopback, every client shares one address: the
// per-address limit is in effect the limit, sized for a browser on the dashboard (up
// to six connections) plus a scraper. libmicrohttpd's own error lines are rate-limited.
#ifndef FEDSYNC_SHARED_HTTP_SERVER_H_
#define FEDSYNC_SHARED_HTTP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct MHD_Daemon;

namespace fedsync {

inline constexpr int kHttpMaxConnections = 64;
inline constexpr int kHttpMaxConnectionsPerAddress = 8;
inline constexpr absl::Duration kHttpIdleTimeout = absl::Seconds(10);

struct HttpRequest {
  std::string path;                          // without the query string
  std::map<std::string, std::string> query;  // URL-decoded
  // The query parameter `name`; empty when absent.
  std::string Param(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(std::string body);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Serves `routes` (exact paths such as "/metrics") on `listen` (HOST:PORT, port 0
  // picks a free one). kInvalidArgument for a malformed address, kFailedPrecondition
  // for one that is not loopback, kUnavailable when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& listen, std::map<std::string, HttpHandler> routes);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // Connections accepted and not yet closed (0 once stopped).
  int OpenConnections() const;
  // Closes the listener and every connection; returns when no handler runs.
  void Stop();

  // The response to a GET of `request`: the route's, or 404 (used by the listener
  // threads, and by tests without a socket).
  HttpResponse Dispatch(const HttpRequest& request) const;

 private:
  explicit HttpServer(std::map<std::string, HttpHandler> routes) : routes_(std::move(routes)) {}

  const std::map<std::string, HttpHandler> routes_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

// What Start() would say of `listen` without binding it: OK, kInvalidArgument or
// kFailedPrecondition. Lets a node refuse a bad --http before it opens its database.
absl::Status CheckHttpAddress(const std::string& listen);

// Prints "http on HOST:PORT" on stdout, flushed at once (after "listening on ...").
void AnnounceHttp(absl::string_view listen, int port);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_HTTP_SERVER_H_
