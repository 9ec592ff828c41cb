#include "shared/csv.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace fedsync {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;
constexpr absl::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

int64_t CountLineBreaks(absl::string_view text) {
  int64_t count = 0;
  for (char c : text) count += c == '\n';
  return count;
}

}  // namespace

// Follows the well-formed byte sequences table of the Unicode standard (table 3-7), which
// rules out overlong forms, surrogates (ED A0..BF) and code points above U+10FFFF.
size_t FirstInvalidTextByte(absl::string_view text, const char** reason) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    const unsigned char b = bytes[i];
    if (b == 0) {
      // Usually a UTF-16 file saved without a BOM.
      *reason = "NUL byte (is the file UTF-16? save it as UTF-8)";
      return i;
    }
    if (b < 0x80) {
      ++i;
      continue;
    }
    int trailing = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      trailing = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      trailing = 2;
      if (b == 0xE0) low = 0xA0;   // overlong
      if (b == 0xED) high = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      trailing = 3;
      if (b == 0xF0) low = 0x90;   // overlong
      if (b == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      *reason = "invalid UTF-8";
      return i;
    }
    for (int k = 1; k <= trailing; ++k) {
      if (i + k >= size) {
        *reason = "invalid UTF-8 (truncated sequence)";
        return i;
      }
      const unsigned char next = bytes[i + k];
      const unsigned char lo = k == 1 ? low : 0x80;
      const unsigned char hi = k == 1 ? high : 0xBF;
      if (next < lo || next > hi) {
        *reason = "invalid UTF-8";
        return i;
      }
    }
    i += trailing + 1;
  }
  return absl::string_view::npos;
}

CsvReader::CsvReader(std::istream* in, CsvReaderOptions options)
    : in_(in), options_(options), buffer_(kBufferBytes) {}

bool CsvReader::Refill() {
  if (read_failed_) return false;
  in_->read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  position_ = 0;
  end_ = static_cast<size_t>(in_->gcount());
  if (in_->bad()) read_failed_ = true;
  return end_ > 0;
}

int CsvReader::Get() {
  if (position_ == end_ && !Refill()) return -1;
  return static_cast<unsigned char>(buffer_[position_++]);
}

int CsvReader::Peek() {
  if (position_ == end_ && !Refill()) return -1;
  return static_cast<unsigned char>(buffer_[position_]);
}

absl::Status CsvReader::Fail(int64_t line, absl::string_view reason) {
  error_ = absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", reason));
  return error_;
}

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>* fields) {
  if (!error_.ok()) return error_;
  fields->clear();
  if (at_start_) {
    at_start_ = false;
    // Excel's "CSV UTF-8" starts with EF BB BF; it is an encoding mark, not data.
    if (Refill() && end_ >= 3 && buffer_[0] == '\xEF' && buffer_[1] == '\xBB' &&
        buffer_[2] == '\xBF') {
      position_ = 3;
    }
  }

  enum class State { kFieldStart, kUnquoted, kQuoted, kAfterClosingQuote };
  State state = State::kFieldStart;
  std::string field;
  bool record_started = false;
  int64_t field_line = current_line_;

  // Ends the current field: checks its bytes and moves it into *fields.
  auto finish_field = [&]() -> absl::Status {
    const char* reason = nullptr;
    const size_t bad = FirstInvalidTextByte(field, &reason);
    if (bad != absl::string_view::npos) {
      return Fail(field_line + CountLineBreaks(absl::string_view(field).substr(0, bad)), reason);
    }
    if (fields->size() >= options_.max_fields_per_row) {
      return Fail(record_line_, absl::StrCat("more than ", options_.max_fields_per_row, " fields"));
    }
    fields->push_back(std::move(field));
    field.clear();
    state = State::kFieldStart;
    field_line = current_line_;
    return absl::OkStatus();
  };
  // Consumes the LF of a CRLF; a CR that ends the input also ends the line.
  auto crlf_ok = [&]() {
    const int next = Peek();
    if (next == '\n') Get();
    return next == '\n' || next < 0;
  };
  auto append = [&](int c) -> absl::Status {
    if (field.size() >= options_.max_field_bytes) {
      return Fail(current_line_,
                  absl::StrCat("field longer than ", options_.max_field_bytes, " bytes"));
    }
    field.push_back(static_cast<char>(c));
    return absl::OkStatus();
  };

  while (true) {
    const int c = Get();
    if (c < 0) {
      if (read_failed_) {
        error_ = absl::DataLossError(absl::StrCat("line ", current_line_, ": read error"));
        return error_;
      }
      if (!record_started) return false;
      if (state == State::kQuoted) {
        return Fail(field_line, "quoted field is not closed at the end of the file");
      }
      if (absl::Status status = finish_field(); !status.ok()) return status;
      return true;
    }
    if (!record_started) {
      // Blank lines between records are skipped, not read as one empty field.
      if (c == '\n' || (c == '\r' && (Peek() == '\n' || Peek() < 0))) {
        if (c == '\r' && Peek() == '\n') Get();
        ++current_line_;
        field_line = current_line_;
        continue;
      }
      record_started = true;
      record_line_ = current_line_;
      field_line = current_line_;
    }

    switch (state) {
      case State::kFieldStart:
      case State::kUnquoted:
        if (c == ',') {
          if (absl::Status status = finish_field(); !status.ok()) return status;
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && !crlf_ok()) {
            return Fail(current_line_, "carriage return not followed by a line feed");
          }
          if (absl::Status status = finish_field(); !status.ok()) return status;
          ++current_line_;
          return true;
        } else if (c == '"') {
          if (state == State::kUnquoted) {
            return Fail(current_line_,
                        "quote inside an unquoted field (quote the whole field and "
                        "double the quote)");
          }
          state = State::kQuoted;
        } else {
          if (absl::Status status = append(c); !status.ok()) return status;
          state = State::kUnquoted;
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          state = State::kAfterClosingQuote;
        } else {
          if (absl::Status status = append(c); !status.ok()) return status;
          if (c == '\n') ++current_line_;
        }
        break;
      case State::kAfterClosingQuote:
        if (c == '"') {  // a doubled quote stands for one
          if (absl::Status status = append(c); !status.ok()) return status;
          state = State::kQuoted;
        } else if (c == ',') {
          if (absl::Status status = finish_field(); !status.ok()) return status;
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && !crlf_ok()) {
            return Fail(current_line_, "carriage return not followed by a line feed");
          }
          if (absl::Status status = finish_field(); !status.ok()) return status;
          ++current_line_;
          return true;
        } else {
          return Fail(current_line_, "text after the closing quote of a field");
        }
        break;
    }
  }
}

std::string FormatCsvRow(const std::vector<std::string>& fields) {
  if (fields.size() == 1 && fields[0].empty()) return "\"\"\n";
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) row.push_back(',');
    const std::string& field = fields[i];
    // A field starting with a byte order mark is quoted too: at the start of a file a
    // reader would take the bare mark for the file's own and drop it (found by fuzzing).
    if (field.find_first_of(",\"\r\n") == std::string::npos &&
        !absl::StartsWith(field, kUtf8ByteOrderMark)) {
      row.append(field);
      continue;
    }
    row.push_back('"');
    for (char c : field) {
      if (c == '"') row.push_back('"');
      row.push_back(c);
    }
    row.push_back('"');
  }
  row.push_back('\n');
  return row;
}

}  // namespace fedsync
