// Exact cells from registry records: for every metric of a catalog, which cells each
// record contributes to, and the totals. Plain computation, no storage; thread-compatible.
//
// A STOCK metric counts a record in every period from the one containing its start date
// up to the period containing `today`, as long as the record had not left the registry
// on the period's last day. An EVENT metric counts a record in the period containing its
// date field.
//
// A record's contributions depend on that record alone (and `today`), which is what
// makes incremental aggregation possible: a change to one record changes the cells by
// Remove(before) + Add(after) (district_node/cell_updater.h). The same holds for the
// cells' perturbation keys: a record's key depends on its registry and natural key only.
#ifndef FEDSYNC_SHARED_AGGREGATOR_H_
#define FEDSYNC_SHARED_AGGREGATOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/catalog.h"
#include "shared/cell.h"
#include "shared/privacy/record_key.h"

namespace fedsync {

// A record as the registry holds it: the record, and the days it entered and (when it
// has) left the registry.
struct StoredRecord {
  v1::Record record;
  std::string start_date;  // YYYY-MM-DD
  std::string end_date;    // YYYY-MM-DD, empty while the record is in the registry
};

struct ExactCell {
  int64_t value = 0;         // the measure (for counts, the number of records)
  int64_t contributors = 0;  // distinct records contributing
  // For CELL_KEY metrics, the sum of the contributing records' keys mod 2^32
  // (privacy/record_key.h): the cell key of cell-key perturbation; 0 for other metrics. Additive, so a delta carries it like the value (a
  // removed record subtracts its key; unsigned arithmetic wraps as mod 2^32 requires).
  uint32_t perturbation_key = 0;

  bool operator==(const ExactCell& other) const {
    return value == other.value && contributors == other.contributors &&
           perturbation_key == other.perturbation_key;
  }
};

using ExactCellMap = std::map<CellKey, ExactCell>;

// The band of `value` under a NUMERIC_BANDS dimension: "before_2000", "2000-2009",
// "2020+".
std::string NumericBand(const v1::Dimension& dim, int64_t value);

class Aggregator {
 public:
  // `keyer` gives each record its key, from "<registry>:<natural key>" (the entity);
  // without one (nullptr) every key is 0, which is only right for catalogs without
  // CELL_KEY metrics.
  Aggregator(std::shared_ptr<const Catalog> catalog, absl::CivilDay today,
             std::shared_ptr<const privacy::RecordKeyer> keyer = nullptr)
      : catalog_(std::move(catalog)), today_(today), keyer_(std::move(keyer)) {}

  // Adds one record's contributions to `cells` (every metric over its registry).
  void Add(const StoredRecord& stored, ExactCellMap* cells) const { Contribute(stored, 1, cells); }
  // Takes them away again: `cells` may then hold negative changes (a delta).
  void Remove(const StoredRecord& stored, ExactCellMap* cells) const {
    Contribute(stored, -1, cells);
  }

  ExactCellMap Compute(const std::vector<StoredRecord>& records) const;

  absl::CivilDay today() const { return today_; }

 private:
  // Adds `sign` times the record's contributions.
  void Contribute(const StoredRecord& stored, int64_t sign, ExactCellMap* cells) const;
  // The dimension values of `record` for `metric`; false when the record is filtered out.
  bool Dimensions(const v1::MetricDef& metric, const std::string& kind_name,
                  const google::protobuf::Message& payload, std::string* dims) const;

  std::shared_ptr<const Catalog> catalog_;
  absl::CivilDay today_;
  std::shared_ptr<const privacy::RecordKeyer> keyer_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_AGGREGATOR_H_
