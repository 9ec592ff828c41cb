#include "tests/integration/federation_check.h"

#include <memory>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "shared/verify.h"

namespace fedsync::testing {

absl::Status CheckParentConverged(const std::string& parent_address, const std::string& parent_id,
                                  const std::map<std::string, std::string>& children) {
  AdminClient parent = Admin(parent_address, parent_id);
  std::vector<std::unique_ptr<AdminClient>> owned;
  std::map<std::string, AdminClient*> clients;
  for (const auto& [id, address] : children) {
    owned.push_back(std::make_unique<AdminClient>(Admin(address, id)));
    clients[id] = owned.back().get();
  }
  return VerifyParent(&parent, clients);
}

absl::Status CheckTreeConverged(const std::string& root_address, const std::string& root_id,
                                const std::set<std::string>& below) {
  std::vector<LinkReport> reports =
      VerifyTree(root_address, root_id,
                 [](const std::string& address, const std::string& id,
                    VerifyHop) -> absl::StatusOr<std::unique_ptr<AdminClient>> {
                   return std::make_unique<AdminClient>(Admin(address, id));
                 });
  if (reports.empty()) return absl::UnavailableError("no links below the root yet");
  for (const LinkReport& report : reports) {
    if (!report.status.ok()) {
      return absl::UnavailableError(
          absl::StrCat(report.parent, " -> ", report.child, ": ", report.status.message()));
    }
  }
  std::set<std::string> missing = below;
  for (const LinkReport& report : reports) missing.erase(report.child);
  if (!missing.empty()) {
    return absl::UnavailableError(
        absl::StrCat(*missing.begin(), " is not in the tree below ", root_id, " yet"));
  }
  return absl::OkStatus();
}

int64_t TotalOf(const v1::GetRollupResponse& rollup, const std::string& node,
                const std::string& period) {
  for (const v1::RollupCell& cell : rollup.cells()) {
    if (cell.node_id() == node && cell.cell().period() == period && cell.cell().dims().empty()) {
      return cell.cell().value();
    }
  }
  return -1;
}

}  // namespace fedsync::testing
