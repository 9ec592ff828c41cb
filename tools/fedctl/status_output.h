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

// The children as CSV, one row each:
//   id,level,path,connected,last_seen_unix_millis,watermark,child_max_seq,lag_seq,
//   lag_seconds,catalog_version,cells
std::string RenderStatusCsv(const v1::GetStatusResponse& status, absl::Time now);

// A child's lag in seq (its newest seq as it last said, minus what is held here; signed,
// so a parent ahead of a child restored from a backup reads negative) and in seconds
// (since it was last heard from while behind; 0 when caught up).
int64_t ChildLagSeq(const v1::ChildStatus& child);
int64_t ChildLagSeconds(const v1::ChildStatus& child, absl::Time now);

// One line of JSON ending in '\n'; kInternal only if protobuf cannot print the message.
absl::StatusOr<std::string> RenderStatusJson(const v1::GetStatusResponse& status);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_STATUS_OUTPUT_H_
