// The catalog a node runs, which can change while it runs: a newer version pushed at
// the top of the tree arrives over the sync stream. The holder hands out the current
// catalog (readers keep theirs until they ask again); the node's database keeps it
// across restarts (kCatalogSchema). A node adopts only a newer version. Thread-safe.
#ifndef FEDSYNC_SHARED_CATALOG_HOLDER_H_
#define FEDSYNC_SHARED_CATALOG_HOLDER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "shared/catalog.h"
#include "shared/database.h"

namespace fedsync {

extern const char kCatalogSchema[];

class CatalogHolder {
 public:
  explicit CatalogHolder(std::shared_ptr<const Catalog> catalog) : catalog_(std::move(catalog)) {}

  std::shared_ptr<const Catalog> Get() const {
    absl::MutexLock lock(&mu_);
    return catalog_;
  }
  void Set(std::shared_ptr<const Catalog> catalog) {
    absl::MutexLock lock(&mu_);
    catalog_ = std::move(catalog);
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Catalog> catalog_ ABSL_GUARDED_BY(mu_);
};

// The catalog stored in `db`, or the built-in default when none is, or when the stored
// one fails this build's checks (logged as catalog.stored_refused). kDataLoss when it
// does not parse.
absl::StatusOr<std::shared_ptr<const Catalog>> LoadStoredCatalog(Database* db);

// Stores `catalog` as the one this node runs (inside the caller's transaction).
absl::Status StoreCatalog(Database* db, const Catalog& catalog);

// kFailedPrecondition when `candidate` is not newer than `current`, naming both versions.
absl::Status CheckNewer(const Catalog& current, const Catalog& candidate);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_CATALOG_HOLDER_H_
