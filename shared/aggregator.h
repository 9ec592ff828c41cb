// Exact cells from registry records: for every metric of a catalog, which cells each
// record contributes to, and the totals. Plain computation, no storage; thread-compatible.
//
// A STOCK metric counts a record in every period from the one containing its start date
// up to the period containing `today`, as long as the record had not left the registry
// on the period's last day. An EVENT metric counts a record in the period containing its
// date field; a deleted record only while that period ended before the deletion's end
// date (registry.proto, DeleteRecordRequest), so deleting a certificate takes it out of
// the current period's count but not out of past periods'. A record leaving by its own
// data (an enterprise's closed_date) still happened: its events keep counting.
//
// A record's contributions depend on that record alone (and `today`), which is what
// makes incremental aggregation possible: a change to one record changes the cells by
// Remove(before) + Add(after) (district_node/cell_updater.h). The same holds for the
// cells' perturbation keys: a record's key depends on its registry and natural key only.
//
// A record counts in a run of consecutive periods of each metric — a stock metric from
// its start's period up to the one it left in (and up to today's), an event metric in
// one — so its contributions can also be kept as one range per metric (CellRanges):
// the cost of a record is then one entry per metric however old it is, records with
// the same dimension values and run share their entry, and `today` only matters when
// the ranges are expanded into cells (Expand). Bulk imports and writes use ranges;
// Add/Remove count period by period, as the reference the ranges must equal.
#ifndef FEDSYNC_SHARED_AGGREGATOR_H_
#define FEDSYNC_SHARED_AGGREGATOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
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
  // YYYY-MM-DD: the end date of the deletion that took the record out; empty unless
  // deleted. (end_date is the earlier of it and the record's own end date.)
  std::string deletion_end_date;
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

class Aggregator;

// Contributions to exact cells as period ranges (see the file comment): (metric,
// dimension values, run of periods) -> the total change. Memory grows with the distinct
// entries, not with the records added. Only an Aggregator over the same catalog reads
// them. Not thread-safe.
class CellRanges {
 public:
  // Adds every entry of `other`.
  void Merge(const CellRanges& other);

 private:
  friend class Aggregator;
  struct Key {
    int metric = 0;     // the metric's index in the catalog
    std::string dims;   // canonical dimension values
    int64_t first = 0;  // first day of the first period counted (days since 1970-01-01)
    int64_t until = 0;  // first day of the first period not counted; kOpen: none
    bool operator==(const Key& other) const {
      return metric == other.metric && first == other.first && until == other.until &&
             dims == other.dims;
    }
    template <typename H>
    friend H AbslHashValue(H hash, const Key& key) {
      return H::combine(std::move(hash), key.metric, key.dims, key.first, key.until);
    }
  };
  static constexpr int64_t kOpen = INT64_MAX;
  absl::flat_hash_map<Key, ExactCell> ranges_;
};

class Aggregator {
 public:
  // `keyer` gives each record its key, from "<registry>:<natural key>" (the entity).
  // Without one (nullptr) CELL_KEY metrics get no cells: a key of 0 for every record
  // would make their perturbation a fixed, invertible function of the count.
  Aggregator(std::shared_ptr<const Catalog> catalog, absl::CivilDay today,
             std::shared_ptr<const privacy::RecordKeyer> keyer = nullptr)
      : catalog_(std::move(catalog)), today_(today), keyer_(std::move(keyer)) {}

  // Adds one record's contributions to `cells` (every metric over its registry).
  void Add(const StoredRecord& stored, ExactCellMap* cells) const {
    Contribute(stored.record, stored.start_date, stored.end_date, stored.deletion_end_date, 1,
               cells, nullptr);
  }
  // Takes them away again: `cells` may then hold negative changes (a delta).
  void Remove(const StoredRecord& stored, ExactCellMap* cells) const {
    Contribute(stored.record, stored.start_date, stored.end_date, stored.deletion_end_date, -1,
               cells, nullptr);
  }

  ExactCellMap Compute(const std::vector<StoredRecord>& records) const;

  // The same contributions as Add/Remove, as ranges: of `record`, in the registry from
  // `start_date` until `end_date` (YYYY-MM-DD; empty: still there), not deleted.
  // Independent of today.
  void AddRanges(const v1::Record& record, absl::string_view start_date,
                 absl::string_view end_date, CellRanges* ranges) const {
    Contribute(record, start_date, end_date, "", 1, nullptr, ranges);
  }
  // Of a stored record, deleted or not.
  void AddRanges(const StoredRecord& stored, CellRanges* ranges) const {
    Contribute(stored.record, stored.start_date, stored.end_date, stored.deletion_end_date, 1,
               nullptr, ranges);
  }
  void RemoveRanges(const StoredRecord& stored, CellRanges* ranges) const {
    Contribute(stored.record, stored.start_date, stored.end_date, stored.deletion_end_date, -1,
               nullptr, ranges);
  }
  // Adds the cells of `ranges` (from an aggregator over this catalog) as of today() to
  // `cells`. Entries whose changes cancelled out add nothing.
  void Expand(const CellRanges& ranges, ExactCellMap* cells) const;

  absl::CivilDay today() const { return today_; }
  const std::shared_ptr<const Catalog>& catalog() const { return catalog_; }

 private:
  // Adds `sign` times the record's contributions to `cells` period by period, or to
  // `ranges` (exactly one of them is given).
  void Contribute(const v1::Record& record, absl::string_view start_date,
                  absl::string_view end_date, absl::string_view deletion_end_date, int64_t sign,
                  ExactCellMap* cells, CellRanges* ranges) const;
  // The dimension values of `record` for `metric`; false when the record is filtered out.
  bool Dimensions(const v1::MetricDef& metric, const std::string& kind_name,
                  const google::protobuf::Message& payload, std::string* dims) const;

  std::shared_ptr<const Catalog> catalog_;
  absl::CivilDay today_;
  std::shared_ptr<const privacy::RecordKeyer> keyer_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_AGGREGATOR_H_
