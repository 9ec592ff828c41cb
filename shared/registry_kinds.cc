#include "shared/registry_kinds.h"

#include "absl/strings/str_join.h"

namespace fedsync {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const std::vector<RegistryKind>& AllRegistryKinds() {
  static const auto* kinds = new std::vector<RegistryKind>{
      {"returned_students",
       v1::Record::kReturnedStudent,
       v1::ReturnedStudent::descriptor(),
       {"resident_id"},
       "registered_date",
       "community",
       "",
       "name"},
      {"identity_certifications",
       v1::Record::kIdentityCertification,
       v1::IdentityCertification::descriptor(),
       {"resident_id", "issue_date"},
       "issue_date",
       "community",
       "",
       "applicant_name",
       /*issued_documents=*/true},
      {"study_certificates",
       v1::Record::kStudyCertificate,
       v1::StudyCertificate::descriptor(),
       {"resident_id", "issue_date"},
       "issue_date",
       "community",
       "",
       "student_name",
       /*issued_documents=*/true},
      {"enterprises",
       v1::Record::kEnterprise,
       v1::Enterprise::descriptor(),
       {"credit_code"},
       "registered_date",
       "community",
       "closed_date",
       "name"},
      {"community_figures",
       v1::Record::kCommunityFigure,
       v1::CommunityFigure::descriptor(),
       {"name", "birth_date"},
       "registered_date",
       "community",
       "",
       "name"},
      {"hardship_cases",
       v1::Record::kHardshipCase,
       v1::HardshipCase::descriptor(),
       {"resident_id"},
       "filed_date",
       "community",
       "lifted_date",
       "head_name"},
      {"aid_visits",
       v1::Record::kAidVisit,
       v1::AidVisit::descriptor(),
       {"household_resident_id", "visit_date", "aid_kind"},
       "visit_date",
       "community",
       "",
       ""},
  };
  return *kinds;
}

const RegistryKind* FindRegistryKind(absl::string_view name) {
  for (const RegistryKind& kind : AllRegistryKinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

const RegistryKind* RegistryKindOf(const v1::Record& record) {
  for (const RegistryKind& kind : AllRegistryKinds()) {
    if (kind.record_case == record.kind_case()) return &kind;
  }
  return nullptr;
}

namespace {
const FieldDescriptor* OneofMember(v1::Record::KindCase kind_case) {
  return v1::Record::descriptor()->FindFieldByNumber(static_cast<int>(kind_case));
}
}  // namespace

const Message& RecordPayload(const v1::Record& record) {
  return record.GetReflection()->GetMessage(record, OneofMember(record.kind_case()));
}

Message* MutableRecordPayload(const RegistryKind& kind, v1::Record* record) {
  return record->GetReflection()->MutableMessage(record, OneofMember(kind.record_case));
}

std::string FieldText(const Message& message, absl::string_view field_name) {
  const FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName(std::string(field_name));
  if (field == nullptr || field->is_repeated()) return "";
  const auto* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return reflection->GetString(message, field);
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(reflection->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(reflection->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return std::to_string(reflection->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return std::to_string(reflection->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection->GetBool(message, field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return reflection->GetEnum(message, field)->name();
    default:
      return "";
  }
}

std::string NaturalKey(const RegistryKind& kind, const Message& payload) {
  std::vector<std::string> parts;
  parts.reserve(kind.key_fields.size());
  for (const std::string& field : kind.key_fields) parts.push_back(FieldText(payload, field));
  return absl::StrJoin(parts, "|");
}

}  // namespace fedsync
