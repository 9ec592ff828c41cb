#include "tools/fedctl/atomic_output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"

namespace fedsync::fedctl {

absl::StatusOr<std::unique_ptr<AtomicOutputFile>> AtomicOutputFile::Create(
    const std::string& path) {
  std::string target = path;
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    if (!S_ISREG(info.st_mode)) {
      // No O_CREAT: it exists, and a device or FIFO cannot be replaced by a rename.
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path));
      return std::unique_ptr<AtomicOutputFile>(new AtomicOutputFile(path, path, "", fd));
    }
    if (char* resolved = ::realpath(path.c_str(), nullptr); resolved != nullptr) {
      target = resolved;
      std::free(resolved);
    }
  }
  std::string temporary = absl::StrCat(target, ".tmp-XXXXXX");
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot create a file beside ", path));
  }
  auto file = std::unique_ptr<AtomicOutputFile>(
      new AtomicOutputFile(path, std::move(target), std::move(temporary), fd));
  // mkstemp's mode is 0600 already on Linux; POSIX does not promise it.
  if (::fchmod(fd, 0600) != 0) return file->Fail(errno, "cannot create a file beside");
  return file;
}

AtomicOutputFile::~AtomicOutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

absl::Status AtomicOutputFile::Fail(int error_number, absl::string_view what) {
  error_ = absl::ErrnoToStatus(error_number, absl::StrCat(what, " ", path_));
  return error_;
}

absl::Status AtomicOutputFile::Append(absl::string_view data) {
  if (!error_.ok()) return error_;
  while (!data.empty()) {
    const ssize_t written = ::write(fd_, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    // A write of 0 bytes sets no errno.
    if (written <= 0) return Fail(written < 0 ? errno : EIO, "cannot write");
    data.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

absl::Status AtomicOutputFile::Commit() {
  if (!error_.ok()) return error_;
  // Synced before the rename, so that a crash leaves the old file or the whole new one.
  if (!temporary_.empty() && ::fsync(fd_) != 0) return Fail(errno, "cannot write");
  if (::close(std::exchange(fd_, -1)) != 0) return Fail(errno, "cannot write");
  if (!temporary_.empty() && ::rename(temporary_.c_str(), target_.c_str()) != 0) {
    return Fail(errno, "cannot replace");
  }
  committed_ = true;
  return absl::OkStatus();
}

}  // namespace fedsync::fedctl
