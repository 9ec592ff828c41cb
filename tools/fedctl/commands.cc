#include "tools/fedctl/commands.h"

#include <iostream>

namespace fedsync::fedctl {

const std::vector<Command>& AllCommands() {
  static const auto* commands = new std::vector<Command>{
      {StatusCommandSpec(), &RunStatus},
      {RollupCommandSpec(), &RunRollup},
      {SyncCommandSpec(), &RunSync},
      {RegistryImportCommandSpec(), &RunRegistryImport},
      {VerifyCommandSpec(), &RunVerify},
  };
  return *commands;
}

int ReportUsageError(const absl::Status& status) {
  std::cerr << status.message() << "\n";
  return kExitUsage;
}

}  // namespace fedsync::fedctl
