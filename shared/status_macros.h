// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr.
// Abseil 20220623 ships no status macros; these are the project's only ones.
#ifndef FEDSYNC_SHARED_STATUS_MACROS_H_
#define FEDSYNC_SHARED_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FEDSYNC_CONCAT_INNER_(a, b) a##b
#define FEDSYNC_CONCAT_(a, b) FEDSYNC_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::absl::Status fedsync_status_ = (expr);           \
    if (!fedsync_status_.ok()) return fedsync_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, MakeX());` declares or assigns `x` from the StatusOr's
// value, or returns its status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  FEDSYNC_ASSIGN_OR_RETURN_IMPL_(FEDSYNC_CONCAT_(fedsync_statusor_, __LINE__), lhs, rexpr)

#define FEDSYNC_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()

#endif  // FEDSYNC_SHARED_STATUS_MACROS_H_
