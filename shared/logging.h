// The one logging facility: one line per event on stderr,
//   2026-11-30T03:48:04.123Z INFO uplink.connected parent=127.0.0.1:4000
// Fields are key=value; values with spaces or quotes are quoted. Never pass a personal
// field value (name, ID number, phone, address, amount of one person) to a log line.
// Thread-safe: each line is written with one call.
#ifndef FEDSYNC_SHARED_LOGGING_H_
#define FEDSYNC_SHARED_LOGGING_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>

namespace fedsync {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below this level are dropped. Default: kInfo.
void SetMinLogLevel(LogLevel level);
// Parses "debug", "info", "warning", "error"; false when unknown.
bool ParseLogLevel(absl::string_view text, LogLevel* level);

struct LogField {
  LogField(absl::string_view k, absl::string_view v) : key(k), value(v) {}
  LogField(absl::string_view k, const char* v) : key(k), value(v) {}
  LogField(absl::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(absl::string_view k, int64_t v) : key(k), value(std::to_string(v)) {}
  LogField(absl::string_view k, uint64_t v) : key(k), value(std::to_string(v)) {}
  LogField(absl::string_view k, int v) : key(k), value(std::to_string(v)) {}
  LogField(absl::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  std::string key;
  std::string value;
};

void Log(LogLevel level, absl::string_view event,
         std::initializer_list<LogField> fields = {});

inline void LogInfo(absl::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, event, fields);
}
inline void LogWarning(absl::string_view event,
                       std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarning, event, fields);
}
inline void LogError(absl::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, event, fields);
}
inline void LogDebug(absl::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kDebug, event, fields);
}

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_LOGGING_H_
