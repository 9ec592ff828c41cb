#include "shared/verify.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "shared/cell.h"

namespace fedsync {
namespace {

using Key = std::tuple<std::string, std::string>;  // period, canonical dims
// The status of a sum after adding an input of status `input`: PARTIAL once any input
// is SUPPRESSED or PARTIAL, else NOISY once any is NOISY, else PERTURBED once any is
// PERTURBED, else OK.
int SumStatus(int sum, int input) {
  auto rank = [](int status) {
    switch (status) {
      case v1::SUPPRESSED:
      case v1::PARTIAL:
        return 3;
      case v1::NOISY:
        return 2;
      case v1::PERTURBED:
        return 1;
      default:
        return 0;
    }
  };
  static constexpr int kByRank[] = {v1::OK, v1::PERTURBED, v1::NOISY, v1::PARTIAL};
  return kByRank[std::max(rank(sum), rank(input))];
}

struct Value {
  int64_t value;
  int status;
  bool operator==(const Value& other) const {
    return value == other.value && status == other.status;
  }
  bool operator!=(const Value& other) const { return !(*this == other); }
};

std::map<Key, Value> CellsOf(const v1::GetRollupResponse& rollup, const std::string& node) {
  std::map<Key, Value> cells;
  for (const v1::RollupCell& cell : rollup.cells()) {
    if (cell.node_id() != node) continue;
    cells[Key{cell.cell().period(), CanonicalDims(cell.cell().dims())}] =
        Value{cell.cell().value(), cell.cell().status()};
  }
  return cells;
}

absl::Status Differs(const std::string& what) { return absl::UnavailableError(what); }

// The status of a node that did not answer, naming it and where it was dialled; the
// code is kept (UNAVAILABLE for a dead node or a failed TLS handshake, PERMISSION_DENIED
// for a certificate without a role).
absl::Status CannotReach(const std::string& id, const std::string& address,
                         const absl::Status& status) {
  return absl::Status(
      status.code(),
      absl::StrCat("cannot reach ", id.empty() ? "" : id + " at ", address, " (",
                   absl::StatusCodeToString(status.code()), "): ", status.message()));
}

}  // namespace

absl::Status VerifyParent(AdminClient* parent,
                          const std::map<std::string, AdminClient*>& children) {
  absl::StatusOr<v1::GetStatusResponse> parent_status = parent->Status();
  if (!parent_status.ok()) return parent_status.status();
  for (const auto& [child_id, child] : children) {
    absl::StatusOr<v1::GetStatusResponse> child_status = child->Status();
    if (!child_status.ok()) return child_status.status();
    const v1::ChildStatus* held = nullptr;
    for (const v1::ChildStatus& candidate : parent_status->children()) {
      if (candidate.node_id() == child_id) held = &candidate;
    }
    if (held == nullptr) {
      return Differs(absl::StrCat(parent_status->node_id(), " has not heard from ", child_id));
    }
    if (held->epoch() != child_status->epoch() ||
        held->watermark() != child_status->max_seq()) {
      return Differs(absl::StrCat(parent_status->node_id(), " holds ", child_id, " at epoch ",
                                  held->epoch(), " seq ", held->watermark(), "; ", child_id,
                                  " is at epoch ", child_status->epoch(), " seq ",
                                  child_status->max_seq()));
    }
  }
  absl::StatusOr<v1::ListMetricsResponse> metrics = parent->Metrics();
  if (!metrics.ok()) return metrics.status();
  for (const std::string& metric : metrics->metric_ids()) {
    absl::StatusOr<v1::GetRollupResponse> rollup = parent->Rollup(metric);
    if (!rollup.ok()) return rollup.status();
    std::map<Key, Value> sums;
    for (const auto& [child_id, child] : children) {
      absl::StatusOr<v1::GetRollupResponse> own = child->Rollup(metric);
      if (!own.ok()) return own.status();
      std::map<Key, Value> published = CellsOf(*own, child_id);
      if (published != CellsOf(*rollup, child_id)) {
        return Differs(absl::StrCat(metric, ": ", parent_status->node_id(), "'s copy of ",
                                    child_id, " differs from what ", child_id, " publishes"));
      }
      for (const auto& [key, value] : published) {
        Value& sum = sums.emplace(key, Value{0, v1::OK}).first->second;
        sum.value += value.value;
        sum.status = SumStatus(sum.status, value.status);
      }
    }
    // With every child listed, the parent's own cells are exactly the sums.
    if (children.size() == static_cast<size_t>(parent_status->children_size())) {
      std::map<Key, Value> own = CellsOf(*rollup, parent_status->node_id());
      for (const auto& [key, value] : own) {
        auto sum = sums.find(key);
        if (sum == sums.end() || sum->second != value) {
          return Differs(absl::StrCat(metric, " ", std::get<0>(key), " ", std::get<1>(key), ": ",
                                      parent_status->node_id(), " publishes ", value.value,
                                      ", the sum of its inputs is ",
                                      sum == sums.end() ? 0 : sum->second.value));
        }
      }
      if (own.size() != sums.size()) {
        return Differs(absl::StrCat(metric, ": ", parent_status->node_id(), " has ", own.size(),
                                    " cells, its inputs make ", sums.size()));
      }
    }
  }
  return absl::OkStatus();
}

std::vector<LinkReport> VerifyTree(const std::string& root_address, const std::string& root_id,
                                   const AdminClientFactory& connect) {
  std::vector<LinkReport> reports;
  struct Node {
    std::string address;
    std::string id;  // empty for a root of unknown id
    VerifyHop hop;
  };
  std::vector<Node> pending = {{root_address, root_id, VerifyHop::kTarget}};
  while (!pending.empty()) {
    const Node node = pending.back();
    pending.pop_back();
    absl::StatusOr<std::unique_ptr<AdminClient>> parent = connect(node.address, node.id, node.hop);
    absl::StatusOr<v1::GetStatusResponse> status =
        parent.ok() ? (*parent)->Status() : absl::StatusOr<v1::GetStatusResponse>(parent.status());
    if (!status.ok()) {
      // The root, or a child gone since its parent's turn: a child that does not
      // answer at its parent's turn is reported there, as its link's failure.
      reports.push_back({node.id.empty() ? node.address : node.id, "",
                         CannotReach(node.id, node.address, status.status())});
      continue;
    }
    std::vector<std::unique_ptr<AdminClient>> owned;
    std::map<std::string, AdminClient*> children;
    for (const v1::ChildStatus& child : status->children()) {
      if (child.admin_address().empty()) {
        reports.push_back({status->node_id(), child.node_id(),
                           absl::FailedPreconditionError("the child advertised no address")});
        continue;
      }
      absl::StatusOr<std::unique_ptr<AdminClient>> client =
          connect(child.admin_address(), child.node_id(), VerifyHop::kBelow);
      if (!client.ok()) {
        reports.push_back({status->node_id(), child.node_id(), client.status()});
        continue;
      }
      absl::StatusOr<v1::GetStatusResponse> reached = (*client)->Status();
      if (!reached.ok()) {
        reports.push_back({status->node_id(), child.node_id(),
                           CannotReach(child.node_id(), child.admin_address(), reached.status())});
        continue;
      }
      owned.push_back(std::move(*client));
      children[child.node_id()] = owned.back().get();
      pending.push_back({child.admin_address(), child.node_id(), VerifyHop::kBelow});
    }
    for (const auto& [child_id, child] : children) {
      reports.push_back(
          {status->node_id(), child_id, VerifyParent(parent->get(), {{child_id, child}})});
    }
    if (!children.empty() &&
        children.size() == static_cast<size_t>(status->children_size())) {
      absl::Status sums = VerifyParent(parent->get(), children);
      if (!sums.ok()) reports.push_back({status->node_id(), "(sums)", sums});
    }
  }
  return reports;
}

}  // namespace fedsync
