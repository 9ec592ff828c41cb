#include "tests/integration/federation_check.h"

#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/grpcpp.h"

namespace fedsync::testing {
namespace {

using Key = std::tuple<std::string, std::string>;  // period, dims
struct Value {
  int64_t value;
  int status;
  bool operator==(const Value& other) const {
    return value == other.value && status == other.status;
  }
};

std::string DimsText(const v1::Cell& cell) {
  std::map<std::string, std::string> dims;
  for (const auto& dim : cell.dims()) dims[dim.key()] = dim.value();
  return absl::StrJoin(dims, ";", absl::PairFormatter("="));
}

std::map<Key, Value> CellsOf(const v1::GetRollupResponse& rollup, const std::string& node) {
  std::map<Key, Value> cells;
  for (const v1::RollupCell& cell : rollup.cells()) {
    if (cell.node_id() != node) continue;
    cells[Key{cell.cell().period(), DimsText(cell.cell())}] =
        Value{cell.cell().value(), cell.cell().status()};
  }
  return cells;
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

}  // namespace

AdminClient::AdminClient(const std::string& address)
    : stub_(v1::AdminService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {}

absl::StatusOr<v1::GetStatusResponse> AdminClient::Status() {
  v1::GetStatusResponse response;
  auto context = Context();
  absl::Status status = FromGrpc(stub_->GetStatus(context.get(), {}, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::GetRollupResponse> AdminClient::Rollup(const std::string& metric,
                                                          const std::string& period) {
  v1::GetRollupRequest request;
  request.set_metric(metric);
  request.set_period(period);
  v1::GetRollupResponse response;
  auto context = Context();
  absl::Status status = FromGrpc(stub_->GetRollup(context.get(), request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::ListMetricsResponse> AdminClient::Metrics() {
  v1::ListMetricsResponse response;
  auto context = Context();
  absl::Status status = FromGrpc(stub_->ListMetrics(context.get(), {}, &response));
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::SyncNowResponse> AdminClient::SyncNow(const v1::SyncNowRequest& request) {
  v1::SyncNowResponse response;
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  absl::Status status = FromGrpc(stub_->SyncNow(context.get(), request, &response));
  if (!status.ok()) return status;
  return response;
}

absl::Status CheckParentConverged(const std::string& parent_address,
                                  const std::map<std::string, std::string>& children) {
  AdminClient parent(parent_address);
  absl::StatusOr<v1::GetStatusResponse> parent_status = parent.Status();
  if (!parent_status.ok()) return parent_status.status();
  for (const auto& [child_id, child_address] : children) {
    absl::StatusOr<v1::GetStatusResponse> child_status = AdminClient(child_address).Status();
    if (!child_status.ok()) return child_status.status();
    const v1::ChildStatus* held = nullptr;
    for (const v1::ChildStatus& child : parent_status->children()) {
      if (child.node_id() == child_id) held = &child;
    }
    if (held == nullptr) return absl::UnavailableError(absl::StrCat(child_id, " not yet seen"));
    if (held->epoch() != child_status->epoch() ||
        held->watermark() != child_status->max_seq() || child_status->max_seq() == 0) {
      return absl::UnavailableError(absl::StrCat(
          child_id, ": parent holds epoch ", held->epoch(), " seq ", held->watermark(),
          ", child is at epoch ", child_status->epoch(), " seq ", child_status->max_seq()));
    }
  }
  absl::StatusOr<v1::ListMetricsResponse> metrics = parent.Metrics();
  if (!metrics.ok()) return metrics.status();
  for (const std::string& metric : metrics->metric_ids()) {
    absl::StatusOr<v1::GetRollupResponse> rollup = parent.Rollup(metric);
    if (!rollup.ok()) return rollup.status();
    std::map<Key, Value> sums;
    for (const auto& [child_id, child_address] : children) {
      absl::StatusOr<v1::GetRollupResponse> own = AdminClient(child_address).Rollup(metric);
      if (!own.ok()) return own.status();
      std::map<Key, Value> published = CellsOf(*own, child_id);
      if (published != CellsOf(*rollup, child_id)) {
        return absl::UnavailableError(
            absl::StrCat(metric, ": the parent's copy of ", child_id, " differs"));
      }
      for (const auto& [key, value] : published) {
        Value& sum = sums.emplace(key, Value{0, v1::OK}).first->second;
        sum.value += value.value;
        if (value.status == v1::SUPPRESSED || value.status == v1::PARTIAL) {
          sum.status = v1::PARTIAL;
        }
      }
    }
    std::map<Key, Value> own = CellsOf(*rollup, parent_status->node_id());
    if (own != sums) {
      return absl::UnavailableError(absl::StrCat(metric, ": ", parent_status->node_id(),
                                                 "'s cells are not the sums of its inputs (",
                                                 own.size(), " cells vs ", sums.size(), ")"));
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
