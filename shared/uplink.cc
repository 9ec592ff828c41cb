#include "shared/uplink.h"

#include "absl/strings/str_cat.h"
#include "shared/logging.h"
#include "shared/node_metrics.h"
#include "shared/operator_auth.h"
#include "shared/status_macros.h"
#include "shared/tls_credentials.h"

namespace fedsync {

namespace {

// Ok when the peer of the call `context` is a node: on TLS, a certificate with an
// operator role is refused as a parent. Plaintext (development, loopback) has no
// certificate to check.
absl::Status CheckParentCertificate(grpc::ClientContext* context, const std::string& parent) {
  std::shared_ptr<const grpc::AuthContext> auth =
      context == nullptr ? nullptr : context->auth_context();
  if (auth != nullptr && HasOperatorRole(*auth)) {
    return absl::PermissionDeniedError(
        absl::StrCat("the parent at ", parent,
                     " presented an operator's certificate (it has a role); "
                     "a parent needs a node's certificate"));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ChannelArguments LongLivedChannelArguments() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  return args;
}

Uplink::Uplink(Outbox* outbox, UplinkOptions options, CommandHandler handler)
    : outbox_(outbox), options_(std::move(options)), handler_(std::move(handler)) {
  grpc::ChannelArguments args = LongLivedChannelArguments();
  SetServerName(options_.server_name, &args);
  channel_ = grpc::CreateCustomChannel(options_.target, options_.credentials, args);
  stub_ = v1::Federation::NewStub(channel_);
}

Uplink::~Uplink() { Stop(); }

void Uplink::Start(const std::string& admin_address) {
  absl::MutexLock lock(&mu_);
  if (started_) return;
  options_.identity.admin_address = admin_address;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void Uplink::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
    changed_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  commands_.Stop();
}

void Uplink::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
  changed_.SignalAll();
}

void Uplink::Reconnect() {
  absl::MutexLock lock(&mu_);
  reconnect_ = true;
  if (context_ != nullptr) context_->TryCancel();
  changed_.SignalAll();
}

bool Uplink::Resync(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  const int64_t before = epochs_started_;
  resync_ = true;
  reconnect_ = true;
  if (context_ != nullptr) context_->TryCancel();
  changed_.SignalAll();
  while (epochs_started_ == before && !stopping_) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) return epochs_started_ != before;
  }
  return epochs_started_ != before;
}

bool Uplink::WaitForAck(uint64_t seq, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  while (acked_seq_ < seq || outbox_->last_acked_seq() < seq) {
    if (stopping_) return false;
    if (changed_.WaitWithDeadline(&mu_, deadline)) {
      return acked_seq_ >= seq && outbox_->last_acked_seq() >= seq;
    }
  }
  return true;
}

v1::ParentLinkStatus Uplink::Status() const {
  absl::MutexLock lock(&mu_);
  v1::ParentLinkStatus status;
  status.set_target(options_.target);
  status.set_connected(connected_);
  status.set_acked_seq(outbox_->last_acked_seq());
  if (last_ack_ != absl::InfinitePast()) {
    status.set_last_ack_unix_millis(absl::ToUnixMillis(last_ack_));
  }
  status.set_last_error(last_error_);
  status.set_rejected_total(rejected_total_);
  for (const v1::RejectedCell& rejected : rejected_) *status.add_rejected() = rejected;
  return status;
}

void Uplink::Run() {
  Backoff backoff(options_.backoff);
  while (true) {
    const absl::Time stream_started = absl::Now();
    absl::Status status = RunStream();
    absl::MutexLock lock(&mu_);
    connected_ = false;
    if (stopping_) return;
    if (!status.ok()) {
      last_error_ = std::string(status.message());
      LogWarning("uplink.disconnected",
                 {{"parent", options_.target}, {"code", absl::StatusCodeToString(status.code())},
                  {"error", status.message()}});
    }
    if (reconnect_ || restart_) {
      reconnect_ = restart_ = false;
      backoff.Reset();
      continue;
    }
    // A stream that moved the watermark made progress: reconnect at once. One that
    // failed without an ack (a batch the parent keeps refusing) backs off.
    if (acked_seq_ > 0 && last_ack_ >= stream_started) backoff.Reset();
    const absl::Time retry_at = absl::Now() + backoff.Next();
    while (!stopping_ && !reconnect_ && absl::Now() < retry_at) {
      changed_.WaitWithDeadline(&mu_, retry_at);
    }
    reconnect_ = false;
    if (stopping_) return;
  }
}

absl::Status Uplink::RunStream() {
  grpc::ClientContext context;
  UplinkIdentity identity = options_.identity;
  if (options_.catalog_version) identity.catalog_version = options_.catalog_version();
  UplinkSession session(outbox_, identity, options_.batch_cells, options_.window);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::OkStatus();
    if (resync_) {
      // No stream is open, so no ack of the old epoch can arrive after this.
      RETURN_IF_ERROR(outbox_->StartNewEpoch());
      resync_ = false;
      acked_seq_ = 0;
      ++epochs_started_;
      changed_.SignalAll();
    }
    context_ = &context;
    reader_done_ = false;
    restart_ = false;
    stream_error_ = absl::OkStatus();
  }
  auto clear_context = [&] {
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
  };
  std::unique_ptr<grpc::ClientReaderWriter<v1::UpMessage, v1::DownMessage>> stream =
      stub_->Sync(&context);
  if (!stream->Write(session.Hello())) {
    grpc::Status finished = stream->Finish();
    clear_context();
    return absl::UnavailableError(absl::StrCat("hello not sent: ", finished.error_message()));
  }
  std::thread reader([&] { ReadLoop(stream.get(), &session); });

  const absl::Time welcome_deadline = absl::Now() + options_.welcome_timeout;
  absl::Time next_heartbeat = absl::Now() + options_.heartbeat;
  absl::Status result = absl::OkStatus();
  bool parent_ended = false;  // the reader saw the call end: Finish holds the parent's status
  while (true) {
    std::optional<v1::UpMessage> message;
    {
      absl::MutexLock lock(&mu_);
      // Command results wait for the Welcome: before it, nothing but the Hello is sent.
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || reader_done_ || reconnect_ || restart_ || !stream_error_.ok() ||
               (session.welcomed() && !results_.empty()) || session.CanSend();
      };
      const absl::Time wake = session.welcomed() ? next_heartbeat : welcome_deadline;
      while (!ready() && absl::Now() < wake) changed_.WaitWithDeadline(&mu_, wake);
      notified_ = false;
      if (!stream_error_.ok()) {
        result = stream_error_;
        break;
      }
      if (stopping_ || reader_done_ || reconnect_ || restart_) {
        parent_ended = reader_done_ && !stopping_ && !reconnect_ && !restart_;
        break;
      }
      if (!session.welcomed()) {
        if (absl::Now() >= welcome_deadline) {
          result = absl::DeadlineExceededError("no Welcome from the parent in time");
          break;
        }
        continue;
      }
      if (!results_.empty()) {
        message.emplace();
        *message->mutable_command_result() = std::move(results_.front());
        results_.pop_front();
      } else {
        absl::StatusOr<std::optional<v1::UpMessage>> batch = session.NextBatch();
        if (!batch.ok()) {
          result = batch.status();
          break;
        }
        message = std::move(*batch);
      }
      if (!message.has_value() && absl::Now() >= next_heartbeat) {
        message = session.Heartbeat(absl::Now());
      }
    }
    if (!message.has_value()) continue;
    // Never hold the mutex across a stream write.
    if (!stream->Write(*message)) {
      result = absl::UnavailableError("stream closed by the parent");
      if (message->has_command_result()) {
        // Sent again on the next stream; the parent drops a result it has already.
        absl::MutexLock lock(&mu_);
        results_.push_front(std::move(*message->mutable_command_result()));
      }
      break;
    }
    if (message->has_batch()) RecordBatchSent(message->batch().cells_size());
    next_heartbeat = absl::Now() + options_.heartbeat;
  }
  // Cancelling a call the parent already ended would hide its status (e.g.
  // PERMISSION_DENIED for a refused hello) behind CANCELLED.
  if (!parent_ended) context.TryCancel();
  reader.join();
  grpc::Status finished = stream->Finish();
  clear_context();
  if (result.ok() && !finished.ok() && finished.error_code() != grpc::StatusCode::CANCELLED) {
    result = absl::Status(static_cast<absl::StatusCode>(finished.error_code()),
                          finished.error_message());
  }
  return result;
}

void Uplink::ReadLoop(grpc::ClientReaderWriter<v1::UpMessage, v1::DownMessage>* stream,
                      UplinkSession* session) {
  v1::DownMessage message;
  bool parent_checked = false;
  while (stream->Read(&message)) {
    absl::MutexLock lock(&mu_);
    if (!parent_checked) {
      // The peer is known once it has answered: nothing it sent is taken before this.
      absl::Status parent = CheckParentCertificate(context_, options_.target);
      if (!parent.ok()) {
        LogWarning("uplink.parent_refused",
                   {{"parent", options_.target}, {"error", parent.message()}});
        if (stream_error_.ok()) stream_error_ = parent;
        if (context_ != nullptr) context_->TryCancel();
        changed_.SignalAll();
        break;
      }
      parent_checked = true;
    }
    absl::Status status = absl::OkStatus();
    switch (message.kind_case()) {
      case v1::DownMessage::kWelcome: {
        absl::StatusOr<UplinkSession::WelcomeAction> action =
            session->OnWelcome(message.welcome());
        if (!action.ok()) {
          status = action.status();
        } else if (*action == UplinkSession::WelcomeAction::kRestart) {
          LogWarning("uplink.new_epoch", {{"parent", options_.target},
                                          {"reason", "parent watermark does not match"}});
          restart_ = true;
        } else {
          connected_ = true;
          last_error_.clear();
          acked_seq_ = session->acked_seq();
          LogInfo("uplink.connected", {{"parent", options_.target},
                                       {"watermark", message.welcome().watermark()}});
        }
        break;
      }
      case v1::DownMessage::kAck:
        for (const v1::RejectedCell& rejected : message.ack().rejected()) {
          rejected_.push_back(rejected);
          if (rejected_.size() > kMaxRejectedKept) rejected_.pop_front();
          ++rejected_total_;
        }
        RecordAckReceived(message.ack().rejected_size());
        status = session->OnAck(message.ack());
        acked_seq_ = session->acked_seq();
        if (status.ok()) last_ack_ = absl::Now();  // a recent ack resets the backoff
        break;
      case v1::DownMessage::kCommand:
        HandleCommand(message.command());
        break;
      case v1::DownMessage::kCatalog:
        if (options_.on_catalog) {
          commands_.Post([this, catalog = message.catalog()] { options_.on_catalog(catalog); });
        }
        break;
      case v1::DownMessage::kTargets:
        if (options_.on_targets) {
          // Stored off the reader thread, in order with commands.
          commands_.Post([this, targets = message.targets()] { options_.on_targets(targets); });
        }
        break;
      default:
        break;  // heartbeats only prove the link is alive
    }
    changed_.SignalAll();
    if (!status.ok()) {
      // Not a reason to reconnect at once: it may well happen again (a full disk).
      LogWarning("uplink.protocol_error", {{"error", status.message()}});
      if (stream_error_.ok()) stream_error_ = status;
      if (context_ != nullptr) context_->TryCancel();
    }
  }
  absl::MutexLock lock(&mu_);
  reader_done_ = true;
  changed_.SignalAll();
}

void Uplink::HandleCommand(const v1::Command& command) {
  commands_.Post([this, command] {
    handler_(command, [this](v1::CommandResult result) {
      absl::MutexLock lock(&mu_);
      results_.push_back(std::move(result));
      changed_.SignalAll();
    });
  });
}

}  // namespace fedsync
