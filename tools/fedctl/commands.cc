#include "tools/fedctl/commands.h"

#include <iostream>

namespace fedsync::fedctl {

const std::vector<Command>& AllCommands() {
  static const auto* commands = new std::vector<Command>{
      {StatusCommandSpec(), &RunStatus},
      {RollupCommandSpec(), &RunRollup},
      {SyncCommandSpec(), &RunSync},
      {RegistryImportCommandSpec(), &RunRegistryImport},
      {RegistryExportCommandSpec(), &RunRegistryExport},
      {RegistryAddCommandSpec(), &RunRegistryAdd},
      {RegistryUpdateCommandSpec(), &RunRegistryUpdate},
      {RegistryGetCommandSpec(), &RunRegistryGet},
      {RegistryListCommandSpec(), &RunRegistryList},
      {RegistryDeleteCommandSpec(), &RunRegistryDelete},
      {RegistryRestoreCommandSpec(), &RunRegistryRestore},
      {RegistryHistoryCommandSpec(), &RunRegistryHistory},
      {CatalogShowCommandSpec(), &RunCatalogShow},
      {CatalogPushCommandSpec(), &RunCatalogPush},
      {TargetsSetCommandSpec(), &RunTargetsSet},
      {TargetsListCommandSpec(), &RunTargetsList},
      {VerifyCommandSpec(), &RunVerify},
      {CertsInitCommandSpec(), &RunCertsInit},
      {TokensCreateCommandSpec(), &RunTokensCreate},
  };
  return *commands;
}

int ReportUsageError(const absl::Status& status) {
  std::cerr << status.message() << "\n";
  return kExitUsage;
}

}  // namespace fedsync::fedctl
