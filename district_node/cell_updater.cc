#include "district_node/cell_updater.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "district_node/exact_cells.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "shared/logging.h"
#include "shared/period.h"
#include "shared/privacy_filter.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

constexpr char kCatalogState[] = "catalog";
constexpr char kPeriodsState[] = "current_periods";

// The catalog's version and a hash of its content: a catalog edited without a new
// version still makes the stored cells stale. FNV-1a over the deterministic encoding
// (maps in key order), stable across processes.
std::string Fingerprint(const Catalog& catalog) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    catalog.proto().SerializeToCodedStream(&coded);
  }
  uint64_t hash = 1469598103934665603ULL;
  for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return absl::StrFormat("version %d, content %016x", catalog.version(), hash);
}

}  // namespace

absl::CivilDay TodayInChina(absl::Time now) {
  static const absl::TimeZone kBeijing = absl::FixedTimeZone(8 * 60 * 60);
  return absl::ToCivilDay(now, kBeijing);
}

absl::Status CellChanges::RowChanged(const RegistryKind& kind, const StoredRow* before,
                                     const StoredRow* after) {
  if (recompute_) return absl::OkStatus();
  expanded_ = false;
  if (before != nullptr) {
    ASSIGN_OR_RETURN(std::optional<StoredRecord> counted, CountedRecord(kind, *before));
    if (counted.has_value()) {
      aggregator_.RemoveRanges(counted->record, counted->start_date, counted->end_date, &ranges_);
    }
  }
  if (after != nullptr) {
    ASSIGN_OR_RETURN(std::optional<StoredRecord> counted, CountedRecord(kind, *after));
    if (counted.has_value()) {
      aggregator_.AddRanges(counted->record, counted->start_date, counted->end_date, &ranges_);
    }
  }
  return absl::OkStatus();
}

bool CellChanges::AddRanges(const Aggregator& aggregator, const CellRanges& ranges) {
  // Ranges name metrics by their index in the catalog they were computed with.
  if (aggregator.catalog() != aggregator_.catalog()) return false;
  if (recompute_) return true;
  expanded_ = false;
  ranges_.Merge(ranges);
  return true;
}

const ExactCellMap& CellChanges::delta() const {
  if (!expanded_) {
    delta_.clear();
    aggregator_.Expand(ranges_, &delta_);
    expanded_ = true;
  }
  return delta_;
}

CellUpdater::CellUpdater(std::shared_ptr<const Catalog> catalog, Clock* clock,
                         std::shared_ptr<const privacy::RecordKeyer> keyer)
    : clock_(clock), keyer_(std::move(keyer)) {
  SetCatalog(std::move(catalog));
}

void CellUpdater::SetCatalog(std::shared_ptr<const Catalog> catalog) {
  Snapshot snapshot{catalog, Fingerprint(*catalog)};
  absl::MutexLock lock(&mu_);
  current_ = std::move(snapshot);
}

CellUpdater::Snapshot CellUpdater::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::StatusOr<CellChanges> CellUpdater::BeginChanges(Database* db) const {
  const absl::CivilDay today = Today();
  const Snapshot now = Current();
  ASSIGN_OR_RETURN(ExactCellTable table, ExactCellTable::Prepare(db));
  ASSIGN_OR_RETURN(bool current, IsCurrent(table, today, now));
  return CellChanges(Aggregator(now.catalog, today, keyer_), /*recompute=*/!current);
}

std::string CellUpdater::CurrentPeriods(const Catalog& catalog, absl::CivilDay today) {
  std::set<v1::PeriodType> types;
  for (const v1::MetricDef& metric : catalog.proto().metrics()) {
    if (metric.time_basis() != v1::EVENT) types.insert(metric.period_type());
  }
  std::vector<std::string> periods;
  for (v1::PeriodType type : types) periods.push_back(PeriodOf(today, type));
  return absl::StrJoin(periods, ",");
}

absl::StatusOr<bool> CellUpdater::IsCurrent(ExactCellTable& table, absl::CivilDay today,
                                             const Snapshot& now) const {
  ASSIGN_OR_RETURN(std::optional<std::string> catalog, table.GetState(kCatalogState));
  if (catalog != now.fingerprint) return false;
  ASSIGN_OR_RETURN(std::optional<std::string> periods, table.GetState(kPeriodsState));
  return periods == CurrentPeriods(*now.catalog, today);
}

absl::StatusOr<int> CellUpdater::Apply(Database* db, PublishedCells* published,
                                       const CellChanges& changes) const {
  ASSIGN_OR_RETURN(ExactCellTable table, ExactCellTable::Prepare(db));
  const Snapshot now = Current();
  bool current = !changes.recompute();
  if (current) {
    // Checked again: cheap, and the write must never land on cells of another calendar
    // (or catalog).
    ASSIGN_OR_RETURN(current, IsCurrent(table, changes.today(), now));
  }
  if (!current) return RecomputeInto(db, table, published, changes.today(), now);
  int changed = 0;
  for (const auto& [key, change] : changes.delta()) {
    if (change == ExactCell{}) continue;  // an update that moved nothing
    ASSIGN_OR_RETURN(ExactCell cell, table.Get(key));
    cell.value += change.value;
    cell.contributors += change.contributors;
    cell.perturbation_key += change.perturbation_key;
    if (cell.contributors < 0 || (cell.contributors == 0 && cell.value != 0)) {
      // Only a bug or a hand-edited database gets here. The write is good; the stored
      // cells are not: make them right from the records, in this transaction.
      LogError("exact_cells.inconsistent",
               {{"metric", key.metric}, {"period", key.period}, {"action", "recompute"}});
      return RecomputeInto(db, table, published, changes.today(), now);
    }
    RETURN_IF_ERROR(table.Set(key, cell));
    ASSIGN_OR_RETURN(bool put, published->Put(key, FilterCell(*now.catalog, key, cell)));
    changed += put ? 1 : 0;
  }
  return changed;
}

absl::StatusOr<bool> CellUpdater::EnsureCurrent(Database* db, PublishedCells* published) const {
  const absl::CivilDay today = Today();
  const Snapshot now = Current();
  ASSIGN_OR_RETURN(ExactCellTable table, ExactCellTable::Prepare(db));
  ASSIGN_OR_RETURN(bool current, IsCurrent(table, today, now));
  if (current) return false;
  RETURN_IF_ERROR(RecomputeInto(db, table, published, today, now).status());
  return true;
}

absl::StatusOr<int> CellUpdater::Recompute(Database* db, PublishedCells* published,
                                           absl::CivilDay today) const {
  ASSIGN_OR_RETURN(ExactCellTable table, ExactCellTable::Prepare(db));
  return RecomputeInto(db, table, published, today, Current());
}

absl::StatusOr<int> CellUpdater::RecomputeInto(Database* db, ExactCellTable& table,
                                               PublishedCells* published,
                                               absl::CivilDay today,
                                               const Snapshot& now) const {
  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(ExactCellMap exact, ComputeWith(db, today, now.catalog));
  RETURN_IF_ERROR(table.ReplaceAll(exact));
  RETURN_IF_ERROR(table.SetState(kCatalogState, now.fingerprint));
  RETURN_IF_ERROR(table.SetState(kPeriodsState, CurrentPeriods(*now.catalog, today)));
  ASSIGN_OR_RETURN(int changed,
                   published->ReplaceAll(FilterForPublication(*now.catalog, exact)));
  LogInfo("exact_cells.recomputed",
          {{"cells", static_cast<int64_t>(exact.size())},
           {"published_changed", changed},
           {"millis", absl::ToInt64Milliseconds(absl::Now() - start)}});
  return changed;
}

absl::StatusOr<ExactCellMap> CellUpdater::ComputeAll(Database* db, absl::CivilDay today) const {
  return ComputeWith(db, today, Current().catalog);
}

absl::StatusOr<ExactCellMap> CellUpdater::ComputeWith(
    Database* db, absl::CivilDay today, std::shared_ptr<const Catalog> catalog) const {
  const Aggregator aggregator(std::move(catalog), today, keyer_);
  ExactCellMap exact;
  RETURN_IF_ERROR(ForEachCountedRecord(
      db, [&](const StoredRecord& stored) { aggregator.Add(stored, &exact); }));
  return exact;
}

absl::StatusOr<ExactCellMap> CellUpdater::ReadStored(Database* db) {
  ASSIGN_OR_RETURN(ExactCellTable table, ExactCellTable::Prepare(db));
  return table.ReadAll();
}

}  // namespace fedsync
