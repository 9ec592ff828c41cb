// What a node derives from its catalog (a publication plan, lookups), built once per
// catalog rather than per write or per batch: a node runs one catalog at a time, so a
// cache of the last catalog asked for and what was built from it is enough. It keeps
// that catalog alive, so that what was built may point into it. Thread-safe.
#ifndef FEDSYNC_SHARED_PER_CATALOG_H_
#define FEDSYNC_SHARED_PER_CATALOG_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "shared/catalog.h"

namespace fedsync {

template <typename T>
class PerCatalog {
 public:
  // What `build` makes of `catalog`: built on the first call for it, then shared until
  // another catalog is asked for.
  std::shared_ptr<const T> Get(const std::shared_ptr<const Catalog>& catalog,
                               absl::FunctionRef<std::shared_ptr<const T>()> build) {
    absl::MutexLock lock(&mu_);
    if (catalog_ != catalog) {
      built_ = build();
      catalog_ = catalog;
    }
    return built_;
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<const Catalog> catalog_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const T> built_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PER_CATALOG_H_
