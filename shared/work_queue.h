// One thread that runs posted tasks in order. Used where work must not run on a gRPC
// callback thread (database writes, commands that wait). The thread starts with the
// first task. Thread-safe; Stop() runs the tasks already posted, then joins; tasks
// posted after Stop() are dropped.
#ifndef FEDSYNC_SHARED_WORK_QUEUE_H_
#define FEDSYNC_SHARED_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace fedsync {

class WorkQueue {
 public:
  explicit WorkQueue(std::string name);
  ~WorkQueue();  // Stop()s
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False when the queue has stopped and the task was dropped.
  bool Post(std::function<void()> task);
  void Stop();
  size_t pending() const;

 private:
  void Run();

  std::string name_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started under mu_ by the first Post
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_WORK_QUEUE_H_
