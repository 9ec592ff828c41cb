// fedctl's command line: global flags, one command (a word, or a group and a word such
// as "registry import"), the command's flags and its positional arguments; and the help
// text generated from the same specs, so usage and parser never disagree.
//
//   fedctl [GLOBAL FLAGS] COMMAND [FLAGS] [ARGS]
//
// Global flags (--target, --format, --timeout, --help) may appear before or after the
// command; a command's own flags only after it. A flag is --name=value or --name value;
// a boolean flag is --name or --name=true|false. "--" ends the flags. A flag given more
// than once keeps its last value in `flags` and every value, in order, in `values`
// (a spec marked `repeated` says so in its help). --help (or -h, or `fedctl help [COMMAND]`) wins
// over any other error on the line, so a user in trouble can always get the usage.
//
// Parsing is pure (no I/O, no exit). A usage error comes back as kInvalidArgument whose
// message is the whole line to print, naming the command and where to look, e.g.
//   fedctl rollup: --metric is required (see fedctl rollup --help)
// and the caller exits with kExitUsage. Thread-compatible; specs must outlive results.
#ifndef FEDSYNC_TOOLS_FEDCTL_COMMAND_LINE_H_
#define FEDSYNC_TOOLS_FEDCTL_COMMAND_LINE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fedsync::fedctl {

// Process exit codes; scripts rely on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // an RPC failed or the server rejected the request
  kExitUsage = 2,    // the command line is wrong; nothing was sent
};

enum class OutputFormat { kTable, kCsv, kJson };

// "table", "csv", "json".
const char* OutputFormatName(OutputFormat format);

struct FlagSpec {
  std::string name;        // without dashes: "metric"
  std::string value_name;  // shown in usage: "ID"; empty for a boolean flag
  std::string help;
  bool required = false;  // a required flag must be given with a non-empty value
  bool repeated = false;  // may be given more than once; read with CommandLine::GetAll
};

struct CommandSpec {
  std::string name;       // "status" or "registry import"
  std::string summary;    // one line, for the command list
  std::string arguments;  // positional arguments in usage, e.g. "FILE.csv"
  int min_arguments = 0;
  int max_arguments = 0;
  std::vector<FlagSpec> flags;
  // The --format values the command accepts; the first is the default.
  std::vector<OutputFormat> formats = {OutputFormat::kTable};
  // The deadline of each RPC when --timeout is not given.
  absl::Duration default_timeout = absl::Seconds(10);
  // The command contacts no node (certs init, tokens create): --target is not used, so
  // fedctl does not refuse a plaintext --target that is not loopback.
  bool local = false;
  std::string description;  // paragraphs printed by --help after the synopsis
};

struct CommandLine {
  enum class Action {
    kRun,   // run `command`
    kHelp,  // print `help_text` on stdout and exit 0
  };
  Action action = Action::kRun;
  std::string help_text;

  const CommandSpec* command = nullptr;  // set when action == kRun
  std::string target;
  // --tls-dir: DIR holding ca.pem, cert.pem and key.pem; empty: plaintext.
  std::string tls_dir;
  // --server-id: the node id the server's certificate must name (TLS only).
  std::string server_id;
  // --token-file: a file holding a bearer token (TLS only); empty: a client certificate.
  std::string token_file;
  OutputFormat format = OutputFormat::kTable;
  absl::Duration timeout;
  // The command's flags that were given; booleans as "true" / "false".
  std::map<std::string, std::string> flags;
  // Every value of each command flag, in the order given.
  std::map<std::string, std::vector<std::string>> values;
  std::vector<std::string> arguments;

  bool Has(const std::string& flag) const;
  // The flag's value; empty when not given.
  std::string Get(const std::string& flag) const;
  // Every value the flag was given, in order; empty when not given.
  std::vector<std::string> GetAll(const std::string& flag) const;
  // True when a boolean flag was given and not set to false.
  bool IsSet(const std::string& flag) const;
};

inline constexpr char kDefaultTarget[] = "127.0.0.1:7000";

// `args` excludes argv[0]. See the file comment for the grammar and the errors.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<CommandSpec>& commands,
                                             const std::vector<std::string>& args);

// The usage pages printed by --help.
std::string GlobalUsage(const std::vector<CommandSpec>& commands);
std::string CommandUsage(const CommandSpec& command);

// A usage error found after parsing (e.g. two flags that exclude each other), in the
// parser's words: kInvalidArgument "fedctl COMMAND: MESSAGE (see fedctl COMMAND --help)".
// absl::string_view rather than std::string_view: Debian builds Abseil with its own
// string_view type, and the message usually comes from an absl::Status.
absl::Status UsageError(const CommandSpec& command, absl::string_view message);

}  // namespace fedsync::fedctl

#endif  // FEDSYNC_TOOLS_FEDCTL_COMMAND_LINE_H_
