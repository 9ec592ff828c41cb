// RFC 4180 CSV, read as a stream of records and written one row at a time.
//
// The reader takes what spreadsheets export: comma-separated fields, quoted fields
// with commas, doubled quotes and line breaks inside, CRLF or LF line ends, a UTF-8 byte
// order mark at the start, and a last line with or without its line end. Lines that
// are completely empty are skipped (a registry row always has several columns, and
// editors leave blank lines at the end). Everything else is refused rather than
// guessed at: invalid UTF-8 (strictly: no overlong forms, no surrogates), NUL bytes,
// a quote inside an unquoted field, text after a closing quote, a bare CR, a quote
// left open at the end of the file, a field longer than the configured maximum.
// Errors are kInvalidArgument "line N: <reason>" and never quote the data, which is
// personal; a failed read of the stream is kDataLoss. After an error the reader is
// finished: every later Next() returns the same error.
//
// A CsvReader reads its stream through its own buffer, so nothing else may read the
// stream meanwhile; the stream must outlive it. Not thread-safe.
#ifndef FEDSYNC_SHARED_CSV_H_
#define FEDSYNC_SHARED_CSV_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fedsync {

struct CsvReaderOptions {
  // The longest field accepted, in bytes. Bounds the memory one hostile line can take.
  size_t max_field_bytes = size_t{1} << 20;
  // The most fields accepted in one row, for the same reason.
  size_t max_fields_per_row = 10000;
};

class CsvReader {
 public:
  explicit CsvReader(std::istream* in, CsvReaderOptions options = CsvReaderOptions());

  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into *fields (replacing its contents). Returns true for a
  // record, false at the clean end of the input, or an error (see above).
  absl::StatusOr<bool> Next(std::vector<std::string>* fields);

  // The 1-based line on which the record last returned by Next() starts; 0 before the
  // first. A record with line breaks inside quotes spans several lines.
  int64_t line() const { return record_line_; }

 private:
  // The next byte of input, or -1 at its end (or on a read failure; see read_failed_).
  int Get();
  // The next byte without consuming it.
  int Peek();
  bool Refill();
  absl::Status Fail(int64_t line, absl::string_view reason);

  std::istream* in_;
  CsvReaderOptions options_;
  std::vector<char> buffer_;
  size_t position_ = 0;
  size_t end_ = 0;
  bool at_start_ = true;  // nothing read yet: a BOM may follow
  bool read_failed_ = false;
  int64_t current_line_ = 1;  // the line of the next byte
  int64_t record_line_ = 0;
  absl::Status error_;  // sticky after the first failure
};

// The offset of the first byte of `text` that is a NUL or makes it invalid UTF-8
// (strictly, as above), with the reason in *reason ("invalid UTF-8", ...); npos when the
// text is clean. The check CsvReader makes of every field, for text that reaches a
// record by another way (the command line).
size_t FirstInvalidTextByte(absl::string_view text, const char** reason);

// One row, RFC 4180 style, ending in "\n". A field is quoted when it contains a comma,
// a quote (doubled inside), CR or LF, or starts with a UTF-8 byte order mark; a row of
// one empty field is written as "" so that it does not read back as a skipped blank line.
std::string FormatCsvRow(const std::vector<std::string>& fields);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_CSV_H_
