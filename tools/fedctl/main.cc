// fedctl: the operator's command line. Parses the command line (command_line.h) and
// hands it to the command (commands.h); flags live here and nowhere else.
#include <iostream>
#include <string>
#include <vector>

#include "tools/fedctl/command_line.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"

int main(int argc, char** argv) {
  using fedsync::fedctl::AllCommands;
  using fedsync::fedctl::Command;
  using fedsync::fedctl::CommandLine;
  using fedsync::fedctl::CommandSpec;

  std::vector<CommandSpec> specs;
  for (const Command& command : AllCommands()) specs.push_back(command.spec);
  std::vector<std::string> args(argv + 1, argv + argc);

  absl::StatusOr<CommandLine> command_line = fedsync::fedctl::ParseCommandLine(specs, args);
  if (!command_line.ok()) return fedsync::fedctl::ReportUsageError(command_line.status());
  if (command_line->action == CommandLine::Action::kHelp) {
    std::cout << command_line->help_text;
    return fedsync::fedctl::kExitOk;
  }
  if (absl::Status status = fedsync::fedctl::CheckTransport(*command_line); !status.ok()) {
    std::cerr << "fedctl: " << status.message() << "\n";
    return fedsync::fedctl::kExitUsage;
  }
  // The parser returns a pointer into `specs`, which is in AllCommands() order.
  size_t index = command_line->command - specs.data();
  return AllCommands()[index].run(*command_line);
}
