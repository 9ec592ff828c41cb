// Proves convergence from the outside, over the admin API: for a parent and each of
// its children, the parent holds the child's epoch and newest seq, its copy of every
// cell equals what the child publishes, and each of the parent's own cells is the sum
// of its children's (PARTIAL when an input is SUPPRESSED or PARTIAL, else NOISY or
// PERTURBED when an input is). VerifyTree walks
// down through the addresses children advertise. The sums are re-derived here, apart
// from the aggregation code they check.
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

using AdminClientFactory = std::function<std::unique_ptr<AdminClient>(const std::string&)>;

// Every link below `root`, one report each, reaching children by the address they
// advertised. A child without an address is reported, not skipped.
std::vector<LinkReport> VerifyTree(const std::string& root, const AdminClientFactory& connect);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_VERIFY_H_
