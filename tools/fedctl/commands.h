// fedctl's commands: each is a spec (name, flags, help; see command_line.h) and a run
// function that makes its calls, prints the result on stdout and any error on stderr,
// and returns the process exit code (ExitCode). A run function is given a parsed,
// usage-checked command line; it still reports flag combinations the parser cannot
// know about (e.g. --child with --all) as usage errors, before anything is sent.
#ifndef FEDSYNC_TOOLS_FEDCTL_COMMANDS_H_
#define FEDSYNC_TOOLS_FEDCTL_COMMANDS_H_

#include <vector>

#include "tools/fedctl/command_line.h"

namespace fedsync::fedctl {

struct Command {
  CommandSpec spec;
  int (*run)(const CommandLine& command_line);
};

// Every command, in the order the global help lists them.
const std::vector<Command>& AllCommands();

CommandSpec StatusCommandSpec();
int RunStatus(const CommandLine& command_line);

CommandSpec RollupCommandSpec();
int RunRollup(const CommandLine& command_line);

CommandSpec SyncCommandSpec();
int RunSync(const CommandLine& command_line);

CommandSpec RegistryImportCommandSpec();
int RunRegistryImport(const CommandLine& command_line);

// The other registry subcommands (commands_registry_records.cc, commands_registry_list.cc).
CommandSpec RegistryExportCommandSpec();
int RunRegistryExport(const CommandLine& command_line);
CommandSpec RegistryAddCommandSpec();
int RunRegistryAdd(const CommandLine& command_line);
CommandSpec RegistryUpdateCommandSpec();
int RunRegistryUpdate(const CommandLine& command_line);
CommandSpec RegistryGetCommandSpec();
int RunRegistryGet(const CommandLine& command_line);
CommandSpec RegistryListCommandSpec();
int RunRegistryList(const CommandLine& command_line);
CommandSpec RegistryDeleteCommandSpec();
int RunRegistryDelete(const CommandLine& command_line);
CommandSpec RegistryRestoreCommandSpec();
int RunRegistryRestore(const CommandLine& command_line);
CommandSpec RegistryHistoryCommandSpec();
int RunRegistryHistory(const CommandLine& command_line);

CommandSpec CatalogShowCommandSpec();
int RunCatalogShow(const CommandLine& command_line);
CommandSpec CatalogPushCommandSpec();
int RunCatalogPush(const CommandLine& command_line);

CommandSpec TargetsSetCommandSpec();
int RunTargetsSet(const CommandLine& command_line);
CommandSpec TargetsListCommandSpec();
int RunTargetsList(const CommandLine& command_line);

CommandSpec CertsInitCommandSpec();
int RunCertsInit(const CommandLine& command_line);

CommandSpec TokensCreateCommandSpec();
int RunTokensCreate(const CommandLine& command_line);

CommandSpec VerifyCommandSpec();
int RunVerify(const CommandLine& command_line);

// Prints `status`'s message on stderr and returns kExitUsage: the one way a run
// function reports a usage error.
int ReportUsageError(const absl::Status& status);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_COMMANDS_H_
