#include "shared/tls_credentials.h"

#include "absl/strings/str_cat.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/server_credentials.h"
#include "shared/files.h"

namespace fedsync {
namespace {

// A PEM file of the --tls-dir, which must be there and not empty; `private_key`: a file
// only its owner may read.
absl::StatusOr<std::string> ReadPem(const std::string& path, bool private_key = false) {
  absl::StatusOr<std::string> text = private_key ? ReadPrivateFile(path) : ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == absl::StatusCode::kFailedPrecondition) return text.status();
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", path, " (--tls-dir must hold ca.pem, cert.pem, key.pem)"));
  }
  if (text->empty()) return absl::FailedPreconditionError(absl::StrCat(path, " is empty"));
  return text;
}

}  // namespace

absl::StatusOr<TlsFiles> LoadTlsDir(const std::string& dir) {
  TlsFiles files;
  const std::string key_path = absl::StrCat(dir, "/key.pem");
  auto ca = ReadPem(absl::StrCat(dir, "/ca.pem"));
  if (!ca.ok()) return ca.status();
  auto cert = ReadPem(absl::StrCat(dir, "/cert.pem"));
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(key_path, /*private_key=*/true);
  if (!key.ok()) return key.status();
  files.ca_pem = std::move(*ca);
  files.cert_pem = std::move(*cert);
  files.key_pem = std::move(*key);
  return files;
}

std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(
    const TlsFiles& files, bool client_certificate_optional) {
  grpc::SslServerCredentialsOptions options(
      client_certificate_optional ? GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY
                                  : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = files.ca_pem;
  options.pem_key_cert_pairs.push_back({files.key_pem, files.cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> MutualTlsChannelCredentials(const TlsFiles& files) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = files.ca_pem;
  options.pem_private_key = files.key_pem;
  options.pem_cert_chain = files.cert_pem;
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ServerOnlyTlsChannelCredentials(
    const std::string& ca_pem) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_pem;
  return grpc::SslCredentials(options);
}

void SetServerName(const std::string& server_id, grpc::ChannelArguments* args) {
  if (!server_id.empty()) args->SetSslTargetNameOverride(server_id);
}

std::vector<std::string> CertifiedPeerIds(const grpc::AuthContext& context) {
  std::vector<std::string> ids;
  if (!context.IsPeerAuthenticated()) return ids;
  for (const grpc::string_ref& name : context.FindPropertyValues(GRPC_X509_SAN_PROPERTY_NAME)) {
    ids.emplace_back(name.data(), name.size());
  }
  if (ids.empty()) {
    for (const grpc::string_ref& name : context.FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
      ids.emplace_back(name.data(), name.size());
    }
  }
  return ids;
}

}  // namespace fedsync
