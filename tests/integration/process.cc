#include "tests/integration/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "shared/files.h"

extern char** environ;

namespace fedsync::testing {
namespace {

std::vector<char*> Argv(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Reads what is available from `fd` into `out` until `deadline`; false on EOF.
bool ReadSome(int fd, std::string* out, absl::Time deadline) {
  const int64_t wait_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()));
  pollfd poll_fd{fd, POLLIN, 0};
  int ready = ::poll(&poll_fd, 1, static_cast<int>(std::min<int64_t>(wait_ms, 100)));
  if (ready <= 0) return true;
  char buffer[4096];
  ssize_t n = ::read(fd, buffer, sizeof(buffer));
  if (n <= 0) return false;
  out->append(buffer, static_cast<size_t>(n));
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NodeProcess>> NodeProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::string& log_path, absl::Duration timeout) {
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  std::vector<char*> argv = Argv(binary, args);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    return absl::InternalError(absl::StrCat("cannot start ", binary));
  }
  std::unique_ptr<NodeProcess> process(new NodeProcess(pid, out_pipe[0]));
  const absl::Time deadline = absl::Now() + timeout;
  std::string output;
  while (absl::Now() < deadline) {
    size_t newline = output.find('\n');
    if (newline != std::string::npos) {
      absl::string_view line(output.data(), newline);
      if (absl::ConsumePrefix(&line, "listening on ")) {
        process->address_ = std::string(line);
        process->unread_stdout_ = output.substr(newline + 1);
        return process;
      }
      return absl::InternalError(absl::StrCat(binary, " printed '", line, "' first"));
    }
    if (!ReadSome(process->stdout_fd_, &output, deadline)) break;
  }
  return absl::DeadlineExceededError(
      absl::StrCat(binary, " did not announce its address; see ", log_path));
}

absl::StatusOr<std::string> NodeProcess::ReadLineAfter(const std::string& prefix,
                                                       absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t newline = unread_stdout_.find('\n');
    if (newline != std::string::npos) {
      std::string line = unread_stdout_.substr(0, newline);
      unread_stdout_.erase(0, newline + 1);
      if (absl::StartsWith(line, prefix)) return line.substr(prefix.size());
      continue;
    }
    if (absl::Now() >= deadline) break;
    if (!ReadSome(stdout_fd_, &unread_stdout_, deadline)) break;
  }
  return absl::DeadlineExceededError(absl::StrCat("no line starting '", prefix, "' on stdout"));
}

NodeProcess::~NodeProcess() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    Wait(absl::Seconds(10));
  }
  ::close(stdout_fd_);
}

void NodeProcess::Signal(int signal) {
  if (!reaped_) ::kill(pid_, signal);
}

int NodeProcess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      return status;
    }
    if (absl::Now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a child's exit
  }
}

CommandOutput RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         absl::Duration timeout) {
  CommandOutput result;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv = Argv(binary, args);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return result;
  }
  const absl::Time deadline = absl::Now() + timeout;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && absl::Now() < deadline) {
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                     {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    if (::poll(fds, 2, 100) <= 0) continue;
    char buffer[8192];
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP))) {
      ssize_t n = ::read(out_pipe[0], buffer, sizeof(buffer));
      if (n <= 0) out_open = false; else result.out.append(buffer, static_cast<size_t>(n));
    }
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP))) {
      ssize_t n = ::read(err_pipe[0], buffer, sizeof(buffer));
      if (n <= 0) err_open = false; else result.err.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (out_open || err_open) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

absl::Status WaitFor(const std::function<absl::Status()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(20);
  while (true) {
    absl::Status status = condition();
    if (status.ok() || absl::Now() >= deadline) return status;
    // Polling a condition in another process, with a short growing pause.
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(250));
  }
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(base ? base : "/tmp", "/fedsync-test-XXXXXX");
  char* made = ::mkdtemp(pattern.data());
  path_ = made ? made : "";
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty() && std::getenv("FEDSYNC_KEEP_TEST_DIRS") == nullptr) {
    std::filesystem::remove_all(path_, ignored);
  }
}

std::string FileContents(const std::string& path) { return ReadFile(path).value_or(""); }

}  // namespace fedsync::testing
