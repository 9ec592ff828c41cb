#include "shared/node_store.h"

#include <filesystem>
#include <system_error>

#include "shared/logging.h"
#include "shared/status_macros.h"

namespace fedsync {

absl::StatusOr<std::unique_ptr<NodeStore>> NodeStore::Open(const std::string& path,
                                                           const Migrations& migrations) {
  std::optional<FileLock> lock;
  if (path != ":memory:") {
    // Named after the file the path leads to, so that a symlink to a database in use
    // finds its lock (a hard link would not: don't hard-link databases).
    std::error_code error;
    const std::filesystem::path real = std::filesystem::weakly_canonical(path, error);
    ASSIGN_OR_RETURN(FileLock acquired,
                     FileLock::Acquire((error ? path : real.string()) + ".lock"));
    lock.emplace(std::move(acquired));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path));
  RETURN_IF_ERROR(Migrate(db.get(), migrations));
  ASSIGN_OR_RETURN(std::unique_ptr<PublishedCells> published, PublishedCells::Open(db.get()));
  return std::unique_ptr<NodeStore>(
      new NodeStore(path, std::move(lock), std::move(db), std::move(published)));
}

NodeStore::NodeStore(std::string path, std::optional<FileLock> file_lock,
                     std::unique_ptr<Database> db, std::unique_ptr<PublishedCells> published)
    : path_(std::move(path)),
      lock_(std::move(file_lock)),
      db_(std::move(db)),
      published_(std::move(published)) {
  absl::MutexLock lock(&mu_);
  PublishCounters();
}

void NodeStore::PublishCounters() {
  epoch_ = published_->epoch();
  max_seq_ = published_->max_seq();
  last_acked_seq_ = published_->last_acked_seq();
  vouched_seq_ = published_->vouched_seq();
}

absl::Status NodeStore::Write(
    absl::FunctionRef<absl::Status(Database*, PublishedCells*)> fn) {
  std::function<void()> listener;
  {
    absl::MutexLock lock(&mu_);
    const uint64_t seq_before = published_->max_seq();
    absl::Status status = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(db_.get()));
      RETURN_IF_ERROR(fn(db_.get(), published_.get()));
      return transaction->Commit();
    }();
    if (!status.ok()) {
      // The transaction rolled back: forget the seqs it took.
      if (absl::Status reload = published_->Reload(); !reload.ok()) {
        LogError("store.reload_failed", {{"error", reload.message()}});
      }
      PublishCounters();
      return status;
    }
    PublishCounters();
    if (published_->max_seq() != seq_before) listener = listener_;
  }
  if (listener) listener();
  return absl::OkStatus();
}

absl::Status NodeStore::Read(absl::FunctionRef<absl::Status(Database*)> fn) {
  absl::MutexLock lock(&mu_);
  return fn(db_.get());
}

absl::StatusOr<std::unique_ptr<Database>> NodeStore::OpenReader() const {
  return Database::Open(path_, Database::Mode::kReadOnly);
}

void NodeStore::SetPublishedListener(std::function<void()> listener) {
  absl::MutexLock lock(&mu_);
  listener_ = std::move(listener);
}

absl::StatusOr<std::vector<v1::Cell>> NodeStore::CellsAfter(uint64_t after_seq, int limit) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::vector<v1::Cell> cells, ReadCellsAfter(db_.get(), after_seq, limit));
  if (cells.empty() || cells.back().seq() <= published_->vouched_seq()) return cells;
  // Stored before the cells leave: a copy of this database from before this point
  // vouches for less than its parent may then hold (outbox.h).
  absl::Status stored = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(db_.get()));
    RETURN_IF_ERROR(published_->SetVouchedSeq(cells.back().seq()));
    return transaction->Commit();
  }();
  if (!stored.ok()) {
    if (absl::Status reload = published_->Reload(); !reload.ok()) {
      LogError("store.reload_failed", {{"error", reload.message()}});
    }
  }
  PublishCounters();
  if (!stored.ok()) return stored;
  return cells;
}

absl::Status NodeStore::RecordAck(uint64_t watermark) {
  return Write([&](Database*, PublishedCells* published) {
    if (watermark <= published->last_acked_seq()) return absl::OkStatus();
    return published->SetLastAckedSeq(watermark);
  });
}

absl::Status NodeStore::StartNewEpoch() {
  return Write([](Database*, PublishedCells* published) {
    return published->StartNewEpoch();
  });
}

}  // namespace fedsync
