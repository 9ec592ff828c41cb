// The parent side of the Sync stream on gRPC's callback API: one reactor per child
// stream and no thread per stream, so one node can hold thousands of children. The
// reactor only moves messages: everything it reads goes to the ChildHub, everything it
// writes comes from there. One read and one write in flight; Finish exactly once (after
// the write in flight, if any). Each stream's Hello is first put to the ChildAdmission
// with the ids the peer's certificate names; a refused one is logged and the stream
// closed with PERMISSION_DENIED before the hub (or the database) sees it. Each batch is
// then put to the ChildLimits (its rate), when given: one over it closes the stream
// with RESOURCE_EXHAUSTED and is never applied (the cells a child may hold are capped
// as the hub stores its batch). A stream silent for the idle timeout is closed with
// DEADLINE_EXCEEDED (city_node/idle_streams.h), and cancelled if it does not end.
#ifndef FEDSYNC_CITY_NODE_FEDERATION_SERVICE_H_
#define FEDSYNC_CITY_NODE_FEDERATION_SERVICE_H_

#include "city_node/child_admission.h"
#include "city_node/child_hub.h"
#include "city_node/child_limits.h"
#include "city_node/idle_streams.h"
#include "fedsync/v1/federation.grpc.pb.h"
#include "shared/limits.h"

namespace fedsync {

class FederationService final : public v1::Federation::CallbackService {
 public:
  // `admission` and `limits` must outlive the service; null `limits`: none per child.
  FederationService(ChildHub* hub, const ChildAdmission* admission, ChildLimits* limits = nullptr,
                    absl::Duration idle_timeout = absl::Milliseconds(kDefaultChildIdleMillis));

  grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage>* Sync(
      grpc::CallbackServerContext* context) override;

 private:
  ChildHub* hub_;
  const ChildAdmission* admission_;
  ChildLimits* limits_;
  IdleStreams idle_;
};

}  // namespace fedsync

#endif  // FEDSYNC_CITY_NODE_FEDERATION_SERVICE_H_
