#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/fedctl/command_line.h"
#include "tools/fedctl/commands.h"

namespace fedsync::fedctl {
namespace {

using ::testing::HasSubstr;

// fedctl's real commands: the parser's behaviour is what operators and scripts see.
std::vector<CommandSpec> RealSpecs() {
  std::vector<CommandSpec> specs;
  for (const Command& command : AllCommands()) specs.push_back(command.spec);
  return specs;
}

absl::StatusOr<CommandLine> Parse(const std::vector<std::string>& args) {
  static const auto* specs = new std::vector<CommandSpec>(RealSpecs());
  return ParseCommandLine(*specs, args);
}

TEST(FedctlCommandLineTest, DefaultsForAPlainCommand) {
  absl::StatusOr<CommandLine> line = Parse({"status"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->action, CommandLine::Action::kRun);
  ASSERT_NE(line->command, nullptr);
  EXPECT_EQ(line->command->name, "status");
  EXPECT_EQ(line->target, "127.0.0.1:7000");
  EXPECT_EQ(line->format, OutputFormat::kTable);
  EXPECT_EQ(line->timeout, absl::Seconds(10));
  EXPECT_TRUE(line->flags.empty());
  EXPECT_TRUE(line->arguments.empty());
}

TEST(FedctlCommandLineTest, GlobalFlagsBeforeOrAfterTheCommand) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--target=10.0.0.1:9000", "--format=json", "--timeout=2.5", "status"},
           {"status", "--target=10.0.0.1:9000", "--format=json", "--timeout=2.5"},
           {"--target", "10.0.0.1:9000", "status", "--format", "json", "--timeout", "2.5"},
       }) {
    SCOPED_TRACE(testing::PrintToString(args));
    absl::StatusOr<CommandLine> line = Parse(args);
    ASSERT_TRUE(line.ok()) << line.status();
    EXPECT_EQ(line->target, "10.0.0.1:9000");
    EXPECT_EQ(line->format, OutputFormat::kJson);
    EXPECT_EQ(line->timeout, absl::Milliseconds(2500));
  }
}

TEST(FedctlCommandLineTest, CommandFlagsInBothSpellings) {
  absl::StatusOr<CommandLine> line =
      Parse({"rollup", "--metric", "returned_students_total", "--period=2026", "--format=csv"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->Get("metric"), "returned_students_total");
  EXPECT_EQ(line->Get("period"), "2026");
  EXPECT_EQ(line->format, OutputFormat::kCsv);
  EXPECT_FALSE(line->Has("child"));
  EXPECT_EQ(line->Get("child"), "");
}

TEST(FedctlCommandLineTest, RepeatedFlagKeepsTheLastValue) {
  absl::StatusOr<CommandLine> line = Parse({"rollup", "--metric=a", "--metric=b"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->Get("metric"), "b");
}

TEST(FedctlCommandLineTest, RepeatableFlagKeepsEveryValueInOrder) {
  absl::StatusOr<CommandLine> line =
      Parse({"certs", "init", "--out=d", "--node=hefei", "--node", "luyang",
             "--operator=alice:admin", "--node=yaohai"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->GetAll("node"), (std::vector<std::string>{"hefei", "luyang", "yaohai"}));
  EXPECT_EQ(line->GetAll("operator"), std::vector<std::string>{"alice:admin"});
  EXPECT_TRUE(line->GetAll("days").empty());
  EXPECT_THAT(CommandUsage(*line->command), HasSubstr("(repeatable)"));
}

TEST(FedctlCommandLineTest, TlsGlobalFlags) {
  absl::StatusOr<CommandLine> line =
      Parse({"--tls-dir=pki/alice", "status", "--server-id", "hefei"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->tls_dir, "pki/alice");
  EXPECT_EQ(line->server_id, "hefei");

  absl::StatusOr<CommandLine> plain = Parse({"status"});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->tls_dir, "");

  absl::StatusOr<CommandLine> alone = Parse({"status", "--server-id=hefei"});
  ASSERT_FALSE(alone.ok());
  EXPECT_THAT(alone.status().message(), HasSubstr("--server-id needs --tls-dir"));
}

TEST(FedctlCommandLineTest, BooleanFlags) {
  absl::StatusOr<CommandLine> line = Parse({"sync", "--full", "--wait=false", "--all=true"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_TRUE(line->IsSet("full"));
  EXPECT_TRUE(line->Has("wait"));
  EXPECT_FALSE(line->IsSet("wait"));
  EXPECT_TRUE(line->IsSet("all"));
  EXPECT_FALSE(line->IsSet("child"));
}

TEST(FedctlCommandLineTest, SubcommandWithPositionalArgumentAndLongTimeout) {
  absl::StatusOr<CommandLine> line =
      Parse({"registry", "import", "--kind=returned_students", "students.csv"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->command->name, "registry import");
  EXPECT_EQ(line->Get("kind"), "returned_students");
  EXPECT_EQ(line->arguments, std::vector<std::string>{"students.csv"});
  EXPECT_EQ(line->timeout, absl::Seconds(600));
}

TEST(FedctlCommandLineTest, DoubleDashEndsFlags) {
  absl::StatusOr<CommandLine> line =
      Parse({"registry", "import", "--kind=returned_students", "--", "--odd-name.csv"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->arguments, std::vector<std::string>{"--odd-name.csv"});
}

struct UsageErrorCase {
  std::vector<std::string> args;
  std::string message;  // the exact line fedctl prints
};

TEST(FedctlCommandLineTest, UsageErrorsNameTheCommandAndWhereToLook) {
  // Every command, in the order AllCommands() lists them (it grows).
  std::string command_names;
  for (const Command& command : AllCommands()) {
    command_names += (command_names.empty() ? "" : ", ") + command.spec.name;
  }
  const std::vector<UsageErrorCase> cases = {
      {{}, "fedctl: missing command, one of: " + command_names + " (see fedctl --help)"},
      {{"frobnicate"}, "fedctl: unknown command 'frobnicate' (see fedctl --help)"},
      {{"--bogus", "status"}, "fedctl: unknown flag --bogus (see fedctl --help)"},
      {{"status", "--bogus"}, "fedctl status: unknown flag --bogus (see fedctl status --help)"},
      {{"status", "-x"},
       "fedctl status: unknown flag -x; flags are spelt --name (see fedctl status --help)"},
      {{"rollup"}, "fedctl rollup: --metric is required (see fedctl rollup --help)"},
      {{"rollup", "--metric="},
       "fedctl rollup: --metric needs a value (--metric=ID) (see fedctl rollup --help)"},
      {{"rollup", "--metric"},
       "fedctl rollup: --metric needs a value (--metric=ID) (see fedctl rollup --help)"},
      {{"rollup", "--metric", "--period=2026"},
       "fedctl rollup: --metric needs a value (--metric=ID) (see fedctl rollup --help)"},
      {{"status", "--format=xml"},
       "fedctl status: --format must be table or csv or json, not 'xml' (see fedctl status "
       "--help)"},
      {{"rollup", "--metric=m", "--format=xml"},
       "fedctl rollup: --format must be table or csv or json, not 'xml' "
       "(see fedctl rollup --help)"},
      {{"status", "--timeout=0"},
       "fedctl status: --timeout must be a positive number of seconds, not '0' "
       "(see fedctl status --help)"},
      {{"status", "--timeout=ten"},
       "fedctl status: --timeout must be a positive number of seconds, not 'ten' "
       "(see fedctl status --help)"},
      {{"status", "extra"},
       "fedctl status: unexpected argument 'extra' (see fedctl status --help)"},
      {{"sync", "--full=yes"},
       "fedctl sync: --full takes no value (or true|false), got 'yes' (see fedctl sync --help)"},
      {{"registry"},
       "fedctl registry: missing subcommand, one of: import, export, add, update, get, list, "
       "delete, restore, history (see fedctl registry --help)"},
      {{"registry", "purge"},
       "fedctl registry: unknown subcommand 'purge' (see fedctl registry --help)"},
      {{"registry", "import", "--kind=returned_students"},
       "fedctl registry import: missing FILE.csv (see fedctl registry import --help)"},
      {{"registry", "import", "a.csv"},
       "fedctl registry import: --kind is required (see fedctl registry import --help)"},
      {{"registry", "import", "--kind=k", "a.csv", "b.csv"},
       "fedctl registry import: unexpected argument 'b.csv' "
       "(see fedctl registry import --help)"},
  };
  for (const UsageErrorCase& test : cases) {
    SCOPED_TRACE(testing::PrintToString(test.args));
    absl::StatusOr<CommandLine> line = Parse(test.args);
    ASSERT_FALSE(line.ok());
    EXPECT_EQ(line.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(line.status().message(), test.message);
  }
}

struct HelpCase {
  std::vector<std::string> args;
  std::string starts_with;
};

TEST(FedctlCommandLineTest, HelpWinsAndPicksItsPage) {
  const std::vector<HelpCase> cases = {
      {{"--help"}, "usage: fedctl [--target=HOST:PORT]"},
      {{"-h"}, "usage: fedctl [--target=HOST:PORT]"},
      {{"help"}, "usage: fedctl [--target=HOST:PORT]"},
      {{"help", "rollup"}, "usage: fedctl [GLOBAL FLAGS] rollup --metric=ID"},
      {{"rollup", "--help"}, "usage: fedctl [GLOBAL FLAGS] rollup --metric=ID"},
      // Help despite the errors on the line: missing --metric, an unknown flag.
      {{"rollup", "--bogus", "--help"}, "usage: fedctl [GLOBAL FLAGS] rollup --metric=ID"},
      {{"registry", "--help"}, "usage: fedctl [GLOBAL FLAGS] registry SUBCOMMAND"},
      {{"help", "registry", "import"}, "usage: fedctl [GLOBAL FLAGS] registry import --kind="},
      {{"sync", "--help=true"}, "usage: fedctl [GLOBAL FLAGS] sync [--child=ID] [--all]"},
  };
  for (const HelpCase& test : cases) {
    SCOPED_TRACE(testing::PrintToString(test.args));
    absl::StatusOr<CommandLine> line = Parse(test.args);
    ASSERT_TRUE(line.ok()) << line.status();
    EXPECT_EQ(line->action, CommandLine::Action::kHelp);
    EXPECT_TRUE(absl::StartsWith(line->help_text, test.starts_with)) << line->help_text;
  }
}

TEST(FedctlCommandLineTest, GlobalUsageListsEveryCommandAndTheExitCodes) {
  std::string usage = GlobalUsage(RealSpecs());
  for (const char* word : {"status", "rollup", "sync", "registry import", "--target=HOST:PORT",
                           "--format=FORMAT", "--timeout=SECONDS", "2 usage error"}) {
    EXPECT_THAT(usage, HasSubstr(word));
  }
}

TEST(FedctlCommandLineTest, CommandUsageListsFlagsAndDefaults) {
  std::string usage;
  for (const CommandSpec& spec : RealSpecs()) {
    if (spec.name == "rollup") usage = CommandUsage(spec);
  }
  EXPECT_THAT(usage, HasSubstr("[--format=table|csv|json]"));
  EXPECT_THAT(usage, HasSubstr("--metric=ID"));
  EXPECT_THAT(usage, HasSubstr("(required)"));
  EXPECT_THAT(usage, HasSubstr("[--period=P]"));
  EXPECT_THAT(usage, HasSubstr("--timeout=SECONDS"));
}

TEST(FedctlCommandLineTest, UsageErrorAfterParsing) {
  CommandSpec spec;
  spec.name = "sync";
  absl::Status status = UsageError(spec, "--child and --all exclude each other");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "fedctl sync: --child and --all exclude each other (see fedctl sync --help)");
}

TEST(FedctlCommandLineTest, GenericSpecsWithoutFedctlCommands) {
  CommandSpec copy;
  copy.name = "files copy";
  copy.summary = "copy";
  copy.arguments = "FROM TO";
  copy.min_arguments = 2;
  copy.max_arguments = 2;
  copy.flags = {{"verbose", "", "talk"}};
  CommandSpec files_list;
  files_list.name = "files list";
  files_list.summary = "list";
  std::vector<CommandSpec> specs = {copy, files_list};

  absl::StatusOr<CommandLine> line =
      ParseCommandLine(specs, {"files", "--timeout=3", "copy", "a", "--verbose", "b"});
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->command, &specs[0]);
  EXPECT_EQ(line->arguments, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(line->IsSet("verbose"));
  EXPECT_EQ(line->timeout, absl::Seconds(3));

  // A command's flag before its name is not yet known.
  absl::StatusOr<CommandLine> early = ParseCommandLine(specs, {"--verbose", "files", "list"});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().message(), "fedctl: unknown flag --verbose (see fedctl --help)");

  absl::StatusOr<CommandLine> missing = ParseCommandLine(specs, {"files"});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("one of: copy, list"));
}

}  // namespace
}  // namespace fedsync::fedctl
