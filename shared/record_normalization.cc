#include "shared/record_normalization.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "shared/registry_kinds.h"

namespace fedsync {
namespace {

constexpr absl::string_view kIdeographicSpace = "\xE3\x80\x80";  // U+3000 in UTF-8

using google::protobuf::FieldDescriptor;

// Calls fn(field) for every singular string field of `payload`.
template <typename Fn>
void ForEachStringField(const google::protobuf::Message& payload, Fn fn) {
  const google::protobuf::Descriptor* descriptor = payload.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !field->is_repeated()) {
      fn(field);
    }
  }
}

}  // namespace

absl::string_view TrimRecordText(absl::string_view text) {
  while (true) {
    const absl::string_view before = text;
    text = absl::StripAsciiWhitespace(text);
    while (absl::ConsumePrefix(&text, kIdeographicSpace)) {
    }
    while (absl::ConsumeSuffix(&text, kIdeographicSpace)) {
    }
    if (text.size() == before.size()) return text;
  }
}

bool IsNormalized(const google::protobuf::Message& payload) {
  const google::protobuf::Reflection* reflection = payload.GetReflection();
  bool normalized = true;
  std::string scratch;
  ForEachStringField(payload, [&](const FieldDescriptor* field) {
    const std::string& value = reflection->GetStringReference(payload, field, &scratch);
    normalized &= TrimRecordText(value).size() == value.size();
  });
  return normalized;
}

void Normalize(google::protobuf::Message* payload) {
  const google::protobuf::Reflection* reflection = payload->GetReflection();
  std::string scratch;
  ForEachStringField(*payload, [&](const FieldDescriptor* field) {
    const std::string& value = reflection->GetStringReference(*payload, field, &scratch);
    const absl::string_view trimmed = TrimRecordText(value);
    if (trimmed.size() != value.size()) {
      reflection->SetString(payload, field, std::string(trimmed));
    }
  });
}

void NormalizeRecord(v1::Record* record) {
  const RegistryKind* kind = RegistryKindOf(*record);
  if (kind != nullptr) Normalize(MutableRecordPayload(*kind, record));
}

}  // namespace fedsync
