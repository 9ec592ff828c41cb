#include "shared/record_csv.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "shared/csv.h"
#include "shared/field_checker.h"

namespace fedsync {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

bool Supported(const FieldDescriptor& field) {
  if (field.is_repeated()) return false;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
    case FieldDescriptor::CPPTYPE_BOOL:
    case FieldDescriptor::CPPTYPE_ENUM:
      return true;
    default:  // messages, and floating point (no exact text round trip via FieldText)
      return false;
  }
}

// Strict decimal: an optional '-' (signed types only) and digits, nothing else (no '+',
// no spaces, no "1e3", no full-width digits), within T's range. absl::SimpleAtoi is too
// lenient for an import: it skips whitespace and takes a '+'.
enum class IntParse { kOk, kNotInteger, kOutOfRange };
template <typename T>
IntParse ParseInteger(absl::string_view text, T* out) {
  const bool negative = !text.empty() && text[0] == '-';
  absl::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty()) return IntParse::kNotInteger;
  if (negative && !std::numeric_limits<T>::is_signed) return IntParse::kNotInteger;
  // The magnitude in uint64, noting overflow rather than wrapping.
  uint64_t magnitude = 0;
  bool overflow = false;
  for (char c : digits) {
    if (c < '0' || c > '9') return IntParse::kNotInteger;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (std::numeric_limits<uint64_t>::max() - digit) / 10) overflow = true;
    if (!overflow) magnitude = magnitude * 10 + digit;
  }
  if (overflow) return IntParse::kOutOfRange;
  if (negative) {
    // |min| of a signed T is max + 1.
    const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<T>::max()) + 1;
    if (magnitude > limit) return IntParse::kOutOfRange;
    *out = magnitude == limit ? std::numeric_limits<T>::min()
                              : static_cast<T>(-static_cast<int64_t>(magnitude));
    return IntParse::kOk;
  }
  if (magnitude > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
    return IntParse::kOutOfRange;
  }
  *out = static_cast<T>(magnitude);
  return IntParse::kOk;
}

std::string EnumNames(const EnumDescriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) names.push_back(type.value(i)->name());
  return absl::StrJoin(names, ", ");
}

}  // namespace

absl::StatusOr<RecordCsvMapper> RecordCsvMapper::Create(absl::string_view kind_name,
                                                        const std::vector<std::string>& header) {
  const RegistryKind* kind = FindRegistryKind(kind_name);
  if (kind == nullptr) {
    std::vector<std::string> known;
    for (const RegistryKind& k : AllRegistryKinds()) known.push_back(k.name);
    return absl::InvalidArgumentError(absl::StrCat("unknown registry kind \"", kind_name,
                                                   "\"; known: ", absl::StrJoin(known, ", ")));
  }
  const google::protobuf::Descriptor& message = *kind->descriptor;
  for (int i = 0; i < message.field_count(); ++i) {
    if (!Supported(*message.field(i))) {
      return absl::UnimplementedError(
          absl::StrCat(kind->name, ".", message.field(i)->name(), ": field type has no CSV form"));
    }
  }
  std::vector<const FieldDescriptor*> columns;
  absl::flat_hash_set<const FieldDescriptor*> seen;
  for (size_t i = 0; i < header.size(); ++i) {
    const FieldDescriptor* field = message.FindFieldByName(header[i]);
    if (field == nullptr) {
      // Not quoted back: in a file without its header line this cell is a person's
      // data. The position and the expected names are enough to find the mistake.
      return absl::InvalidArgumentError(
          absl::StrCat("column ", i + 1, " is not a field of ", kind->name,
                       " (expected columns: ", absl::StrJoin(CsvHeader(*kind), ", "), ")"));
    }
    if (!seen.insert(field).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("column ", i + 1, " \"", header[i], "\" appears twice"));
    }
    columns.push_back(field);
  }
  for (int i = 0; i < message.field_count(); ++i) {
    if (!seen.contains(message.field(i))) {
      return absl::InvalidArgumentError(
          absl::StrCat("missing column \"", message.field(i)->name(), "\" of ", kind->name));
    }
  }
  return RecordCsvMapper(kind, std::move(columns));
}

absl::Status RecordCsvMapper::Fill(const std::vector<std::string>& row, v1::Record* record) const {
  if (row.size() != columns_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("row has ", row.size(), " fields, expected ", columns_.size()));
  }
  record->Clear();
  google::protobuf::Message* payload = MutableRecordPayload(*kind_, record);
  const google::protobuf::Reflection* reflection = payload->GetReflection();
  for (size_t i = 0; i < columns_.size(); ++i) {
    const FieldDescriptor* field = columns_[i];
    const std::string& text = row[i];
    auto error = [&](absl::string_view reason) {
      return absl::InvalidArgumentError(
          absl::StrCat(kind_->name, ".", field->name(), ": ", reason));
    };
    auto integer = [&](auto* value) -> absl::Status {
      if (text.empty()) return absl::OkStatus();  // proto3 default, see the header
      switch (ParseInteger(text, value)) {
        case IntParse::kOk:
          return absl::OkStatus();
        case IntParse::kNotInteger:
          return error("not a decimal integer");
        case IntParse::kOutOfRange:
          return error("integer out of range");
      }
      return error("not a decimal integer");
    };
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        // A CsvReader has checked this already; a value from the command line has not,
        // and protobuf would refuse to send it.
        const char* reason = nullptr;
        if (FirstInvalidTextByte(text, &reason) != absl::string_view::npos) return error(reason);
        // Longer than any record may be (field_checker.h): the district would refuse it
        // (or, in a batch, the whole message), so the row is refused here.
        const absl::string_view value = FromSpreadsheetSafe(text);
        if (value.size() > static_cast<size_t>(kMaxFieldBytes)) {
          return error(absl::StrCat("longer than ", kMaxFieldBytes, " bytes"));
        }
        reflection->SetString(payload, field, std::string(value));
        break;
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t value = 0;
        if (absl::Status s = integer(&value); !s.ok()) return s;
        reflection->SetInt32(payload, field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t value = 0;
        if (absl::Status s = integer(&value); !s.ok()) return s;
        reflection->SetInt64(payload, field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t value = 0;
        if (absl::Status s = integer(&value); !s.ok()) return s;
        reflection->SetUInt32(payload, field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t value = 0;
        if (absl::Status s = integer(&value); !s.ok()) return s;
        reflection->SetUInt64(payload, field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        if (text == "true") {
          reflection->SetBool(payload, field, true);
        } else if (!text.empty() && text != "false") {
          return error("must be true or false");
        }
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        if (text.empty()) break;
        const auto* value = field->enum_type()->FindValueByName(text);
        if (value == nullptr) {
          return error(absl::StrCat("not a value name of ", field->enum_type()->name(), " (one of ",
                                    EnumNames(*field->enum_type()), ")"));
        }
        reflection->SetEnum(payload, field, value);
        break;
      }
      default:  // refused by Create()
        return error("field type has no CSV form");
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> CsvHeader(const RegistryKind& kind) {
  std::vector<std::string> header;
  for (int i = 0; i < kind.descriptor->field_count(); ++i) {
    header.push_back(kind.descriptor->field(i)->name());
  }
  return header;
}

std::vector<std::string> RecordToCsvRow(const v1::Record& record, CsvText text) {
  const RegistryKind* kind = RegistryKindOf(record);
  if (kind == nullptr) return {};
  const google::protobuf::Message& payload = RecordPayload(record);
  std::vector<std::string> row;
  for (int i = 0; i < kind->descriptor->field_count(); ++i) {
    const FieldDescriptor* field = kind->descriptor->field(i);
    std::string cell = FieldText(payload, field->name());
    // Text only: a negative number stays a number.
    if (text == CsvText::kSpreadsheetSafe && field->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
        StartsLikeFormula(cell)) {
      cell.insert(0, 1, '\'');
    }
    row.push_back(std::move(cell));
  }
  return row;
}

bool StartsLikeFormula(absl::string_view cell) {
  if (cell.empty()) return false;
  switch (cell[0]) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    case '\'':  // a quote before such a cell is quoted again, so that it reads back
      return StartsLikeFormula(cell.substr(1));
    default:
      return false;
  }
}

absl::string_view FromSpreadsheetSafe(absl::string_view cell) {
  if (!cell.empty() && cell[0] == '\'' && StartsLikeFormula(cell.substr(1))) {
    cell.remove_prefix(1);
  }
  return cell;
}

}  // namespace fedsync
