#include "shared/uplink_session.h"

#include "absl/strings/str_cat.h"
#include "shared/status_macros.h"

namespace fedsync {

UplinkSession::UplinkSession(Outbox* outbox, UplinkIdentity identity, int batch_cells,
                             int window, size_t batch_bytes)
    : outbox_(outbox), identity_(std::move(identity)), batch_cells_(batch_cells),
      window_(window), batch_bytes_(batch_bytes) {}

v1::UpMessage UplinkSession::Hello() const {
  v1::UpMessage message;
  v1::Hello* hello = message.mutable_hello();
  hello->set_node_id(identity_.node_id);
  hello->set_level(identity_.level);
  hello->set_path(identity_.path);
  hello->set_epoch(outbox_->epoch());
  hello->set_last_acked_seq(outbox_->last_acked_seq());
  hello->set_max_seq(outbox_->max_seq());
  hello->set_catalog_version(identity_.catalog_version);
  hello->set_admin_address(identity_.admin_address);
  return message;
}

v1::UpMessage UplinkSession::Heartbeat(absl::Time now) const {
  v1::UpMessage message;
  message.mutable_heartbeat()->set_unix_millis(absl::ToUnixMillis(now));
  message.mutable_heartbeat()->set_max_seq(outbox_->max_seq());
  return message;
}

absl::StatusOr<UplinkSession::WelcomeAction> UplinkSession::OnWelcome(
    const v1::Welcome& welcome) {
  if (welcome.epoch() != outbox_->epoch()) {
    return absl::FailedPreconditionError(
        absl::StrCat("parent answered for epoch ", welcome.epoch(), ", this node is at ",
                     outbox_->epoch()));
  }
  // Behind what it acknowledged: the parent went back. Above what this database can
  // vouch for: this node went back, and its seqs above that may name other cells now.
  if (welcome.watermark() < outbox_->last_acked_seq() ||
      welcome.watermark() > outbox_->vouched_seq()) {
    RETURN_IF_ERROR(outbox_->StartNewEpoch());
    return WelcomeAction::kRestart;
  }
  welcomed_ = true;
  sent_seq_ = acked_seq_ = welcome.watermark();
  if (welcome.watermark() > outbox_->last_acked_seq()) {
    RETURN_IF_ERROR(outbox_->RecordAck(welcome.watermark()));
  }
  return WelcomeAction::kStream;
}

bool UplinkSession::CanSend() const {
  return welcomed_ && in_flight() < window_ && outbox_->max_seq() > sent_seq_;
}

absl::StatusOr<std::optional<v1::UpMessage>> UplinkSession::NextBatch() {
  if (!welcomed_ || in_flight() >= window_) return std::optional<v1::UpMessage>();
  ASSIGN_OR_RETURN(std::vector<v1::Cell> cells, outbox_->CellsAfter(sent_seq_, batch_cells_));
  if (cells.empty()) return std::optional<v1::UpMessage>();
  v1::UpMessage message;
  v1::CellBatch* batch = message.mutable_batch();
  batch->set_batch_id(next_batch_id_++);
  batch->set_child_max_seq(outbox_->max_seq());
  size_t bytes = 0;
  for (v1::Cell& cell : cells) {
    bytes += cell.ByteSizeLong();
    // The rest stays in the outbox for the next batch.
    if (batch->cells_size() > 0 && bytes > batch_bytes_) break;
    *batch->add_cells() = std::move(cell);
  }
  sent_seq_ = batch->cells(batch->cells_size() - 1).seq();
  in_flight_.push_back(InFlight{batch->batch_id(), sent_seq_});
  return std::optional<v1::UpMessage>(std::move(message));
}

absl::Status UplinkSession::OnAck(const v1::Ack& ack) {
  if (in_flight_.empty() || in_flight_.front().batch_id != ack.batch_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat("ack for batch ", ack.batch_id(), " does not match the batch in flight"));
  }
  in_flight_.pop_front();
  for (const v1::RejectedCell& rejected : ack.rejected()) {
    rejected_.push_back(rejected);
    if (rejected_.size() > kMaxRejected) rejected_.pop_front();
  }
  if (ack.watermark() > acked_seq_) {
    acked_seq_ = ack.watermark();
    RETURN_IF_ERROR(outbox_->RecordAck(acked_seq_));
  }
  return absl::OkStatus();
}

}  // namespace fedsync
