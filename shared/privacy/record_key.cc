#include "shared/privacy/record_key.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace fedsync {
namespace privacy {

absl::StatusOr<RecordKeyer> RecordKeyer::Create(absl::string_view node_secret) {
  if (node_secret.size() < kMinSecretBytes) {
    // The secret's length only, never its bytes, goes into the message.
    return absl::InvalidArgumentError(absl::StrCat("cell-key node secret has ", node_secret.size(),
                                                   " bytes; at least ", kMinSecretBytes,
                                                   " are required"));
  }
  return RecordKeyer(std::string(node_secret));
}

RecordKey RecordKeyer::KeyOf(absl::string_view entity_key) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  // One-shot HMAC cannot fail for SHA-256 with in-memory inputs short of an allocation
  // failure inside OpenSSL; a zero-length digest is the only way it reports that.
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(entity_key.data()), entity_key.size(), digest,
       &digest_length);
  if (digest_length < 4) abort();  // Out of memory in OpenSSL: nothing sane to return.
  return (RecordKey{digest[0]} << 24) | (RecordKey{digest[1]} << 16) | (RecordKey{digest[2]} << 8) |
         RecordKey{digest[3]};
}

PerturbationKey CombineRecordKeys(absl::Span<const RecordKey> record_keys) {
  PerturbationKey sum = 0;
  // Unsigned 32-bit addition wraps: exactly the sum mod 2^kKeyBits.
  for (RecordKey key : record_keys) sum += key;
  return sum;
}

}  // namespace privacy
}  // namespace fedsync
