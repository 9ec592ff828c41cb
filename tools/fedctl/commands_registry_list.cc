// fedctl registry list | history | export: reading a district's registries.
#include <iostream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "fedsync/v1/registry.grpc.pb.h"
#include "shared/civil_date.h"
#include "shared/csv.h"
#include "shared/record_csv.h"
#include "tools/fedctl/atomic_output_file.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/registry_call.h"
#include "tools/fedctl/registry_output.h"

namespace fedsync::fedctl {
namespace {

const std::vector<OutputFormat> kAllFormats = {OutputFormat::kTable, OutputFormat::kCsv,
                                               OutputFormat::kJson};

int Failed(const CommandLine& command_line, const grpc::Status& status) {
  std::cerr << DescribeRpcError(command_line.command->name, command_line.target,
                                command_line.timeout, status)
            << "\n";
  return kExitFailure;
}

absl::StatusOr<v1::RecordStatus> StatusFlag(const CommandLine& command_line) {
  const std::string value = command_line.Get("status");
  if (value.empty() || value == "any") return v1::RECORD_STATUS_UNSPECIFIED;
  if (value == "active") return v1::ACTIVE;
  if (value == "left") return v1::LEFT;
  if (value == "deleted") return v1::DELETED;
  return UsageError(*command_line.command,
                    absl::StrCat("--status must be active, left, deleted or any, not '", value,
                                 "'"));
}

}  // namespace

CommandSpec RegistryListCommandSpec() {
  CommandSpec spec;
  spec.name = "registry list";
  spec.summary = "list and search the records of a registry";
  spec.flags = {
      {"kind", "KIND", KindFlagHelp(), /*required=*/true},
      {"community", "NAME", "only this street/community (exact)"},
      {"status", "STATUS", "active, left, deleted or any (default: any)"},
      {"from", "YYYY-MM-DD", "entered the registry on or after"},
      {"to", "YYYY-MM-DD", "entered the registry on or before"},
      {"name", "TEXT", "the name contains TEXT"},
      {"page-size", "N", "records per page, 1-1000 (default 50)"},
      {"page-token", "TOKEN", "the page after the one that printed this token"},
      {"all", "", "every page, one after another"},
  };
  spec.formats = kAllFormats;
  spec.description =
      "Records in id order. CSV columns: id,record_status,start_date,end_date, then\n"
      "the record's fields as in an import (record_status is active, left or deleted).\n"
      "When more records follow the page, the table ends with\n"
      "`more: --page-token=TOKEN (or --all)`; with --format=csv or json that line goes\n"
      "to standard error, so that standard output stays one document.";
  return spec;
}

int RunRegistryList(const CommandLine& command_line) {
  absl::StatusOr<const RegistryKind*> kind = KindOf(command_line);
  if (!kind.ok()) return ReportUsageError(kind.status());
  absl::StatusOr<v1::RecordStatus> status_filter = StatusFlag(command_line);
  if (!status_filter.ok()) return ReportUsageError(status_filter.status());
  v1::ListRecordsRequest request;
  request.set_kind((*kind)->name);
  request.set_community(command_line.Get("community"));
  request.set_status(*status_filter);
  for (const char* flag : {"from", "to"}) {
    absl::CivilDay day;
    if (command_line.Has(flag) && !ParseDate(command_line.Get(flag), &day)) {
      return ReportUsageError(UsageError(*command_line.command,
                                         absl::StrCat("--", flag, " must be a date as YYYY-MM-DD")));
    }
  }
  request.set_start_from(command_line.Get("from"));
  request.set_start_to(command_line.Get("to"));
  request.set_name_contains(command_line.Get("name"));
  if (command_line.Has("page-size")) {
    int size = 0;
    if (!absl::SimpleAtoi(command_line.Get("page-size"), &size) || size < 1 || size > 1000) {
      return ReportUsageError(
          UsageError(*command_line.command, "--page-size must be a number from 1 to 1000"));
    }
    request.set_page_size(size);
  }
  request.set_page_token(command_line.Get("page-token"));

  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  v1::ListRecordsResponse all;
  while (true) {
    grpc::ClientContext context;
    PrepareRegistryCall(command_line, &context);
    v1::ListRecordsResponse page;
    grpc::Status status = stub->ListRecords(&context, request, &page);
    if (!status.ok()) return Failed(command_line, status);
    for (v1::RecordEntry& entry : *page.mutable_entries()) {
      *all.add_entries() = std::move(entry);
    }
    all.set_next_page_token(page.next_page_token());
    if (!command_line.IsSet("all") || page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  std::cout << RenderEntries(**kind, all, command_line.format);
  if (command_line.format != OutputFormat::kTable) std::cerr << NextPageHint(all);
  return kExitOk;
}

CommandSpec RegistryHistoryCommandSpec() {
  CommandSpec spec;
  spec.name = "registry history";
  spec.summary = "show the audit log of one record";
  spec.flags = {{"kind", "KIND", KindFlagHelp(), /*required=*/true},
                {"id", "ID", "the record id", /*required=*/true}};
  spec.formats = kAllFormats;
  spec.description =
      "Every change to the record, oldest first: when (UTC), who, what operation, and\n"
      "the fields it changed. The log stays on the district.";
  return spec;
}

int RunRegistryHistory(const CommandLine& command_line) {
  absl::StatusOr<const RegistryKind*> kind = KindOf(command_line);
  if (!kind.ok()) return ReportUsageError(kind.status());
  absl::StatusOr<int64_t> id = RecordIdOf(command_line);
  if (!id.ok()) return ReportUsageError(id.status());
  v1::GetHistoryRequest request;
  request.set_kind((*kind)->name);
  request.set_id(*id);
  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  PrepareRegistryCall(command_line, &context);
  v1::GetHistoryResponse response;
  grpc::Status status = stub->GetHistory(&context, request, &response);
  if (!status.ok()) return Failed(command_line, status);
  std::cout << RenderHistory(response, command_line.format);
  return kExitOk;
}

CommandSpec RegistryExportCommandSpec() {
  CommandSpec spec;
  spec.name = "registry export";
  spec.summary = "write a registry as CSV that imports unchanged";
  spec.flags = {{"kind", "KIND", KindFlagHelp(), /*required=*/true},
                {"out", "FILE", "write to FILE (default: standard output)"},
                {"include-deleted", "", "also the deleted records"}};
  spec.default_timeout = absl::Seconds(600);
  spec.description =
      "The header is the record's field names in registry.proto order; one row per\n"
      "record in id order. A text cell starting with =, +, -, @, a tab or a carriage\n"
      "return gets a ' before it, so that a spreadsheet shows it as text rather than\n"
      "running it as a formula. `fedctl registry import --kind=KIND FILE` reads it back,\n"
      "without the '.\n"
      "--out=FILE is replaced (mode 0600) only once the whole export is written; after a\n"
      "failure it is as it was.";
  return spec;
}

int RunRegistryExport(const CommandLine& command_line) {
  absl::StatusOr<const RegistryKind*> kind = KindOf(command_line);
  if (!kind.ok()) return ReportUsageError(kind.status());
  const std::string path = command_line.Get("out");
  std::unique_ptr<AtomicOutputFile> file;  // null: standard output
  if (!path.empty()) {
    absl::StatusOr<std::unique_ptr<AtomicOutputFile>> created = AtomicOutputFile::Create(path);
    if (!created.ok()) {
      std::cerr << "fedctl registry export: " << created.status().message() << "\n";
      return kExitFailure;
    }
    file = *std::move(created);
  }
  absl::Status written;  // the first failure to write the file
  auto write = [&](const std::string& text) {
    if (file == nullptr) {
      std::cout << text;
    } else if (written.ok()) {
      written = file->Append(text);
    }
  };
  v1::ExportRequest request;
  request.set_kind((*kind)->name);
  request.set_include_deleted(command_line.IsSet("include-deleted"));
  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  PrepareRegistryCall(command_line, &context);
  std::unique_ptr<grpc::ClientReader<v1::ExportResponse>> reader =
      stub->Export(&context, request);
  write(FormatCsvRow(CsvHeader(**kind)));
  int64_t rows = 0;
  v1::ExportResponse chunk;
  std::string text;
  while (written.ok() && reader->Read(&chunk)) {
    text.clear();
    for (const v1::Record& record : chunk.records()) text += FormatCsvRow(RecordToCsvRow(record));
    write(text);
    rows += chunk.records_size();
  }
  if (!written.ok()) context.TryCancel();  // the rest has nowhere to go
  grpc::Status status = reader->Finish();
  // Only a whole export replaces the file; otherwise `file` removes its temporary and
  // the file stays as it was: a partial export must not pass for a whole one.
  if (written.ok() && status.ok() && file != nullptr) written = file->Commit();
  if (!written.ok()) {
    std::cerr << "fedctl registry export: " << written.message() << "\n";
    return kExitFailure;
  }
  if (!status.ok()) return Failed(command_line, status);
  if (file == nullptr) {
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "fedctl registry export: writing failed\n";
      return kExitFailure;
    }
  } else {
    std::cerr << "exported " << rows << " records to " << path << "\n";
  }
  return kExitOk;
}

}  // namespace fedsync::fedctl
