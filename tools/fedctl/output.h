// The building blocks of fedctl's output, shared by every command: an aligned text table
// for people, JSON string quoting for scripts, and "3s ago" for freshness. Pure
// functions over strings; thread-compatible.
#ifndef FEDSYNC_TOOLS_FEDCTL_OUTPUT_H_
#define FEDSYNC_TOOLS_FEDCTL_OUTPUT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace fedsync::fedctl {

// Columns separated by two spaces, padded to the widest cell, no trailing spaces.
// Widths are in terminal columns, so a Chinese community name (two columns per
// character) still lines up.
// A progress line on stderr, redrawn in place, for work that takes a while. Only on a
// terminal: in a log file or a pipe, carriage returns are noise. Nothing is drawn in
// the first 300 ms, and at most 10 redraws a second.
class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine() { Clear(); }
  void Show(const std::string& text);
  void Clear();

 private:
  bool enabled_;
  absl::Time start_;
  absl::Time last_ = absl::InfinitePast();
  size_t width_ = 0;
};

class TextTable {
 public:
  // An empty header prints no header line.
  explicit TextTable(std::vector<std::string> header);

  // Numbers read best right-aligned.
  void AlignRight(size_t column);
  // A row shorter than the header is padded with empty cells; a longer one widens the
  // table.
  void AddRow(std::vector<std::string> row);
  size_t row_count() const { return rows_.size(); }

  // Every line ends with '\n'; a table without header and rows renders as "".
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_aligned_;
};

// The number of terminal columns `utf8` occupies: 2 for East Asian wide characters,
// 0 for combining marks, 1 otherwise (including each byte of invalid UTF-8).
int DisplayWidth(std::string_view utf8);

// `text` as a quoted JSON string. Valid UTF-8 passes through unescaped; '"', '\\' and
// control characters are escaped; each byte of invalid UTF-8 becomes U+FFFD so the
// output is always valid JSON.
std::string JsonString(std::string_view text);

// How long before `now` `then` was, for people: "just now", "42s ago", "5m ago",
// "3h ago", "12d ago". A time in the future (clock skew between hosts) reads
// "just now" rather than a negative age.
std::string RelativeTime(absl::Time then, absl::Time now);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_OUTPUT_H_
