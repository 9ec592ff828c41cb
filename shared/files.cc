#include "shared/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"

namespace fedsync {

absl::Status WriteFile(const std::string& path, const std::string& contents, mode_t mode,
                       FileCreation creation) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC |
                    (creation == FileCreation::kNew ? O_EXCL : O_TRUNC);
  int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot create ", path));
  bool ok = ::fchmod(fd, mode) == 0;
  size_t written = 0;
  while (ok && written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  int saved = ok ? 0 : (errno != 0 ? errno : EIO);  // a write of 0 bytes sets no errno
  if (::close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok) return absl::OkStatus();
  if (creation == FileCreation::kNew) ::unlink(path.c_str());
  return absl::ErrnoToStatus(saved, absl::StrCat("cannot write ", path));
}

namespace {

using File = std::unique_ptr<FILE, int (*)(FILE*)>;

absl::StatusOr<File> Open(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path));
  return file;
}

absl::StatusOr<std::string> ReadAll(const std::string& path, File file) {
  std::string contents;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) contents.append(buffer, n);
  if (std::ferror(file.get())) return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path));
  return contents;
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  absl::StatusOr<File> file = Open(path);
  if (!file.ok()) return file.status();
  return ReadAll(path, std::move(*file));
}

absl::StatusOr<std::string> ReadPrivateFile(const std::string& path) {
  absl::StatusOr<File> file = Open(path);
  if (!file.ok()) return file.status();
  struct stat info {};
  if (::fstat(::fileno(file->get()), &info) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path));
  }
  if ((info.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is readable by others; chmod 600 it first"));
  }
  return ReadAll(path, std::move(*file));
}

}  // namespace fedsync
