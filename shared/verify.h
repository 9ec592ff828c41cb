// Proves convergence from the outside, over the admin API: for a parent and each of
// its children, the parent holds the child's epoch and newest seq, its copy of every
// cell equals what the child publishes, and each of the parent's own cells is the sum
// of its children's (PARTIAL when an input is SUPPRESSED or PARTIAL, else NOISY or
// PERTURBED when an input is). VerifyTree walks
// down through the addresses children advertise, dialling each child as the id its
// parent reports for it (the name its certificate must carry on a mutual TLS link).
// The sums are re-derived here, apart from the aggregation code they check.
#ifndef FEDSYNC_SHARED_VERIFY_H_
#define FEDSYNC_SHARED_VERIFY_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "shared/admin_client.h"

namespace fedsync {

// Ok when `parent` holds exactly what each child (id -> its AdminClient) published.
// kUnavailable names the first difference (the tree may still be converging).
absl::Status VerifyParent(AdminClient* parent,
                          const std::map<std::string, AdminClient*>& children);

struct LinkReport {
  std::string parent;
  std::string child;
  absl::Status status;  // ok, or what differs
};

// Which node a client is for: the root the caller chose (kTarget), or a node below it,
// reached at an address that node advertised itself (kBelow). A caller must not send
// below what only the target may see (an operator's bearer token): a node can
// advertise any address.
enum class VerifyHop { kTarget, kBelow };

// A client of the node `node_id` at `address`; `node_id` is empty for a root whose id
// the caller does not know. With TLS it is the name the server's certificate must carry.
// An error (e.g. kFailedPrecondition: no credentials fit for that node) is reported as
// the link's failure without dialling.
using AdminClientFactory = std::function<absl::StatusOr<std::unique_ptr<AdminClient>>(
    const std::string& address, const std::string& node_id, VerifyHop hop)>;

// Every link below the node at `root_address` (whose id is `root_id`, or empty), one
// report each, reaching children by the address they advertised and as the id their
// parent holds them under. A child without an address, or one that does not answer
// ("cannot reach ID at ADDRESS: ..."), is reported as its link's failure, not skipped;
// the nodes below it are then not visited.
std::vector<LinkReport> VerifyTree(const std::string& root_address, const std::string& root_id,
                                   const AdminClientFactory& connect);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_VERIFY_H_
