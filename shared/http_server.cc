#include "shared/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "shared/logging.h"
#include "shared/token_bucket.h"

namespace fedsync {
namespace {

// What libmicrohttpd remembers between the calls for one request.
struct RequestState {
  bool seen_headers = false;
};

// A request that must not be read further: its method or a body. Answered on the first
// call, before any body is read, on a connection that then closes (the unread body
// would otherwise be taken for the next request).
std::optional<HttpResponse> RefuseEarly(MHD_Connection* connection, const char* method) {
  if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
      std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
    return HttpResponse::Text(405, "only GET and HEAD\n");
  }
  const char* length =
      MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  const char* encoding =
      MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
  const bool has_body = encoding != nullptr || (length != nullptr && std::strcmp(length, "0") != 0);
  if (has_body) return HttpResponse::Text(413, "a GET or HEAD carries no body\n");
  return std::nullopt;
}

MHD_Result Respond(MHD_Connection* connection, const HttpResponse& response, bool head,
                   bool close = false) {
  MHD_Response* out = MHD_create_response_from_buffer(
      head ? 0 : response.body.size(), const_cast<char*>(response.body.data()),
      MHD_RESPMEM_MUST_COPY);
  if (out == nullptr) return MHD_NO;
  MHD_add_response_header(out, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
  MHD_add_response_header(out, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(out, "X-Content-Type-Options", "nosniff");
  if (close) MHD_add_response_header(out, MHD_HTTP_HEADER_CONNECTION, "close");
  // Every asset is embedded; nothing on the page may load from elsewhere.
  MHD_add_response_header(out, "Content-Security-Policy",
                          "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                          "script-src 'self' 'unsafe-inline'; img-src 'self' data:");
  MHD_Result result = MHD_queue_response(connection, static_cast<unsigned>(response.status), out);
  MHD_destroy_response(out);
  return result;
}

MHD_Result CollectQuery(void* map, MHD_ValueKind, const char* key, const char* value) {
  if (key != nullptr) {
    (*static_cast<std::map<std::string, std::string>*>(map))[key] = value ? value : "";
  }
  return MHD_YES;
}

// libmicrohttpd logs once per refused or failed connection, which a client can cause
// at will: at most kLogBurst lines, then one a minute, each saying how many were
// dropped since the last.
constexpr double kLogBurst = 10;
constexpr double kLogsPerSecond = 1.0 / 60;
absl::Mutex library_log_mu(absl::kConstInit);
TokenBucket* library_log_bucket ABSL_GUARDED_BY(library_log_mu) = nullptr;
int64_t library_log_dropped ABSL_GUARDED_BY(library_log_mu) = 0;

void LogFromLibrary(void*, const char* format, va_list args) {
  int64_t dropped_before = 0;
  {
    absl::MutexLock lock(&library_log_mu);
    const absl::Time now = absl::Now();
    if (library_log_bucket == nullptr) {
      library_log_bucket = new TokenBucket(kLogsPerSecond, kLogBurst, now);
    }
    if (!library_log_bucket->TryTake(1, now)) {
      ++library_log_dropped;
      return;
    }
    dropped_before = library_log_dropped;
    library_log_dropped = 0;
  }
  char message[512];
  std::vsnprintf(message, sizeof(message), format, args);
  std::string text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  LogWarning("http.server_error", {{"error", text}, {"dropped_before", dropped_before}});
}

struct ParsedAddress {
  std::string host;
  int port = 0;
  bool ipv6 = false;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
};

absl::StatusOr<ParsedAddress> ParseListenAddress(const std::string& listen) {
  ParsedAddress address;
  absl::string_view text(listen);
  absl::string_view port;
  if (absl::StartsWith(text, "[")) {
    size_t end = text.find("]:");
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--http: '", listen, "' is not HOST:PORT (e.g. 127.0.0.1:9100)"));
    }
    address.host = std::string(text.substr(1, end - 1));
    port = text.substr(end + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--http: '", listen, "' is not HOST:PORT (e.g. 127.0.0.1:9100)"));
    }
    address.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (!absl::SimpleAtoi(port, &address.port) || address.port < 0 || address.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http: '", listen, "' has no valid port (0-65535)"));
  }
  const bool loopback = address.host == "localhost" || address.host == "::1" ||
                        absl::StartsWith(address.host, "127.");
  if (!loopback) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--http is allowed only on loopback addresses (127.0.0.1, ::1, localhost) until "
        "nodes have TLS; refusing to serve HTTP on ",
        listen));
  }
  if (address.host == "::1") {
    address.ipv6 = true;
    address.v6.sin6_family = AF_INET6;
    address.v6.sin6_port = htons(static_cast<uint16_t>(address.port));
    address.v6.sin6_addr = in6addr_loopback;
    return address;
  }
  const std::string ipv4 = address.host == "localhost" ? "127.0.0.1" : address.host;
  address.v4.sin_family = AF_INET;
  address.v4.sin_port = htons(static_cast<uint16_t>(address.port));
  if (::inet_pton(AF_INET, ipv4.c_str(), &address.v4.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http: '", address.host, "' is not an IPv4 address"));
  }
  return address;
}

}  // namespace

std::string HttpRequest::Param(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::Json(std::string body) {
  HttpResponse response;
  response.content_type = "application/json; charset=utf-8";
  response.body = std::move(body);
  return response;
}

// libmicrohttpd calls this at least twice per request: once with the headers, then
// for the body (none for GET), then once more to ask for the response.
static MHD_Result HandleConnection(void* self, MHD_Connection* connection, const char* url,
                                   const char* method, const char*, const char*,
                                   size_t* upload_data_size, void** request_state) {
  if (*request_state == nullptr) {
    *request_state = new RequestState{true};
    if (std::optional<HttpResponse> refused = RefuseEarly(connection, method)) {
      return Respond(connection, *refused, /*head=*/false, /*close=*/true);
    }
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    // Unreachable (RefuseEarly answered a request with a body); never read one.
    return MHD_NO;
  }
  const bool head = std::strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
  HttpRequest request;
  request.path = url;
  MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQuery, &request.query);
  return Respond(connection, static_cast<const HttpServer*>(self)->Dispatch(request), head);
}

static void RequestDone(void*, MHD_Connection*, void** request_state,
                        MHD_RequestTerminationCode) {
  delete static_cast<RequestState*>(*request_state);
  *request_state = nullptr;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& listen, std::map<std::string, HttpHandler> routes) {
  absl::StatusOr<ParsedAddress> address = ParseListenAddress(listen);
  if (!address.ok()) return address.status();
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(routes)));
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
  if (address->ipv6) flags |= MHD_USE_IPv6;
  const sockaddr* bind_address =
      address->ipv6 ? reinterpret_cast<const sockaddr*>(&address->v6)
                    : reinterpret_cast<const sockaddr*>(&address->v4);
  // Two threads: a slow scrape does not hold up the dashboard. See the header for the
  // connection limits.
  // The logger is the first option, so that libmicrohttpd prints nothing of its own.
  server->daemon_ = MHD_start_daemon(
      flags, static_cast<uint16_t>(address->port), nullptr, nullptr, &HandleConnection,
      server.get(),                                          //
      MHD_OPTION_EXTERNAL_LOGGER, &LogFromLibrary, nullptr,  //
      MHD_OPTION_SOCK_ADDR, bind_address,                    //
      MHD_OPTION_THREAD_POOL_SIZE, 2u,                       //
      MHD_OPTION_CONNECTION_TIMEOUT,
      static_cast<unsigned>(absl::ToInt64Seconds(kHttpIdleTimeout)),  //
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(kHttpMaxConnections),
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<unsigned>(kHttpMaxConnectionsPerAddress),
      MHD_OPTION_NOTIFY_COMPLETED, &RequestDone, nullptr,  //
      MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve HTTP on ", listen,
                                               " (address in use or not available)"));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info != nullptr ? info->port : address->port;
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (daemon_ != nullptr) {
    MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
  }
}

int HttpServer::OpenConnections() const {
  if (daemon_ == nullptr) return 0;
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
  return info == nullptr ? 0 : static_cast<int>(info->num_connections);
}

HttpResponse HttpServer::Dispatch(const HttpRequest& request) const {
  auto route = routes_.find(request.path);
  if (route == routes_.end()) {
    return HttpResponse::Text(404, absl::StrCat("no page at ", request.path.substr(0, 200), "\n"));
  }
  return route->second(request);
}

absl::Status CheckHttpAddress(const std::string& listen) {
  return ParseListenAddress(listen).status();
}

void AnnounceHttp(absl::string_view listen, int port) {
  absl::string_view host = listen.substr(0, listen.rfind(':'));
  std::printf("http on %s:%d\n", std::string(host).c_str(), port);
  std::fflush(stdout);
}

}  // namespace fedsync
