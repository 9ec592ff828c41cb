#include "shared/catalog.h"

#include <algorithm>
#include <limits>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "shared/cell.h"
#include "shared/cell_key_table.h"
#include "shared/privacy_parameters.h"
#include "shared/registry_kinds.h"

namespace fedsync {
namespace {

using google::protobuf::FieldDescriptor;

// Fields that identify a person or carry free text: never a dimension or a filter.
bool IsIdentifyingField(absl::string_view field) {
  static const std::set<absl::string_view> kIdentifying = {
      "name",        "applicant_name", "student_name", "head_name",    "resident_id",
      "household_resident_id", "credit_code", "phone", "birth_date", "address", "community",
      "field",       "note",           "registered_date", "issue_date", "filed_date",
      "lifted_date", "closed_date",    "visit_date"};
  return kIdentifying.count(field) > 0;
}

absl::Status MetricError(const v1::MetricDef& metric, absl::string_view field,
                         absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat("catalog metric '", metric.id(), "' field '", field, "': ", reason));
}

// The token rule of dimension keys and values (cell.h), as a catalog error.
absl::Status TokenError(const v1::MetricDef& metric, absl::string_view field,
                        absl::string_view what, absl::string_view text) {
  return MetricError(metric, field,
                     absl::StrCat(what, " \"", absl::CHexEscape(text),
                                  "\" must be 1-64 bytes without ';', '=' or control characters"));
}

// Metric ids travel in every cell and name the metric in keys and logs: letters,
// digits, '_', '-' and '.', at most 64 bytes.
bool IsMetricId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

absl::Status ValidateDimension(const v1::MetricDef& metric, const v1::Dimension& dim,
                               const RegistryKind& kind) {
  if (dim.name().empty()) return MetricError(metric, dim.field(), "dimension without a name");
  // The district joins names and labels into one "k=v;k=v" key, which must split back.
  if (!IsDimToken(dim.name())) {
    return TokenError(metric, dim.field(), "the dimension name", dim.name());
  }
  for (const auto& [raw, label] : dim.categories()) {
    if (!IsDimToken(label)) {
      return TokenError(metric, dim.field(),
                        absl::StrCat("the category of \"", absl::CHexEscape(raw), "\""), label);
    }
  }
  if (dim.field() == "kind") {
    if (dim.binning() != v1::CATEGORY_MAP) {
      return MetricError(metric, dim.field(), "the registry kind needs CATEGORY_MAP binning");
    }
    return absl::OkStatus();
  }
  if (IsIdentifyingField(dim.field())) {
    return MetricError(metric, dim.field(),
                       "is an identifying or free-text field and cannot be a dimension");
  }
  const FieldDescriptor* field = kind.descriptor->FindFieldByName(dim.field());
  if (field == nullptr) {
    return MetricError(metric, dim.field(), absl::StrCat("no such field in ", kind.name));
  }
  switch (dim.binning()) {
    case v1::ENUM_NAME:
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_ENUM) {
        return MetricError(metric, dim.field(), "ENUM_NAME binning needs an enum field");
      }
      return absl::OkStatus();
    case v1::COUNTRY_TO_REGION:
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING ||
          field->name().find("country") == std::string::npos) {
        return MetricError(metric, dim.field(), "COUNTRY_TO_REGION needs a country field");
      }
      return absl::OkStatus();
    case v1::CATEGORY_MAP:
      if (dim.categories().empty()) {
        return MetricError(metric, dim.field(), "CATEGORY_MAP without categories");
      }
      return absl::OkStatus();
    case v1::NUMERIC_BANDS: {
      const bool integer = field->cpp_type() == FieldDescriptor::CPPTYPE_INT32 ||
                           field->cpp_type() == FieldDescriptor::CPPTYPE_INT64;
      if (!integer) return MetricError(metric, dim.field(), "NUMERIC_BANDS needs an integer field");
      if (dim.band_bounds().empty()) {
        return MetricError(metric, dim.field(), "NUMERIC_BANDS without band_bounds");
      }
      // The band below the first bound would start below int64's range.
      if (dim.band_bounds(0) == std::numeric_limits<int64_t>::min()) {
        return MetricError(metric, dim.field(), "band_bounds below int64's range");
      }
      for (int i = 1; i < dim.band_bounds_size(); ++i) {
        if (dim.band_bounds(i) <= dim.band_bounds(i - 1)) {
          return MetricError(metric, dim.field(), "band_bounds must increase");
        }
      }
      return absl::OkStatus();
    }
    default:
      return MetricError(metric, dim.field(), "dimension without a binning");
  }
}

absl::Status ValidateMetric(const v1::MetricDef& metric) {
  if (metric.id().empty()) return absl::InvalidArgumentError("catalog metric without an id");
  if (!IsMetricId(metric.id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("catalog metric \"", absl::CHexEscape(metric.id()),
                     "\" field 'id': 1-64 letters, digits, '_', '-' or '.'"));
  }
  if (metric.registries().empty()) return MetricError(metric, "registries", "none given");
  if (metric.period_type() == v1::PERIOD_TYPE_UNSPECIFIED) {
    return MetricError(metric, "period_type", "not set");
  }
  if (metric.time_basis() == v1::TIME_BASIS_UNSPECIFIED) {
    return MetricError(metric, "time_basis", "not set");
  }
  switch (metric.disclosure().method()) {
    case v1::NONE:
      break;
    case v1::SUPPRESSION: {
      absl::Status status = ValidateSuppression(metric);
      if (!status.ok()) return status;
      break;
    }
    case v1::DP: {
      absl::StatusOr<DpParameters> parameters = DpParametersOf(metric);
      if (!parameters.ok()) return parameters.status();
      break;
    }
    case v1::CELL_KEY: {
      // A perturbation table adds small integer noise to counts; a sum of magnitudes
      // needs another method.
      if (metric.measure() == v1::SUM) {
        return MetricError(metric, "disclosure.method", "CELL_KEY perturbs counts, not sums");
      }
      absl::StatusOr<const privacy::PerturbationTable*> table =
          CellKeyTable(metric.disclosure());
      if (!table.ok()) return MetricError(metric, "disclosure", table.status().message());
      break;
    }
    default:
      return MetricError(metric, "disclosure.method", "not supported by this version");
  }
  for (const std::string& registry : metric.registries()) {
    const RegistryKind* kind = FindRegistryKind(registry);
    if (kind == nullptr) return MetricError(metric, "registries", "unknown registry");
    if (metric.measure() == v1::SUM) {
      const FieldDescriptor* summed = kind->descriptor->FindFieldByName(metric.measure_field());
      if (summed == nullptr || (summed->cpp_type() != FieldDescriptor::CPPTYPE_INT64 &&
                                summed->cpp_type() != FieldDescriptor::CPPTYPE_INT32)) {
        return MetricError(metric, "measure_field",
                           absl::StrCat("SUM needs an integer field of ", registry));
      }
    }
    if (metric.time_basis() == v1::EVENT) {
      const FieldDescriptor* date = kind->descriptor->FindFieldByName(metric.date_field());
      if (date == nullptr || date->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
        return MetricError(metric, "date_field", absl::StrCat("not a date of ", registry));
      }
    }
    for (const v1::Filter& filter : metric.filters()) {
      if (IsIdentifyingField(filter.field())) {
        return MetricError(metric, filter.field(), "identifying fields cannot filter");
      }
      if (kind->descriptor->FindFieldByName(filter.field()) == nullptr) {
        return MetricError(metric, filter.field(), absl::StrCat("no such field in ", registry));
      }
    }
    std::set<std::string> names;
    for (const v1::Dimension& dim : metric.dimensions()) {
      if (!names.insert(dim.name()).second) {
        return MetricError(metric, dim.field(), "duplicate dimension name");
      }
      absl::Status status = ValidateDimension(metric, dim, *kind);
      if (!status.ok()) return status;
    }
  }
  if (metric.disclosure().method() == v1::NONE && AboutPersons(metric)) {
    return MetricError(metric, "disclosure.method",
                       "NONE is only for metrics marked about_persons: false");
  }
  return absl::OkStatus();
}

}  // namespace

bool AboutPersons(const v1::MetricDef& metric) {
  return !metric.has_about_persons() || metric.about_persons();
}

Catalog::Catalog(v1::Catalog proto) : proto_(std::move(proto)) {
  for (const v1::MetricDef& metric : proto_.metrics()) by_id_[metric.id()] = &metric;
}

absl::StatusOr<std::shared_ptr<const Catalog>> Catalog::FromProto(v1::Catalog proto) {
  if (proto.version() < 1) return absl::InvalidArgumentError("catalog version must be >= 1");
  std::set<std::string> ids;
  for (const v1::MetricDef& metric : proto.metrics()) {
    absl::Status status = ValidateMetric(metric);
    if (!status.ok()) return status;
    if (!ids.insert(metric.id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("catalog metric '", metric.id(), "' is defined twice"));
    }
  }
  return std::shared_ptr<const Catalog>(new Catalog(std::move(proto)));
}

namespace {
// Keeps the first parse error with its position, instead of protobuf's log line.
class FirstParseError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text.empty()) text = absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message);
  }
  std::string text;
};
}  // namespace

absl::StatusOr<std::shared_ptr<const Catalog>> Catalog::FromText(absl::string_view text) {
  v1::Catalog proto;
  google::protobuf::TextFormat::Parser parser;
  FirstParseError error;
  parser.RecordErrorsTo(&error);
  if (!parser.ParseFromString(std::string(text), &proto)) {
    return absl::InvalidArgumentError(
        absl::StrCat("catalog is not valid protobuf text format: ", error.text));
  }
  return FromProto(std::move(proto));
}

std::shared_ptr<const Catalog> Catalog::Default() {
  static const auto* catalog = [] {
    absl::StatusOr<std::shared_ptr<const Catalog>> loaded = FromText(DefaultCatalogText());
    // The built-in catalog is tested; a failure here is a programming error.
    if (!loaded.ok()) std::abort();
    return new std::shared_ptr<const Catalog>(*loaded);
  }();
  return *catalog;
}

const v1::MetricDef* Catalog::Find(absl::string_view metric_id) const {
  auto it = by_id_.find(metric_id);
  return it == by_id_.end() ? nullptr : it->second;
}

}  // namespace fedsync
