#include "tests/integration/sync_relay.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "shared/server_runner.h"
#include "shared/status_macros.h"
#include "shared/tls_credentials.h"
#include "tests/integration/test_pki.h"

namespace fedsync::testing {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

// How long the destructor lets relayed calls end after cancelling them.
constexpr auto kShutdownGrace = std::chrono::seconds(5);

void CollectStrings(const Message& message, std::vector<std::string>* strings) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // the fields that are set, by number
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (!field->is_repeated()) {
        strings->push_back(reflection->GetString(message, field));
        continue;
      }
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        strings->push_back(reflection->GetRepeatedString(message, field, i));
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!field->is_repeated()) {
        CollectStrings(reflection->GetMessage(message, field), strings);
        continue;
      }
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        CollectStrings(reflection->GetRepeatedMessage(message, field, i), strings);
      }
    }
  }
}

}  // namespace

// The synchronous API: each relayed call holds a server thread for its life, which for
// the one or two calls of a test is simpler than a pair of callback reactors.
class SyncRelay::Service final : public v1::Federation::Service {
 public:
  explicit Service(SyncRelay* relay) : relay_(relay) {}

  grpc::Status Sync(grpc::ServerContext* context,
                    grpc::ServerReaderWriter<v1::DownMessage, v1::UpMessage>* stream) override {
    return relay_->Relay(context, stream);
  }

 private:
  SyncRelay* const relay_;
};

absl::StatusOr<std::unique_ptr<SyncRelay>> SyncRelay::Start(const std::string& parent_address,
                                                            const std::string& parent_id,
                                                            const std::string& child_id) {
  ASSIGN_OR_RETURN(TlsFiles parent_files, LoadTlsDir(NodeTlsDir(parent_id)));
  std::unique_ptr<SyncRelay> relay(new SyncRelay());
  relay->parent_ =
      v1::Federation::NewStub(TlsChannel(parent_address, parent_id, NodeTlsDir(child_id)));
  relay->service_ = std::make_unique<Service>(relay.get());
  ASSIGN_OR_RETURN(BuiltServer built,
                   StartServer("127.0.0.1:0", MutualTlsServerCredentials(parent_files),
                               {relay->service_.get()}));
  relay->server_ = std::move(built.server);
  relay->port_ = built.port;
  return relay;
}

SyncRelay::~SyncRelay() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // Each relayed call then ends on its own: its reads from the parent fail, and it
    // cancels its child's call.
    for (grpc::ClientContext* call : parent_calls_) call->TryCancel();
  }
  if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
}

std::string SyncRelay::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::vector<RecordedUpMessage> SyncRelay::UpMessages() const {
  absl::MutexLock lock(&mu_);
  return up_messages_;
}

std::vector<std::string> SyncRelay::ChildMetadata() const {
  absl::MutexLock lock(&mu_);
  return child_metadata_;
}

void SyncRelay::Record(const v1::UpMessage& message) {
  RecordedUpMessage recorded;
  recorded.kind = message.kind_case();
  recorded.serialized = message.SerializeAsString();
  CollectStrings(message, &recorded.strings);
  absl::MutexLock lock(&mu_);
  up_messages_.push_back(std::move(recorded));
}

grpc::Status SyncRelay::Relay(grpc::ServerContext* child_context,
                              grpc::ServerReaderWriter<v1::DownMessage, v1::UpMessage>* child) {
  // Propagated from the child's call: cancelled when the child drops its call. Long
  // lived like the child's own (which has no deadline); the destructor cancels it.
  std::unique_ptr<grpc::ClientContext> parent_context =
      grpc::ClientContext::FromServerContext(*child_context);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the relay is stopping");
    parent_calls_.insert(parent_context.get());
    for (const auto& [key, value] : child_context->client_metadata()) {
      child_metadata_.push_back(absl::StrCat(absl::string_view(key.data(), key.size()), ": ",
                                             absl::string_view(value.data(), value.size())));
    }
  }
  std::unique_ptr<grpc::ClientReaderWriter<v1::UpMessage, v1::DownMessage>> parent =
      parent_->Sync(parent_context.get());

  // Upward on a thread of its own; one write in flight each way.
  std::atomic<bool> upward_done{false};  // no read from the child pending or to come
  std::thread upward([&] {
    v1::UpMessage message;
    while (child->Read(&message)) {
      Record(message);
      if (!parent->Write(message)) break;  // the parent's call has ended
    }
    upward_done = true;
    parent->WritesDone();
  });

  v1::DownMessage message;
  while (parent->Read(&message)) {
    if (!child->Write(message)) {
      parent_context->TryCancel();  // the child's call has ended
      break;
    }
  }
  // The parent's call is over. Unless the upward loop has ended already (the child
  // closed its side, or a write to the parent failed: the parent's status then reaches
  // the child), cancelling the child's call is what ends its pending read.
  if (!upward_done) child_context->TryCancel();
  upward.join();
  grpc::Status status = parent->Finish();
  {
    absl::MutexLock lock(&mu_);
    parent_calls_.erase(parent_context.get());
  }
  return status;
}

}  // namespace fedsync::testing
