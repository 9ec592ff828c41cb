// What every `fedctl registry` subcommand shares: the --kind flag checked against the
// known registries, --id checked as a record id, and the client context of a call to
// the district's RegistryService — its deadline and the operator identity that the
// district writes into its audit log ("x-fedsync-operator": $FEDSYNC_OPERATOR, else
// $USER, when they are a valid identity; the district says "local" otherwise).
#ifndef FEDSYNC_TOOLS_FEDCTL_REGISTRY_CALL_H_
#define FEDSYNC_TOOLS_FEDCTL_REGISTRY_CALL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "shared/registry_kinds.h"
#include "tools/fedctl/command_line.h"

namespace fedsync::fedctl {

// "the registry: returned_students, enterprises, ..."
std::string KindFlagHelp();

// The registry named by --kind; a usage error (kInvalidArgument, the parser's words)
// for an unknown one.
absl::StatusOr<const RegistryKind*> KindOf(const CommandLine& command_line);

// --id as a positive record id; a usage error otherwise.
absl::StatusOr<int64_t> RecordIdOf(const CommandLine& command_line);

// Sets the deadline and the operator metadata.
void PrepareRegistryCall(const CommandLine& command_line, grpc::ClientContext* context);

// The operator identity fedctl sends; empty when the environment gives none usable.
std::string OperatorIdentity();

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_REGISTRY_CALL_H_
