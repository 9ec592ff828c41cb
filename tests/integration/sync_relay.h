// A recording relay on one child's Federation link, for tests that must read what a
// child sends its parent while the link runs on mutual TLS (on the wire it is
// ciphertext). It is a gRPC server presenting the parent's node certificate from the
// test's CA (tests/integration/test_pki.h), so the child dials it as its parent; each
// Sync call it takes is relayed on a Sync call of its own to the real parent, which it
// makes presenting the child's certificate, so the parent admits it as that child.
// Every UpMessage is forwarded up and every DownMessage down, and each UpMessage is
// recorded before it is forwarded, as is the metadata the child opens each call with.
//
// A relayed call ends when either side's stream ends: the parent's status is returned
// to the child when the parent ends the call; when the child ends or drops the call,
// the call to the parent is cancelled. Thread-safe; the destructor cancels every
// relayed call and shuts the server down.
#ifndef FEDSYNC_TESTS_INTEGRATION_SYNC_RELAY_H_
#define FEDSYNC_TESTS_INTEGRATION_SYNC_RELAY_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "fedsync/v1/federation.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace fedsync::testing {

// One UpMessage as the relay received it from the child.
struct RecordedUpMessage {
  v1::UpMessage::KindCase kind = v1::UpMessage::KIND_NOT_SET;
  // The message serialized again (unknown fields included), so a byte search sees every
  // field the child sent, as protobuf puts it on the wire before TLS.
  std::string serialized;
  // Every string and bytes field at any depth, in field order.
  std::vector<std::string> strings;
};

class SyncRelay {
 public:
  // Listens on 127.0.0.1 (a free port) as `parent_id` and relays to `parent_address`,
  // whose certificate must name `parent_id`, as `child_id`. kUnavailable when the
  // server cannot start.
  static absl::StatusOr<std::unique_ptr<SyncRelay>> Start(const std::string& parent_address,
                                                          const std::string& parent_id,
                                                          const std::string& child_id);
  ~SyncRelay();

  std::string address() const;
  // Every UpMessage received so far, in the order received (one call after another).
  std::vector<RecordedUpMessage> UpMessages() const;
  // "key: value" for each metadata entry the child opened its calls with (gRPC's own
  // headers included, pseudo-headers not), one call after another.
  std::vector<std::string> ChildMetadata() const;

 private:
  class Service;

  SyncRelay() = default;
  // Relays one call; returns the status the child is given.
  grpc::Status Relay(grpc::ServerContext* child_context,
                     grpc::ServerReaderWriter<v1::DownMessage, v1::UpMessage>* child);
  void Record(const v1::UpMessage& message);

  std::unique_ptr<v1::Federation::Stub> parent_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The calls to the parent in flight, cancelled on destruction.
  std::set<grpc::ClientContext*> parent_calls_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordedUpMessage> up_messages_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> child_metadata_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fedsync::testing

#endif  // FEDSYNC_TESTS_INTEGRATION_SYNC_RELAY_H_
