// Server-side deadlines for long-lived streams (DESIGN.md, guarantee 6): a child's Sync
// stream may live for days, but not silently. A child sends a heartbeat at least every
// few seconds (5 s by default) when it has nothing else to say; a stream from which
// nothing has been heard for the idle timeout, including one that never said hello, is
// closed with DEADLINE_EXCEEDED, so a peer that connects and stalls cannot hold a
// reactor (and its memory) forever. The child reconnects as after any broken link.
//
// A close waits for the write in flight, and a peer that stopped reading holds that
// write for ever (its flow-control window is full). So a stream still here a sweep
// period after it was closed is cancelled: the write fails and the stream ends.
//
// Streams register themselves and deregister before they are deleted. A thread (Start)
// sweeps a few times per timeout; Sweep is public so tests drive it with a fake clock.
// Thread-safe.
#ifndef FEDSYNC_CITY_NODE_IDLE_STREAMS_H_
#define FEDSYNC_CITY_NODE_IDLE_STREAMS_H_

#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "shared/clock.h"

namespace fedsync {

class IdleStreams {
 public:
  class Stream {
   public:
    virtual ~Stream() = default;
    // When the peer was last heard from (or the stream began).
    virtual absl::Time LastHeard() const = 0;
    // Ends the stream with `status`; a stream already ending ignores it. Must not call
    // back into IdleStreams.
    virtual void Close(grpc::Status status) = 0;
    // Ends the stream now, whatever it is waiting for (the call is cancelled). Must not
    // call back into IdleStreams.
    virtual void Cancel() = 0;
  };

  // `clock` must outlive this.
  IdleStreams(absl::Duration idle_timeout, const Clock* clock);
  ~IdleStreams();  // stops the sweeping thread

  // Sweeps in a thread of its own until destruction.
  void Start();

  void Add(Stream* stream);
  // After Remove returns, `stream` is never touched again.
  void Remove(Stream* stream);

  // Closes every stream silent for longer than the timeout, and cancels every stream
  // closed here before the last sweep that has not ended yet; returns how many it
  // closed.
  int Sweep();

  absl::Duration idle_timeout() const { return idle_timeout_; }
  const Clock* clock() const { return clock_; }

 private:
  const absl::Duration idle_timeout_;
  const Clock* const clock_;
  absl::Mutex mu_;
  std::set<Stream*> streams_ ABSL_GUARDED_BY(mu_);
  // Streams this closed and that have not ended (been removed) yet.
  std::set<Stream*> closed_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread sweeper_;
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_IDLE_STREAMS_H_
