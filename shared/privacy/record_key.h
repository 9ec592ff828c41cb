// Record keys and cell keys for cell-key perturbation (the "cell key method" of
// statistical offices). Every contributing entity (a person, a family, an enterprise) gets
// a record key, HMAC-SHA256(node secret, entity key) cut to 32 bits: fixed for the
// entity's life, uniform on [0, 2^32), and unpredictable without the node's secret. A
// cell's perturbation key is the sum of its contributors' record keys modulo 2^32, so it
// depends only on the SET of records in the cell, not on which table or run counted them:
// the same records always draw the same noise (see perturbation_table.h).
//
// Because the sum is modular, the key is additive: an incremental aggregator can keep it
// as one more running sum, adding a record's key when it enters a cell and subtracting it
// when it leaves (unsigned arithmetic wraps exactly as mod 2^32 requires).
//
// The node secret must never leave the district: whoever holds it and the entity keys
// (resident ID numbers, credit codes) can recompute the keys and strip the noise.
//
// RecordKeyer is immutable after Create and safe to use from several threads.
#ifndef FEDSYNC_SHARED_PRIVACY_RECORD_KEY_H_
#define FEDSYNC_SHARED_PRIVACY_RECORD_KEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace fedsync {
namespace privacy {

// The width k of record and perturbation keys: positions in a perturbation table row are
// multiples of 2^-32, fine enough that every row's probabilities are met within 2^-32.
inline constexpr int kKeyBits = 32;

// A record's key, uniform on [0, 2^kKeyBits).
using RecordKey = uint32_t;
// A cell's key: the sum of its records' keys mod 2^kKeyBits. (Named apart from
// fedsync::CellKey, which is a cell's identity.)
using PerturbationKey = uint32_t;

class RecordKeyer {
 public:
  // The shortest secret accepted: 32 bytes, the HMAC-SHA256 block strength.
  static constexpr size_t kMinSecretBytes = 32;

  // kInvalidArgument when `node_secret` is shorter than kMinSecretBytes.
  static absl::StatusOr<RecordKeyer> Create(absl::string_view node_secret);

  // The first 4 bytes of HMAC-SHA256(secret, entity_key), big-endian. `entity_key`
  // should name the entity stably and by kind, e.g. "person:<resident id>".
  RecordKey KeyOf(absl::string_view entity_key) const;

 private:
  explicit RecordKeyer(std::string secret) : secret_(std::move(secret)) {}
  std::string secret_;
};

// The perturbation key of a cell holding exactly `record_keys` (order does not matter).
PerturbationKey CombineRecordKeys(absl::Span<const RecordKey> record_keys);

}  // namespace privacy
}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_RECORD_KEY_H_
