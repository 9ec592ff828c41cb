// --help for the node binaries: Abseil's own --help exits 1, which tells a script that
// asked for the usage that something failed. HandleHelpFlag prints the usage and the
// binary's flags on stdout instead, so that main can exit 0. Thread-compatible; call
// from main before absl::ParseCommandLine.
#ifndef FEDSYNC_SHARED_HELP_FLAG_H_
#define FEDSYNC_SHARED_HELP_FLAG_H_

#include <ostream>

namespace fedsync {

// True when the command line asks for help (--help, -help or -h before any "--"); then
// the program usage message (absl::SetProgramUsageMessage) and every flag defined in a
// file named main.cc, with its default and help text, have been written to `out`.
bool HandleHelpFlag(int argc, char** argv, std::ostream& out);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_HELP_FLAG_H_
