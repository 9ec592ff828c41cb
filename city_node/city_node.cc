#include "city_node/city_node.h"

#include <set>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "city_node/child_targets.h"
#include "city_node/completeness.h"
#include "shared/limits.h"
#include "shared/logging.h"
#include "shared/metric_query.h"
#include "shared/period.h"
#include "shared/privacy_floor.h"
#include "shared/privacy_groups.h"
#include "shared/status_macros.h"
#include "shared/targets.h"

namespace fedsync {
namespace {

std::string NewCommandId() {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen;
  absl::MutexLock lock(&mu);
  return absl::StrFormat("%016x", absl::Uniform<uint64_t>(*gen));
}

}  // namespace

v1::NodeLevel ParseNodeLevel(const std::string& text) {
  if (text == "city") return v1::CITY;
  if (text == "province") return v1::PROVINCE;
  if (text == "national") return v1::NATIONAL;
  return v1::NODE_LEVEL_UNSPECIFIED;
}

absl::StatusOr<std::unique_ptr<CityNode>> CityNode::Create(
    v1::NodeConfig config, std::shared_ptr<grpc::ChannelCredentials> parent_credentials) {
  ASSIGN_OR_RETURN(std::unique_ptr<NodeStore> store,
                   NodeStore::Open(config.db(), CityMigrations()));
  std::shared_ptr<const Catalog> catalog;
  RETURN_IF_ERROR(store->Read([&](Database* db) -> absl::Status {
    ASSIGN_OR_RETURN(catalog, LoadStoredCatalog(db));
    return absl::OkStatus();
  }));
  std::unique_ptr<CityNode> node(new CityNode(config, catalog, std::move(store)));
  RETURN_IF_ERROR(node->hub_->LoadSums());
  if (!config.parent().empty()) {
    UplinkOptions options;
    options.target = config.parent();
    options.credentials = std::move(parent_credentials);
    options.server_name = config.parent_id();
    options.identity = UplinkIdentity{config.id(), config.level(), config.path(),
                                      catalog->version(), ""};
    options.batch_cells = static_cast<int>(config.batch_cells());
    options.heartbeat = absl::Milliseconds(config.heartbeat_millis());
    NodeStore* store = node->store_.get();
    options.on_targets = [store](const v1::TargetList& targets) {
      StoreReceivedTargets(store, targets);
    };
    CityNode* adopter = node.get();
    options.on_catalog = [adopter](const v1::Catalog& catalog) {
      absl::StatusOr<std::shared_ptr<const Catalog>> candidate = Catalog::FromProto(catalog);
      absl::Status adopted =
          candidate.ok() ? adopter->AdoptCatalog(*candidate).status() : candidate.status();
      if (!adopted.ok()) {
        LogWarning("catalog.refused",
                   {{"version", catalog.version()}, {"reason", adopted.message()}});
      }
    };
    options.catalog_version = [adopter] { return adopter->catalog()->version(); };
    CityNode* raw = node.get();
    node->uplink_ = std::make_unique<Uplink>(
        node->store_.get(), std::move(options),
        [raw](const v1::Command& command, std::function<void(v1::CommandResult)> reply) {
          raw->HandleCommand(command, std::move(reply));
        });
    node->store_->SetPublishedListener([raw] {
      raw->uplink_->Notify();
      UpdateReceivedTargets(raw->store_.get());
    });
  }
  return node;
}

CityNode::CityNode(v1::NodeConfig config, std::shared_ptr<const Catalog> catalog,
                   std::unique_ptr<NodeStore> store)
    : config_(std::move(config)), catalogs_(std::move(catalog)), store_(std::move(store)) {
  hub_ = std::make_unique<ChildHub>(store_.get(), &catalogs_);
}

CityNode::~CityNode() { Stop(); }

void CityNode::Start(const std::string& admin_address) {
  if (uplink_ != nullptr) uplink_->Start(admin_address);
}

void CityNode::Stop() {
  hub_->Shutdown();
  if (uplink_ != nullptr) uplink_->Stop();
}

absl::StatusOr<v1::GetStatusResponse> CityNode::Status() const {
  v1::GetStatusResponse response;
  response.set_node_id(config_.id());
  response.set_level(config_.level());
  response.set_path(config_.path());
  response.set_epoch(store_->epoch());
  response.set_max_seq(store_->max_seq());
  response.set_catalog_version(catalog()->version());
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  ASSIGN_OR_RETURN(std::unique_ptr<ReadSnapshot> snapshot, ReadSnapshot::Begin(reader.get()));
  ASSIGN_OR_RETURN(int64_t cells, CountPublishedCells(reader.get()));
  response.set_published_cells(cells);
  if (uplink_ != nullptr) *response.mutable_parent() = uplink_->Status();
  ASSIGN_OR_RETURN(std::vector<v1::ChildStatus> children, ReadChildren(reader.get()));
  const std::map<std::string, absl::Time> connected = hub_->Connected();
  for (v1::ChildStatus& child : children) {
    auto it = connected.find(child.node_id());
    if (it != connected.end()) {
      child.set_connected(true);
      if (it->second != absl::InfinitePast()) {
        child.set_last_seen_unix_millis(absl::ToUnixMillis(it->second));
      }
    }
    ASSIGN_OR_RETURN(std::vector<v1::PeriodReport> reports,
                     ReadReports(reader.get(), child.node_id(), config_, absl::Now()));
    for (v1::PeriodReport& report : reports) *child.add_reports() = std::move(report);
    *response.add_children() = std::move(child);
  }
  return response;
}

absl::StatusOr<v1::GetRollupResponse> CityNode::Rollup(const std::string& metric,
                                                       const std::string& period) const {
  RETURN_IF_ERROR(CheckRollupQuery(*catalog(), metric, period).status());
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  // The sums and their inputs as of one commit, so that each sum shown is the sum shown.
  ASSIGN_OR_RETURN(std::unique_ptr<ReadSnapshot> snapshot, ReadSnapshot::Begin(reader.get()));
  ASSIGN_OR_RETURN(std::vector<v1::Cell> own, ReadPublishedCells(reader.get(), metric, period));
  ASSIGN_OR_RETURN(std::vector<v1::RollupCell> children,
                   ReadChildCells(reader.get(), metric, period));
  v1::GetRollupResponse response;
  for (v1::Cell& cell : own) {
    v1::RollupCell* out = response.add_cells();
    out->set_node_id(config_.id());
    *out->mutable_cell() = std::move(cell);
  }
  for (v1::RollupCell& cell : children) *response.add_cells() = std::move(cell);
  return response;
}

absl::StatusOr<v1::TargetProgress> CityNode::SetTarget(const v1::SetTargetRequest& request) {
  v1::Target target;
  target.set_child_id(request.child_id());
  target.set_metric(request.metric());
  target.set_period(request.period());
  target.set_value(request.value());
  target.set_set_unix_millis(absl::ToUnixMillis(absl::Now()));
  target.set_set_by(config_.id());
  RETURN_IF_ERROR(ValidateTarget(*catalog(), target));
  ASSIGN_OR_RETURN(std::vector<std::string> known, KnownChildren());
  if (std::find(known.begin(), known.end(), target.child_id()) == known.end()) {
    return absl::NotFoundError(absl::StrCat("child_id: '", target.child_id().substr(0, 64),
                                            "' is not a child of ", config_.id()));
  }
  std::vector<v1::TargetProgress> progress;
  v1::TargetList list;
  uint64_t list_version = 0;
  RETURN_IF_ERROR(store_->Write([&](Database* db, PublishedCells*) -> absl::Status {
    RETURN_IF_ERROR(PutChildTarget(db, target));
    ASSIGN_OR_RETURN(progress, ChildTargetProgress(db, target.child_id(),
                                                   absl::ToUnixMillis(absl::Now())));
    ASSIGN_OR_RETURN(list, TargetsForChild(db, target.child_id()));
    // Taken in the transaction, so that a list read later is never overtaken by this
    // one on its way down (concurrent sets, a hello).
    list_version = hub_->NextTargetsVersion();
    return absl::OkStatus();
  }));
  hub_->SendTargets(target.child_id(), std::move(list), list_version);
  LogInfo("target.set", {{"child", target.child_id()}, {"metric", target.metric()},
                         {"period", target.period()}, {"value", target.value()}});
  for (v1::TargetProgress& one : progress) {
    if (one.target().metric() == target.metric() && one.target().period() == target.period()) {
      return one;
    }
  }
  return absl::InternalError("the target was not stored");
}

absl::StatusOr<v1::ListTargetsResponse> CityNode::ListTargets() const {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  ASSIGN_OR_RETURN(std::vector<v1::TargetProgress> set_here,
                   ChildTargetProgress(reader.get(), "", /*now_millis=*/0));
  ASSIGN_OR_RETURN(std::vector<v1::TargetProgress> from_parent,
                   ReceivedTargetProgress(reader.get(), /*now_millis=*/0));
  v1::ListTargetsResponse response;
  for (v1::TargetProgress& one : set_here) *response.add_set_here() = std::move(one);
  for (v1::TargetProgress& one : from_parent) {
    one.mutable_target()->set_child_id(config_.id());
    *response.add_from_parent() = std::move(one);
  }
  return response;
}

absl::StatusOr<std::map<std::string, int64_t>> CityNode::MetricsReported(
    const std::vector<std::string>& children) const {
  std::vector<std::string> metrics;
  for (const v1::MetricDef& metric : catalog()->proto().metrics()) metrics.push_back(metric.id());
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  return CountReportedMetrics(reader.get(), children, metrics);
}

absl::StatusOr<std::vector<std::string>> CityNode::AdoptCatalog(
    std::shared_ptr<const Catalog> candidate) {
  absl::MutexLock lock(&adopt_mu_);
  RETURN_IF_ERROR(store_->Write([&](Database* db, PublishedCells*) -> absl::Status {
    RETURN_IF_ERROR(CheckNewer(*catalog(), *candidate));
    return StoreCatalog(db, *candidate);
  }));
  catalogs_.Set(candidate);  // once stored: a failed commit leaves the old one running
  LogInfo("catalog.adopted", {{"version", candidate->version()},
                              {"metrics", candidate->proto().metrics_size()}});
  std::vector<std::string> sent_to = hub_->BroadcastCatalog(candidate->proto());
  // The parent learns the version a node runs from its Hello.
  if (uplink_ != nullptr) uplink_->Reconnect();
  return sent_to;
}

absl::StatusOr<v1::PushCatalogResponse> CityNode::PushCatalog(const v1::Catalog& catalog) {
  if (!config_.parent().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "push the catalog at the top of the tree; ", config_.id(), " takes it from its parent"));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Catalog> candidate, Catalog::FromProto(catalog));
  RETURN_IF_ERROR(CheckPrivacyFloor(catalog));
  RETURN_IF_ERROR(CheckSuppressionLinks(catalog));
  ASSIGN_OR_RETURN(std::vector<std::string> sent_to, AdoptCatalog(std::move(candidate)));
  v1::PushCatalogResponse response;
  response.set_version(catalog.version());
  for (std::string& child : sent_to) response.add_sent_to(std::move(child));
  return response;
}

absl::StatusOr<std::vector<std::string>> CityNode::KnownChildren() const {
  std::set<std::string> ids;
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  ASSIGN_OR_RETURN(std::vector<v1::ChildStatus> children, ReadChildren(reader.get()));
  for (const v1::ChildStatus& child : children) ids.insert(child.node_id());
  for (const auto& [id, seen] : hub_->Connected()) ids.insert(id);
  // Registered with --children but never connected: still this node's children, whose
  // silence a sync reports (as missing) rather than hides.
  for (const std::string& id : config_.children()) ids.insert(id);
  return std::vector<std::string>(ids.begin(), ids.end());
}

absl::StatusOr<v1::SyncNowResponse> CityNode::SyncNow(const std::string& child_id, bool full,
                                                      bool wait, absl::Duration timeout) {
  ASSIGN_OR_RETURN(std::vector<std::string> known, KnownChildren());
  std::vector<std::string> targets = known;
  if (!child_id.empty()) {
    if (std::find(known.begin(), known.end(), child_id) == known.end()) {
      return absl::NotFoundError(absl::StrCat("child_id: '", child_id.substr(0, 64),
                                              "' is not a child of ", config_.id()));
    }
    targets = {child_id};
  }
  v1::Command command;
  command.set_command_id(NewCommandId());
  command.mutable_sync()->set_full(full);
  command.set_timeout_millis(absl::ToInt64Milliseconds(ChildCommandTimeout(timeout)));
  CommandOutcome outcome = hub_->RunCommand(targets, command, wait, absl::Now() + timeout);
  v1::SyncNowResponse response;
  response.set_command_id(command.command_id());
  for (v1::NodeResult& result : outcome.results) *response.add_results() = std::move(result);
  for (std::string& missing : outcome.missing) response.add_missing(std::move(missing));
  return response;
}

void CityNode::HandleCommand(const v1::Command& command,
                             std::function<void(v1::CommandResult)> reply) {
  v1::CommandResult result;
  result.set_command_id(command.command_id());
  v1::NodeResult own;
  own.set_node_id(config_.id());
  if (!command.has_sync()) {
    own.set_message("unknown command");
    *result.add_results() = std::move(own);
    reply(std::move(result));
    return;
  }
  // Within what the parent gives (9 s when it says nothing): down to every child first,
  // so that their fresh cells are in this node's sums before this node reports its
  // own; then this node's own ack, with a third of the time and at most 3 s kept for it.
  const absl::Duration timeout = CommandTimeout(command.timeout_millis(), absl::Seconds(9));
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<v1::SyncNowResponse> children = SyncNow(
      "", command.sync().full(), /*wait=*/true, timeout - std::min(timeout / 3, absl::Seconds(3)));
  if (children.ok()) {
    for (const v1::NodeResult& child : children->results()) *result.add_results() = child;
    for (const std::string& missing : children->missing()) {
      v1::NodeResult* absent = result.add_results();
      absent->set_node_id(missing);
      absent->set_message("did not answer in time");
    }
  }
  bool ok = true;
  if (command.sync().full()) ok = uplink_->Resync(deadline);
  const uint64_t seq = store_->max_seq();
  ok = ok && uplink_->WaitForAck(seq, deadline);
  own.set_ok(ok && children.ok());
  own.set_message(ok ? absl::StrCat(command.sync().full() ? "full resync, " : "", "acked seq ", seq)
                     : absl::StrCat("parent has not acknowledged seq ", seq, " in time"));
  *result.add_results() = std::move(own);
  reply(std::move(result));
}

}  // namespace fedsync
