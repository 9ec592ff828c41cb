// Mutual TLS for every gRPC link: the files of a --tls-dir (ca.pem, cert.pem, key.pem,
// as `fedctl certs init` writes them, shared/dev_pki.h), the server and channel
// credentials made from them, and the identities a verified peer's certificate names.
//
// A server built here requires a client certificate from the same CA and verifies it;
// a channel presents its own certificate and verifies the server's against the CA and
// the name it dials (or the id given with SetServerName). Thread-safe (no state).
#ifndef FEDSYNC_SHARED_TLS_CREDENTIALS_H_
#define FEDSYNC_SHARED_TLS_CREDENTIALS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace fedsync {

struct TlsFiles {
  std::string ca_pem;    // the CA that peers' certificates must chain to
  std::string cert_pem;  // this side's certificate
  std::string key_pem;   // its private key
};

// Reads DIR/ca.pem, DIR/cert.pem and DIR/key.pem. kFailedPrecondition naming the file
// when one is missing or empty, or when key.pem is readable by group or others.
absl::StatusOr<TlsFiles> LoadTlsDir(const std::string& dir);

// `client_certificate_optional`: a client may connect without a certificate (an
// operator with a bearer token); one it presents is still verified. Nodes and
// operators without a token still need theirs: ChildAdmission and OperatorAuth refuse
// a caller who has neither.
std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(
    const TlsFiles& files, bool client_certificate_optional = false);
// TLS that verifies the server against `ca_pem` and presents no client certificate:
// for an operator who authenticates with a bearer token.
std::shared_ptr<grpc::ChannelCredentials> ServerOnlyTlsChannelCredentials(
    const std::string& ca_pem);
std::shared_ptr<grpc::ChannelCredentials> MutualTlsChannelCredentials(const TlsFiles& files);

// Makes a TLS channel check that the server's certificate names `server_id` rather than
// the host it dials (127.0.0.1 names no one). Nothing when `server_id` is empty.
void SetServerName(const std::string& server_id, grpc::ChannelArguments* args);

// The ids a verified peer's certificate names: its DNS subject alternative names, or its
// common name when it has none. Empty for a plaintext or unauthenticated peer.
std::vector<std::string> CertifiedPeerIds(const grpc::AuthContext& context);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_TLS_CREDENTIALS_H_
