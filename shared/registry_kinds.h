// The registry kinds a district keeps, described once: the CSV/CLI kind name, the
// SQLite table, the protobuf record type, the natural key, the date a record enters the
// registry and (for kinds whose records leave on their own) the date it leaves. Everything generic over registries (import, storage, aggregation, CSV)
// goes through this table. Immutable after static initialisation; thread-safe.
#ifndef FEDSYNC_SHARED_REGISTRY_KINDS_H_
#define FEDSYNC_SHARED_REGISTRY_KINDS_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "fedsync/v1/registry.pb.h"

namespace fedsync {

struct RegistryKind {
  std::string name;                    // "returned_students": CSV kind and table name
  v1::Record::KindCase record_case;    // which member of v1::Record holds it
  const google::protobuf::Descriptor* descriptor;
  std::vector<std::string> key_fields;  // the natural key, in order
  std::string start_date_field;         // the day the record counts from
  std::string community_field;
  // The day the record leaves the registry by its own data (a family lifted out of
  // hardship, an enterprise closed); empty for kinds without one.
  std::string end_date_field;
  // The person's or enterprise's name, for search and listings; empty for kinds
  // without one (aid visits).
  std::string name_field;
  // Whether the records are documents the office issues (certificates): a count of
  // them by kind is an administrative figure, which may be published as it is
  // (privacy_floor.h).
  bool issued_documents = false;
};

const std::vector<RegistryKind>& AllRegistryKinds();
// nullptr when there is no such kind.
const RegistryKind* FindRegistryKind(absl::string_view name);
// nullptr when the record has no kind set.
const RegistryKind* RegistryKindOf(const v1::Record& record);

// The record's set member (ReturnedStudent, ...). Requires a kind to be set.
const google::protobuf::Message& RecordPayload(const v1::Record& record);
// Sets `kind` on `record` and returns its (empty) member to fill.
google::protobuf::Message* MutableRecordPayload(const RegistryKind& kind,
                                                v1::Record* record);

// A scalar field's value as text: strings as they are, integers in decimal, enums by
// name. Empty for an unknown field.
std::string FieldText(const google::protobuf::Message& message, absl::string_view field);

// The natural key: the key fields' text joined by '|'.
std::string NaturalKey(const RegistryKind& kind, const google::protobuf::Message& payload);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_REGISTRY_KINDS_H_
