// Validation of registry records before they are stored: required fields, resident ID
// (GB 11643) and credit code (GB 32100) check characters, real dates that are not in
// the future, birth date and gender consistent with the ID, closed code lists
// (countries, enums), year ranges, non-negative amounts, phone number shapes, and the
// order of related dates (filed before lifted, registered before closed). The field
// rules themselves are in field_checker.h.
//
// Reasons name the field and the rule, never the value: a record is personal data and
// its errors end up in import reports, gRPC statuses and logs. Stateless; thread-safe.
#ifndef FEDSYNC_SHARED_RECORD_VALIDATION_H_
#define FEDSYNC_SHARED_RECORD_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/field_checker.h"

namespace fedsync {

// Every problem of `record`, in a fixed order: each field's own rules in field order,
// then the rules that relate fields (birth date against the ID, ...), which run only
// between fields that passed their own rules. Empty when the record is valid. `today`
// bounds every date and year: nothing may lie after it. The record is judged as it
// will be stored (record_normalization.h): text fields without surrounding spaces
// (FieldChecker::Text trims them), and the other string fields (IDs, codes, dates,
// phones) have strict forms in which a space is an error anyway.
std::vector<FieldError> RecordFieldErrors(const v1::Record& record, absl::CivilDay today);

// OK, or kInvalidArgument for the first of RecordFieldErrors() with the message
// "<kind>.<field>: <reason>", e.g.
//   "returned_students.resident_id: check character mismatch".
// A record with no kind set gives "record.kind: no registry kind set".
absl::Status ValidateRecord(const v1::Record& record, absl::CivilDay today);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_RECORD_VALIDATION_H_
