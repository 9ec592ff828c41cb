// How fedctl prints registry records and their history: an aligned table for people,
// CSV and JSON for scripts. A list in CSV is the import CSV of the kind (shared/
// record_csv.h) preceded by id,record_status,start_date,end_date columns; JSON is
// protobuf's JSON mapping of RecordEntry / AuditEntry with the proto field names. Pure
// functions; thread-compatible.
#ifndef FEDSYNC_TOOLS_FEDCTL_REGISTRY_OUTPUT_H_
#define FEDSYNC_TOOLS_FEDCTL_REGISTRY_OUTPUT_H_

#include <string>

#include "fedsync/v1/registry.pb.h"
#include "shared/registry_kinds.h"
#include "tools/fedctl/command_line.h"

namespace fedsync::fedctl {

// "active", "left", "deleted".
std::string StatusName(v1::RecordStatus status);

// A page of records of one kind. The table shows id, status, dates, name, community and
// key; CSV and JSON carry every field.
std::string RenderEntries(const RegistryKind& kind, const v1::ListRecordsResponse& page,
                          OutputFormat format);

// "more: --page-token=TOKEN (or --all)\n" when `page` has a next page, else "". The
// table ends with it; CSV and JSON do not, as their standard output must stay one
// document for a script: the caller prints it on standard error.
std::string NextPageHint(const v1::ListRecordsResponse& page);

// One record; the table lists every field on its own line.
std::string RenderEntry(const RegistryKind& kind, const v1::RecordEntry& entry,
                        OutputFormat format);

std::string RenderHistory(const v1::GetHistoryResponse& history, OutputFormat format);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_REGISTRY_OUTPUT_H_
