#include "tools/fedctl/registry_output.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "shared/csv.h"
#include "shared/record_csv.h"
#include "tools/fedctl/output.h"

namespace fedsync::fedctl {
namespace {

std::string Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "null";
  return json;
}

std::string JsonArray(const std::vector<std::string>& items) {
  if (items.empty()) return "[]\n";
  return absl::StrCat("[\n  ", absl::StrJoin(items, ",\n  "), "\n]\n");
}

std::vector<std::string> CsvPrefix(const v1::RecordEntry& entry) {
  return {absl::StrCat(entry.id()), StatusName(entry.status()), entry.start_date(),
          entry.end_date()};
}

std::string CsvOf(const RegistryKind& kind,
                  const google::protobuf::RepeatedPtrField<v1::RecordEntry>& entries) {
  // record_status, not status: hardship_cases has a status field of its own, and a
  // CSV header must name each column once.
  std::vector<std::string> header = {"id", "record_status", "start_date", "end_date"};
  for (std::string& field : CsvHeader(kind)) header.push_back(std::move(field));
  std::string out = FormatCsvRow(header);
  for (const v1::RecordEntry& entry : entries) {
    std::vector<std::string> row = CsvPrefix(entry);
    for (std::string& cell : RecordToCsvRow(entry.record())) row.push_back(std::move(cell));
    out += FormatCsvRow(row);
  }
  return out;
}

}  // namespace

std::string StatusName(v1::RecordStatus status) {
  switch (status) {
    case v1::ACTIVE:
      return "active";
    case v1::LEFT:
      return "left";
    case v1::DELETED:
      return "deleted";
    default:
      return "unknown";
  }
}

std::string RenderEntries(const RegistryKind& kind, const v1::ListRecordsResponse& page,
                          OutputFormat format) {
  switch (format) {
    case OutputFormat::kCsv:
      return CsvOf(kind, page.entries());
    case OutputFormat::kJson: {
      std::vector<std::string> items;
      for (const v1::RecordEntry& entry : page.entries()) items.push_back(Json(entry));
      return JsonArray(items);
    }
    case OutputFormat::kTable:
      break;
  }
  TextTable table({"ID", "STATUS", "START", "END", "NAME", "COMMUNITY", "KEY"});
  table.AlignRight(0);
  for (const v1::RecordEntry& entry : page.entries()) {
    const google::protobuf::Message& payload = RecordPayload(entry.record());
    table.AddRow({absl::StrCat(entry.id()), StatusName(entry.status()), entry.start_date(),
                  entry.end_date(),
                  kind.name_field.empty() ? "" : FieldText(payload, kind.name_field),
                  FieldText(payload, kind.community_field), NaturalKey(kind, payload)});
  }
  std::string out = table.Render();
  if (page.entries().empty()) out += "no records\n";
  return out + NextPageHint(page);
}

std::string NextPageHint(const v1::ListRecordsResponse& page) {
  if (page.next_page_token().empty()) return "";
  return absl::StrCat("more: --page-token=", page.next_page_token(), " (or --all)\n");
}

std::string RenderEntry(const RegistryKind& kind, const v1::RecordEntry& entry,
                        OutputFormat format) {
  switch (format) {
    case OutputFormat::kCsv: {
      google::protobuf::RepeatedPtrField<v1::RecordEntry> one;
      *one.Add() = entry;
      return CsvOf(kind, one);
    }
    case OutputFormat::kJson:
      return Json(entry) + "\n";
    case OutputFormat::kTable:
      break;
  }
  TextTable table({});
  table.AddRow({"id", absl::StrCat(entry.id())});
  table.AddRow({"kind", entry.kind()});
  table.AddRow({"status", StatusName(entry.status())});
  table.AddRow({"start_date", entry.start_date()});
  if (!entry.end_date().empty()) table.AddRow({"end_date", entry.end_date()});
  if (!entry.deleted_at().empty()) {
    table.AddRow({"deleted_at", entry.deleted_at()});
    table.AddRow({"delete_reason", entry.delete_reason()});
  }
  const std::vector<std::string> header = CsvHeader(kind);
  const std::vector<std::string> row = RecordToCsvRow(entry.record(), CsvText::kAsStored);
  for (size_t i = 0; i < header.size() && i < row.size(); ++i) {
    table.AddRow({header[i], row[i]});
  }
  table.AddRow({"created_at", entry.created_at()});
  table.AddRow({"updated_at", entry.updated_at()});
  return table.Render();
}

std::string RenderHistory(const v1::GetHistoryResponse& history, OutputFormat format) {
  switch (format) {
    case OutputFormat::kCsv: {
      std::string out = FormatCsvRow({"at", "operator", "operation", "kind", "record_id", "detail"});
      for (const v1::AuditEntry& entry : history.entries()) {
        out += FormatCsvRow({entry.at(), entry.operator_(), entry.operation(), entry.kind(),
                             absl::StrCat(entry.record_id()), entry.detail()});
      }
      return out;
    }
    case OutputFormat::kJson: {
      std::vector<std::string> items;
      for (const v1::AuditEntry& entry : history.entries()) items.push_back(Json(entry));
      return JsonArray(items);
    }
    case OutputFormat::kTable:
      break;
  }
  TextTable table({"AT", "OPERATOR", "OPERATION", "DETAIL"});
  for (const v1::AuditEntry& entry : history.entries()) {
    table.AddRow({entry.at(), entry.operator_(), entry.operation(), entry.detail()});
  }
  std::string out = table.Render();
  if (history.entries().empty()) out += "no history\n";
  return out;
}

}  // namespace fedsync::fedctl
