// A minimal HTTP/1.0 GET for integration tests (a node's /metrics and dashboard JSON on
// loopback), with a deadline on connecting and reading. Not a general client: no TLS,
// no redirects, no chunked encoding (HTTP/1.0 responses are never chunked).
#ifndef FEDSYNC_TESTS_INTEGRATION_HTTP_GET_H_
#define FEDSYNC_TESTS_INTEGRATION_HTTP_GET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fedsync::testing {

struct HttpResult {
  int status = 0;
  std::string content_type;
  std::string body;
};

// GETs http://`address``path` (address "127.0.0.1:PORT"). kUnavailable when the
// connection fails, kDeadlineExceeded after `timeout`.
absl::StatusOr<HttpResult> HttpGet(const std::string& address, const std::string& path,
                                   absl::Duration timeout = absl::Seconds(10));

}  // namespace fedsync::testing

#endif  // FEDSYNC_TESTS_INTEGRATION_HTTP_GET_H_
