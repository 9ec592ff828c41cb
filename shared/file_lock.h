// An exclusive lock on a file for as long as the object lives: a node holds one on
// "<db>.lock" so that a second process cannot open the same database and write to it
// with seqs of its own. flock(2): advisory, released by the kernel when the process
// ends however it ends (kill -9 included), and independent of SQLite's own POSIX locks
// on the database file. Movable, not copyable.
#ifndef FEDSYNC_SHARED_FILE_LOCK_H_
#define FEDSYNC_SHARED_FILE_LOCK_H_

#include <string>

#include "absl/status/statusor.h"

namespace fedsync {

class FileLock {
 public:
  // Creates `path` (0600) when missing and locks it without waiting:
  // kFailedPrecondition when another process holds it, naming the path.
  static absl::StatusOr<FileLock> Acquire(const std::string& path);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_FILE_LOCK_H_
