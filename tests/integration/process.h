// Real processes for integration tests: start a node binary, read the address it
// announces ("listening on HOST:PORT") with a deadline, signal it, wait for it. Also
// run a command (fedctl) to completion and capture its output.
#ifndef FEDSYNC_TESTS_INTEGRATION_PROCESS_H_
#define FEDSYNC_TESTS_INTEGRATION_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fedsync::testing {

class NodeProcess {
 public:
  // Starts `binary` with `args`, stderr appended to `log_path`, and waits until it
  // prints its listening line. Fails (after killing it) when it exits or says nothing
  // within `timeout`.
  static absl::StatusOr<std::unique_ptr<NodeProcess>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::string& log_path, absl::Duration timeout = absl::Seconds(30));
  ~NodeProcess();  // SIGKILLs the process if it still runs

  const std::string& address() const { return address_; }
  // Reads stdout lines after the listening line until one starts with `prefix` (e.g.
  // "http on ") and returns the rest of it; kDeadlineExceeded after `timeout`.
  absl::StatusOr<std::string> ReadLineAfter(const std::string& prefix,
                                            absl::Duration timeout = absl::Seconds(10));
  pid_t pid() const { return pid_; }
  void Signal(int signal);
  // Waits for the process to end; its exit status as from waitpid, or -1 at the deadline.
  int Wait(absl::Duration timeout = absl::Seconds(10));

 private:
  NodeProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  pid_t pid_;
  int stdout_fd_;
  bool reaped_ = false;
  std::string address_;
  std::string unread_stdout_;  // read past the listening line, not yet consumed
};

struct CommandOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `binary` with `args` to completion (killed after `timeout`).
CommandOutput RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         absl::Duration timeout = absl::Seconds(60));

// Polls `condition` until it returns OK or `timeout` passes; returns its last status.
absl::Status WaitFor(const std::function<absl::Status()>& condition,
                     absl::Duration timeout = absl::Seconds(30));

// The contents of the file at `path`; empty when it cannot be read (a log not written
// yet), which the caller's expectation then reports.
std::string FileContents(const std::string& path);

// A fresh directory under $TMPDIR, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace fedsync::testing

#endif  // FEDSYNC_TESTS_INTEGRATION_PROCESS_H_
