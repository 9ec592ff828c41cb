// Which children a parent accepts, decided once per stream on its Hello (DESIGN.md,
// guarantee 5): over mutual TLS a child is the id its certificate names, and a Hello
// claiming any other id is refused; when the node lists its children, only those are
// accepted. A plaintext (--insecure, loopback) node has no certificates: it checks the
// claimed id against the list only. Whatever the list, the node's own id and its
// parent's are never a child: a node above or the node itself streaming here would
// loop its sums back into themselves. Without a list, every node of the tree holding a
// certificate from the CA is admitted, so a district could stream to its city and to
// its province at once and be counted twice above; production lists the children.
// Plain C++, no gRPC; immutable, so thread-safe.
#ifndef FEDSYNC_CITY_NODE_CHILD_ADMISSION_H_
#define FEDSYNC_CITY_NODE_CHILD_ADMISSION_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace fedsync {

class ChildAdmission {
 public:
  // `require_certificate`: the node serves mutual TLS, so every peer must be certified.
  // `registered`: the children accepted; empty accepts any (certified) child.
  // `own_id` and `parent_id` (empty: none) are refused as children.
  ChildAdmission(bool require_certificate, const std::vector<std::string>& registered,
                 std::string own_id = "", std::string parent_id = "");

  // Whether any certified node is admitted (no list of children).
  bool admits_any() const { return registered_.empty(); }

  // Ok when a peer whose certificate names `certified_ids` (empty over plaintext) may
  // stream as `claimed_id`; else kPermissionDenied saying why. An operator's
  // certificate (`operator_certificate`: it carries a role) is never a child.
  absl::Status Admit(const std::vector<std::string>& certified_ids, const std::string& claimed_id,
                     bool operator_certificate = false) const;

 private:
  const bool require_certificate_;
  const std::set<std::string> registered_;
  const std::string own_id_;
  const std::string parent_id_;
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_CHILD_ADMISSION_H_
