// The statistics catalog: metric definitions, validated once at load. A catalog that
// names an unknown registry or field, or uses a free-text or identifying field (name,
// ID number, phone, address, birth date) as a dimension, or whose metric ids, dimension
// names or category labels are not tokens (cell.h: they make the cells' keys), is
// refused with a message naming the metric and the field. Immutable after load;
// thread-safe to share.
#ifndef FEDSYNC_SHARED_CATALOG_H_
#define FEDSYNC_SHARED_CATALOG_H_

#include <memory>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "fedsync/v1/catalog.pb.h"

namespace fedsync {

class Catalog {
 public:
  // kInvalidArgument naming the metric and field when the catalog is not valid.
  static absl::StatusOr<std::shared_ptr<const Catalog>> FromProto(v1::Catalog proto);
  static absl::StatusOr<std::shared_ptr<const Catalog>> FromText(absl::string_view text);
  // The built-in default catalog (shared/default_catalog.cc).
  static std::shared_ptr<const Catalog> Default();

  // nullptr when the catalog has no such metric.
  const v1::MetricDef* Find(absl::string_view metric_id) const;
  const v1::Catalog& proto() const { return proto_; }
  int64_t version() const { return proto_.version(); }

 private:
  explicit Catalog(v1::Catalog proto);
  v1::Catalog proto_;
  absl::flat_hash_map<std::string, const v1::MetricDef*> by_id_;
};

// The text of the built-in catalog, in protobuf text format.
absl::string_view DefaultCatalogText();

// Whether `metric` is about persons: true unless the catalog marks it
// about_persons: false. Only such metrics may publish with disclosure NONE.
bool AboutPersons(const v1::MetricDef& metric);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_CATALOG_H_
