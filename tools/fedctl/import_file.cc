#include "tools/fedctl/import_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fedsync::fedctl {

ImportFile::ImportFile(std::string path, std::unique_ptr<std::ifstream> stream)
    : path_(std::move(path)), stream_(std::move(stream)), reader_(stream_.get()) {}

absl::StatusOr<std::unique_ptr<ImportFile>> ImportFile::Open(const std::string& path,
                                                             const std::string& kind) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    std::string reason = std::strerror(errno);
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": ", reason));
    return absl::FailedPreconditionError(absl::StrCat(path, ": ", reason));
  }
  // An ifstream opens a directory without complaint and fails on the first read.
  if (S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": is a directory, not a CSV file"));
  }
  auto stream = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!stream->is_open()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::unique_ptr<ImportFile> file(new ImportFile(path, std::move(stream)));

  std::vector<std::string> header;
  absl::StatusOr<bool> has_header = file->reader_.Next(&header);
  if (!has_header.ok()) {
    return absl::Status(has_header.status().code(),
                        absl::StrCat(path, ": ", has_header.status().message()));
  }
  if (!*has_header) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": the file is empty; the first line must be the header"));
  }
  absl::StatusOr<RecordCsvMapper> mapper = RecordCsvMapper::Create(kind, header);
  if (!mapper.ok()) {
    return absl::Status(mapper.status().code(),
                        absl::StrCat(path, ": header: ", mapper.status().message()));
  }
  file->mapper_ = std::make_unique<RecordCsvMapper>(*std::move(mapper));
  return file;
}

absl::StatusOr<int> ImportFile::ReadChunk(int max_records, int64_t max_bytes,
                                          v1::ImportRequest* request) {
  request->clear_records();
  request->clear_row_numbers();
  int count = 0;
  // The records' size in the message: each is a length-delimited field (a tag and a
  // length of at most 6 bytes) and adds a row number (at most 11 bytes).
  int64_t bytes = 0;
  while (count < max_records && bytes < max_bytes) {
    absl::StatusOr<bool> more = reader_.Next(&fields_);
    if (!more.ok()) {
      // The reader's message already starts with "line N".
      return absl::Status(more.status().code(), absl::StrCat(path_, " ", more.status().message()));
    }
    if (!*more) break;
    ++rows_read_;
    v1::Record* record = request->add_records();
    absl::Status filled = mapper_->Fill(fields_, record);
    if (!filled.ok() && skip_invalid_) {
      request->mutable_records()->RemoveLast();
      v1::RowError& error = skipped_rows_.emplace_back();
      error.set_row(rows_read_);
      // "<kind>.<field>: <reason>" names the field; a row-shape error names none.
      const absl::string_view message = filled.message();
      const std::string prefix = mapper_->kind().name + ".";
      const size_t colon = message.find(": ");
      if (absl::StartsWith(message, prefix) && colon != absl::string_view::npos) {
        error.set_field(std::string(message.substr(prefix.size(), colon - prefix.size())));
        error.set_reason(std::string(message.substr(colon + 2)));
      } else {
        error.set_reason(std::string(message));
      }
      continue;
    }
    if (!filled.ok()) {
      return absl::Status(filled.code(), absl::StrCat(path_, " line ", reader_.line(), " (row ",
                                                      rows_read_, "): ", filled.message()));
    }
    request->add_row_numbers(rows_read_);
    bytes += static_cast<int64_t>(record->ByteSizeLong()) + 6 + 11;
    ++count;
  }
  return count;
}

}  // namespace fedsync::fedctl
