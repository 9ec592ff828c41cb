// fedctl verify: proves from a node and every node below it (reached through the
// addresses children advertise, each dialled with the operator's --tls-dir certificate,
// never a --token-file token, as the id its parent holds it under) that each parent's copy of a
// child's cells equals what the child publishes and each aggregate is the sum of its inputs
// (shared/verify.h).
#include <iostream>

#include "absl/strings/str_cat.h"
#include "shared/admin_client.h"
#include "shared/status_macros.h"
#include "shared/verify.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"

namespace fedsync::fedctl {

CommandSpec VerifyCommandSpec() {
  CommandSpec spec;
  spec.name = "verify";
  spec.summary = "prove that the tree below this node has converged";
  spec.description =
      "For every link below --target: the parent holds the child's newest seq, its copy\n"
      "of each cell equals what the child publishes, and its own cells are the sums of\n"
      "its children's. Exit 0 when every link holds, 1 otherwise, and 1 when there is\n"
      "no link below --target to check (a tree that checked nothing is not verified).\n"
      "While updates are still flowing a link may lag; run it again once they stop.\n"
      "Every node is reached at the address it advertised, with --tls-dir's certificate:\n"
      "--target must be --server-id, each node below it the id its parent reports.\n"
      "A --token-file token is sent to --target only, never to the nodes below (they\n"
      "chose the addresses they are dialled at); they need --tls-dir's cert.pem and\n"
      "key.pem, or are reported as not verifiable.";
  return spec;
}

int RunVerify(const CommandLine& command_line) {
  const std::shared_ptr<grpc::ChannelCredentials> target_credentials =
      ChannelCredentials(command_line);
  // The first hop is checked against --server-id; each node below against the id its
  // parent holds it under, which its certificate must name. A node below is dialled at
  // the address it advertised, which it chose: it gets the certificate, never the token.
  std::vector<LinkReport> reports = VerifyTree(
      command_line.target, command_line.server_id,
      [&](const std::string& address, const std::string& node_id,
          VerifyHop hop) -> absl::StatusOr<std::unique_ptr<AdminClient>> {
        std::shared_ptr<grpc::ChannelCredentials> credentials = target_credentials;
        if (hop == VerifyHop::kBelow) {
          ASSIGN_OR_RETURN(credentials, CredentialsBelowTarget(command_line, address, node_id));
        }
        return std::make_unique<AdminClient>(address, credentials, command_line.timeout, node_id);
      });
  bool ok = !reports.empty();
  bool refused_below = false;
  if (reports.empty()) std::cout << command_line.target << ": no children to verify\n";
  for (const LinkReport& report : reports) {
    ok = ok && report.status.ok();
    refused_below =
        refused_below ||
        (!report.child.empty() && (report.status.code() == absl::StatusCode::kPermissionDenied ||
                                   report.status.code() == absl::StatusCode::kUnauthenticated));
    std::cout << report.parent << " -> " << (report.child.empty() ? "?" : report.child) << "  "
              << (report.status.ok() ? "ok" : absl::StrCat("FAILED: ", report.status.message()))
              << "\n";
  }
  if (refused_below && !command_line.token_file.empty()) {
    std::cerr << "fedctl verify: a node below --target refused --tls-dir's certificate; the "
                 "token goes to --target only, so the nodes below need an operator certificate "
                 "they accept\n";
  }
  const bool root_unreached = reports.size() == 1 && reports[0].child.empty();
  if (root_unreached && !command_line.tls_dir.empty() && command_line.server_id.empty()) {
    std::cerr << "fedctl verify: on TLS, --server-id=ID must name the node at --target "
                 "(its certificate names its id, not its address)\n";
  }
  return ok ? kExitOk : kExitFailure;
}

}  // namespace fedsync::fedctl
