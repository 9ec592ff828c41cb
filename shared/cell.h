// Cells: (metric, period, dimension values) -> value and status. A cell's dimension
// values are kept as one canonical text, "degree=master;region=europe" (keys sorted),
// in SQLite and in maps; on the wire they are repeated DimensionValue. Dimension keys
// and values come from the catalog's closed category lists, so they never contain ';'
// or '='; ValidateDims refuses any that do.
#ifndef FEDSYNC_SHARED_CELL_H_
#define FEDSYNC_SHARED_CELL_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "fedsync/v1/federation.pb.h"

namespace fedsync {

struct CellKey {
  std::string metric;
  std::string period;
  std::string dims;  // canonical text

  bool operator<(const CellKey& other) const {
    return std::tie(metric, period, dims) < std::tie(other.metric, other.period, other.dims);
  }
  bool operator==(const CellKey& other) const {
    return metric == other.metric && period == other.period && dims == other.dims;
  }
  template <typename H>
  friend H AbslHashValue(H state, const CellKey& key) {
    return H::combine(std::move(state), key.metric, key.period, key.dims);
  }
};

struct CellValue {
  int64_t value = 0;  // 0 when SUPPRESSED
  v1::CellStatus status = v1::OK;

  bool operator==(const CellValue& other) const {
    return value == other.value && status == other.status;
  }
  bool operator!=(const CellValue& other) const { return !(*this == other); }
};

using CellMap = std::map<CellKey, CellValue>;

// Canonical text of sorted key=value pairs. `dims` may be in any order.
std::string CanonicalDims(const std::map<std::string, std::string>& dims);
std::string CanonicalDims(
    const google::protobuf::RepeatedPtrField<v1::DimensionValue>& dims);
// The inverse of CanonicalDims, appending to `out` in key order.
void AppendDims(absl::string_view canonical,
                google::protobuf::RepeatedPtrField<v1::DimensionValue>* out);

// Whether `text` can be a dimension key or value: 1-64 bytes, free of ';', '=' and
// control characters. The catalog holds its dimension names and category labels to it.
bool IsDimToken(absl::string_view text);

// kInvalidArgument unless every key and value is a dimension token (IsDimToken) and
// keys are unique.
absl::Status ValidateDims(const google::protobuf::RepeatedPtrField<v1::DimensionValue>& dims);

// A wire cell from its key, value and seq; a tombstone when `deleted`.
v1::Cell MakeWireCell(const CellKey& key, const CellValue& value, uint64_t seq, bool deleted);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_CELL_H_
