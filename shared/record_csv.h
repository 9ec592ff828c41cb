// Registry records as CSV rows, by protobuf reflection: one column per field of the
// kind's message, named as in registry.proto, in any order. Strings are taken as they
// are when they are UTF-8 (as csv.h checks it: a value may come from the command line
// rather than a CsvReader) and at most kMaxFieldBytes (field_checker.h) long, less the
// quote that makes them safe in a spreadsheet (CsvText), integers in strict decimal, enums by their
// exact value name; an empty cell is the field's proto3 default (0, "", the *_UNSPECIFIED value),
// so that a blank optional column imports and whether a field is required stays the validator's
// decision (record_validation.h), not the parser's. The mapper only converts; it does not validate.
//
// Errors are kInvalidArgument "<kind>.<field>: <reason>" (or name the column or row
// shape) and never echo a cell's value, which is personal. A mapper is immutable after
// Create() and safe to share between threads.
#ifndef FEDSYNC_SHARED_RECORD_CSV_H_
#define FEDSYNC_SHARED_RECORD_CSV_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fedsync/v1/registry.pb.h"
#include "google/protobuf/descriptor.h"
#include "shared/registry_kinds.h"

namespace fedsync {

class RecordCsvMapper {
 public:
  // A mapper for `kind_name` ("returned_students", ...) whose columns are `header`.
  // kInvalidArgument for an unknown kind, or a header with an unknown, duplicate or
  // missing column (every field of the message must be present: a partial import
  // would silently blank the missing fields). kUnimplemented when the kind has a field
  // type CSV does not carry (messages, repeated fields, floating point).
  static absl::StatusOr<RecordCsvMapper> Create(absl::string_view kind_name,
                                                const std::vector<std::string>& header);

  // Replaces *record with the record of one data row. kInvalidArgument when the row
  // has the wrong number of fields or a cell does not parse; *record is then
  // unspecified.
  absl::Status Fill(const std::vector<std::string>& row, v1::Record* record) const;

  const RegistryKind& kind() const { return *kind_; }

 private:
  RecordCsvMapper(const RegistryKind* kind,
                  std::vector<const google::protobuf::FieldDescriptor*> columns)
      : kind_(kind), columns_(std::move(columns)) {}

  const RegistryKind* kind_;  // static storage (AllRegistryKinds)
  std::vector<const google::protobuf::FieldDescriptor*> columns_;  // in header order
};

// The canonical header of `kind`: its message's field names in declaration order.
std::vector<std::string> CsvHeader(const RegistryKind& kind);

// How text cells are written. A spreadsheet (Excel, WPS) runs a cell that starts with
// =, +, -, @, a tab or a carriage return as a formula: a name could be a formula.
// kSpreadsheetSafe puts one ' before such a text cell (and before a ' that precedes
// one), which the spreadsheet shows as text and Fill() takes away again; numbers are
// never quoted, so -5 stays a number. kAsStored is for showing a record, not a file.
enum class CsvText { kSpreadsheetSafe, kAsStored };

// The row of `record` under CsvHeader() of its kind, which Fill() reads back into an
// equal record. Empty when the record has no kind set.
std::vector<std::string> RecordToCsvRow(const v1::Record& record,
                                        CsvText text = CsvText::kSpreadsheetSafe);

// Whether a text cell would be quoted (see CsvText).
bool StartsLikeFormula(absl::string_view cell);
// A text cell as it was before kSpreadsheetSafe quoted it: without the one leading '
// when the rest StartsLikeFormula(); other cells as they are.
absl::string_view FromSpreadsheetSafe(absl::string_view cell);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_RECORD_CSV_H_
