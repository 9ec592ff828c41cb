// Operator roles (DESIGN.md, guarantee 5): who may call which admin and registry RPC.
//
// Roles are ordered viewer < operator < admin; each method needs one of them (viewer:
// reads; operator: sync commands and registry writes; admin: targets and the catalog,
// and any method not listed, so certificate management, should an RPC for it come, is
// admin's until listed otherwise). Over TLS the caller is either a bearer token
// ("authorization: Bearer TOKEN", shared/operator_tokens.h; named NAME@token, with the
// role stored beside the token's hash), which wins when given, or its client
// certificate: its name (SAN, else CN) and its role (the subject's OU, as `fedctl certs
// init` writes it). A certificate with no role, such as a node's, may call nothing
// here. A plaintext node (--insecure, loopback only, for development) treats every
// caller as admin, named by the "x-fedsync-operator" call metadata or "local".
//
// A district's registries hold personal data, so over TLS its RegistryService answers a
// caller only when its name is one of the district's own registry operators
// (NodeConfig.registry_operators): an operator of its city or province holds a
// certificate from the same CA, and may read the district's status and rollups but
// not its records. A bearer token is held to the same list, under its NAME@token: its
// entry is copied to the config of every node its holder may call, so being in the
// district's config says no more than a certificate from the tree's CA does.
//
// Every call an operator (or admin) role needs is logged when allowed, as
// operator.action with the method and the caller; a refusal as operator.denied.
//
// The decision itself (AuthorizeOperator) is plain C++; OperatorAuth adapts it to a
// grpc::ServerContext. Immutable, so thread-safe.
#ifndef FEDSYNC_SHARED_OPERATOR_AUTH_H_
#define FEDSYNC_SHARED_OPERATOR_AUTH_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "shared/grpc_status.h"

namespace fedsync {

// The call metadata naming the operator on a plaintext node.
inline constexpr char kOperatorMetadataKey[] = "x-fedsync-operator";

enum class OperatorRole { kViewer = 0, kOperator = 1, kAdmin = 2 };

// "viewer", "operator" or "admin".
const char* OperatorRoleName(OperatorRole role);
// The role named `name` exactly; nothing for any other text.
std::optional<OperatorRole> ParseOperatorRole(absl::string_view name);

// The role `method` ("AdminService/SyncNow", "RegistryService/GetRecord", ...) needs.
// A method not in the table needs admin, so a new RPC is closed until it is listed.
OperatorRole RequiredRole(absl::string_view method);

struct OperatorCaller {
  std::string name;  // for the audit log and the logs
  OperatorRole role = OperatorRole::kViewer;
};

// What the transport says about the caller.
struct OperatorPeer {
  bool certified = false;                      // a verified client certificate was presented
  std::string certified_name;                  // its SAN (or CN); empty when not certified
  std::vector<std::string> certified_units;    // its subject's OU values
  std::string claimed_name;                    // "x-fedsync-operator" metadata; may be empty
  bool token_presented = false;                // the call carried a bearer token
  std::optional<OperatorCaller> token_holder;  // whose it is; nothing when unknown
};

// The caller, when it may call `method`. `require_certificate`: the node serves mutual
// TLS. kPermissionDenied naming the role `method` needs and the caller's role (or its
// lack of one); kUnauthenticated when a TLS node's caller presented no certificate, or a
// token this node does not know. Over TLS a certified caller's role is the weakest role
// among its OUs. `registry_operators` (a district's; null on a node without
// registries): the callers that may call RegistryService, certificates by name and
// tokens by NAME@token; any other caller is refused it with kPermissionDenied.
absl::StatusOr<OperatorCaller> AuthorizeOperator(
    bool require_certificate, const OperatorPeer& peer, absl::string_view method,
    const std::set<std::string>* registry_operators = nullptr);

// True when the peer's verified certificate carries an operator role (an OU that names
// one): an operator's certificate, which must never pass for a node's.
bool HasOperatorRole(const grpc::AuthContext& context);

class OperatorTokens;

// The call metadata carrying a bearer token ("Bearer TOKEN").
inline constexpr char kAuthorizationMetadataKey[] = "authorization";

class OperatorAuth {
 public:
  // `tokens` (may be null: none) must outlive this.
  explicit OperatorAuth(bool require_certificate, const OperatorTokens* tokens = nullptr)
      : require_certificate_(require_certificate), tokens_(tokens) {}
  // A district's: RegistryService only for the callers named in `registry_operators`
  // (a certificate's name, a token's NAME@token).
  OperatorAuth(bool require_certificate, const OperatorTokens* tokens,
               std::set<std::string> registry_operators)
      : require_certificate_(require_certificate),
        tokens_(tokens),
        registry_operators_(std::move(registry_operators)) {}

  // AuthorizeOperator for the call `context`; a refusal is logged as operator.denied.
  absl::StatusOr<OperatorCaller> Authorize(const grpc::ServerContext& context,
                                           absl::string_view method) const;

 private:
  const bool require_certificate_;
  const OperatorTokens* const tokens_;
  const std::optional<std::set<std::string>> registry_operators_;  // a district's
};

}  // namespace fedsync

// In a gRPC service method: returns the refusal (as a grpc::Status) when the caller of
// `context` may not call `method`.
#define RETURN_IF_DENIED(auth, context, method)                                          \
  do {                                                                                   \
    ::absl::StatusOr<::fedsync::OperatorCaller> fedsync_caller_ =                        \
        (auth)->Authorize(*(context), (method));                                         \
    if (!fedsync_caller_.ok()) return ::fedsync::ToGrpcStatus(fedsync_caller_.status()); \
  } while (false)

#endif  // FEDSYNC_SHARED_OPERATOR_AUTH_H_
