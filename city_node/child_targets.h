// Targets this node sets for its children, with each child's progress read from this
// node's copy of the child's cells. Travel down: the hub sends a child its whole list on
// every Welcome and whenever one changes. Functions run on the caller's connection;
// writers inside the caller's transaction.
#ifndef FEDSYNC_CITY_NODE_CHILD_TARGETS_H_
#define FEDSYNC_CITY_NODE_CHILD_TARGETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedsync/v1/admin.pb.h"
#include "fedsync/v1/federation.pb.h"
#include "shared/database.h"

namespace fedsync {

extern const char kChildTargetsSchema[];

// Stores (or replaces) the target of `target.child_id` for its metric and period.
absl::Status PutChildTarget(Database* db, const v1::Target& target);

// Every target set for `child_id`.
absl::StatusOr<v1::TargetList> TargetsForChild(Database* db, const std::string& child_id);

// Progress toward every target set here (of one child when `child_id` is not empty).
// With `now_millis` > 0, records it as the met time of targets met for the first time.
absl::StatusOr<std::vector<v1::TargetProgress>> ChildTargetProgress(Database* db,
                                                                   const std::string& child_id,
                                                                   int64_t now_millis);

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_CHILD_TARGETS_H_
