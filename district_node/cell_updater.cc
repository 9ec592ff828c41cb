#include "district_node/cell_updater.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "district_node/cell_publication.h"
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

// The revision of the counting and publication rules (shared/aggregator.h,
// shared/privacy_groups.h): cells stored under older rules are stale, and the first
// write after an upgrade recomputes them. 2: an event record deleted no longer counts in
// periods that had not ended before the deletion. 3: a suppressed metric related to
// another in a way links do not express (filters, period types, margins, binnings) is
// withheld; a person is one contributor across the registries keyed by resident id,
// and a suppressed metric over several registries counts persons; an optional enum's
// unset value is in the dimension's values.
constexpr int kCountingRules = 3;

// The counting rules, the catalog's version and a hash of its content: a catalog edited
// without a new version still makes the stored cells stale. FNV-1a over the
// deterministic encoding (maps in key order), stable across processes.
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
  return absl::StrFormat("rules %d, version %d, content %016x", kCountingRules, catalog.version(),
                         hash);
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
      aggregator_.RemoveRanges(*counted, &ranges_);
      shares_.Remove(*counted, &shares_delta_);
    }
  }
  if (after != nullptr) {
    ASSIGN_OR_RETURN(std::optional<StoredRecord> counted, CountedRecord(kind, *after));
    if (counted.has_value()) {
      aggregator_.AddRanges(*counted, &ranges_);
      shares_.Add(*counted, &shares_delta_);
    }
  }
  return absl::OkStatus();
}

bool CellChanges::AddRanges(const RegistryKind& kind, const Aggregator& aggregator,
                            const CellRanges& ranges) {
  // Ranges name metrics by their index in the catalog they were computed with.
  if (aggregator.catalog() != aggregator_.catalog()) return false;
  // Ranges carry no entity's shares: rows of a registry some metric needs them for go
  // one by one.
  if (shares_.CountsIn(kind)) return false;
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
  return CellChanges(Aggregator(now.catalog, today, keyer_), ContributionCounter(now.catalog, today),
                     /*recompute=*/!current);
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
  ExactCellMap touched, before;
  for (const auto& [key, change] : changes.delta()) {
    if (change == ExactCell{}) continue;  // an update that moved nothing
    ASSIGN_OR_RETURN(ExactCell cell, table.Get(key));
    before[key] = cell;
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
    touched[key] = cell;
  }
  // The privacy filter decides table-wide: the units of the touched cells are
  // re-decided together (cell_publication.h).
  if (!changes.shares_delta().empty()) {
    ASSIGN_OR_RETURN(ContributionTable shares, ContributionTable::Prepare(db));
    RETURN_IF_ERROR(shares.ApplyDelta(changes.shares_delta()));
    // A cell whose total stayed but whose contributors' shares moved (an import that
    // shifts amounts between enterprises) is re-decided too: the dominance and p% rules
    // judge the shares.
    for (const auto& [key, entities] : changes.shares_delta()) {
      if (touched.count(key) > 0) continue;
      bool moved = false;
      for (const auto& [entity, change] : entities) moved |= !(change == ContributorShare{});
      if (!moved) continue;
      ASSIGN_OR_RETURN(ExactCell cell, table.Get(key));
      before[key] = cell;
      touched[key] = cell;
    }
  }
  CellPublication publication(db, now.catalog);
  return publication.PublishTouched(table, published, touched, before);
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
  ContributionMap shares;
  ASSIGN_OR_RETURN(ExactCellMap exact, ComputeWith(db, today, now.catalog, &shares));
  RETURN_IF_ERROR(table.ReplaceAll(exact));
  ASSIGN_OR_RETURN(ContributionTable shares_table, ContributionTable::Prepare(db));
  RETURN_IF_ERROR(shares_table.ReplaceAll(shares));
  RETURN_IF_ERROR(table.SetState(kCatalogState, now.fingerprint));
  RETURN_IF_ERROR(table.SetState(kPeriodsState, CurrentPeriods(*now.catalog, today)));
  CellPublication publication(db, now.catalog);
  ASSIGN_OR_RETURN(int changed, publication.PublishAll(published, exact, shares));
  LogInfo("exact_cells.recomputed",
          {{"cells", static_cast<int64_t>(exact.size())},
           {"published_changed", changed},
           {"millis", absl::ToInt64Milliseconds(absl::Now() - start)}});
  return changed;
}

absl::StatusOr<ExactCellMap> CellUpdater::ComputeAll(Database* db, absl::CivilDay today) const {
  return ComputeWith(db, today, Current().catalog);
}

absl::StatusOr<ExactCellMap> CellUpdater::ComputeWith(Database* db, absl::CivilDay today,
                                                      std::shared_ptr<const Catalog> catalog,
                                                      ContributionMap* shares) const {
  const ContributionCounter counter(catalog, today);
  const Aggregator aggregator(std::move(catalog), today, keyer_);
  ExactCellMap exact;
  RETURN_IF_ERROR(ForEachCountedRecord(db, [&](const StoredRecord& stored) {
    aggregator.Add(stored, &exact);
    if (shares != nullptr) counter.Add(stored, shares);
  }));
  return exact;
}

absl::StatusOr<ContributionMap> CellUpdater::ComputeAllShares(Database* db,
                                                              absl::CivilDay today) const {
  ContributionMap shares;
  RETURN_IF_ERROR(ComputeWith(db, today, Current().catalog, &shares).status());
  return shares;
}

absl::StatusOr<ExactCellMap> CellUpdater::ReadStored(Database* db) {
  ASSIGN_OR_RETURN(ExactCellTable table, ExactCellTable::Prepare(db));
  return table.ReadAll();
}

}  // namespace fedsync
