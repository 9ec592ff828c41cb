#include "shared/help_flag.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace fedsync {

bool HandleHelpFlag(int argc, char** argv, std::ostream& out) {
  bool asked = false;
  for (int i = 1; i < argc && !asked; ++i) {
    const absl::string_view arg(argv[i]);
    if (arg == "--") break;
    asked = arg == "--help" || arg == "-help" || arg == "-h";
  }
  if (!asked) return false;
  const absl::string_view program(argv[0]);
  const size_t slash = program.rfind('/');
  out << (slash == absl::string_view::npos ? program : program.substr(slash + 1)) << ": "
      << absl::ProgramUsageMessage() << "\n\nFlags:\n";
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    // The binary's own flags; not those of the libraries it links.
    if (absl::EndsWith(flag->Filename(), "main.cc")) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const absl::CommandLineFlag* a, const absl::CommandLineFlag* b) {
              return a->Name() < b->Name();
            });
  for (const absl::CommandLineFlag* flag : flags) {
    std::string name(flag->Name());
    std::replace(name.begin(), name.end(), '_', '-');  // as operators spell them
    out << "  --" << name << " (" << flag->Help() << ")";
    const std::string default_value = flag->DefaultValue();
    if (!default_value.empty()) out << " default: " << default_value;
    out << "\n";
  }
  return true;
}

}  // namespace fedsync
