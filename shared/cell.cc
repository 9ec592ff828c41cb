#include "shared/cell.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace fedsync {

std::string CanonicalDims(const std::map<std::string, std::string>& dims) {
  return absl::StrJoin(dims, ";", absl::PairFormatter("="));
}

std::string CanonicalDims(
    const google::protobuf::RepeatedPtrField<v1::DimensionValue>& dims) {
  std::map<std::string, std::string> sorted;
  for (const v1::DimensionValue& dim : dims) sorted[dim.key()] = dim.value();
  return CanonicalDims(sorted);
}

void AppendDims(absl::string_view canonical,
                google::protobuf::RepeatedPtrField<v1::DimensionValue>* out) {
  if (canonical.empty()) return;
  for (absl::string_view pair : absl::StrSplit(canonical, ';')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, '=');
    v1::DimensionValue* dim = out->Add();
    dim->set_key(std::string(kv.first));
    dim->set_value(std::string(kv.second));
  }
}

bool IsDimToken(absl::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    if (c == ';' || c == '=' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

absl::Status ValidateDims(const google::protobuf::RepeatedPtrField<v1::DimensionValue>& dims) {
  std::set<std::string> keys;
  for (int i = 0; i < dims.size(); ++i) {
    if (!IsDimToken(dims[i].key()) || !IsDimToken(dims[i].value())) {
      return absl::InvalidArgumentError(
          absl::StrCat("dims[", i, "]: key and value must be 1-64 bytes without ';', '=' "
                       "or control characters"));
    }
    if (!keys.insert(dims[i].key()).second) {
      return absl::InvalidArgumentError(absl::StrCat("dims[", i, "]: duplicate key"));
    }
  }
  return absl::OkStatus();
}

v1::Cell MakeWireCell(const CellKey& key, const CellValue& value, uint64_t seq, bool deleted) {
  v1::Cell cell;
  cell.set_metric(key.metric);
  cell.set_period(key.period);
  AppendDims(key.dims, cell.mutable_dims());
  cell.set_seq(seq);
  if (deleted) {
    cell.set_deleted(true);
    return cell;
  }
  cell.set_status(value.status);
  // A suppressed cell travels without its value.
  if (value.status != v1::SUPPRESSED) cell.set_value(value.value);
  return cell;
}

}  // namespace fedsync
