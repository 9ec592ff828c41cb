// Mutual TLS for integration tests: one development CA per test process (ctest runs
// each test case as a process of its own), made on first use in a temporary directory
// with shared/dev_pki.h, and one certificate per node id or operator, issued once on
// first use and reused by every start of that node. Clients made here present the
// certificate of an operator (kAdminOperator unless told) and check that the server's
// certificate names the node id they expect, as fedctl does with --server-id.
// Thread-safe. Failures to issue a certificate fail the calling test (gtest) and yield
// a directory that holds no certificate, so the node or call using it fails closed.
#ifndef FEDSYNC_TESTS_INTEGRATION_TEST_PKI_H_
#define FEDSYNC_TESTS_INTEGRATION_TEST_PKI_H_

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "shared/admin_client.h"

namespace fedsync::testing {

// The operator tests act as by default: role admin, so every admin, registry and
// catalog call is allowed.
inline constexpr char kAdminOperator[] = "admin";

// The --tls-dir of node `id`.
std::string NodeTlsDir(const std::string& id);
// The --tls-dir of operator `name` with `role` (viewer, operator or admin); asking for
// a name again with another role fails the test.
std::string OperatorTlsDir(const std::string& name = kAdminOperator,
                           const std::string& role = "admin");

// Channel credentials presenting the certificate in `tls_dir`.
std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(const std::string& tls_dir);

// A mutual TLS channel to `address`, whose certificate must name `server_id`,
// presenting the certificate in `client_tls_dir` (the admin operator's by default).
std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const std::string& server_id,
                                          const std::string& client_tls_dir = OperatorTlsDir());

// An admin client of node `server_id` at `address`, as the admin operator.
AdminClient Admin(const std::string& address, const std::string& server_id,
                  absl::Duration timeout = absl::Seconds(10));

// The flags that make fedctl call node `server_id` at `address` as `operator_dir`:
// --target, --tls-dir and --server-id.
std::vector<std::string> FedctlTarget(const std::string& address, const std::string& server_id,
                                      const std::string& operator_dir = OperatorTlsDir());

}  // namespace fedsync::testing

#endif  // FEDSYNC_TESTS_INTEGRATION_TEST_PKI_H_
