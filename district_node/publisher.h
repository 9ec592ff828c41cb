// Keeps the published cells current with the calendar. Registry writes publish the
// cells they touch themselves, in their own transaction (CellUpdater::Apply); what no
// write does is notice that time passed: a new year (or quarter, month) is a new stock
// period that every record in the registry counts in. The publisher checks that at
// start, on request (PublishNow) and at least once an hour on its own thread, and then
// runs the full recompute (CellUpdater::EnsureCurrent). Thread-safe.
#ifndef FEDSYNC_DISTRICT_NODE_PUBLISHER_H_
#define FEDSYNC_DISTRICT_NODE_PUBLISHER_H_

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "district_node/cell_updater.h"
#include "shared/node_store.h"

namespace fedsync {

class Publisher {
 public:
  // `store` and `updater` must outlive the publisher. `check_every`: how often the
  // thread looks at the calendar.
  Publisher(NodeStore* store, const CellUpdater* updater,
            absl::Duration check_every = absl::Hours(1));
  ~Publisher();  // Stop()s

  void Start();
  void Stop();
  // Makes the published cells current now, on the calling thread: a full recompute
  // when the stored cells are stale (see CellUpdater), else nothing to do.
  absl::Status PublishNow();

 private:
  void Run();

  NodeStore* const store_;
  const CellUpdater* const updater_;
  const absl::Duration check_every_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar wake_;
  std::thread thread_;
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_PUBLISHER_H_
