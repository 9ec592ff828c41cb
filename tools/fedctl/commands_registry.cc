// fedctl registry import: checks a CSV file completely on this machine, then streams it
// to the district's RegistryService.Import in chunks. Checking first means a file with
// a bad row is never half sent: a local error (missing file, malformed CSV, a header
// that does not fit the kind, a row that does not map) sends nothing at all. The
// district then validates every record and stores all of them or none — or, with
// --skip-invalid, the valid ones, reporting the rest (rows that do not map are then
// skipped here and reported the same way).
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "fedsync/v1/registry.grpc.pb.h"
#include "shared/field_checker.h"
#include "shared/registry_kinds.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/import_file.h"
#include "tools/fedctl/output.h"
#include "tools/fedctl/registry_call.h"

namespace fedsync::fedctl {
namespace {

constexpr char kCommand[] = "fedctl registry import";
// Records per stream message: typically about 0.3 MB, large enough that per-message
// cost vanishes (DESIGN.md: batch), and at most about 1 MiB of records whatever the
// rows hold, far below the 4 MiB a district receives (shared/limits.h): a cell is at
// most kMaxFieldBytes (shared/field_checker.h, checked as rows are read), so the row
// that crosses kChunkBytes adds a few KiB at most.
constexpr int kChunkRecords = 1000;
constexpr int64_t kChunkBytes = 1 << 20;

int LocalFailure(const absl::Status& status) {
  std::cerr << kCommand << ": " << status.message() << "; nothing was sent\n";
  return kExitFailure;
}

// First pass: every row must map to a record. Returns the number of rows.
absl::StatusOr<int64_t> CheckFile(const std::string& path, const std::string& kind,
                                  bool skip_invalid) {
  absl::StatusOr<std::unique_ptr<ImportFile>> file = ImportFile::Open(path, kind);
  if (!file.ok()) return file.status();
  (*file)->set_skip_invalid(skip_invalid);
  ProgressLine progress;
  v1::ImportRequest chunk;
  while (true) {
    absl::StatusOr<int> read = (*file)->ReadChunk(kChunkRecords, kChunkBytes, &chunk);
    if (!read.ok()) return read.status();
    if (*read == 0) break;
    progress.Show(absl::StrCat("checked ", (*file)->rows_read(), " rows"));
  }
  return (*file)->rows_read();
}

}  // namespace

CommandSpec RegistryImportCommandSpec() {
  std::vector<std::string> kinds;
  for (const RegistryKind& kind : AllRegistryKinds()) kinds.push_back(kind.name);
  CommandSpec spec;
  spec.name = "registry import";
  spec.summary = "import a CSV file into one of a district's registries";
  spec.arguments = "FILE.csv";
  spec.min_arguments = 1;
  spec.max_arguments = 1;
  spec.flags = {
      {"kind", "KIND", absl::StrCat("the registry: ", absl::StrJoin(kinds, ", ")),
       /*required=*/true},
      {"skip-invalid", "", "store the valid rows and report the others (default: all or none)"},
  };
  spec.default_timeout = absl::Seconds(600);
  // Each kind's natural key, as the district matches rows to stored records.
  std::vector<std::string> keys;
  for (const RegistryKind& known : AllRegistryKinds()) {
    keys.push_back(absl::StrCat("  ", known.name, ": ", absl::StrJoin(known.key_fields, " + ")));
  }
  spec.description = absl::StrCat(
      "FILE.csv is UTF-8 CSV whose header names the record's fields as in registry.proto\n"
      "(any order, every field present); enums by name, dates as YYYY-MM-DD. Spaces around\n"
      "a value are dropped; invisible characters (zero-width spaces, ...) and cells over\n",
      kMaxFieldBytes,
      " bytes are errors. A ' before =, +, -, @ (as registry export writes it) is\n"
      "dropped. The whole file is checked here first: if any row is wrong, nothing is\n"
      "sent. The district then stores every row or none; rows are numbered from 1 after\n"
      "the header. A row matches the stored record with the same key:\n",
      absl::StrJoin(keys, "\n"),
      "\nso importing a file again updates those records and creates no duplicates, but a\n"
      "row whose key fields changed (a corrected issue date) is a new record: delete the\n"
      "old one (registry delete --entered-in-error). A row of a deleted record is an\n"
      "error (restore it first), as is an aid visit to a deleted hardship case. Errors\n"
      "are listed as row, field and reason. --target must be the district node.");
  return spec;
}

int RunRegistryImport(const CommandLine& command_line) {
  const std::string kind = command_line.Get("kind");
  if (FindRegistryKind(kind) == nullptr) {
    std::vector<std::string> kinds;
    for (const RegistryKind& known : AllRegistryKinds()) kinds.push_back(known.name);
    return ReportUsageError(UsageError(
        *command_line.command,
        absl::StrCat("unknown --kind '", kind, "'; one of: ", absl::StrJoin(kinds, ", "))));
  }
  const std::string& path = command_line.arguments.front();

  const bool skip_invalid = command_line.IsSet("skip-invalid");
  absl::StatusOr<int64_t> total = CheckFile(path, kind, skip_invalid);
  if (!total.ok()) return LocalFailure(total.status());
  if (*total == 0) {
    std::cout << "nothing to import: " << path << " has a header but no rows\n";
    return kExitOk;
  }

  // Second pass: the file is read again rather than held in memory, so a million-row
  // file costs one chunk of memory.
  absl::StatusOr<std::unique_ptr<ImportFile>> file = ImportFile::Open(path, kind);
  if (!file.ok()) return LocalFailure(file.status());
  (*file)->set_skip_invalid(skip_invalid);

  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  PrepareRegistryCall(command_line, &context);
  v1::ImportResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer = stub->Import(&context, &response);

  ProgressLine progress;
  v1::ImportRequest chunk;
  chunk.set_kind(kind);
  chunk.set_skip_invalid(skip_invalid);
  bool first = true;
  while (true) {
    absl::StatusOr<int> read = (*file)->ReadChunk(kChunkRecords, kChunkBytes, &chunk);
    if (!read.ok()) {
      // The file changed since the check. Cancelling, rather than finishing, the
      // stream makes the district drop what it has received.
      context.TryCancel();
      writer->Finish();
      progress.Clear();
      std::cerr << kCommand << ": " << read.status().message()
                << "; the import was cancelled and nothing was stored\n";
      return kExitFailure;
    }
    // The first message carries the kind even when every row was skipped here.
    if (*read == 0 && !first) break;
    // A failed write means the stream is over; Finish() below says why.
    if (!writer->Write(chunk)) break;
    first = false;
    if (*read == 0) break;
    chunk.clear_kind();  // the kind and options go on the first message only
    chunk.clear_skip_invalid();
    progress.Show(absl::StrCat("sent ", (*file)->rows_read(), "/", *total, " rows"));
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  progress.Clear();

  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    std::cerr << kCommand << ": the district rejected " << path << "; nothing was imported:\n"
              << status.error_message() << "\n";
    return kExitFailure;
  }
  if (!status.ok()) {
    std::cerr << DescribeRpcError("registry import", command_line.target, command_line.timeout,
                                  status)
              << "\n";
    return kExitFailure;
  }
  const std::vector<v1::RowError>& local = (*file)->skipped_rows();
  std::cout << "imported " << response.rows_received() + static_cast<int64_t>(local.size())
            << " rows: " << response.created() << " created, " << response.updated()
            << " updated, " << response.unchanged() << " unchanged";
  const int64_t skipped = response.skipped() + static_cast<int64_t>(local.size());
  if (skip_invalid) std::cout << ", " << skipped << " skipped";
  std::cout << "\n";
  auto print = [&](const v1::RowError& error) {
    std::cerr << "row " << error.row() << ": " << (error.field().empty() ? "" : kind + ".")
              << error.field() << (error.field().empty() ? "" : ": ") << error.reason() << "\n";
  };
  for (const v1::RowError& error : local) print(error);
  for (const v1::RowError& error : response.errors()) print(error);
  if (response.error_count() > response.errors_size()) {
    std::cerr << "... and " << response.error_count() - response.errors_size()
              << " more errors\n";
  }
  return kExitOk;
}

}  // namespace fedsync::fedctl
