// An aggregating node (city, province, national: one binary, --level says which): it
// accepts its children's Sync streams, keeps their published cells, publishes the sums
// as its own cells, serves operators, and streams its own cells to its parent when it
// has one. The gRPC services are thin adapters over the methods here. Thread-safe.
#ifndef FEDSYNC_CITY_NODE_CITY_NODE_H_
#define FEDSYNC_CITY_NODE_CITY_NODE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "city_node/child_hub.h"
#include "fedsync/v1/admin.pb.h"
#include "fedsync/v1/config.pb.h"
#include "shared/catalog.h"
#include "shared/catalog_holder.h"
#include "shared/node_store.h"
#include "shared/uplink.h"

namespace fedsync {

class CityNode {
 public:
  static absl::StatusOr<std::unique_ptr<CityNode>> Create(
      v1::NodeConfig config, std::shared_ptr<grpc::ChannelCredentials> parent_credentials);
  ~CityNode();  // Stop()s

  // Starts the uplink (with a parent), which tells the parent `admin_address`.
  void Start(const std::string& admin_address);
  // Ends the children's streams and the uplink; the database stays consistent.
  void Stop();

  ChildHub* hub() { return hub_.get(); }
  // The catalog this node runs now (it changes when a newer one arrives).
  std::shared_ptr<const Catalog> catalog() const { return catalogs_.Get(); }
  // At the top node: adopts a newer catalog and sends it down. kFailedPrecondition on a
  // node with a parent or for a version that is not newer; kInvalidArgument for a
  // catalog that does not load.
  absl::StatusOr<v1::PushCatalogResponse> PushCatalog(const v1::Catalog& catalog);

  absl::StatusOr<v1::GetStatusResponse> Status() const;
  // This node's own cells and every child's. Errors as CheckRollupQuery (metric_query.h):
  // kInvalidArgument for an empty metric or a period that is malformed or not the
  // metric's period type, kNotFound for a metric the catalog does not define.
  absl::StatusOr<v1::GetRollupResponse> Rollup(const std::string& metric,
                                               const std::string& period) const;
  // Sends a sync command to one child (kNotFound when unknown) or all children known to
  // this node (that have connected, or are registered with --children), and with `wait`
  // gathers their results until the deadline; a child not connected is missing.
  // Sets (or replaces) a target for a known child and sends it down at once.
  absl::StatusOr<v1::TargetProgress> SetTarget(const v1::SetTargetRequest& request);
  // Targets set here for children, and those this node's parent set for it.
  absl::StatusOr<v1::ListTargetsResponse> ListTargets() const;
  // How many of the catalog's metrics each of `children` has live cells of here.
  absl::StatusOr<std::map<std::string, int64_t>> MetricsReported(
      const std::vector<std::string>& children) const;
  absl::StatusOr<v1::SyncNowResponse> SyncNow(const std::string& child_id, bool full, bool wait,
                                              absl::Duration timeout);

 private:
  CityNode(v1::NodeConfig config, std::shared_ptr<const Catalog> catalog,
           std::unique_ptr<NodeStore> store);
  absl::StatusOr<std::vector<std::string>> KnownChildren() const;
  void HandleCommand(const v1::Command& command, std::function<void(v1::CommandResult)> reply);

  const v1::NodeConfig config_;
  // Adopts `candidate` (loaded) when it is newer, stores it, and sends it down.
  absl::StatusOr<std::vector<std::string>> AdoptCatalog(std::shared_ptr<const Catalog> candidate);

  // Held through an adoption, from the version check to the switch, so that two
  // pushes cannot both pass the check or switch in the wrong order.
  absl::Mutex adopt_mu_;
  CatalogHolder catalogs_;
  std::unique_ptr<NodeStore> store_;
  std::unique_ptr<ChildHub> hub_;
  std::unique_ptr<Uplink> uplink_;  // null on the top node
};

v1::NodeLevel ParseNodeLevel(const std::string& text);

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_CITY_NODE_H_
