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

namespace {

const absl::CivilDay kEpoch(1970, 1, 1);

int64_t DayNumber(absl::CivilDay day) { return day - kEpoch; }

}  // namespace

void CellRanges::Merge(const CellRanges& other) {
  for (const auto& [key, change] : other.ranges_) {
    ExactCell& cell = ranges_[key];
    cell.value += change.value;
    cell.contributors += change.contributors;
    cell.perturbation_key += change.perturbation_key;
  }
}

void Aggregator::Contribute(const v1::Record& record, absl::string_view start_date,
                            absl::string_view end_date, absl::string_view deletion_end_date,
                            int64_t sign, ExactCellMap* cells, CellRanges* ranges) const {
  const RegistryKind* kind = RegistryKindOf(record);
  if (kind == nullptr) return;
  const google::protobuf::Message& payload = RecordPayload(record);
  // The record's key, drawn (one HMAC) only when a CELL_KEY metric counts the record;
  // other metrics' cells keep key 0, the same way in a delta and in a recompute.
  std::optional<uint32_t> record_key;
  auto key_change = [&](const v1::MetricDef& metric) -> uint32_t {
    if (metric.disclosure().method() != v1::CELL_KEY) return 0;
    if (!record_key.has_value()) {
      record_key = keyer_->KeyOf(kind->name + ":" + NaturalKey(*kind, payload));
    }
    // Unsigned: adding the key's two's complement takes it away again, mod 2^32.
    return sign > 0 ? *record_key : 0u - *record_key;
  };
  // The record's days in the registry, parsed once for all stock metrics.
  absl::CivilDay start, end;
  const bool has_start = ParseDate(start_date, &start);
  const bool has_end = ParseDate(end_date, &end);
  // An event counts in its period if that period ended before the record was deleted.
  absl::CivilDay deletion_end;
  const bool deleted = ParseDate(deletion_end_date, &deletion_end);
  auto event_period = [&](const v1::MetricDef& metric, Period* period) {
    absl::CivilDay day;
    if (!ParseDate(FieldText(payload, metric.date_field()), &day)) return false;
    *period = PeriodContaining(day, metric.period_type());
    return !deleted || period->last_day < deletion_end;
  };
  const auto& metrics = catalog_->proto().metrics();
  for (int index = 0; index < metrics.size(); ++index) {
    const v1::MetricDef& metric = metrics[index];
    bool covers = false;
    for (const std::string& registry : metric.registries()) covers |= registry == kind->name;
    if (!covers) continue;
    std::string dims;
    // Without a keyer a CELL_KEY cell's key would be 0, its noise a fixed function of
    // its value (which undoes it): such a metric gets no cells at all (fails closed).
    if (metric.disclosure().method() == v1::CELL_KEY && keyer_ == nullptr) continue;
    if (!Dimensions(metric, kind->name, payload, &dims)) continue;
    // A count adds the record; a sum adds its field (clamped at 0: magnitudes are not
    // negative, and a wrong sign must not cancel other records out).
    int64_t measure = 1;
    if (metric.measure() == v1::SUM) {
      if (!absl::SimpleAtoi(FieldText(payload, metric.measure_field()), &measure)) continue;
      measure = std::max<int64_t>(measure, 0);
    }
    const uint32_t metric_key_change = key_change(metric);
    const v1::PeriodType type = metric.period_type();
    if (ranges != nullptr) {
      // The run of periods: [first, until) by their first days.
      CellRanges::Key key{index, std::move(dims), 0, CellRanges::kOpen};
      if (metric.time_basis() == v1::EVENT) {
        Period period;
        if (!event_period(metric, &period)) continue;
        key.first = DayNumber(period.first_day);
        key.until = DayNumber(period.last_day + 1);
      } else {
        if (!has_start) continue;
        key.first = DayNumber(PeriodContaining(start, type).first_day);
        // A record counts at the end of every period before the one it left in.
        if (has_end) key.until = DayNumber(PeriodContaining(end, type).first_day);
        if (key.until <= key.first) continue;
      }
      ExactCell& cell = ranges->ranges_[std::move(key)];
      cell.value += sign * measure;
      cell.contributors += sign;
      cell.perturbation_key += metric_key_change;
      continue;
    }
    // One key per metric, its period set per count: the map copies it only to insert.
    CellKey key{metric.id(), "", std::move(dims)};
    auto count = [&](std::string period) {
      key.period = std::move(period);
      ExactCell& cell = (*cells)[key];
      cell.value += sign * measure;
      cell.contributors += sign;
      cell.perturbation_key += metric_key_change;
    };
    if (metric.time_basis() == v1::EVENT) {
      Period period;
      if (event_period(metric, &period)) count(PeriodOf(period.first_day, type));
      continue;
    }
    if (!has_start) continue;
    // Every period from the start's up to today's; a record entered after today counts
    // in none yet (validation refuses future dates; this keeps a wrong clock from
    // counting into the future).
    for (Period period = PeriodContaining(start, type); period.first_day <= today_;
         period = PeriodContaining(period.last_day + 1, type)) {
      if (has_end && end <= period.last_day) break;  // left before the period's end
      count(PeriodOf(period.first_day, type));
    }
  }
}

void Aggregator::Expand(const CellRanges& ranges, ExactCellMap* cells) const {
  const auto& metrics = catalog_->proto().metrics();
  for (const auto& [range, change] : ranges.ranges_) {
    if (change == ExactCell{}) continue;  // changes that cancelled out
    const v1::MetricDef& metric = metrics[range.metric];
    const v1::PeriodType type = metric.period_type();
    // Stock is evaluated at a period's end: periods after today's hold none yet.
    const bool stock = metric.time_basis() != v1::EVENT;
    CellKey key{metric.id(), "", range.dims};
    for (Period period = PeriodContaining(kEpoch + range.first, type);
         range.until == CellRanges::kOpen || DayNumber(period.first_day) < range.until;
         period = PeriodContaining(period.last_day + 1, type)) {
      if (stock && period.first_day > today_) break;
      key.period = PeriodOf(period.first_day, type);
      ExactCell& cell = (*cells)[key];
      cell.value += change.value;
      cell.contributors += change.contributors;
      cell.perturbation_key += change.perturbation_key;
    }
  }
}

ExactCellMap Aggregator::Compute(const std::vector<StoredRecord>& records) const {
  ExactCellMap cells;
  for (const StoredRecord& stored : records) Add(stored, &cells);
  return cells;
}

}  // namespace fedsync
