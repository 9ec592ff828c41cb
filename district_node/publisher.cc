#include "district_node/publisher.h"

#include "shared/logging.h"
#include "shared/node_metrics.h"
#include "shared/status_macros.h"

namespace fedsync {

Publisher::Publisher(NodeStore* store, const CellUpdater* updater, absl::Duration check_every)
    : store_(store), updater_(updater), check_every_(check_every) {}

Publisher::~Publisher() { Stop(); }

void Publisher::Start() { thread_ = std::thread([this] { Run(); }); }

void Publisher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status Publisher::PublishNow() {
  const absl::Time start = absl::Now();
  const uint64_t seq_before = store_->max_seq();
  bool recomputed = false;
  RETURN_IF_ERROR(store_->Write([&](Database* db, PublishedCells* published) -> absl::Status {
    ASSIGN_OR_RETURN(recomputed, updater_->EnsureCurrent(db, published));
    return absl::OkStatus();
  }));
  if (recomputed) {
    const int changed = static_cast<int>(store_->max_seq() - seq_before);
    RecordPublished(changed, absl::Now() - start);
    LogInfo("publish.recomputed", {{"changed_cells", changed}, {"max_seq", store_->max_seq()}});
  }
  return absl::OkStatus();
}

void Publisher::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const absl::Time next = absl::Now() + check_every_;
      while (!stopping_ && absl::Now() < next) wake_.WaitWithDeadline(&mu_, next);
      if (stopping_) return;
    }
    absl::Status status = PublishNow();
    if (!status.ok()) LogError("publish.failed", {{"error", status.message()}});
  }
}

}  // namespace fedsync
