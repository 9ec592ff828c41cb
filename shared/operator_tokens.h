// Operator bearer tokens (DESIGN.md, guarantee 5): an operator may authenticate with
// "authorization: Bearer TOKEN" call metadata instead of a client certificate. A token
// is 32 random bytes (64 hex digits after "fst_"); a node keeps only a salted SHA-256
// of it, with the operator's name and role (NodeConfig.operator_tokens), and compares in
// constant time. One unsalted-looking hash per token is enough because a token has
// 256 bits of entropy: nothing to guess, so no slow password hash is needed; the salt
// keeps two nodes' entries for the same token unlinkable.
//
// Plain C++ over OpenSSL; no gRPC. OperatorTokens is immutable after FromConfig, so
// thread-safe.
#ifndef FEDSYNC_SHARED_OPERATOR_TOKENS_H_
#define FEDSYNC_SHARED_OPERATOR_TOKENS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fedsync/v1/config.pb.h"
#include "google/protobuf/repeated_field.h"
#include "shared/operator_auth.h"

namespace fedsync {

// A new random token; kInternal when the system has no randomness.
absl::StatusOr<std::string> NewOperatorToken();

// "sha256$SALT$DIGEST" of `token` with a new random salt.
absl::StatusOr<std::string> HashOperatorToken(absl::string_view token);

// True when `token` hashes to `stored` (compared in constant time); false for a
// malformed `stored`.
bool OperatorTokenMatches(absl::string_view stored, absl::string_view token);

class OperatorTokens {
 public:
  OperatorTokens() = default;

  // kInvalidArgument naming the entry when a name, role or hash is malformed, or a
  // name is given twice.
  static absl::StatusOr<OperatorTokens> FromConfig(
      const google::protobuf::RepeatedPtrField<v1::OperatorToken>& entries);

  // The operator whose token `token` is; nothing when it is none of them. Every entry
  // is checked, so the time taken does not say which one matched.
  std::optional<OperatorCaller> Find(absl::string_view token) const;

  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string name;
    OperatorRole role;
    std::string hash;
  };
  std::vector<Entry> entries_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_OPERATOR_TOKENS_H_
