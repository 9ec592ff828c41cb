#include "tools/fedctl/command_line.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fedsync::fedctl {
namespace {

constexpr char kFlagTarget[] = "target";
constexpr char kFlagFormat[] = "format";
constexpr char kFlagTimeout[] = "timeout";
constexpr char kFlagTlsDir[] = "tls-dir";
constexpr char kFlagServerId[] = "server-id";
constexpr char kFlagTokenFile[] = "token-file";

// --help is handled before flag lookup; it is listed here only for the usage page.
const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {kFlagTarget, "HOST:PORT",
       absl::StrCat("the node to talk to (default ", kDefaultTarget, ")")},
      {kFlagFormat, "FORMAT", "output: table, csv or json, as the command allows (default table)"},
      {kFlagTimeout, "SECONDS", "deadline of each call (default 10; registry import 600)"},
      {kFlagTlsDir, "DIR",
       "mutual TLS with DIR/{ca.pem,cert.pem,key.pem} (fedctl certs init); default plaintext"},
      {kFlagServerId, "ID", "with --tls-dir: the node id the server's certificate names"},
      {kFlagTokenFile, "FILE",
       "with --tls-dir: authenticate with the bearer token in FILE (fedctl tokens create) "
       "instead of a client certificate; only DIR/ca.pem is used"},
      {"help", "", "print usage; fedctl COMMAND --help for one command"},
  };
  return *flags;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, const std::string& name) {
  for (const FlagSpec& flag : flags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

std::string FormatList(const std::vector<OutputFormat>& formats, const char* separator) {
  std::vector<std::string> names;
  for (OutputFormat format : formats) names.emplace_back(OutputFormatName(format));
  return absl::StrJoin(names, separator);
}

std::optional<OutputFormat> ParseOutputFormat(const std::string& text) {
  for (OutputFormat format : {OutputFormat::kTable, OutputFormat::kCsv, OutputFormat::kJson}) {
    if (text == OutputFormatName(format)) return format;
  }
  return std::nullopt;
}

std::string FlagSynopsis(const FlagSpec& flag) {
  std::string text = absl::StrCat("--", flag.name);
  if (!flag.value_name.empty()) absl::StrAppend(&text, "=", flag.value_name);
  return flag.required ? text : absl::StrCat("[", text, "]");
}

// Two-column "  left  help" lines with the help column aligned.
std::string FlagLines(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  std::string text;
  for (const auto& row : rows) {
    absl::StrAppend(&text, "  ", row.first, std::string(width - row.first.size() + 2, ' '),
                    row.second, "\n");
  }
  return text;
}

std::string Prefix(const std::string& words) {
  return words.empty() ? "fedctl" : absl::StrCat("fedctl ", words);
}

absl::Status UsageErrorIn(const std::string& words, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(Prefix(words), ": ", message, " (see ", Prefix(words), " --help)"));
}

std::string GroupUsage(const std::vector<CommandSpec>& commands, const std::string& group) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const CommandSpec& command : commands) {
    if (absl::StartsWith(command.name, absl::StrCat(group, " "))) {
      rows.emplace_back(command.name, command.summary);
    }
  }
  return absl::StrCat("usage: fedctl [GLOBAL FLAGS] ", group, " SUBCOMMAND [FLAGS]\n\n",
                      "subcommands:\n", FlagLines(rows), "\nfedctl ", group,
                      " SUBCOMMAND --help describes one.\n");
}

class Parser {
 public:
  explicit Parser(const std::vector<CommandSpec>& commands) : commands_(commands) {}

  absl::StatusOr<CommandLine> Parse(const std::vector<std::string>& args);

 private:
  bool IsGroup(const std::string& words) const {
    for (const CommandSpec& command : commands_) {
      if (absl::StartsWith(command.name, absl::StrCat(words, " "))) return true;
    }
    return false;
  }
  const CommandSpec* FindCommand(const std::string& words) const {
    for (const CommandSpec& command : commands_) {
      if (command.name == words) return &command;
    }
    return nullptr;
  }
  // Records the first error only: later ones are usually consequences of it.
  void Fail(absl::string_view message) {
    if (error_.ok()) error_ = UsageErrorIn(words_, message);
  }
  // Handles the flag at args[*index], consuming its value when given separately.
  void ParseFlag(const std::vector<std::string>& args, size_t* index);
  absl::StatusOr<CommandLine> Finish();

  const std::vector<CommandSpec>& commands_;
  std::string words_;  // the command words seen so far: "", "registry", "registry import"
  const CommandSpec* command_ = nullptr;
  bool help_ = false;
  absl::Status error_;
  std::optional<std::string> target_, format_, timeout_, tls_dir_, server_id_, token_file_;
  CommandLine result_;
};

void Parser::ParseFlag(const std::vector<std::string>& args, size_t* index) {
  const std::string& arg = args[*index];
  if (!absl::StartsWith(arg, "--")) {
    Fail(absl::StrCat("unknown flag ", arg, "; flags are spelt --name"));
    return;
  }
  std::string name = arg.substr(2);
  std::optional<std::string> value;
  if (size_t equals = name.find('='); equals != std::string::npos) {
    value = name.substr(equals + 1);
    name.resize(equals);
  }
  if (name == "help") {  // --help=false: an odd spelling of nothing
    if (value.value_or("true") != "false") help_ = true;
    return;
  }
  const FlagSpec* spec = FindFlag(GlobalFlags(), name);
  bool global = spec != nullptr;
  if (spec == nullptr && command_ != nullptr) spec = FindFlag(command_->flags, name);
  if (spec == nullptr) {
    Fail(absl::StrCat("unknown flag --", name));
    return;
  }
  if (spec->value_name.empty()) {
    if (value.has_value() && *value != "true" && *value != "false") {
      Fail(absl::StrCat("--", name, " takes no value (or true|false), got '", *value, "'"));
      return;
    }
    result_.flags[spec->name] = value.value_or("true");
    return;
  }
  if (!value.has_value()) {
    // "--metric --period=2026" is a forgotten value, not a metric named "--period=2026".
    if (*index + 1 >= args.size() || absl::StartsWith(args[*index + 1], "--")) {
      Fail(absl::StrCat("--", name, " needs a value (--", name, "=", spec->value_name, ")"));
      return;
    }
    value = args[++*index];
  }
  if (value->empty()) {
    Fail(absl::StrCat("--", name, " needs a value (--", name, "=", spec->value_name, ")"));
    return;
  }
  if (!global) {
    result_.flags[spec->name] = *value;
    result_.values[spec->name].push_back(*value);
  } else if (name == kFlagTarget) {
    target_ = *value;
  } else if (name == kFlagFormat) {
    format_ = *value;
  } else if (name == kFlagTimeout) {
    timeout_ = *value;
  } else if (name == kFlagTlsDir) {
    tls_dir_ = *value;
  } else if (name == kFlagServerId) {
    server_id_ = *value;
  } else if (name == kFlagTokenFile) {
    token_file_ = *value;
  }
}

absl::StatusOr<CommandLine> Parser::Parse(const std::vector<std::string>& args) {
  bool flags_ended = false;
  bool help_command = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!flags_ended && arg == "--") {
      flags_ended = true;
      continue;
    }
    if (!flags_ended && arg == "-h") {
      help_ = true;
      continue;
    }
    if (!flags_ended && arg.size() > 1 && arg[0] == '-') {
      ParseFlag(args, &i);
      continue;
    }
    if (command_ != nullptr) {
      result_.arguments.push_back(arg);
      continue;
    }
    if (words_.empty() && arg == "help" && !help_command) {
      help_command = true;
      continue;
    }
    std::string words = words_.empty() ? arg : absl::StrCat(words_, " ", arg);
    if (const CommandSpec* command = FindCommand(words)) {
      command_ = command;
      words_ = words;
    } else if (IsGroup(words)) {
      words_ = words;
    } else {
      // Nothing after an unknown command can be interpreted, so stop here. Even help
      // cannot be given for it.
      return UsageErrorIn(words_, words_.empty() ? absl::StrCat("unknown command '", arg, "'")
                                                 : absl::StrCat("unknown subcommand '", arg, "'"));
    }
  }
  if (help_command) help_ = true;
  return Finish();
}

absl::StatusOr<CommandLine> Parser::Finish() {
  if (help_) {
    result_.action = CommandLine::Action::kHelp;
    if (command_ != nullptr) {
      result_.help_text = CommandUsage(*command_);
    } else if (!words_.empty()) {
      result_.help_text = GroupUsage(commands_, words_);
    } else {
      result_.help_text = GlobalUsage(commands_);
    }
    return std::move(result_);
  }
  if (!error_.ok()) return error_;
  if (command_ == nullptr) {
    if (!words_.empty()) {
      std::vector<std::string> subcommands;
      for (const CommandSpec& command : commands_) {
        if (absl::StartsWith(command.name, absl::StrCat(words_, " "))) {
          subcommands.push_back(command.name.substr(words_.size() + 1));
        }
      }
      return UsageErrorIn(
          words_, absl::StrCat("missing subcommand, one of: ", absl::StrJoin(subcommands, ", ")));
    }
    std::vector<std::string> names;
    for (const CommandSpec& command : commands_) names.push_back(command.name);
    return UsageErrorIn("", absl::StrCat("missing command, one of: ", absl::StrJoin(names, ", ")));
  }
  const CommandSpec& command = *command_;
  int given = static_cast<int>(result_.arguments.size());
  if (given < command.min_arguments) {
    return UsageErrorIn(words_, absl::StrCat("missing ", command.arguments));
  }
  if (given > command.max_arguments) {
    return UsageErrorIn(words_, absl::StrCat("unexpected argument '",
                                             result_.arguments[command.max_arguments], "'"));
  }
  for (const FlagSpec& flag : command.flags) {
    if (flag.required && !result_.Has(flag.name)) {
      return UsageErrorIn(words_, absl::StrCat("--", flag.name, " is required"));
    }
  }

  result_.format = command.formats.front();
  if (format_.has_value()) {
    std::optional<OutputFormat> format = ParseOutputFormat(*format_);
    if (!format.has_value() || std::find(command.formats.begin(), command.formats.end(), *format) ==
                                   command.formats.end()) {
      return UsageErrorIn(
          words_, absl::StrCat("--format must be ", FormatList(command.formats, " or "), ", not '",
                               *format_, "'"));
    }
    result_.format = *format;
  }

  result_.timeout = command.default_timeout;
  if (timeout_.has_value()) {
    double seconds = 0;
    // The upper bound keeps absl::Seconds far from overflow and catches typos.
    if (!absl::SimpleAtod(*timeout_, &seconds) || !std::isfinite(seconds) || seconds <= 0 ||
        seconds > 7 * 24 * 3600) {
      return UsageErrorIn(words_, absl::StrCat("--timeout must be a positive number of "
                                               "seconds, not '",
                                               *timeout_, "'"));
    }
    result_.timeout = absl::Seconds(seconds);
  }
  result_.target = target_.value_or(kDefaultTarget);
  if (server_id_.has_value() && !tls_dir_.has_value()) {
    return UsageErrorIn(words_, "--server-id needs --tls-dir");
  }
  if (token_file_.has_value() && !tls_dir_.has_value()) {
    return UsageErrorIn(words_,
                        "--token-file needs --tls-dir (a token never travels in plaintext)");
  }
  result_.tls_dir = tls_dir_.value_or("");
  result_.server_id = server_id_.value_or("");
  result_.token_file = token_file_.value_or("");
  result_.command = command_;
  return std::move(result_);
}

}  // namespace

const char* OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return "table";
    case OutputFormat::kCsv:
      return "csv";
    case OutputFormat::kJson:
      return "json";
  }
  return "table";
}

bool CommandLine::Has(const std::string& flag) const { return flags.find(flag) != flags.end(); }

std::string CommandLine::Get(const std::string& flag) const {
  auto it = flags.find(flag);
  return it == flags.end() ? "" : it->second;
}

std::vector<std::string> CommandLine::GetAll(const std::string& flag) const {
  auto it = values.find(flag);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

bool CommandLine::IsSet(const std::string& flag) const {
  auto it = flags.find(flag);
  return it != flags.end() && it->second != "false";
}

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<CommandSpec>& commands,
                                             const std::vector<std::string>& args) {
  return Parser(commands).Parse(args);
}

std::string GlobalUsage(const std::vector<CommandSpec>& commands) {
  std::vector<std::pair<std::string, std::string>> command_rows;
  for (const CommandSpec& command : commands) {
    command_rows.emplace_back(command.name, command.summary);
  }
  std::vector<std::pair<std::string, std::string>> flag_rows;
  for (const FlagSpec& flag : GlobalFlags()) {
    std::string left = absl::StrCat("--", flag.name);
    if (!flag.value_name.empty()) absl::StrAppend(&left, "=", flag.value_name);
    flag_rows.emplace_back(left, flag.help);
  }
  return absl::StrCat(
      "usage: fedctl [--target=HOST:PORT] [--format=table|csv|json] [--timeout=SECONDS]\n"
      "              [--tls-dir=DIR [--server-id=ID] [--token-file=FILE]] COMMAND [FLAGS] "
      "[ARGS]\n\n"
      "fedctl is the operator's command line for fedsync nodes.\n\n"
      "commands:\n",
      FlagLines(command_rows), "\nglobal flags (before or after the command):\n",
      FlagLines(flag_rows),
      "\nfedctl COMMAND --help (or fedctl help COMMAND) describes a command.\n"
      "exit status: 0 ok; 1 failure (an RPC failed or the server rejected the request);\n"
      "2 usage error (nothing was sent).\n");
}

std::string CommandUsage(const CommandSpec& command) {
  std::vector<std::string> synopsis = {"usage: fedctl [GLOBAL FLAGS]", command.name};
  for (const FlagSpec& flag : command.flags) synopsis.push_back(FlagSynopsis(flag));
  if (command.formats.size() > 1) {
    synopsis.push_back(absl::StrCat("[--format=", FormatList(command.formats, "|"), "]"));
  }
  if (!command.arguments.empty()) synopsis.push_back(command.arguments);

  std::vector<std::pair<std::string, std::string>> rows;
  for (const FlagSpec& flag : command.flags) {
    std::string left = absl::StrCat("--", flag.name);
    if (!flag.value_name.empty()) absl::StrAppend(&left, "=", flag.value_name);
    std::string help = flag.help;
    if (flag.repeated) absl::StrAppend(&help, " (repeatable)");
    if (flag.required) absl::StrAppend(&help, " (required)");
    rows.emplace_back(left, help);
  }
  if (command.formats.size() > 1) {
    rows.emplace_back(
        absl::StrCat("--format=", FormatList(command.formats, "|")),
        absl::StrCat("output format (default ", OutputFormatName(command.formats.front()), ")"));
  }
  rows.emplace_back("--target=HOST:PORT",
                    absl::StrCat("the node to talk to (default ", kDefaultTarget, ")"));
  rows.emplace_back("--timeout=SECONDS",
                    absl::StrCat("deadline of each call (default ",
                                 absl::ToDoubleSeconds(command.default_timeout), ")"));

  std::string summary = command.summary;
  if (!summary.empty()) summary[0] = absl::ascii_toupper(summary[0]);
  std::string text = absl::StrCat(absl::StrJoin(synopsis, " "), "\n\n", summary, ".\n");
  if (!command.description.empty()) absl::StrAppend(&text, "\n", command.description, "\n");
  absl::StrAppend(&text, "\nflags:\n", FlagLines(rows));
  return text;
}

absl::Status UsageError(const CommandSpec& command, absl::string_view message) {
  return UsageErrorIn(command.name, message);
}

}  // namespace fedsync::fedctl
