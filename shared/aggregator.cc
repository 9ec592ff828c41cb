#include "shared/aggregator.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "shared/civil_date.h"
#include "shared/countries.h"
#include "shared/period.h"
#include "shared/registry_kinds.h"

namespace fedsync {

std::string NumericBand(const v1::Dimension& dim, int64_t value) {
  const auto& bounds = dim.band_bounds();
  // Dimension values never hold '=' or ';' (cell.h), hence "before_" and "+".
  if (bounds.empty() || value < bounds[0]) {
    return absl::StrCat("before_", bounds.empty() ? 0 : bounds[0]);
  }
  for (int i = 0; i + 1 < bounds.size(); ++i) {
    if (value < bounds[i + 1]) return absl::StrCat(bounds[i], "-", bounds[i + 1] - 1);
  }
  return absl::StrCat(bounds[bounds.size() - 1], "+");
}

bool Aggregator::Dimensions(const v1::MetricDef& metric, const std::string& kind_name,
                            const google::protobuf::Message& payload,
                            std::string* dims) const {
  for (const v1::Filter& filter : metric.filters()) {
    std::string value = FieldText(payload, filter.field());
    bool matched = false;
    for (const std::string& wanted : filter.values()) matched |= value == wanted;
    if (!matched) return false;
  }
  std::map<std::string, std::string> values;
  for (const v1::Dimension& dim : metric.dimensions()) {
    std::string raw = dim.field() == "kind" ? kind_name : FieldText(payload, dim.field());
    switch (dim.binning()) {
      case v1::ENUM_NAME:
        values[dim.name()] = absl::AsciiStrToLower(raw);
        break;
      case v1::COUNTRY_TO_REGION:
        values[dim.name()] = std::string(CountryRegion(raw));
        break;
      case v1::CATEGORY_MAP: {
        auto it = dim.categories().find(raw);
        values[dim.name()] = it == dim.categories().end() ? "other" : it->second;
        break;
      }
      case v1::NUMERIC_BANDS: {
        int64_t number = 0;
        if (!absl::SimpleAtoi(raw, &number)) return false;
        values[dim.name()] = NumericBand(dim, number);
        break;
      }
      default:
        return false;
    }
  }
  *dims = CanonicalDims(values);
  return true;
}

void Aggregator::Contribute(const StoredRecord& stored, int64_t sign, ExactCellMap* cells) const {
  const RegistryKind* kind = RegistryKindOf(stored.record);
  if (kind == nullptr) return;
  const google::protobuf::Message& payload = RecordPayload(stored.record);
  // The record's key, drawn (one HMAC) only when a CELL_KEY metric counts the record;
  // other metrics' cells keep key 0, the same way in a delta and in a recompute.
  std::optional<uint32_t> record_key;
  auto key_change = [&](const v1::MetricDef& metric) -> uint32_t {
    if (metric.disclosure().method() != v1::CELL_KEY || keyer_ == nullptr) return 0;
    if (!record_key.has_value()) {
      record_key = keyer_->KeyOf(kind->name + ":" + NaturalKey(*kind, payload));
    }
    // Unsigned: adding the key's two's complement takes it away again, mod 2^32.
    return sign > 0 ? *record_key : 0u - *record_key;
  };
  for (const v1::MetricDef& metric : catalog_->proto().metrics()) {
    bool covers = false;
    for (const std::string& registry : metric.registries()) covers |= registry == kind->name;
    if (!covers) continue;
    std::string dims;
    if (!Dimensions(metric, kind->name, payload, &dims)) continue;
    // One key per metric, its period set per count: the map copies it only to insert.
    CellKey key{metric.id(), "", std::move(dims)};
    // A count adds the record; a sum adds its field (clamped at 0: magnitudes are not
    // negative, and a wrong sign must not cancel other records out).
    int64_t measure = 1;
    if (metric.measure() == v1::SUM) {
      if (!absl::SimpleAtoi(FieldText(payload, metric.measure_field()), &measure)) continue;
      measure = std::max<int64_t>(measure, 0);
    }
    const uint32_t metric_key_change = key_change(metric);
    auto count = [&](std::string period) {
      key.period = std::move(period);
      ExactCell& cell = (*cells)[key];
      cell.value += sign * measure;
      cell.contributors += sign;
      cell.perturbation_key += metric_key_change;
    };
    if (metric.time_basis() == v1::EVENT) {
      absl::CivilDay day;
      if (ParseDate(FieldText(payload, metric.date_field()), &day)) {
        count(PeriodOf(day, metric.period_type()));
      }
      continue;
    }
    absl::CivilDay start, end;
    if (!ParseDate(stored.start_date, &start)) continue;
    bool has_end = ParseDate(stored.end_date, &end);
    // Every period from the start's up to today's; a record entered after today counts
    // in none yet (validation refuses future dates; this keeps a wrong clock from
    // counting into the future).
    for (Period period = PeriodContaining(start, metric.period_type());
         period.first_day <= today_;
         period = PeriodContaining(period.last_day + 1, metric.period_type())) {
      if (has_end && end <= period.last_day) break;  // left before the period's end
      count(PeriodOf(period.first_day, metric.period_type()));
    }
  }
}

ExactCellMap Aggregator::Compute(const std::vector<StoredRecord>& records) const {
  ExactCellMap cells;
  for (const StoredRecord& stored : records) Add(stored, &cells);
  return cells;
}

}  // namespace fedsync
