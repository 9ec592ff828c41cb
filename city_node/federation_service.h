// The parent side of the Sync stream on gRPC's callback API: one reactor per child
// stream and no thread per stream, so one node can hold thousands of children. The
// reactor only moves messages: everything it reads goes to the ChildHub, everything it
// writes comes from there. One read and one write in flight; Finish exactly once (after
// the write in flight, if any).
#ifndef FEDSYNC_CITY_NODE_FEDERATION_SERVICE_H_
#define FEDSYNC_CITY_NODE_FEDERATION_SERVICE_H_

#include "city_node/child_hub.h"
#include "fedsync/v1/federation.grpc.pb.h"

namespace fedsync {

class FederationService final : public v1::Federation::CallbackService {
 public:
  explicit FederationService(ChildHub* hub) : hub_(hub) {}

  grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage>* Sync(
      grpc::CallbackServerContext* context) override;

 private:
  ChildHub* hub_;
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_FEDERATION_SERVICE_H_
