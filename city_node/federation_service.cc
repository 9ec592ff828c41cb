#include "city_node/federation_service.h"

#include <atomic>
#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "shared/grpc_status.h"
#include "shared/limits.h"
#include "shared/logging.h"
#include "shared/operator_auth.h"
#include "shared/tls_credentials.h"

namespace fedsync {
namespace {

class ChildStream final : public grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage>,
                          public StreamHandle,
                          public IdleStreams::Stream {
 public:
  ChildStream(grpc::CallbackServerContext* context, ChildHub* hub, const ChildAdmission* admission,
              ChildLimits* limits, IdleStreams* idle, std::vector<std::string> certified_ids,
              bool operator_certificate, std::string peer)
      : context_(context),
        hub_(hub),
        admission_(admission),
        limits_(limits),
        idle_(idle),
        last_heard_(absl::ToUnixNanos(idle->clock()->Now())),
        certified_ids_(std::move(certified_ids)),
        operator_certificate_(operator_certificate),
        peer_(std::move(peer)) {
    id_ = hub_->Register(this);  // may Close() at once when the hub is shutting down
    idle_->Add(this);
    absl::MutexLock lock(&mu_);
    if (!finishing_) StartRead(&incoming_);
  }

  void Send(v1::DownMessage message) override {
    absl::MutexLock lock(&mu_);
    if (finishing_) return;
    outgoing_.push_back(std::move(message));
    if (!writing_) StartNextWrite();
  }

  void Close(grpc::Status status) override {
    absl::MutexLock lock(&mu_);
    if (finishing_) return;
    finishing_ = true;
    outgoing_.clear();
    final_status_ = std::move(status);
    if (!writing_) FinishOnce();
  }

  // A write the child does not read holds Close's Finish back; this fails that write.
  void Cancel() override { context_->TryCancel(); }

  absl::Time LastHeard() const override { return absl::FromUnixNanos(last_heard_.load()); }

  void OnReadDone(bool ok) override {
    if (ok) last_heard_.store(absl::ToUnixNanos(idle_->clock()->Now()));
    if (!ok) {
      // The child closed its side, the call ended, or a message did not parse (gRPC
      // tells these apart only by the status it already holds). Before a hello none of
      // these is a child's doing, so say so.
      Close(said_hello_ ? grpc::Status::OK
                        : grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                       "the stream ended before a hello, or its first "
                                       "message was no UpMessage"));
      return;
    }
    switch (incoming_.kind_case()) {
      case v1::UpMessage::kHello:
        if (said_hello_) {
          Close(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "hello sent twice"));
          return;
        }
        said_hello_ = true;
        if (absl::Status admitted = admission_->Admit(certified_ids_, incoming_.hello().node_id(),
                                                      operator_certificate_);
            !admitted.ok()) {
          LogWarning("child.refused", {{"peer", peer_},
                                       {"claimed", incoming_.hello().node_id()},
                                       {"certified", absl::StrJoin(certified_ids_, ",")},
                                       {"reason", admitted.message()}});
          Close(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, std::string(admitted.message())));
          return;
        }
        child_id_ = incoming_.hello().node_id();
        hub_->OnHello(id_, incoming_.hello());
        break;
      case v1::UpMessage::kBatch:
        if (incoming_.batch().cells_size() > kMaxCellsPerBatch) {
          // Refused whole, before anything of it reaches the hub.
          LogWarning("child.batch_refused", {{"peer", peer_},
                                             {"cells", incoming_.batch().cells_size()},
                                             {"limit", kMaxCellsPerBatch}});
          Close(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                             absl::StrCat("batch.cells: ", incoming_.batch().cells_size(),
                                          " cells; at most ", kMaxCellsPerBatch, " per batch")));
          return;
        }
        if (limits_ != nullptr && said_hello_ && !AdmitToLimits(incoming_.batch())) return;
        hub_->OnBatch(id_, std::move(*incoming_.mutable_batch()));
        break;
      case v1::UpMessage::kCommandResult:
        hub_->OnCommandResult(id_, incoming_.command_result());
        break;
      case v1::UpMessage::kHeartbeat:
        hub_->OnHeartbeat(id_, incoming_.heartbeat());
        break;
      default:
        Close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "empty message"));
        return;
    }
    if (!said_hello_) {
      Close(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the first message must be hello"));
      return;
    }
    absl::MutexLock lock(&mu_);
    if (!finishing_) StartRead(&incoming_);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok && !finishing_) {
      finishing_ = true;
      outgoing_.clear();
      final_status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed");
    }
    if (!outgoing_.empty() && !finishing_) {
      StartNextWrite();
    } else if (finishing_) {
      FinishOnce();
    }
  }

  void OnDone() override {
    idle_->Remove(this);
    hub_->Unregister(id_);
    delete this;
  }

 private:
  // False (and the stream closed) when `batch` passes the child's rate.
  bool AdmitToLimits(const v1::CellBatch& batch) {
    absl::Status admitted = limits_->AdmitBatch(child_id_, batch);
    if (!admitted.ok()) {
      LogWarning(
          "child.limit_exceeded",
          {{"child", child_id_}, {"cells", batch.cells_size()}, {"reason", admitted.message()}});
      Close(ToGrpcStatus(admitted));
      return false;
    }
    return true;
  }

  void StartNextWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    in_flight_ = std::move(outgoing_.front());
    outgoing_.pop_front();
    writing_ = true;
    StartWrite(&in_flight_);  // asynchronous: returns at once
  }

  void FinishOnce() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(final_status_);
  }

  grpc::CallbackServerContext* const context_;  // the call's, valid until OnDone
  ChildHub* const hub_;
  const ChildAdmission* const admission_;
  ChildLimits* const limits_;  // null: no per-child limits
  IdleStreams* const idle_;
  std::atomic<int64_t> last_heard_;               // unix nanos of the last message read
  const std::vector<std::string> certified_ids_;  // from the peer's certificate
  const bool operator_certificate_;               // the certificate carries a role
  const std::string peer_;                        // its address, for the log
  uint64_t id_ = 0;
  v1::UpMessage incoming_;  // touched only by the read chain
  bool said_hello_ = false;
  std::string child_id_;  // as admitted on its hello

  absl::Mutex mu_;
  std::deque<v1::DownMessage> outgoing_ ABSL_GUARDED_BY(mu_);
  v1::DownMessage in_flight_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

FederationService::FederationService(ChildHub* hub, const ChildAdmission* admission,
                                     ChildLimits* limits, absl::Duration idle_timeout)
    : hub_(hub), admission_(admission), limits_(limits), idle_(idle_timeout, Clock::Real()) {
  idle_.Start();
}

grpc::ServerBidiReactor<v1::UpMessage, v1::DownMessage>* FederationService::Sync(
    grpc::CallbackServerContext* context) {
  std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  std::vector<std::string> ids;
  bool operator_certificate = false;
  if (auth != nullptr) {
    ids = CertifiedPeerIds(*auth);
    operator_certificate = HasOperatorRole(*auth);
  }
  return new ChildStream(context, hub_, admission_, limits_, &idle_, std::move(ids),
                         operator_certificate, context->peer());
}

}  // namespace fedsync
