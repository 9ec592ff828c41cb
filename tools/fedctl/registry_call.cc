#include "tools/fedctl/registry_call.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/fedctl/connection.h"

namespace fedsync::fedctl {
namespace {

// The district accepts letters, digits and . _ @ - (district_node/audit_log.h);
// anything else would be refused there, so it is not sent.
bool UsableIdentity(const char* value) {
  if (value == nullptr) return false;
  const std::string identity(value);
  if (identity.empty() || identity.size() > 64) return false;
  for (char c : identity) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string KindFlagHelp() {
  std::vector<std::string> kinds;
  for (const RegistryKind& kind : AllRegistryKinds()) kinds.push_back(kind.name);
  return absl::StrCat("the registry: ", absl::StrJoin(kinds, ", "));
}

absl::StatusOr<const RegistryKind*> KindOf(const CommandLine& command_line) {
  const std::string name = command_line.Get("kind");
  const RegistryKind* kind = FindRegistryKind(name);
  if (kind != nullptr) return kind;
  std::vector<std::string> kinds;
  for (const RegistryKind& known : AllRegistryKinds()) kinds.push_back(known.name);
  return UsageError(*command_line.command, absl::StrCat("unknown --kind '", name, "'; one of: ",
                                                        absl::StrJoin(kinds, ", ")));
}

absl::StatusOr<int64_t> RecordIdOf(const CommandLine& command_line) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(command_line.Get("id"), &id) || id <= 0) {
    return UsageError(*command_line.command,
                      absl::StrCat("--id must be a record id (a positive number), not '",
                                   command_line.Get("id"), "'"));
  }
  return id;
}

std::string OperatorIdentity() {
  for (const char* variable : {"FEDSYNC_OPERATOR", "USER"}) {
    const char* value = std::getenv(variable);
    if (UsableIdentity(value)) return value;
  }
  return "";
}

void PrepareRegistryCall(const CommandLine& command_line, grpc::ClientContext* context) {
  SetDeadline(context, command_line.timeout);
  const std::string identity = OperatorIdentity();
  if (!identity.empty()) context->AddMetadata("x-fedsync-operator", identity);
}

}  // namespace fedsync::fedctl
