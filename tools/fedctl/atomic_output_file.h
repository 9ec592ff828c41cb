// A file written in full or not at all, for `--out=FILE`. The bytes go to a temporary
// file beside FILE (same directory, mode 0600, as the records in it are personal) that
// Commit() renames over FILE, so FILE keeps its old contents, or stays absent, until the
// new ones are complete and on disk. A file not committed (a failed call, a failed
// write, an early return) has its temporary removed by the destructor; FILE is then
// never touched.
//
// When FILE is a symbolic link, the file it points to is replaced and the link stays.
// When FILE exists and is not a regular file (/dev/null, a FIFO) there is nothing to
// keep whole, and the bytes go straight to it.
//
// Every failure is the errno's status naming FILE. Not thread-safe.
#ifndef FEDSYNC_TOOLS_FEDCTL_ATOMIC_OUTPUT_FILE_H_
#define FEDSYNC_TOOLS_FEDCTL_ATOMIC_OUTPUT_FILE_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fedsync::fedctl {

class AtomicOutputFile {
 public:
  // Creates the temporary for `path`. Fails when its directory cannot take a new file,
  // or when `path` is something that cannot be written (a directory).
  static absl::StatusOr<std::unique_ptr<AtomicOutputFile>> Create(const std::string& path);

  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;
  ~AtomicOutputFile();  // removes the temporary unless committed

  // Appends `data`. After a failure every later call returns the same error.
  absl::Status Append(absl::string_view data);

  // Syncs the temporary to disk and renames it over FILE. Call at most once; after a
  // failure FILE is as it was, and the destructor removes the temporary.
  absl::Status Commit();

 private:
  AtomicOutputFile(std::string path, std::string target, std::string temporary, int fd)
      : path_(std::move(path)),
        target_(std::move(target)),
        temporary_(std::move(temporary)),
        fd_(fd) {}

  absl::Status Fail(int error_number, absl::string_view what);

  std::string path_;       // as given, for messages
  std::string target_;     // the file replaced: path_ with symbolic links resolved
  std::string temporary_;  // empty when writing straight to a file that is not regular
  int fd_;                 // -1 once closed
  bool committed_ = false;
  absl::Status error_;  // sticky after the first failure
};

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_ATOMIC_OUTPUT_FILE_H_
