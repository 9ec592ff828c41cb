// fedctl tokens create: a bearer token for an operator (shared/operator_tokens.h),
// written locally to a file only its owner may read, and the entry that gives it to a
// node: the node keeps only the entry's salted hash. No node is contacted.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "shared/dev_pki.h"
#include "shared/files.h"
#include "shared/operator_auth.h"
#include "shared/operator_tokens.h"
#include "tools/fedctl/commands.h"

namespace fedsync::fedctl {

CommandSpec TokensCreateCommandSpec() {
  CommandSpec spec;
  spec.name = "tokens create";
  spec.summary = "create a bearer token for an operator, and the node config entry for it";
  spec.local = true;
  spec.flags = {
      {"name", "NAME", "the operator (lower-case letters, digits, '_', '-')", true},
      {"role", "ROLE", "viewer, operator or admin", true},
      {"out", "FILE", "where to write the token (a new file, readable by you only)", true},
  };
  spec.description =
      "Writes a new random token to FILE and prints the entry to add to each node's\n"
      "config file (--config), e.g.\n"
      "  operator_tokens { name: \"vera\" role: \"viewer\" hash: \"sha256$...\" }\n"
      "The node keeps only the salted SHA-256 hash; the token itself is in FILE alone.\n"
      "Give it to fedctl with --tls-dir=DIR --token-file=FILE (DIR needs only ca.pem).\n"
      "The audit log records the operator as NAME@token. To revoke a token, remove its\n"
      "entry and restart the node.";
  return spec;
}

int RunTokensCreate(const CommandLine& command_line) {
  const CommandSpec& spec = *command_line.command;
  const std::string name = command_line.Get("name");
  const std::string role = command_line.Get("role");
  if (absl::Status valid = CheckSubjectName(name); !valid.ok()) {
    return ReportUsageError(UsageError(spec, valid.message()));
  }
  if (!ParseOperatorRole(role).has_value()) {
    return ReportUsageError(UsageError(
        spec, absl::StrCat("--role must be viewer, operator or admin, not '", role, "'")));
  }
  absl::StatusOr<std::string> token = NewOperatorToken();
  absl::StatusOr<std::string> hash =
      token.ok() ? HashOperatorToken(*token) : absl::StatusOr<std::string>(token.status());
  if (!hash.ok()) {
    std::cerr << "fedctl tokens create: " << hash.status().message() << "\n";
    return kExitFailure;
  }
  if (absl::Status written =
          WriteFile(command_line.Get("out"), *token + "\n", 0600, FileCreation::kNew);
      !written.ok()) {
    std::cerr << "fedctl tokens create: " << written.message() << "\n";
    return kExitFailure;
  }
  std::cout << "operator_tokens { name: \"" << name << "\" role: \"" << role << "\" hash: \""
            << *hash << "\" }\n";
  return kExitOk;
}

}  // namespace fedsync::fedctl
