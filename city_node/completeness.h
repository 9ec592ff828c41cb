// Completeness and timeliness of children's reports. A child has reported for a period
// once, after the period ended, this node held the child's newest seq (seen on a batch,
// a Hello or a heartbeat); on time when that first happened within the deadline for
// the period type (NodeConfig *_deadline_days after the period's last day, Beijing
// time). Functions run on the caller's connection; writers inside its transaction.
#ifndef FEDSYNC_CITY_NODE_COMPLETENESS_H_
#define FEDSYNC_CITY_NODE_COMPLETENESS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fedsync/v1/admin.pb.h"
#include "fedsync/v1/config.pb.h"
#include "shared/database.h"

namespace fedsync {

extern const char kReportsSchema[];

// The most recently ended period of each type (year, quarter, month) at `now`.
std::vector<std::string> LastEndedPeriods(absl::Time now);

// Records that `child_id` is up to date at `now`: the first report for each period
// that has ended.
absl::Status RecordReport(Database* db, const std::string& child_id, absl::Time now);

// The report of `child_id` for each of the last ended periods at `now`.
absl::StatusOr<std::vector<v1::PeriodReport>> ReadReports(Database* db,
                                                          const std::string& child_id,
                                                          const v1::NodeConfig& config,
                                                          absl::Time now);

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_COMPLETENESS_H_
