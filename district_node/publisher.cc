#include "district_node/publisher.h"

#include "district_node/registry_store.h"
#include "shared/aggregator.h"
#include "shared/logging.h"
#include "shared/node_metrics.h"
#include "shared/privacy_filter.h"
#include "shared/status_macros.h"

namespace fedsync {

absl::CivilDay TodayInChina(absl::Time now) {
  static const absl::TimeZone kBeijing = absl::FixedTimeZone(8 * 60 * 60);
  return absl::ToCivilDay(now, kBeijing);
}

Publisher::Publisher(NodeStore* store, std::shared_ptr<const Catalog> catalog, Clock* clock,
                     absl::Duration debounce)
    : store_(store), catalog_(std::move(catalog)), clock_(clock), debounce_(debounce) {}

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

void Publisher::MarkDirty() {
  absl::MutexLock lock(&mu_);
  dirty_ = true;
  wake_.SignalAll();
}

absl::Status Publisher::PublishNow() {
  const absl::CivilDay today = TodayInChina(clock_->Now());
  const absl::Time start = absl::Now();
  int changed = 0;
  RETURN_IF_ERROR(store_->Write([&](Database* db, PublishedCells* published) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<StoredRecord> records, LoadAllRecords(db));
    ExactCellMap exact = Aggregator(catalog_, today).Compute(records);
    ASSIGN_OR_RETURN(changed, published->ReplaceAll(FilterForPublication(*catalog_, exact)));
    return absl::OkStatus();
  }));
  RecordPublished(changed, absl::Now() - start);
  if (changed > 0) {
    LogInfo("publish.done", {{"changed_cells", changed}, {"max_seq", store_->max_seq()}});
  }
  return absl::OkStatus();
}

void Publisher::Run() {
  constexpr absl::Duration kPeriodic = absl::Hours(1);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const absl::Time periodic = absl::Now() + kPeriodic;
      while (!stopping_ && !dirty_) {
        if (wake_.WaitWithDeadline(&mu_, periodic)) dirty_ = true;
      }
      if (stopping_) return;
      // Gather the writes that follow closely before publishing once.
      const absl::Time until = absl::Now() + debounce_;
      while (!stopping_ && absl::Now() < until) wake_.WaitWithDeadline(&mu_, until);
      if (stopping_) return;
      dirty_ = false;
    }
    absl::Status status = PublishNow();
    if (!status.ok()) {
      LogError("publish.failed", {{"error", status.message()}});
      absl::MutexLock lock(&mu_);
      dirty_ = true;
      const absl::Time retry = absl::Now() + absl::Seconds(1);
      while (!stopping_ && absl::Now() < retry) wake_.WaitWithDeadline(&mu_, retry);
    }
  }
}

}  // namespace fedsync
