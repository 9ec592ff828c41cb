// Turns the registries into published cells: exact cells from every record
// (Aggregator), through the privacy filter, into the published-cells outbox, all in one
// transaction. A write marks the publisher dirty; after `debounce` (gathering more
// writes) it publishes on its own thread. It also publishes once an hour, so that stock
// periods roll over with the calendar. Thread-safe.
#ifndef FEDSYNC_DISTRICT_NODE_PUBLISHER_H_
#define FEDSYNC_DISTRICT_NODE_PUBLISHER_H_

#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "shared/catalog.h"
#include "shared/clock.h"
#include "shared/node_store.h"

namespace fedsync {

// Dates in the registries are Beijing time (UTC+8).
absl::CivilDay TodayInChina(absl::Time now);

class Publisher {
 public:
  Publisher(NodeStore* store, std::shared_ptr<const Catalog> catalog, Clock* clock,
            absl::Duration debounce);
  ~Publisher();  // Stop()s

  void Start();
  void Stop();
  // Registry data changed: publish after the debounce.
  void MarkDirty();
  // Publishes now, on the calling thread.
  absl::Status PublishNow();

 private:
  void Run();

  NodeStore* const store_;
  const std::shared_ptr<const Catalog> catalog_;
  Clock* const clock_;
  const absl::Duration debounce_;

  absl::Mutex mu_;
  bool dirty_ ABSL_GUARDED_BY(mu_) = true;  // publish once at start
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar wake_;
  std::thread thread_;
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_PUBLISHER_H_
