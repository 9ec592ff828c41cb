#include "district_node/district_node.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "district_node/audit_log.h"
#include "district_node/node_secret.h"
#include "shared/catalog_holder.h"
#include "shared/demo_data.h"
#include "shared/limits.h"
#include "shared/logging.h"
#include "shared/metric_query.h"
#include "shared/period.h"
#include "shared/privacy_floor.h"
#include "shared/registry_kinds.h"
#include "shared/status_macros.h"
#include "shared/targets.h"

namespace fedsync {
namespace {

// `catalog` as this district runs it: raised to the district's privacy floor, each
// raise logged (metric ids and parameters only).
absl::StatusOr<std::shared_ptr<const Catalog>> RunnableCatalog(
    std::shared_ptr<const Catalog> catalog, const v1::NodeConfig& config) {
  PrivacyFloor floor;
  floor.min_threshold = std::max(floor.min_threshold, config.min_suppression_threshold());
  std::vector<std::string> raised;
  v1::Catalog runnable = RaiseToPrivacyFloor(catalog->proto(), floor, &raised);
  if (raised.empty()) return catalog;
  for (const std::string& change : raised) {
    LogWarning("catalog.raised_to_floor", {{"version", catalog->version()}, {"change", change}});
  }
  return Catalog::FromProto(std::move(runnable));
}

}  // namespace

absl::StatusOr<std::unique_ptr<DistrictNode>> DistrictNode::Create(
    v1::NodeConfig config, std::shared_ptr<grpc::ChannelCredentials> parent_credentials,
    Clock* clock) {
  ASSIGN_OR_RETURN(std::unique_ptr<NodeStore> store,
                   NodeStore::Open(config.db(), DistrictMigrations()));
  RETURN_IF_ERROR(store->Write([](Database* db, PublishedCells*) { return BackfillNames(db); }));
  std::shared_ptr<const Catalog> catalog;
  RETURN_IF_ERROR(store->Read([&](Database* db) -> absl::Status {
    ASSIGN_OR_RETURN(std::shared_ptr<const Catalog> stored, LoadStoredCatalog(db));
    ASSIGN_OR_RETURN(catalog, RunnableCatalog(std::move(stored), config));
    return absl::OkStatus();
  }));
  // The record-key secret stays in this database and in this process's memory only.
  std::string secret;
  RETURN_IF_ERROR(store->Write([&](Database* db, PublishedCells*) -> absl::Status {
    ASSIGN_OR_RETURN(secret, LoadOrCreateRecordKeySecret(db));
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(privacy::RecordKeyer keyer, privacy::RecordKeyer::Create(secret));
  std::unique_ptr<DistrictNode> node(
      new DistrictNode(config, catalog, clock, std::move(store),
                       std::make_shared<const privacy::RecordKeyer>(std::move(keyer))));
  if (!config.demo_data().empty()) RETURN_IF_ERROR(node->LoadDemoData());
  if (!config.parent().empty()) {
    UplinkOptions options;
    options.target = config.parent();
    options.credentials = std::move(parent_credentials);
    options.server_name = config.parent_id();
    options.identity = UplinkIdentity{config.id(), v1::DISTRICT, config.path(),
                                      catalog->version(), ""};
    options.batch_cells = static_cast<int>(config.batch_cells());
    options.heartbeat = absl::Milliseconds(config.heartbeat_millis());
    NodeStore* store = node->store_.get();
    options.on_targets = [store](const v1::TargetList& targets) {
      StoreReceivedTargets(store, targets);
    };
    DistrictNode* raw = node.get();
    options.on_catalog = [raw](const v1::Catalog& catalog) {
      absl::Status adopted = raw->AdoptCatalog(catalog);
      if (!adopted.ok()) {
        LogWarning("catalog.refused", {{"version", catalog.version()},
                                       {"reason", adopted.message()}});
      }
    };
    options.catalog_version = [raw] { return raw->catalog()->version(); };
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

DistrictNode::DistrictNode(v1::NodeConfig config, std::shared_ptr<const Catalog> catalog,
                           Clock* clock, std::unique_ptr<NodeStore> store,
                           std::shared_ptr<const privacy::RecordKeyer> keyer)
    : config_(std::move(config)), clock_(clock), store_(std::move(store)) {
  cells_ = std::make_unique<CellUpdater>(std::move(catalog), clock_, std::move(keyer));
  // Writes publish in their own transaction, so the config's debounce has nothing to
  // gather at a district.
  publisher_ = std::make_unique<Publisher>(store_.get(), cells_.get());
  registry_ = std::make_unique<Registry>(store_.get(), clock_, cells_.get());
}

DistrictNode::~DistrictNode() { Stop(); }

absl::Status DistrictNode::LoadDemoData() {
  int64_t existing = 0;
  RETURN_IF_ERROR(store_->Read([&](Database* db) -> absl::Status {
    ASSIGN_OR_RETURN(existing, CountRecords(db));
    return absl::OkStatus();
  }));
  if (existing > 0) return absl::OkStatus();
  // The demo year is the latest year whose demo dates (up to 30 November) have passed.
  const absl::CivilDay today = TodayInChina(clock_->Now());
  const int demo_year =
      today >= absl::CivilDay(today.year(), 11, 30) ? static_cast<int>(today.year())
                                                     : static_cast<int>(today.year()) - 1;
  ASSIGN_OR_RETURN(std::vector<v1::Record> records,
                   DemoRecords(config_.demo_data(), demo_year));
  // One import per registry kind, as an operator would do it.
  std::map<v1::Record::KindCase, std::vector<v1::Record>> by_kind;
  for (v1::Record& record : records) by_kind[record.kind_case()].push_back(std::move(record));
  for (const auto& [kind, batch] : by_kind) {
    ASSIGN_OR_RETURN(v1::ImportResponse response, Import(batch, {}));
    (void)response;
  }
  LogInfo("demo_data.loaded", {{"district", config_.demo_data()},
                               {"records", static_cast<int64_t>(records.size())},
                               {"demo_year", demo_year}});
  return absl::OkStatus();
}

absl::Status DistrictNode::Start(const std::string& admin_address) {
  RETURN_IF_ERROR(publisher_->PublishNow());
  publisher_->Start();
  if (uplink_ != nullptr) uplink_->Start(admin_address);
  return absl::OkStatus();
}

void DistrictNode::Stop() {
  if (uplink_ != nullptr) uplink_->Stop();
  publisher_->Stop();
}

absl::StatusOr<v1::ImportResponse> DistrictNode::Import(
    const std::vector<v1::Record>& records, const std::vector<int64_t>& row_numbers) {
  if (records.empty()) return v1::ImportResponse();
  const RegistryKind* kind = RegistryKindOf(records.front());
  if (kind == nullptr) return absl::InvalidArgumentError("record.kind: no registry kind set");
  ASSIGN_OR_RETURN(std::unique_ptr<ImportSession> session,
                   registry_->BeginImport(kind->name, ImportOptions()));
  for (size_t i = 0; i < records.size(); ++i) {
    RETURN_IF_ERROR(session->Add(records[i], i < row_numbers.size() ? row_numbers[i] : 0));
  }
  return registry_->FinishImport(kLocalOperator, session.get());
}

absl::StatusOr<v1::GetStatusResponse> DistrictNode::Status() const {
  v1::GetStatusResponse response;
  response.set_node_id(config_.id());
  response.set_level(v1::DISTRICT);
  response.set_path(config_.path());
  response.set_epoch(store_->epoch());
  response.set_max_seq(store_->max_seq());
  response.set_catalog_version(catalog()->version());
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  ASSIGN_OR_RETURN(int64_t cells, CountPublishedCells(reader.get()));
  response.set_published_cells(cells);
  if (uplink_ != nullptr) *response.mutable_parent() = uplink_->Status();
  return response;
}

absl::StatusOr<v1::GetRollupResponse> DistrictNode::Rollup(const std::string& metric,
                                                           const std::string& period) const {
  RETURN_IF_ERROR(CheckRollupQuery(*catalog(), metric, period).status());
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  ASSIGN_OR_RETURN(std::vector<v1::Cell> cells, ReadPublishedCells(reader.get(), metric, period));
  v1::GetRollupResponse response;
  for (v1::Cell& cell : cells) {
    v1::RollupCell* out = response.add_cells();
    out->set_node_id(config_.id());
    *out->mutable_cell() = std::move(cell);
  }
  return response;
}

absl::Status DistrictNode::AdoptCatalog(const v1::Catalog& proto) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Catalog> candidate, Catalog::FromProto(proto));
  ASSIGN_OR_RETURN(std::shared_ptr<const Catalog> runnable, RunnableCatalog(candidate, config_));
  absl::MutexLock lock(&adopt_mu_);
  // The catalog as it came is stored; the floor is applied each time it is loaded, so a
  // floor raised in the config applies to it too.
  RETURN_IF_ERROR(store_->Write([&](Database* db, PublishedCells*) -> absl::Status {
    RETURN_IF_ERROR(CheckNewer(*catalog(), *candidate));
    return StoreCatalog(db, *candidate);
  }));
  // Switched serialised with writes (no transaction needed), once stored, so that no
  // write sees half a switch; the next publish recomputes every cell, since the stored
  // ones were computed under the old catalog.
  RETURN_IF_ERROR(store_->Read([&](Database*) -> absl::Status {
    cells_->SetCatalog(runnable);
    return absl::OkStatus();
  }));
  LogInfo("catalog.adopted", {{"version", candidate->version()},
                              {"metrics", candidate->proto().metrics_size()}});
  // The catalog is stored and runs from here on: a failed publish does not undo that
  // (the next write publishes again), so it is logged as what it is, not as a refusal,
  // and the parent still hears of the new version.
  absl::Status published = publisher_->PublishNow();
  if (!published.ok()) {
    LogError("catalog.adopted_publish_failed",
             {{"version", candidate->version()}, {"reason", published.message()}});
  }
  if (uplink_ != nullptr) uplink_->Reconnect();
  return absl::OkStatus();
}

absl::StatusOr<v1::ListTargetsResponse> DistrictNode::ListTargets() const {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader, store_->OpenReader());
  ASSIGN_OR_RETURN(std::vector<v1::TargetProgress> targets,
                   ReceivedTargetProgress(reader.get(), /*now_millis=*/0));
  v1::ListTargetsResponse response;
  for (v1::TargetProgress& target : targets) {
    target.mutable_target()->set_child_id(config_.id());
    *response.add_from_parent() = std::move(target);
  }
  return response;
}

v1::NodeResult DistrictNode::SyncNow(bool full, absl::Duration timeout) {
  v1::NodeResult result;
  result.set_node_id(config_.id());
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status status = publisher_->PublishNow();
  if (status.ok() && full && uplink_ == nullptr) status = store_->StartNewEpoch();
  if (!status.ok()) {
    result.set_message(absl::StrCat("publish failed: ", status.message()));
    return result;
  }
  if (uplink_ == nullptr) {
    result.set_ok(true);
    result.set_message(absl::StrCat("published seq ", store_->max_seq(), "; no parent"));
    return result;
  }
  if (full && !uplink_->Resync(deadline)) {
    result.set_message("the uplink did not start a new epoch in time");
    return result;
  }
  const uint64_t seq = store_->max_seq();
  if (!uplink_->WaitForAck(seq, deadline)) {
    result.set_message(absl::StrCat("parent has not acknowledged seq ", seq, " in time"));
    return result;
  }
  result.set_ok(true);
  result.set_message(absl::StrCat(full ? "full resync, " : "", "acked seq ", seq));
  return result;
}

void DistrictNode::HandleCommand(const v1::Command& command,
                                 std::function<void(v1::CommandResult)> reply) {
  v1::CommandResult result;
  result.set_command_id(command.command_id());
  if (command.has_sync()) {
    *result.add_results() =
        SyncNow(command.sync().full(), CommandTimeout(command.timeout_millis(), absl::Seconds(5)));
  } else {
    v1::NodeResult* unknown = result.add_results();
    unknown->set_node_id(config_.id());
    unknown->set_message("unknown command");
  }
  reply(std::move(result));
}

}  // namespace fedsync
