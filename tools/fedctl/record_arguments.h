// A registry record from the command line, for `fedctl registry add` and `update`: the
// positional arguments are FIELD=VALUE pairs, named and written as in a CSV import
// (shared/record_csv.h: enums by name, dates as YYYY-MM-DD). Fields not given are empty
// for add, and keep the stored value for update. Pure; thread-compatible.
#ifndef FEDSYNC_TOOLS_FEDCTL_RECORD_ARGUMENTS_H_
#define FEDSYNC_TOOLS_FEDCTL_RECORD_ARGUMENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/registry_kinds.h"

namespace fedsync::fedctl {

// `base` (may be null) gives the values of the fields not assigned. kInvalidArgument for
// an argument without '=', an unknown or repeated field, or a value that does not parse
// (invalid UTF-8 included); the message names the field, never the value.
absl::StatusOr<v1::Record> RecordFromAssignments(const RegistryKind& kind,
                                                 const std::vector<std::string>& assignments,
                                                 const v1::Record* base);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_RECORD_ARGUMENTS_H_
