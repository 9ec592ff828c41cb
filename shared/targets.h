// Targets set from above ("certifications issued in 2026 >= 10") and progress toward
// them. Progress is the sum of a node's live cells of the target's metric and period
// over their dimension values (PARTIAL when some are suppressed), read from the
// published cells at the node the target is for and from the parent's copy of them at
// the parent, so both ends show the same number once synced. The moment progress first
// reaches the value is kept as the target's met time: districts are judged on finishing
// early.
//
// Functions run on the caller's connection; writers inside the caller's transaction.
#ifndef FEDSYNC_SHARED_TARGETS_H_
#define FEDSYNC_SHARED_TARGETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedsync/v1/admin.pb.h"
#include "fedsync/v1/federation.pb.h"
#include "shared/catalog.h"
#include "shared/database.h"

namespace fedsync {

// Targets this node received from its parent; part of every node's migrations.
extern const char kReceivedTargetsSchema[];

struct Progress {
  int64_t value = 0;
  bool partial = false;
};

// kInvalidArgument naming the field: unknown metric, a period that is not the metric's
// period type, a negative value.
absl::Status ValidateTarget(const Catalog& catalog, const v1::Target& target);

// This node's own progress: its live published cells of `metric` in `period`.
absl::StatusOr<Progress> OwnProgress(Database* db, const std::string& metric,
                                     const std::string& period);

// Replaces the targets received from the parent, keeping the met time of those that
// stay (same metric, period and value).
absl::Status ReplaceReceivedTargets(Database* db, const v1::TargetList& targets);

// Progress toward each received target. With `now_millis` > 0, records it as the met
// time of targets met for the first time (needs a write transaction).
absl::StatusOr<std::vector<v1::TargetProgress>> ReceivedTargetProgress(Database* db,
                                                                      int64_t now_millis);

// A node with a parent: stores the parent's target list, and after every publish
// records the met time of targets reached. Failures are logged; the next publish retries.
class NodeStore;
void StoreReceivedTargets(NodeStore* store, const v1::TargetList& targets);
void UpdateReceivedTargets(NodeStore* store);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_TARGETS_H_
