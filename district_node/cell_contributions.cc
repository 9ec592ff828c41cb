#include "district_node/cell_contributions.h"

#include "shared/per_catalog.h"
#include "shared/registry_kinds.h"
#include "shared/status_macros.h"

namespace fedsync {

const char kCellContributionsSchema[] = R"sql(
CREATE TABLE cell_contributions(
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  contributor TEXT NOT NULL,
  magnitude INTEGER NOT NULL,
  records INTEGER NOT NULL,
  PRIMARY KEY (metric, period, dims, contributor)) WITHOUT ROWID;
)sql";

namespace {

constexpr char kSelectOne[] =
    "SELECT magnitude, records FROM cell_contributions "
    "WHERE metric = ? AND period = ? AND dims = ? AND contributor = ?";
constexpr char kUpsert[] =
    "INSERT INTO cell_contributions(metric, period, dims, contributor, magnitude, records) "
    "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(metric, period, dims, contributor) DO UPDATE SET "
    "magnitude = excluded.magnitude, records = excluded.records";
constexpr char kDelete[] =
    "DELETE FROM cell_contributions "
    "WHERE metric = ? AND period = ? AND dims = ? AND contributor = ?";
constexpr char kSelectCells[] =
    "SELECT dims, contributor, magnitude, records FROM cell_contributions "
    "WHERE metric = ? AND period = ?";
constexpr char kDeleteAll[] = "DELETE FROM cell_contributions";

// The catalog of the metrics that need shares, built once per catalog: a write builds
// a counter, and validating a catalog per write would cost more than the write.
std::shared_ptr<const Catalog> SharesCatalog(const std::shared_ptr<const Catalog>& catalog) {
  static auto* shares_catalogs = new PerCatalog<Catalog>();
  return shares_catalogs->Get(catalog, [&]() -> std::shared_ptr<const Catalog> {
    v1::Catalog proto;
    proto.set_version(catalog->version());
    for (const v1::MetricDef& metric : catalog->proto().metrics()) {
      if (NeedsContributions(metric)) *proto.add_metrics() = metric;
    }
    if (proto.metrics_size() == 0) return nullptr;
    // A subset of a valid catalog is valid.
    absl::StatusOr<std::shared_ptr<const Catalog>> loaded = Catalog::FromProto(std::move(proto));
    return loaded.ok() ? *loaded : nullptr;
  });
}

}  // namespace

ContributionCounter::ContributionCounter(const std::shared_ptr<const Catalog>& catalog,
                                         absl::CivilDay today) {
  std::shared_ptr<const Catalog> shares = SharesCatalog(catalog);
  if (shares != nullptr) aggregator_.emplace(std::move(shares), today);
}

bool ContributionCounter::CountsIn(const RegistryKind& kind) const {
  if (!aggregator_.has_value()) return false;
  for (const v1::MetricDef& metric : aggregator_->catalog()->proto().metrics()) {
    for (const std::string& registry : metric.registries()) {
      if (registry == kind.name) return true;
    }
  }
  return false;
}

void ContributionCounter::Contribute(const StoredRecord& stored, int64_t sign,
                                     ContributionMap* shares) const {
  if (!aggregator_.has_value()) return;
  const RegistryKind* kind = RegistryKindOf(stored.record);
  if (kind == nullptr) return;
  // The record's own cells, with its measure as the value.
  ExactCellMap cells;
  aggregator_->Add(stored, &cells);
  if (cells.empty()) return;
  const std::string entity = EntityOf(*kind, RecordPayload(stored.record));
  for (const auto& [key, cell] : cells) {
    ContributorShare& share = (*shares)[key][entity];
    share.magnitude += sign * cell.value;
    share.records += sign * cell.contributors;
  }
}

absl::StatusOr<ContributionTable> ContributionTable::Prepare(Database* db) {
  ASSIGN_OR_RETURN(Statement select_one, db->Prepare(kSelectOne));
  ASSIGN_OR_RETURN(Statement upsert, db->Prepare(kUpsert));
  ASSIGN_OR_RETURN(Statement remove, db->Prepare(kDelete));
  ASSIGN_OR_RETURN(Statement select_cells, db->Prepare(kSelectCells));
  return ContributionTable(db, std::move(select_one), std::move(upsert), std::move(remove),
                           std::move(select_cells));
}

absl::Status ContributionTable::Write(const CellKey& key, const std::string& entity,
                                      const ContributorShare& share) {
  if (share.records <= 0) {
    remove_.Reset();
    remove_.Bind(1, key.metric).Bind(2, key.period).Bind(3, key.dims).Bind(4, entity);
    return remove_.Run();
  }
  upsert_.Reset();
  upsert_.Bind(1, key.metric).Bind(2, key.period).Bind(3, key.dims).Bind(4, entity);
  upsert_.Bind(5, share.magnitude).Bind(6, share.records);
  return upsert_.Run();
}

absl::Status ContributionTable::ApplyDelta(const ContributionMap& delta) {
  for (const auto& [key, entities] : delta) {
    for (const auto& [entity, change] : entities) {
      if (change == ContributorShare{}) continue;
      select_one_.Reset();
      select_one_.Bind(1, key.metric).Bind(2, key.period).Bind(3, key.dims).Bind(4, entity);
      ASSIGN_OR_RETURN(bool row, select_one_.Step());
      ContributorShare share;
      if (row) share = ContributorShare{select_one_.ColumnInt(0), select_one_.ColumnInt(1)};
      select_one_.Reset();
      share.magnitude += change.magnitude;
      share.records += change.records;
      RETURN_IF_ERROR(Write(key, entity, share));
    }
  }
  return absl::OkStatus();
}

absl::Status ContributionTable::ReplaceAll(const ContributionMap& shares) {
  RETURN_IF_ERROR(db_->Execute(kDeleteAll));
  for (const auto& [key, entities] : shares) {
    for (const auto& [entity, share] : entities) RETURN_IF_ERROR(Write(key, entity, share));
  }
  return absl::OkStatus();
}

absl::Status ContributionTable::Read(const std::string& metric, const std::string& period,
                                     ContributionMap* out) {
  select_cells_.Reset();
  select_cells_.Bind(1, metric).Bind(2, period);
  while (true) {
    ASSIGN_OR_RETURN(bool row, select_cells_.Step());
    if (!row) break;
    (*out)[CellKey{metric, period, select_cells_.ColumnText(0)}][select_cells_.ColumnText(1)] =
        ContributorShare{select_cells_.ColumnInt(2), select_cells_.ColumnInt(3)};
  }
  select_cells_.Reset();
  return absl::OkStatus();
}

}  // namespace fedsync
