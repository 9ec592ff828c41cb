// Where the DP samplers get their randomness: a stream of bytes behind a small interface,
// so production draws from OpenSSL's CSPRNG and tests replay a fixed stream.
//
//   SecureByteSource  OpenSSL RAND_bytes; kUnavailable if the generator fails (retry).
//   FixedByteSource   exactly the given bytes, then kOutOfRange; for tests that pin a
//                     sampler's arithmetic byte by byte.
//   SeededByteSource  an endless deterministic stream, SHA-256(seed || counter) blocks;
//                     for statistical tests and benchmarks that must not be flaky. Never
//                     for publication: anyone with the seed replays the noise.
//
// A source is not thread-safe; give each thread its own.
#ifndef FEDSYNC_SHARED_PRIVACY_BYTE_SOURCE_H_
#define FEDSYNC_SHARED_PRIVACY_BYTE_SOURCE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace fedsync {
namespace privacy {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills all of `out` or fails, leaving `out` unspecified.
  virtual absl::Status Fill(absl::Span<uint8_t> out) = 0;
};

class SecureByteSource : public ByteSource {
 public:
  absl::Status Fill(absl::Span<uint8_t> out) override;
};

class FixedByteSource : public ByteSource {
 public:
  explicit FixedByteSource(std::string bytes) : bytes_(std::move(bytes)) {}
  absl::Status Fill(absl::Span<uint8_t> out) override;
  size_t consumed() const { return position_; }

 private:
  std::string bytes_;
  size_t position_ = 0;
};

class SeededByteSource : public ByteSource {
 public:
  explicit SeededByteSource(absl::string_view seed) : seed_(seed) {}
  absl::Status Fill(absl::Span<uint8_t> out) override;

 private:
  std::string seed_;
  uint64_t counter_ = 0;
  uint8_t block_[32] = {};
  size_t block_used_ = sizeof(block_);  // no block yet
};

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_BYTE_SOURCE_H_
