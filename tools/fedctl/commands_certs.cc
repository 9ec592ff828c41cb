// fedctl certs init: a development CA and a key and certificate for every node and
// operator (shared/dev_pki.h), written locally; no node is contacted.
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "shared/dev_pki.h"
#include "tools/fedctl/commands.h"

namespace fedsync::fedctl {

CommandSpec CertsInitCommandSpec() {
  CommandSpec spec;
  spec.name = "certs init";
  spec.summary = "create a development CA and certificates for nodes and operators";
  spec.local = true;
  spec.flags = {
      {"out", "DIR", "directory to write into (created if missing)", true},
      {"node", "ID", "a node to certify", false, true},
      {"operator", "NAME:ROLE", "an operator to certify; ROLE is viewer, operator or admin", false,
       true},
      {"days", "N", "validity of the certificates in days (default 365)"},
      {"force", "", "replace the key and certificate of a name DIR already holds"},
  };
  spec.description =
      "Writes DIR/ca.pem and DIR/ca-key.pem (a new CA, or the one already in DIR) and,\n"
      "for every node and operator, DIR/NAME/{ca.pem,cert.pem,key.pem}: give DIR/NAME\n"
      "to the node or to fedctl as --tls-dir. Certificates name the node or operator as\n"
      "CN; a node's also as DNS subject alternative name, an operator's role as OU (an\n"
      "operator's certificate is for clients only: no node accepts it as a parent).\n"
      "A name DIR already holds is refused unless --force, and a node's name never\n"
      "becomes an operator's or back. Keys are ECDSA P-256, readable by the owner only.\n"
      "For development: in production bring certificates from your own CA in the same\n"
      "layout.";
  return spec;
}

int RunCertsInit(const CommandLine& command_line) {
  const CommandSpec& spec = *command_line.command;
  DevPkiOptions options;
  options.out_dir = command_line.Get("out");
  options.nodes = command_line.GetAll("node");
  for (const std::string& text : command_line.GetAll("operator")) {
    absl::StatusOr<DevPkiSubject> subject = ParseOperatorSpec(text);
    if (!subject.ok()) return ReportUsageError(UsageError(spec, subject.status().message()));
    options.operators.push_back(*subject);
  }
  if (options.nodes.empty() && options.operators.empty()) {
    return ReportUsageError(UsageError(spec, "give at least one --node or --operator"));
  }
  if (command_line.Has("days") &&
      (!absl::SimpleAtoi(command_line.Get("days"), &options.validity_days) ||
       options.validity_days < 1 || options.validity_days > 36500)) {
    return ReportUsageError(UsageError(
        spec, absl::StrCat("--days must be 1 to 36500, not '", command_line.Get("days"), "'")));
  }
  options.force = command_line.IsSet("force");
  absl::StatusOr<std::vector<std::string>> written = CreateDevPki(options);
  if (!written.ok()) {
    if (written.status().code() == absl::StatusCode::kInvalidArgument) {
      return ReportUsageError(UsageError(spec, written.status().message()));
    }
    std::cerr << "fedctl certs init: " << written.status().message() << "\n";
    return kExitFailure;
  }
  std::cout << "CA: " << options.out_dir << "/ca.pem\n";
  for (const std::string& dir : *written) std::cout << dir << "\n";
  return kExitOk;
}

}  // namespace fedsync::fedctl
