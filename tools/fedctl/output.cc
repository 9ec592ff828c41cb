#include "tools/fedctl/output.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <utility>

#include "absl/time/clock.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fedsync::fedctl {

ProgressLine::ProgressLine() : enabled_(::isatty(STDERR_FILENO) == 1), start_(absl::Now()) {}

void ProgressLine::Show(const std::string& text) {
  if (!enabled_) return;
  const absl::Time now = absl::Now();
  if (now - start_ < absl::Milliseconds(300) || now - last_ < absl::Milliseconds(100)) return;
  last_ = now;
  std::cerr << "\r" << text << std::flush;
  width_ = std::max(width_, text.size());
}

void ProgressLine::Clear() {
  if (width_ == 0) return;
  std::cerr << "\r" << std::string(width_, ' ') << "\r" << std::flush;
  width_ = 0;
}
namespace {

// Decodes the code point at text[*pos] and advances *pos. Returns -1 for a byte that
// does not start a valid, shortest-form UTF-8 sequence (and advances by one byte).
int32_t NextCodePoint(std::string_view text, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(*pos);
  int length = 0;
  int32_t code_point = 0;
  if (lead < 0x80) {
    ++*pos;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    ++*pos;
    return -1;
  }
  if (*pos + length > text.size()) {
    ++*pos;
    return -1;
  }
  for (int i = 1; i < length; ++i) {
    unsigned char next = byte(*pos + i);
    if ((next & 0xC0) != 0x80) {
      ++*pos;
      return -1;
    }
    code_point = (code_point << 6) | (next & 0x3F);
  }
  static constexpr int32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinimum[length] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    ++*pos;
    return -1;
  }
  *pos += length;
  return code_point;
}

// The wide ranges of Unicode's East Asian Width property that matter here (CJK,
// Hangul, full-width forms), after Markus Kuhn's wcwidth.
bool IsWide(int32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
         (c >= 0x20000 && c <= 0x3FFFD);
}

bool IsCombining(int32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0xFE00 && c <= 0xFE0F);
}

}  // namespace

TextTable::TextTable(std::vector<std::string> header)
    : header_(std::move(header)), right_aligned_(header_.size(), false) {}

void TextTable::AlignRight(size_t column) {
  if (column >= right_aligned_.size()) right_aligned_.resize(column + 1, false);
  right_aligned_[column] = true;
}

void TextTable::AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

std::string TextTable::Render() const {
  size_t columns = header_.size();
  for (const auto& row : rows_) columns = std::max(columns, row.size());
  std::vector<int> widths(columns, 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);

  std::string out;
  auto render_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < columns; ++i) {
      std::string_view cell = i < row.size() ? std::string_view(row[i]) : std::string_view();
      int padding = widths[i] - DisplayWidth(cell);
      bool right = i < right_aligned_.size() && right_aligned_[i];
      if (i > 0) line.append("  ");
      if (right) line.append(padding, ' ');
      line.append(cell);
      if (!right) line.append(padding, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out.append(line);
    out.push_back('\n');
  };
  if (!header_.empty()) render_row(header_);
  for (const auto& row : rows_) render_row(row);
  return out;
}

int DisplayWidth(std::string_view utf8) {
  int width = 0;
  size_t pos = 0;
  while (pos < utf8.size()) {
    int32_t c = NextCodePoint(utf8, &pos);
    if (c < 0) {
      width += 1;
    } else if (IsCombining(c)) {
      // Occupies no column of its own.
    } else {
      width += IsWide(c) ? 2 : 1;
    }
  }
  return width;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    int32_t c = NextCodePoint(text, &pos);
    switch (c) {
      case -1:
        out.append("\\ufffd");
        break;
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        // DEL is legal in JSON but invisible on a terminal; escape it with the rest.
        if (c < 0x20 || c == 0x7F) {
          out.append(absl::StrFormat("\\u%04x", c));
        } else {
          out.append(text.substr(start, pos - start));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string RelativeTime(absl::Time then, absl::Time now) {
  absl::Duration age = now - then;
  if (age < absl::Seconds(1)) return "just now";
  // Two units of the smaller size before moving up keeps "90s ago" readable.
  if (age < absl::Minutes(2)) return absl::StrCat(absl::ToInt64Seconds(age), "s ago");
  if (age < absl::Hours(2)) return absl::StrCat(absl::ToInt64Minutes(age), "m ago");
  if (age < absl::Hours(48)) return absl::StrCat(absl::ToInt64Hours(age), "h ago");
  return absl::StrCat(absl::ToInt64Hours(age) / 24, "d ago");
}

}  // namespace fedsync::fedctl
