// A district node: its registries, exact and published cells in one SQLite file (each
// registry write updates the cells it touches, cell_updater.h), the publisher that
// keeps them current with the calendar, and the uplink that streams them to the
// parent. The gRPC services (registry_service, admin_service) are thin
// adapters over the methods here. Thread-safe.
#ifndef FEDSYNC_DISTRICT_NODE_DISTRICT_NODE_H_
#define FEDSYNC_DISTRICT_NODE_DISTRICT_NODE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "district_node/cell_updater.h"
#include "district_node/publisher.h"
#include "district_node/registry.h"
#include "district_node/registry_store.h"
#include "fedsync/v1/admin.pb.h"
#include "fedsync/v1/config.pb.h"
#include "shared/catalog.h"
#include "shared/clock.h"
#include "shared/node_store.h"
#include "shared/privacy/record_key.h"
#include "shared/uplink.h"

namespace fedsync {

class DistrictNode {
 public:
  // Opens the database and, when `config.demo_data` names a district and the database
  // has no records, loads that district's demo data. Does not start threads.
  static absl::StatusOr<std::unique_ptr<DistrictNode>> Create(
      v1::NodeConfig config, std::shared_ptr<grpc::ChannelCredentials> parent_credentials,
      Clock* clock);
  ~DistrictNode();  // Stop()s

  // Publishes once, then starts the publisher and (with a parent) the uplink, which
  // tells the parent `admin_address`.
  absl::Status Start(const std::string& admin_address);
  // Stops the uplink and the publisher; the database stays consistent.
  void Stop();

  // The registries, for the RegistryService.
  Registry& registry() { return *registry_; }
  // Imports records of one kind as the local operator, all or nothing (see
  // ImportSession); for the demo data.
  absl::StatusOr<v1::ImportResponse> Import(const std::vector<v1::Record>& records,
                                            const std::vector<int64_t>& row_numbers);
  absl::StatusOr<v1::GetStatusResponse> Status() const;
  // Errors as CheckRollupQuery (metric_query.h):
  // kInvalidArgument for an empty metric or a period that is malformed or not the
  // metric's period type, kNotFound for a metric the catalog does not define.
  absl::StatusOr<v1::GetRollupResponse> Rollup(const std::string& metric,
                                               const std::string& period) const;
  // Publishes now and waits until the parent acknowledged it (or starts a new epoch
  // first when `full`). Without a parent, only publishes.
  v1::NodeResult SyncNow(bool full, absl::Duration timeout);
  // The catalog this district runs now (a newer one arrives from its parent).
  std::shared_ptr<const Catalog> catalog() const { return cells_->catalog(); }
  // Adopts `proto` when it loads and is newer: stores it, recomputes every cell under
  // it raised to the district's privacy floor (privacy_floor.h), and reconnects so the
  // parent sees the version. kFailedPrecondition when older; an error only when the
  // catalog was not adopted (a publish that fails once it is adopted is logged).
  absl::Status AdoptCatalog(const v1::Catalog& proto);
  // The targets this district's city set for it, with its own progress.
  absl::StatusOr<v1::ListTargetsResponse> ListTargets() const;

 private:
  DistrictNode(v1::NodeConfig config, std::shared_ptr<const Catalog> catalog, Clock* clock,
               std::unique_ptr<NodeStore> store,
               std::shared_ptr<const privacy::RecordKeyer> keyer);
  absl::Status LoadDemoData();
  void HandleCommand(const v1::Command& command, std::function<void(v1::CommandResult)> reply);

  const v1::NodeConfig config_;
  Clock* const clock_;
  // Held through an adoption, from the version check to the switch.
  absl::Mutex adopt_mu_;
  std::unique_ptr<NodeStore> store_;
  std::unique_ptr<CellUpdater> cells_;
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Uplink> uplink_;  // null on a node without a parent
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_DISTRICT_NODE_H_
