// Server-side deadlines for calls on gRPC's synchronous API (DESIGN.md, guarantee 6):
// a handler that may wait on its peer (a client-streaming import, a server-streaming
// export) registers its call here with a maximum duration; past it, the call is
// cancelled (ServerContext::TryCancel), which ends a blocked Read or Write, so a client
// that stalls without a deadline of its own cannot hold a server thread for ever.
//
// Watch returns a guard that deregisters the call when the handler returns, before its
// context is gone. One thread (started on first use) sweeps at each deadline; Sweep is
// public so tests drive it with a fake clock. Thread-safe.
#ifndef FEDSYNC_SHARED_CALL_WATCHDOG_H_
#define FEDSYNC_SHARED_CALL_WATCHDOG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "shared/clock.h"

namespace fedsync {

class CallWatchdog {
 public:
  // `clock` must outlive this. `start_thread`: sweep in a thread of its own.
  CallWatchdog(const Clock* clock, bool start_thread);
  ~CallWatchdog();

  // The process-wide watchdog on the real clock, used by the services.
  static CallWatchdog& Default();

  class Guard {
   public:
    Guard(CallWatchdog* watchdog, uint64_t id) : watchdog_(watchdog), id_(id) {}
    Guard(Guard&& other) noexcept : watchdog_(other.watchdog_), id_(other.id_) {
      other.watchdog_ = nullptr;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard();
    // True when the call was cancelled for running past its maximum.
    bool expired() const;

   private:
    CallWatchdog* watchdog_;
    uint64_t id_;
  };

  // Calls `cancel` once if the guard still lives `max` from now.
  Guard Watch(std::function<void()> cancel, absl::Duration max);
  // The same for a call's context.
  Guard Watch(grpc::ServerContext* context, absl::Duration max);

  // Cancels every call past its deadline; returns how many.
  int Sweep();

 private:
  struct Call {
    absl::Time deadline;
    std::function<void()> cancel;
    bool expired = false;
  };
  void Remove(uint64_t id);
  bool Expired(uint64_t id);
  void Run();

  const Clock* const clock_;
  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Call> calls_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread sweeper_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_CALL_WATCHDOG_H_
