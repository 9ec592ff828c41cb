// A loopback TCP proxy for fault tests: forwards connections from its own port to a
// target, and on command drops new connections, delays traffic, stalls it, or cuts
// every open connection. Only loopback addresses. Thread-safe; stops on destruction.
#ifndef FEDSYNC_TESTS_INTEGRATION_TCP_PROXY_H_
#define FEDSYNC_TESTS_INTEGRATION_TCP_PROXY_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace fedsync::testing {

class TcpProxy {
 public:
  enum class Mode {
    kPass,   // forward everything
    kDrop,   // accept new connections and close them at once
    kDelay,  // forward, each chunk after `delay_ms`
    kStall,  // keep connections open, forward nothing
  };

  // Listens on 127.0.0.1 (a free port) and forwards to `target_port` on 127.0.0.1.
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int target_port);
  ~TcpProxy();

  std::string address() const;
  void SetMode(Mode mode, int delay_ms = 0);
  // Closes every open connection (both sides see a reset or EOF).
  void CutAll();
  int connections_accepted() const { return accepted_.load(); }

 private:
  TcpProxy(int listen_fd, int port, int target_port)
      : listen_fd_(listen_fd), port_(port), target_port_(target_port) {}
  void AcceptLoop();
  void Pump(int from, int to);

  const int listen_fd_;
  const int port_;
  const int target_port_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> mode_{static_cast<int>(Mode::kPass)};
  std::atomic<int> delay_ms_{0};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  mutable absl::Mutex mu_;
  std::vector<int> open_fds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> pumps_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fedsync::testing

#endif  // FEDSYNC_TESTS_INTEGRATION_TCP_PROXY_H_
