// `fedctl sync` output: one line per node that answered a sync command, then one per
// node that did not answer in time, aligned for people and stable for grep:
//   luyang   ok       acked seq 120
//   yaohai   failed   cannot open database
//   shushan  missing  no answer within the deadline
// Pure function; thread-safe.
#ifndef FEDSYNC_TOOLS_FEDCTL_SYNC_OUTPUT_H_
#define FEDSYNC_TOOLS_FEDCTL_SYNC_OUTPUT_H_

#include <string>

#include "fedsync/v1/admin.pb.h"

namespace fedsync::fedctl {

struct SyncReport {
  std::string text;  // for stdout, ending in '\n'
  int failed = 0;    // results with ok = false
  int missing = 0;   // nodes that did not answer within the deadline
  // Waited, and no node answered nor was missing (no child to sync): not a success.
  bool none_answered = false;
};

// `waited`: the request asked to wait for results. Without it the node answers before
// the children do, so an empty result list is success, not silence.
SyncReport RenderSyncResults(const v1::SyncNowResponse& response, bool waited);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_SYNC_OUTPUT_H_
