// Which children a parent accepts, decided once per stream on its Hello (DESIGN.md,
// guarantee 5): over mutual TLS a child is the id its certificate names, and a Hello
// claiming any other id is refused; when the node lists its children, only those are
// accepted. A plaintext (--insecure, loopback) node has no certificates: it checks the
// claimed id against the list only. Plain C++, no gRPC; immutable, so thread-safe.
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
  ChildAdmission(bool require_certificate, const std::vector<std::string>& registered);

  // Ok when a peer whose certificate names `certified_ids` (empty over plaintext) may
  // stream as `claimed_id`; else kPermissionDenied saying why. An operator's
  // certificate (`operator_certificate`: it carries a role) is never a child.
  absl::Status Admit(const std::vector<std::string>& certified_ids, const std::string& claimed_id,
                     bool operator_certificate = false) const;

 private:
  const bool require_certificate_;
  const std::set<std::string> registered_;
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_CHILD_ADMISSION_H_
