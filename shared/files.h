// Whole-file reads and writes for small files (keys, certificates, tokens), with the
// file's mode set on creation. Every failure is the errno's status naming the path.
#ifndef FEDSYNC_SHARED_FILES_H_
#define FEDSYNC_SHARED_FILES_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fedsync {

enum class FileCreation {
  kReplace,  // create or truncate
  kNew,      // fail (kAlreadyExists) when the file exists
};

// Writes `contents` to `path` with `mode` (also on a replaced file). A write that fails
// part-way leaves no new file behind (kNew) and returns the error.
absl::Status WriteFile(const std::string& path, const std::string& contents, mode_t mode,
                       FileCreation creation = FileCreation::kReplace);

absl::StatusOr<std::string> ReadFile(const std::string& path);

// ReadFile for a secret (a private key, a token): kFailedPrecondition when its group or
// others may read it. The mode is checked on the file opened, not on the path.
absl::StatusOr<std::string> ReadPrivateFile(const std::string& path);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_FILES_H_
