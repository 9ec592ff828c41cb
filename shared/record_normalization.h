// How a registry record's text is made canonical before it is validated and stored:
// every string field loses leading and trailing ASCII whitespace and ideographic spaces
// (U+3000, which a Chinese input method types for a space). Without it, "王建国 " and
// "王建国" would be two people: a natural key (registry_kinds.h) is built from the
// stored text. Add, update and import all see the same record because validation
// judges text trimmed (field_checker.h; the other string fields have strict forms a
// space breaks) and storage (district_node/registry_store.h ColumnsOf) keeps, and
// keys, the normalised form. Invisible characters inside a text are not removed but
// refused (field_checker.h), since what the operator meant is not known.
//
// Plain functions; thread-safe.
#ifndef FEDSYNC_SHARED_RECORD_NORMALIZATION_H_
#define FEDSYNC_SHARED_RECORD_NORMALIZATION_H_

#include "absl/strings/string_view.h"
#include "fedsync/v1/registry.pb.h"
#include "google/protobuf/message.h"

namespace fedsync {

// `text` without leading and trailing ASCII whitespace and U+3000.
absl::string_view TrimRecordText(absl::string_view text);

// Whether every string field of `payload` (a registry kind's message) is trimmed.
bool IsNormalized(const google::protobuf::Message& payload);
// Trims every string field of `payload`.
void Normalize(google::protobuf::Message* payload);
// Trims every string field of the record's set member (nothing when no kind is set).
void NormalizeRecord(v1::Record* record);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_RECORD_NORMALIZATION_H_
