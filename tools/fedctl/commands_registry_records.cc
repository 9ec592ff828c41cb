// fedctl registry add | update | get | delete | restore: one record at a time through
// the district's RegistryService, printed by registry_output.h.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "fedsync/v1/registry.grpc.pb.h"
#include "shared/civil_date.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/record_arguments.h"
#include "tools/fedctl/registry_call.h"
#include "tools/fedctl/registry_output.h"

namespace fedsync::fedctl {
namespace {

const std::vector<OutputFormat> kAllFormats = {OutputFormat::kTable, OutputFormat::kCsv,
                                               OutputFormat::kJson};

FlagSpec KindFlag() { return {"kind", "KIND", KindFlagHelp(), /*required=*/true}; }
FlagSpec IdFlag() { return {"id", "ID", "the record id (see registry list)", /*required=*/true}; }

int Failed(const CommandLine& command_line, const grpc::Status& status) {
  std::cerr << DescribeRpcError(command_line.command->name, command_line.target,
                                command_line.timeout, status)
            << "\n";
  return kExitFailure;
}

int Print(const CommandLine& command_line, const RegistryKind& kind, const v1::RecordEntry& entry) {
  std::cout << RenderEntry(kind, entry, command_line.format);
  return kExitOk;
}

}  // namespace

CommandSpec RegistryAddCommandSpec() {
  CommandSpec spec;
  spec.name = "registry add";
  spec.summary = "add one record to a district's registry";
  spec.arguments = "FIELD=VALUE...";
  spec.min_arguments = 1;
  spec.max_arguments = 100;
  spec.flags = {KindFlag()};
  spec.formats = kAllFormats;
  spec.description =
      "Fields are named and written as in a CSV import: enums by name, dates as\n"
      "YYYY-MM-DD, e.g.\n"
      "  fedctl registry add --kind=hardship_cases head_name=张伟 resident_id=... \\\n"
      "    household_size=3 hardship_type=SERIOUS_ILLNESS filed_date=2026-03-01 \\\n"
      "    status=HARDSHIP_ACTIVE community=林店街道金池社区\n"
      "The district validates the record and keeps it with an audit entry naming the\n"
      "operator ($FEDSYNC_OPERATOR or $USER). --target must be the district node.";
  return spec;
}

int RunRegistryAdd(const CommandLine& command_line) {
  absl::StatusOr<const RegistryKind*> kind = KindOf(command_line);
  if (!kind.ok()) return ReportUsageError(kind.status());
  absl::StatusOr<v1::Record> record =
      RecordFromAssignments(**kind, command_line.arguments, nullptr);
  if (!record.ok()) {
    return ReportUsageError(UsageError(*command_line.command, record.status().message()));
  }
  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  PrepareRegistryCall(command_line, &context);
  v1::CreateRecordRequest request;
  *request.mutable_record() = *std::move(record);
  v1::RecordEntry entry;
  grpc::Status status = stub->CreateRecord(&context, request, &entry);
  if (!status.ok()) return Failed(command_line, status);
  return Print(command_line, **kind, entry);
}

CommandSpec RegistryUpdateCommandSpec() {
  CommandSpec spec;
  spec.name = "registry update";
  spec.summary = "change fields of one record";
  spec.arguments = "FIELD=VALUE...";
  spec.min_arguments = 1;
  spec.max_arguments = 100;
  spec.flags = {KindFlag(), IdFlag()};
  spec.formats = kAllFormats;
  spec.description =
      "Fields not given keep their values. The record's key (resident ID, credit code)\n"
      "cannot change. If another operator changed the record after it was read, the\n"
      "update is refused (ABORTED) and changes nothing: run it again. To record that a\n"
      "family was lifted out of hardship:\n"
      "  fedctl registry update --kind=hardship_cases --id=7 status=HARDSHIP_LIFTED \\\n"
      "    lifted_date=2026-10-15";
  return spec;
}

int RunRegistryUpdate(const CommandLine& command_line) {
  absl::StatusOr<const RegistryKind*> kind = KindOf(command_line);
  if (!kind.ok()) return ReportUsageError(kind.status());
  absl::StatusOr<int64_t> id = RecordIdOf(command_line);
  if (!id.ok()) return ReportUsageError(id.status());
  // The arguments are checked before the record is fetched.
  if (absl::StatusOr<v1::Record> parsed =
          RecordFromAssignments(**kind, command_line.arguments, nullptr);
      !parsed.ok()) {
    return ReportUsageError(UsageError(*command_line.command, parsed.status().message()));
  }
  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  v1::RecordEntry current;
  {
    grpc::ClientContext context;
    PrepareRegistryCall(command_line, &context);
    v1::GetRecordRequest request;
    request.set_kind((*kind)->name);
    request.set_id(*id);
    grpc::Status status = stub->GetRecord(&context, request, &current);
    if (!status.ok()) return Failed(command_line, status);
  }
  absl::StatusOr<v1::Record> record =
      RecordFromAssignments(**kind, command_line.arguments, &current.record());
  if (!record.ok()) {
    return ReportUsageError(UsageError(*command_line.command, record.status().message()));
  }
  grpc::ClientContext context;
  PrepareRegistryCall(command_line, &context);
  v1::UpdateRecordRequest request;
  request.set_id(*id);
  *request.mutable_record() = *std::move(record);
  // Another operator's update between the read above and this write is refused
  // (ABORTED), not undone.
  *request.mutable_expected() = current.record();
  v1::RecordEntry entry;
  grpc::Status status = stub->UpdateRecord(&context, request, &entry);
  if (!status.ok()) return Failed(command_line, status);
  return Print(command_line, **kind, entry);
}

CommandSpec RegistryGetCommandSpec() {
  CommandSpec spec;
  spec.name = "registry get";
  spec.summary = "show one record";
  spec.flags = {KindFlag(),
                {"id", "ID", "the record id"},
                {"key", "KEY", "or the record's key: resident ID, credit code, ... ('|' between parts)"}};
  spec.formats = kAllFormats;
  spec.description = "Give --id or --key.";
  return spec;
}

int RunRegistryGet(const CommandLine& command_line) {
  absl::StatusOr<const RegistryKind*> kind = KindOf(command_line);
  if (!kind.ok()) return ReportUsageError(kind.status());
  v1::GetRecordRequest request;
  request.set_kind((*kind)->name);
  if (command_line.Has("id") == command_line.Has("key")) {
    return ReportUsageError(UsageError(*command_line.command, "give either --id or --key"));
  }
  if (command_line.Has("id")) {
    absl::StatusOr<int64_t> id = RecordIdOf(command_line);
    if (!id.ok()) return ReportUsageError(id.status());
    request.set_id(*id);
  } else {
    request.set_key(command_line.Get("key"));
  }
  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  PrepareRegistryCall(command_line, &context);
  v1::RecordEntry entry;
  grpc::Status status = stub->GetRecord(&context, request, &entry);
  if (!status.ok()) return Failed(command_line, status);
  return Print(command_line, **kind, entry);
}

CommandSpec RegistryDeleteCommandSpec() {
  CommandSpec spec;
  spec.name = "registry delete";
  spec.summary = "take a record out of its registry (soft; restorable)";
  spec.flags = {KindFlag(),
                IdFlag(),
                {"reason", "TEXT", "why the record leaves", /*required=*/true},
                {"end-date", "YYYY-MM-DD", "the day it left (default: today)"},
                {"entered-in-error", "", "it should never have been there: count it nowhere"}};
  spec.formats = kAllFormats;
  spec.description =
      "The record is kept with its reason and end date: it still counts in every period\n"
      "that ended before the end date, so published figures of past years stay as they\n"
      "were, and leaves the others (a certificate or aid visit deleted today leaves this\n"
      "year's count). With --entered-in-error it counts in no period at all.";
  return spec;
}

int RunRegistryDelete(const CommandLine& command_line) {
  absl::StatusOr<const RegistryKind*> kind = KindOf(command_line);
  if (!kind.ok()) return ReportUsageError(kind.status());
  absl::StatusOr<int64_t> id = RecordIdOf(command_line);
  if (!id.ok()) return ReportUsageError(id.status());
  v1::DeleteRecordRequest request;
  request.set_kind((*kind)->name);
  request.set_id(*id);
  request.set_reason(command_line.Get("reason"));
  if (command_line.Has("end-date")) {
    absl::CivilDay day;
    if (!ParseDate(command_line.Get("end-date"), &day)) {
      return ReportUsageError(
          UsageError(*command_line.command, "--end-date must be a date as YYYY-MM-DD"));
    }
    if (command_line.IsSet("entered-in-error")) {
      return ReportUsageError(UsageError(*command_line.command,
                                         "--end-date and --entered-in-error exclude each other"));
    }
    request.set_end_date(command_line.Get("end-date"));
  }
  request.set_entered_in_error(command_line.IsSet("entered-in-error"));
  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  PrepareRegistryCall(command_line, &context);
  v1::RecordEntry entry;
  grpc::Status status = stub->DeleteRecord(&context, request, &entry);
  if (!status.ok()) return Failed(command_line, status);
  return Print(command_line, **kind, entry);
}

CommandSpec RegistryRestoreCommandSpec() {
  CommandSpec spec;
  spec.name = "registry restore";
  spec.summary = "undo the delete of a record";
  spec.flags = {KindFlag(), IdFlag()};
  spec.formats = kAllFormats;
  return spec;
}

int RunRegistryRestore(const CommandLine& command_line) {
  absl::StatusOr<const RegistryKind*> kind = KindOf(command_line);
  if (!kind.ok()) return ReportUsageError(kind.status());
  absl::StatusOr<int64_t> id = RecordIdOf(command_line);
  if (!id.ok()) return ReportUsageError(id.status());
  v1::RestoreRecordRequest request;
  request.set_kind((*kind)->name);
  request.set_id(*id);
  auto stub = v1::RegistryService::NewStub(CreateChannel(command_line));
  grpc::ClientContext context;
  PrepareRegistryCall(command_line, &context);
  v1::RecordEntry entry;
  grpc::Status status = stub->RestoreRecord(&context, request, &entry);
  if (!status.ok()) return Failed(command_line, status);
  return Print(command_line, **kind, entry);
}

}  // namespace fedsync::fedctl
