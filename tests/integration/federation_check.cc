#include "tests/integration/federation_check.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "shared/verify.h"

namespace fedsync::testing {

absl::Status CheckParentConverged(const std::string& parent_address,
                                  const std::map<std::string, std::string>& children) {
  AdminClient parent(parent_address);
  std::vector<std::unique_ptr<AdminClient>> owned;
  std::map<std::string, AdminClient*> clients;
  for (const auto& [id, address] : children) {
    owned.push_back(std::make_unique<AdminClient>(address));
    clients[id] = owned.back().get();
  }
  return VerifyParent(&parent, clients);
}

absl::Status CheckTreeConverged(const std::string& root) {
  std::vector<LinkReport> reports =
      VerifyTree(root, "", [](const std::string& address, const std::string&) {
        return std::make_unique<AdminClient>(address);
      });
  if (reports.empty()) return absl::UnavailableError("no links below the root yet");
  for (const LinkReport& report : reports) {
    if (!report.status.ok()) {
      return absl::UnavailableError(
          absl::StrCat(report.parent, " -> ", report.child, ": ", report.status.message()));
    }
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
