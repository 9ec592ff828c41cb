// A registry CSV file read for `fedctl registry import`, in chunks of records ready to
// stream: UTF-8, a header of the kind's proto field names (shared/record_csv.h), then
// one record per row. Rows are numbered from 1 after the header (blank lines, which the
// CSV reader skips, are not rows), and every chunk carries each record's row number so
// that the district's per-row errors point into the same file.
//
// Every error names the file, and for a row its line and row number, e.g.
//   students.csv line 8 (row 7): returned_students.degree: unknown value
// The file is read once, front to back; reading it twice (check, then send) means
// opening it twice. Not thread-safe.
#ifndef FEDSYNC_TOOLS_FEDCTL_IMPORT_FILE_H_
#define FEDSYNC_TOOLS_FEDCTL_IMPORT_FILE_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/csv.h"
#include "shared/record_csv.h"

namespace fedsync::fedctl {

class ImportFile {
 public:
  // Opens `path` and reads its header for registry `kind`. kNotFound when the file does
  // not exist, kFailedPrecondition when it cannot be read, kInvalidArgument for an
  // unknown kind, an empty file or a header that does not fit the kind.
  static absl::StatusOr<std::unique_ptr<ImportFile>> Open(const std::string& path,
                                                          const std::string& kind);

  ImportFile(const ImportFile&) = delete;
  ImportFile& operator=(const ImportFile&) = delete;

  // Replaces request->records and request->row_numbers with the next rows (leaving
  // request->kind alone): up to `max_records`, and no more once the records weigh
  // `max_bytes` serialized (the row that crosses it is the last; a row is at most a
  // few KiB, as a cell is at most kMaxFieldBytes). Returns how many: 0 at the end of
  // the file. kInvalidArgument for malformed CSV or a row that does not map to a
  // record (a cell too long among them); kDataLoss when the file cannot be read.
  absl::StatusOr<int> ReadChunk(int max_records, int64_t max_bytes, v1::ImportRequest* request);

  int64_t rows_read() const { return rows_read_; }

  // With skip_invalid, a row that does not map to a record (a cell that does not parse,
  // the wrong number of fields) is left out of the chunks and noted in skipped_rows()
  // instead of failing the read. Malformed CSV still fails: the rows after it cannot be
  // trusted.
  void set_skip_invalid(bool skip) { skip_invalid_ = skip; }
  const std::vector<v1::RowError>& skipped_rows() const { return skipped_rows_; }

 private:
  ImportFile(std::string path, std::unique_ptr<std::ifstream> stream);

  std::string path_;
  std::unique_ptr<std::ifstream> stream_;  // before reader_, which reads it
  CsvReader reader_;
  std::unique_ptr<RecordCsvMapper> mapper_;
  int64_t rows_read_ = 0;
  bool skip_invalid_ = false;
  std::vector<v1::RowError> skipped_rows_;
  std::vector<std::string> fields_;  // reused across rows
};

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_IMPORT_FILE_H_
