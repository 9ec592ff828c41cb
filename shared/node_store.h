// A node's database: the one write connection and the published cells (the outbox),
// behind one mutex, so that every write on the node is serialised through here.
// Write() runs a function in one transaction and commits only when it returns OK.
// Readers that must not wait for writers open their own connection (OpenReader) and
// read under WAL. The node holds "<path>.lock" (of the path with symlinks resolved)
// while the store is open, so a second process cannot open the same database
// (file_lock.h). Thread-safe.
#ifndef FEDSYNC_SHARED_NODE_STORE_H_
#define FEDSYNC_SHARED_NODE_STORE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "shared/database.h"
#include "shared/file_lock.h"
#include "shared/migrations.h"
#include "shared/outbox.h"
#include "shared/published_cells.h"

namespace fedsync {

class NodeStore : public Outbox {
 public:
  // Opens or creates the database at `path` and brings its schema to `migrations`
  // (whose first entry must include kPublishedCellsSchema). kFailedPrecondition when
  // another process has it open.
  static absl::StatusOr<std::unique_ptr<NodeStore>> Open(const std::string& path,
                                                         const Migrations& migrations);

  // Runs `fn` in one transaction; commits when it returns OK, else rolls back and
  // returns its status. Calls the published-listener after a commit that changed seq.
  absl::Status Write(absl::FunctionRef<absl::Status(Database*, PublishedCells*)> fn);
  // Runs `fn` on the write connection, serialised with writes, without a transaction.
  absl::Status Read(absl::FunctionRef<absl::Status(Database*)> fn);
  // A new read-only connection (not for ":memory:" databases).
  absl::StatusOr<std::unique_ptr<Database>> OpenReader() const;

  // Called (outside the lock) after each commit that published new cells.
  void SetPublishedListener(std::function<void()> listener);

  // Outbox.
  uint64_t epoch() const override { return epoch_.load(); }
  uint64_t max_seq() const override { return max_seq_.load(); }
  uint64_t last_acked_seq() const override { return last_acked_seq_.load(); }
  uint64_t vouched_seq() const override { return vouched_seq_.load(); }
  absl::StatusOr<std::vector<v1::Cell>> CellsAfter(uint64_t after_seq, int limit) override;
  absl::Status RecordAck(uint64_t watermark) override;
  absl::Status StartNewEpoch() override;

  const std::string& path() const { return path_; }

 private:
  NodeStore(std::string path, std::optional<FileLock> lock, std::unique_ptr<Database> db,
            std::unique_ptr<PublishedCells> published);
  void PublishCounters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const std::optional<FileLock> lock_;  // none for ":memory:"
  mutable absl::Mutex mu_;
  std::unique_ptr<Database> db_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<PublishedCells> published_ ABSL_GUARDED_BY(mu_);
  std::function<void()> listener_ ABSL_GUARDED_BY(mu_);
  // Copies for lock-free readers (status pages, the uplink's wake-up test).
  std::atomic<uint64_t> epoch_{0};
  std::atomic<uint64_t> max_seq_{0};
  std::atomic<uint64_t> last_acked_seq_{0};
  std::atomic<uint64_t> vouched_seq_{0};
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_NODE_STORE_H_
