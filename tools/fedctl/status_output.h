// `fedctl status` output: a GetStatusResponse as a page for people (the node, its
// parent link, then one row per child with its freshness and lag), or as protobuf's own
// JSON mapping for scripts (field names as in admin.proto; uint64 as strings, zero and
// false fields omitted, as protobuf prints them). Pure functions; thread-safe.
#ifndef FEDSYNC_TOOLS_FEDCTL_STATUS_OUTPUT_H_
#define FEDSYNC_TOOLS_FEDCTL_STATUS_OUTPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fedsync/v1/admin.pb.h"

namespace fedsync::fedctl {

// Ages ("3s ago") are measured from `now`; ending in '\n'.
std::string RenderStatusTable(const v1::GetStatusResponse& status, absl::Time now);

// One line of JSON ending in '\n'; kInternal only if protobuf cannot print the message.
absl::StatusOr<std::string> RenderStatusJson(const v1::GetStatusResponse& status);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_STATUS_OUTPUT_H_
