// gRPC adapter for the district's RegistryService: proto in, DistrictNode call, proto
// out. Validation of the records happens in the domain call (all or nothing).
#ifndef FEDSYNC_DISTRICT_NODE_REGISTRY_SERVICE_H_
#define FEDSYNC_DISTRICT_NODE_REGISTRY_SERVICE_H_

#include "district_node/district_node.h"
#include "fedsync/v1/registry.grpc.pb.h"

namespace fedsync {

class RegistryService final : public v1::RegistryService::Service {
 public:
  explicit RegistryService(DistrictNode* node) : node_(node) {}

  grpc::Status Import(grpc::ServerContext* context,
                      grpc::ServerReader<v1::ImportRequest>* reader,
                      v1::ImportResponse* response) override;

 private:
  DistrictNode* node_;
};

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_REGISTRY_SERVICE_H_
