#include "shared/operator_tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "shared/dev_pki.h"

namespace fedsync {
namespace {

constexpr char kTokenPrefix[] = "fst_";
constexpr char kHashScheme[] = "sha256";
constexpr int kTokenBytes = 32;
constexpr int kSaltBytes = 16;

absl::StatusOr<std::string> RandomBytes(int count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), count) != 1) {
    return absl::InternalError("no randomness for an operator token");
  }
  return bytes;
}

// SHA-256 of `salt` then `token`, raw.
std::string Digest(absl::string_view salt, absl::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok = context != nullptr && EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(context, salt.data(), salt.size()) == 1 &&
            EVP_DigestUpdate(context, token.data(), token.size()) == 1 &&
            EVP_DigestFinal_ex(context, digest, &length) == 1;
  EVP_MD_CTX_free(context);
  if (!ok) return "";
  return std::string(reinterpret_cast<const char*>(digest), length);
}

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !text.empty() && text.size() % 2 == 0;
}

// The salt and digest of a stored hash, raw; nothing when it is malformed.
std::optional<std::pair<std::string, std::string>> ParseHash(absl::string_view stored) {
  std::vector<absl::string_view> parts = absl::StrSplit(stored, '$');
  if (parts.size() != 3 || parts[0] != kHashScheme || !IsLowerHex(parts[1]) ||
      parts[2].size() != 64 || !IsLowerHex(parts[2])) {
    return std::nullopt;
  }
  return std::make_pair(absl::HexStringToBytes(parts[1]), absl::HexStringToBytes(parts[2]));
}

}  // namespace

absl::StatusOr<std::string> NewOperatorToken() {
  absl::StatusOr<std::string> bytes = RandomBytes(kTokenBytes);
  if (!bytes.ok()) return bytes.status();
  return absl::StrCat(kTokenPrefix, absl::BytesToHexString(*bytes));
}

absl::StatusOr<std::string> HashOperatorToken(absl::string_view token) {
  absl::StatusOr<std::string> salt = RandomBytes(kSaltBytes);
  if (!salt.ok()) return salt.status();
  const std::string digest = Digest(*salt, token);
  if (digest.empty()) return absl::InternalError("SHA-256 failed");
  return absl::StrCat(kHashScheme, "$", absl::BytesToHexString(*salt), "$",
                      absl::BytesToHexString(digest));
}

bool OperatorTokenMatches(absl::string_view stored, absl::string_view token) {
  std::optional<std::pair<std::string, std::string>> parsed = ParseHash(stored);
  if (!parsed.has_value()) return false;
  const std::string digest = Digest(parsed->first, token);
  return digest.size() == parsed->second.size() &&
         CRYPTO_memcmp(digest.data(), parsed->second.data(), digest.size()) == 0;
}

absl::StatusOr<OperatorTokens> OperatorTokens::FromConfig(
    const google::protobuf::RepeatedPtrField<v1::OperatorToken>& entries) {
  OperatorTokens tokens;
  std::set<std::string> names;
  for (int i = 0; i < entries.size(); ++i) {
    const v1::OperatorToken& entry = entries[i];
    const std::string where = absl::StrCat("operator_tokens[", i, "]");
    if (absl::Status name = CheckSubjectName(entry.name()); !name.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".name: ", name.message()));
    }
    std::optional<OperatorRole> role = ParseOperatorRole(entry.role());
    if (!role.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".role: viewer, operator or admin, not '", entry.role(), "'"));
    }
    if (!ParseHash(entry.hash()).has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".hash: not sha256$SALT$DIGEST (copy it from fedctl tokens create)"));
    }
    if (!names.insert(entry.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".name: '", entry.name(), "' has a token already"));
    }
    tokens.entries_.push_back({entry.name(), *role, entry.hash()});
  }
  return tokens;
}

std::optional<OperatorCaller> OperatorTokens::Find(absl::string_view token) const {
  std::optional<OperatorCaller> found;
  for (const Entry& entry : entries_) {
    if (OperatorTokenMatches(entry.hash, token) && !found.has_value()) {
      found = OperatorCaller{absl::StrCat(entry.name, "@token"), entry.role};
    }
  }
  return found;
}

}  // namespace fedsync
