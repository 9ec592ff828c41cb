#include "shared/operator_auth.h"

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpc/grpc_security_constants.h"
#include "shared/logging.h"
#include "shared/operator_tokens.h"
#include "shared/status_macros.h"
#include "shared/tls_credentials.h"

namespace fedsync {
namespace {

struct MethodRole {
  const char* method;
  OperatorRole role;
};

// Every admin and registry RPC. Reads are open to viewers; what changes data or makes
// the tree work is for operators; what changes the tree's rules is for admins.
constexpr MethodRole kMethodRoles[] = {
    {"AdminService/GetStatus", OperatorRole::kViewer},
    {"AdminService/GetRollup", OperatorRole::kViewer},
    {"AdminService/ListMetrics", OperatorRole::kViewer},
    {"AdminService/ListTargets", OperatorRole::kViewer},
    {"AdminService/GetCatalog", OperatorRole::kViewer},
    {"AdminService/SyncNow", OperatorRole::kOperator},
    {"AdminService/SetTarget", OperatorRole::kAdmin},
    {"AdminService/PushCatalog", OperatorRole::kAdmin},
    {"RegistryService/GetRecord", OperatorRole::kViewer},
    {"RegistryService/ListRecords", OperatorRole::kViewer},
    {"RegistryService/GetHistory", OperatorRole::kViewer},
    {"RegistryService/Export", OperatorRole::kViewer},
    {"RegistryService/Import", OperatorRole::kOperator},
    {"RegistryService/CreateRecord", OperatorRole::kOperator},
    {"RegistryService/UpdateRecord", OperatorRole::kOperator},
    {"RegistryService/DeleteRecord", OperatorRole::kOperator},
    {"RegistryService/RestoreRecord", OperatorRole::kOperator},
};

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};

// The OU values of the subject of the PEM certificate `pem`; empty when it has none or
// cannot be parsed (gRPC has verified it already; a parse failure means no role).
std::vector<std::string> OrganizationalUnits(absl::string_view pem) {
  std::vector<std::string> units;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return units;
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return units;
  X509_NAME* subject = X509_get_subject_name(cert.get());
  for (int i = X509_NAME_get_index_by_NID(subject, NID_organizationalUnitName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_organizationalUnitName, i)) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) continue;
    units.emplace_back(reinterpret_cast<const char*>(utf8), length);
    OPENSSL_free(utf8);
  }
  return units;
}

// kPermissionDenied when `method` is a district's RegistryService and `caller` (a
// certificate's name, or a token's NAME@token) is not one of its `registry_operators`.
absl::Status CheckRegistryOperator(absl::string_view method, const std::string& caller,
                                   const std::set<std::string>* registry_operators) {
  if (registry_operators == nullptr || !absl::StartsWith(method, "RegistryService/") ||
      registry_operators->count(caller) > 0) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(method, ": '", caller,
                   "' is not one of this district's registry operators (registry_operators in "
                   "its config); its records are for its own operators only"));
}

}  // namespace

const char* OperatorRoleName(OperatorRole role) {
  switch (role) {
    case OperatorRole::kViewer:
      return "viewer";
    case OperatorRole::kOperator:
      return "operator";
    case OperatorRole::kAdmin:
      return "admin";
  }
  return "admin";
}

std::optional<OperatorRole> ParseOperatorRole(absl::string_view name) {
  for (OperatorRole role : {OperatorRole::kViewer, OperatorRole::kOperator, OperatorRole::kAdmin}) {
    if (name == OperatorRoleName(role)) return role;
  }
  return std::nullopt;
}

OperatorRole RequiredRole(absl::string_view method) {
  for (const MethodRole& entry : kMethodRoles) {
    if (method == entry.method) return entry.role;
  }
  return OperatorRole::kAdmin;
}

absl::StatusOr<OperatorCaller> AuthorizeOperator(bool require_certificate, const OperatorPeer& peer,
                                                 absl::string_view method,
                                                 const std::set<std::string>* registry_operators) {
  const OperatorRole needed = RequiredRole(method);
  if (!require_certificate) {
    // Plaintext development node on loopback: whoever can reach it is the admin.
    return OperatorCaller{peer.claimed_name.empty() ? "local" : peer.claimed_name,
                          OperatorRole::kAdmin};
  }
  if (peer.token_presented) {
    if (!peer.token_holder.has_value()) {
      return absl::UnauthenticatedError(
          absl::StrCat(method, ": the bearer token is not one this node knows"));
    }
    if (peer.token_holder->role < needed) {
      return absl::PermissionDeniedError(absl::StrCat(
          method, " needs role ", OperatorRoleName(needed), "; '", peer.token_holder->name, "' is ",
          OperatorRoleName(peer.token_holder->role)));
    }
    // A token's entry is copied to every node its holder may call (a city's viewer
    // reads a district's status with it), so holding one is no more a sign of being the
    // district's own than holding a certificate from the tree's CA.
    RETURN_IF_ERROR(CheckRegistryOperator(method, peer.token_holder->name, registry_operators));
    return *peer.token_holder;
  }
  if (!peer.certified || peer.certified_name.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat(method, " needs a client certificate with an operator role"));
  }
  std::optional<OperatorRole> role;
  for (const std::string& unit : peer.certified_units) {
    std::optional<OperatorRole> named = ParseOperatorRole(unit);
    if (named.has_value() && (!role.has_value() || *named < *role)) role = named;
  }
  if (!role.has_value()) {
    return absl::PermissionDeniedError(absl::StrCat(
        method, " needs role ", OperatorRoleName(needed), "; the certificate of '",
        peer.certified_name, "' carries no operator role (OU viewer, operator or admin)"));
  }
  if (*role < needed) {
    return absl::PermissionDeniedError(
        absl::StrCat(method, " needs role ", OperatorRoleName(needed), "; '", peer.certified_name,
                     "' is ", OperatorRoleName(*role)));
  }
  RETURN_IF_ERROR(CheckRegistryOperator(method, peer.certified_name, registry_operators));
  return OperatorCaller{peer.certified_name, *role};
}

bool HasOperatorRole(const grpc::AuthContext& context) {
  if (!context.IsPeerAuthenticated()) return false;
  for (const grpc::string_ref& pem : context.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)) {
    for (const std::string& unit : OrganizationalUnits(absl::string_view(pem.data(), pem.size()))) {
      if (ParseOperatorRole(unit).has_value()) return true;
    }
  }
  return false;
}

absl::StatusOr<OperatorCaller> OperatorAuth::Authorize(const grpc::ServerContext& context,
                                                       absl::string_view method) const {
  OperatorPeer peer;
  const auto& metadata = context.client_metadata();
  auto claimed = metadata.find(kOperatorMetadataKey);
  if (claimed != metadata.end()) {
    peer.claimed_name.assign(claimed->second.data(), claimed->second.size());
  }
  auto authorization = metadata.find(kAuthorizationMetadataKey);
  if (authorization != metadata.end()) {
    const absl::string_view value(authorization->second.data(), authorization->second.size());
    peer.token_presented = true;
    if (tokens_ != nullptr && absl::StartsWith(value, "Bearer ")) {
      peer.token_holder = tokens_->Find(value.substr(7));
    }
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    std::vector<std::string> ids = CertifiedPeerIds(*auth);
    peer.certified = !ids.empty();
    if (!ids.empty()) peer.certified_name = ids.front();
    for (const grpc::string_ref& pem : auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)) {
      std::vector<std::string> units =
          OrganizationalUnits(absl::string_view(pem.data(), pem.size()));
      peer.certified_units.insert(peer.certified_units.end(), units.begin(), units.end());
    }
  }
  absl::StatusOr<OperatorCaller> caller =
      AuthorizeOperator(require_certificate_, peer, method,
                        registry_operators_.has_value() ? &*registry_operators_ : nullptr);
  const char* via = peer.token_presented ? "token" : peer.certified ? "certificate" : "plaintext";
  if (caller.ok() && RequiredRole(method) > OperatorRole::kViewer) {
    LogInfo("operator.action", {{"method", method},
                                {"caller", caller->name},
                                {"role", OperatorRoleName(caller->role)},
                                {"via", via},
                                {"peer", context.peer()}});
  }
  if (!caller.ok()) {
    LogWarning(
        "operator.denied",
        {{"method", method},
         {"caller", peer.token_holder.has_value() ? peer.token_holder->name : peer.certified_name},
         {"via", via},
         {"roles", absl::StrJoin(peer.certified_units, ",")},
         {"peer", context.peer()}});
  }
  return caller;
}

}  // namespace fedsync
