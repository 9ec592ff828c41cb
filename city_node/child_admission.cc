#include "city_node/child_admission.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fedsync {

ChildAdmission::ChildAdmission(bool require_certificate, const std::vector<std::string>& registered,
                               std::string own_id, std::string parent_id)
    : require_certificate_(require_certificate),
      registered_(registered.begin(), registered.end()),
      own_id_(std::move(own_id)),
      parent_id_(std::move(parent_id)) {}

absl::Status ChildAdmission::Admit(const std::vector<std::string>& certified_ids,
                                   const std::string& claimed_id,
                                   bool operator_certificate) const {
  if (operator_certificate) {
    return absl::PermissionDeniedError("an operator's certificate cannot stream as a child");
  }
  if (require_certificate_) {
    if (certified_ids.empty()) {
      return absl::PermissionDeniedError("the peer's certificate names no node id");
    }
    if (std::find(certified_ids.begin(), certified_ids.end(), claimed_id) == certified_ids.end()) {
      return absl::PermissionDeniedError(absl::StrCat("hello.node_id '", claimed_id,
                                                      "' is not the id in the certificate (",
                                                      absl::StrJoin(certified_ids, ", "), ")"));
    }
  }
  if (!own_id_.empty() && claimed_id == own_id_) {
    return absl::PermissionDeniedError(
        absl::StrCat("'", claimed_id, "' is this node's own id, not a child's"));
  }
  if (!parent_id_.empty() && claimed_id == parent_id_) {
    return absl::PermissionDeniedError(absl::StrCat(
        "'", claimed_id, "' is this node's parent: its sums hold this node's already"));
  }
  if (!registered_.empty() && registered_.count(claimed_id) == 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("'", claimed_id, "' is not a registered child of this node"));
  }
  return absl::OkStatus();
}

}  // namespace fedsync
