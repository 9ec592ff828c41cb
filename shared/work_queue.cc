#include "shared/work_queue.h"

namespace fedsync {

WorkQueue::WorkQueue(std::string name) : name_(std::move(name)) {}

WorkQueue::~WorkQueue() { Stop(); }

bool WorkQueue::Post(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  tasks_.push_back(std::move(task));
  // The thread starts with the first task: many queues (one per uplink) never get one.
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  return true;
}

void WorkQueue::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  // With stopping_ set no Post starts a thread, so thread_ no longer changes.
  if (thread_.joinable()) thread_.join();
}

size_t WorkQueue::pending() const {
  absl::MutexLock lock(&mu_);
  return tasks_.size();
}

void WorkQueue::Run() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkQueue* queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue->mu_) {
            return queue->stopping_ || !queue->tasks_.empty();
          },
          this));
      if (tasks_.empty()) return;  // stopping, and everything posted has run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace fedsync
