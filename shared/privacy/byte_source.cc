#include "shared/privacy/byte_source.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace fedsync {
namespace privacy {

absl::Status SecureByteSource::Fill(absl::Span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    // RAND_bytes takes an int length.
    const int chunk = static_cast<int>(std::min<size_t>(out.size() - done, INT_MAX));
    if (RAND_bytes(out.data() + done, chunk) != 1) {
      return absl::UnavailableError("OpenSSL RAND_bytes failed (generator not seeded?)");
    }
    done += static_cast<size_t>(chunk);
  }
  return absl::OkStatus();
}

absl::Status FixedByteSource::Fill(absl::Span<uint8_t> out) {
  if (bytes_.size() - position_ < out.size()) {
    return absl::OutOfRangeError(absl::StrCat("fixed byte stream exhausted after ", position_,
                                              " bytes; ", out.size(), " more wanted"));
  }
  std::memcpy(out.data(), bytes_.data() + position_, out.size());
  position_ += out.size();
  return absl::OkStatus();
}

absl::Status SeededByteSource::Fill(absl::Span<uint8_t> out) {
  for (uint8_t& byte : out) {
    if (block_used_ == sizeof(block_)) {
      std::string input = seed_;
      for (int shift = 56; shift >= 0; shift -= 8) {
        input.push_back(static_cast<char>((counter_ >> shift) & 0xff));
      }
      ++counter_;
      unsigned int length = 0;
      if (EVP_Digest(input.data(), input.size(), block_, &length, EVP_sha256(), nullptr) != 1 ||
          length != sizeof(block_)) {
        return absl::InternalError("SHA-256 failed in the seeded byte stream");
      }
      block_used_ = 0;
    }
    byte = block_[block_used_++];
  }
  return absl::OkStatus();
}

}  // namespace privacy
}  // namespace fedsync
