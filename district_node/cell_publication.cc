#include "district_node/cell_publication.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "district_node/cell_contributions.h"
#include "shared/logging.h"
#include "shared/per_catalog.h"
#include "shared/privacy/exact_sampler.h"
#include "shared/privacy/privacy_ledger.h"
#include "shared/privacy_floor.h"
#include "shared/privacy_parameters.h"
#include "shared/status_macros.h"

namespace fedsync {

namespace {
constexpr char kSuppressionDecisionsSchema[] = R"sql(
CREATE TABLE suppression_decisions(
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  dims TEXT NOT NULL,
  rule TEXT NOT NULL,  -- 'primary' or 'secondary'; never leaves the district
  PRIMARY KEY (metric, period, dims)) WITHOUT ROWID;
DELETE FROM exact_cells_state WHERE key = 'catalog';
)sql";
}  // namespace

std::string PublicationSchema() {
  return absl::StrCat(privacy::kPrivacyLedgerSchema, kCellContributionsSchema,
                      kSuppressionDecisionsSchema);
}

namespace {

constexpr char kDeleteDecisions[] =
    "DELETE FROM suppression_decisions WHERE metric = ? AND period = ?";
constexpr char kDeleteAllDecisions[] = "DELETE FROM suppression_decisions";
constexpr char kInsertDecision[] =
    "INSERT INTO suppression_decisions(metric, period, dims, rule) VALUES(?, ?, ?, ?)";

// The plan of a catalog, built once per catalog (a write would otherwise build it).
std::shared_ptr<const PublicationPlan> PlanFor(const std::shared_ptr<const Catalog>& catalog) {
  static auto* plans = new PerCatalog<PublicationPlan>();
  return plans->Get(catalog, [&] { return std::make_shared<const PublicationPlan>(*catalog); });
}

const char* RuleName(SuppressionRule rule) {
  return rule == SuppressionRule::kPrimary ? "primary" : "secondary";
}

absl::Status InsertDecisions(Statement& insert, const std::map<CellKey, SuppressionRule>& rules) {
  for (const auto& [key, rule] : rules) {
    insert.Reset();
    insert.Bind(1, key.metric).Bind(2, key.period).Bind(3, key.dims).Bind(4, RuleName(rule));
    RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

void LogWithheld(const PublicationUnit& unit, const std::string& period) {
  // The unit and period only: never a value or a contributor.
  LogError("privacy.unit_withheld",
           {{"unit", unit.id}, {"period", period}, {"reason", "suppression audit failed"}});
}

}  // namespace

CellPublication::CellPublication(Database* db, std::shared_ptr<const Catalog> catalog,
                                 privacy::ByteSource* noise)
    : db_(db), catalog_(std::move(catalog)), plan_(PlanFor(catalog_)), noise_(noise) {}

absl::StatusOr<Statement*> CellPublication::Cached(std::unique_ptr<Statement>* slot,
                                                   const char* sql) {
  if (*slot == nullptr) {
    ASSIGN_OR_RETURN(Statement prepared, db_->Prepare(sql));
    *slot = std::make_unique<Statement>(std::move(prepared));
  }
  (*slot)->Reset();
  return slot->get();
}

absl::StatusOr<int> CellPublication::PublishTouched(ExactCellTable& table,
                                                    PublishedCells* published,
                                                    const ExactCellMap& touched,
                                                    const ExactCellMap& before) {
  int changed = 0;
  auto put = [&](const CellKey& key, const std::optional<CellValue>& value) -> absl::Status {
    ASSIGN_OR_RETURN(bool put, published->Put(key, value));
    changed += put ? 1 : 0;
    return absl::OkStatus();
  };
  // The units (with a period) the write touched, and the keys it touched in each.
  std::map<std::pair<const PublicationUnit*, std::string>, std::vector<CellKey>> units;
  for (const auto& [key, cell] : touched) {
    const PublicationUnit* unit = plan_->UnitOf(key.metric);
    if (unit == nullptr || unit->kind == UnitKind::kPerCell) {
      RETURN_IF_ERROR(put(key, FilterCell(*catalog_, key, cell)));
      continue;
    }
    if (unit->kind == UnitKind::kWithheld) {
      RETURN_IF_ERROR(put(key, std::nullopt));
      continue;
    }
    units[{unit, key.period}].push_back(key);
  }
  std::optional<ContributionTable> shares_table;
  for (const auto& [unit_period, keys] : units) {
    const PublicationUnit& unit = *unit_period.first;
    const std::string& period = unit_period.second;
    ExactCellMap exact;
    ContributionMap shares;
    bool needs_shares = false;
    for (const v1::MetricDef* metric : unit.metrics) {
      RETURN_IF_ERROR(table.ReadMetricPeriod(metric->id(), period, &exact));
      if (!NeedsContributions(*metric)) continue;
      needs_shares = true;
      if (!shares_table.has_value()) {
        ASSIGN_OR_RETURN(ContributionTable prepared, ContributionTable::Prepare(db_));
        shares_table.emplace(std::move(prepared));
      }
      RETURN_IF_ERROR(shares_table->Read(metric->id(), period, &shares));
    }
    CellMap decided;
    // The cells to write: every cell of the unit now, and those the write emptied; or,
    // when the decision before the write is known, only what differs from it.
    std::set<CellKey> all(keys.begin(), keys.end());
    if (unit.kind == UnitKind::kLinked) {
      UnitDecision decision = DecideLinkedUnit(unit, period, exact, shares);
      if (decision.failed()) LogWithheld(unit, period);
      std::optional<UnitDecision> previous;
      if (!needs_shares) {
        // The unit's exact cells before the write; deciding them again is what was
        // published (and usually remembered, so it costs no audit).
        ExactCellMap old_exact = exact;
        for (const CellKey& key : keys) {
          auto it = before.find(key);
          if (it == before.end() || it->second.contributors == 0) {
            old_exact.erase(key);
          } else {
            old_exact[key] = it->second;
          }
        }
        previous = DecideLinkedUnit(unit, period, old_exact, shares);
        for (const auto& [key, value] : decision.published) {
          auto it = previous->published.find(key);
          if (it == previous->published.end() || it->second != value) all.insert(key);
        }
        for (const auto& [key, value] : previous->published) {
          if (decision.published.count(key) == 0) all.insert(key);
        }
      } else {
        for (const auto& [key, cell] : exact) all.insert(key);
      }
      if (!previous.has_value() || previous->suppressed != decision.suppressed) {
        RETURN_IF_ERROR(RecordSuppressed(unit, period, decision));
      }
      decided = std::move(decision.published);
    } else {
      ASSIGN_OR_RETURN(decided, DecideDp(*unit.metrics.front(), period, exact, shares));
      for (const auto& [key, cell] : exact) all.insert(key);
      for (const auto& [key, value] : decided) all.insert(key);
    }
    for (const CellKey& key : all) {
      auto it = decided.find(key);
      RETURN_IF_ERROR(put(key, it == decided.end() ? std::nullopt
                                                   : std::optional<CellValue>(it->second)));
    }
  }
  return changed;
}

absl::StatusOr<int> CellPublication::PublishAll(PublishedCells* published,
                                                const ExactCellMap& exact,
                                                const ContributionMap& shares) {
  PublicationDecision decision = DecideForPublication(*catalog_, exact, shares);
  for (const std::string& failure : decision.failures) {
    LogError("privacy.unit_withheld", {{"reason", failure}});
  }
  for (const PublicationUnit& unit : plan_->units()) {
    if (unit.kind == UnitKind::kWithheld) {
      LogWarning("privacy.metric_withheld", {{"metric", unit.id}, {"reason", unit.reason}});
    }
    if (unit.kind != UnitKind::kDp) continue;
    const v1::MetricDef& metric = *unit.metrics.front();
    std::set<std::string> periods;
    for (auto it = exact.lower_bound(CellKey{metric.id(), "", ""});
         it != exact.end() && it->first.metric == metric.id(); ++it) {
      periods.insert(it->first.period);
    }
    // And every period released already, as a write does: one that lost its last record
    // keeps its release (noisy zeros), rather than being withdrawn, which would tell
    // exactly that it has no record.
    ASSIGN_OR_RETURN(std::vector<v1::Cell> released, ReadPublishedCells(db_, metric.id(), ""));
    for (const v1::Cell& cell : released) periods.insert(cell.period());
    for (const std::string& period : periods) {
      ASSIGN_OR_RETURN(CellMap noisy, DecideDp(metric, period, exact, shares));
      decision.published.insert(noisy.begin(), noisy.end());
    }
  }
  RETURN_IF_ERROR(db_->Execute(kDeleteAllDecisions));
  ASSIGN_OR_RETURN(Statement insert, db_->Prepare(kInsertDecision));
  RETURN_IF_ERROR(InsertDecisions(insert, decision.suppressed));
  return published->ReplaceAll(decision.published);
}

absl::Status CellPublication::RecordSuppressed(const PublicationUnit& unit,
                                               const std::string& period,
                                               const UnitDecision& decision) {
  for (const v1::MetricDef* metric : unit.metrics) {
    ASSIGN_OR_RETURN(Statement * remove, Cached(&delete_decisions_, kDeleteDecisions));
    remove->Bind(1, metric->id()).Bind(2, period);
    RETURN_IF_ERROR(remove->Run());
  }
  if (decision.suppressed.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement * insert, Cached(&insert_decision_, kInsertDecision));
  return InsertDecisions(*insert, decision.suppressed);
}

absl::StatusOr<CellMap> CellPublication::DecideDp(const v1::MetricDef& metric,
                                                  const std::string& period,
                                                  const ExactCellMap& exact,
                                                  const ContributionMap& shares) {
  // The catalog was validated; parameters that fail here publish nothing.
  ASSIGN_OR_RETURN(DpParameters parameters, DpParametersOf(metric));
  // The value released per cell: one contribution per entity, clamped to the bounds, so
  // that one entity moves a cell by at most the sensitivity (and the release by that in
  // each cell it can be in: DpNoiseScale).
  std::map<std::string, int64_t> values;
  // Every cell of the domain is released, empty ones as noisy zeros.
  ASSIGN_OR_RETURN(std::vector<std::string> domain, MetricDomain(metric));
  for (const std::string& dims : domain) values[dims] = 0;
  for (auto it = exact.lower_bound(CellKey{metric.id(), period, ""});
       it != exact.end() && it->first.metric == metric.id() && it->first.period == period; ++it) {
    // Only the domain is released, all of it: a cell outside it released only when
    // non-empty would give its existence away (the aggregator writes none).
    if (it->second.contributors == 0 || values.count(it->first.dims) == 0) continue;
    if (!NeedsContributions(metric)) {
      values[it->first.dims] = it->second.value;
      continue;
    }
    auto cell_shares = shares.find(it->first);
    if (cell_shares == shares.end()) continue;  // no entity: released as a zero
    int64_t value = 0;
    for (const auto& [entity, share] : cell_shares->second) {
      const int64_t measure = metric.measure() == v1::SUM ? share.magnitude : share.records;
      // magnitude_max is bounded at load (kMaxDpNoiseScale), so this takes millions of
      // entities at the bound to overflow; refused rather than wrapped if it does.
      if (__builtin_add_overflow(
              value, std::clamp(measure, parameters.magnitude_min, parameters.magnitude_max),
              &value)) {
        return absl::OutOfRangeError(
            absl::StrCat("DP metric '", metric.id(), "': a cell's clamped sum exceeds int64"));
      }
    }
    values[it->first.dims] = value;
  }
  CellMap out;
  if (values.empty()) return out;

  ASSIGN_OR_RETURN(std::unique_ptr<privacy::PrivacyLedger> ledger,
                   privacy::PrivacyLedger::Open(db_));
  privacy::SecureByteSource secure;
  privacy::ExactSampler sampler(noise_ != nullptr ? noise_ : &secure);
  const bool laplace = parameters.mechanism != v1::GAUSSIAN;
  const mpq_class scale = DpNoiseScale(parameters);
  auto draw = [&](int64_t value) -> absl::StatusOr<int64_t> {
    absl::StatusOr<int64_t> noise =
        laplace ? sampler.DiscreteLaplace(scale) : sampler.DiscreteGaussian(scale);
    if (!noise.ok()) return noise.status();
    int64_t noisy = 0;
    if (__builtin_add_overflow(value, *noise, &noisy)) {
      return absl::OutOfRangeError(
          absl::StrCat("DP metric '", metric.id(), "': a noisy value exceeds int64"));
    }
    return noisy;
  };
  privacy::DpCharge charge;
  charge.epsilon = parameters.epsilon;
  charge.budget = parameters.budget;
  charge.registries.assign(metric.registries().begin(), metric.registries().end());
  charge.registry_units = DpReleaseUnits(parameters.mechanism, parameters.epsilon);
  charge.registry_cap = kDpReleasesPerRegistryPeriod;
  absl::StatusOr<privacy::ReleasedValues> released =
      ledger->Release(metric.id(), period, charge, values, draw);
  if (absl::IsResourceExhausted(released.status()) ||
      absl::IsFailedPrecondition(released.status())) {
    // The budget is spent (or a newer catalog asks for another budget, which would
    // re-open spent privacy): what was published stays published; nothing is re-drawn.
    LogWarning("privacy.dp_release_refused",
               {{"metric", metric.id()}, {"period", period},
                {"reason", absl::IsResourceExhausted(released.status()) ? "budget spent"
                                                                        : "budget changed"}});
    released = ledger->Stored(metric.id(), period);
  }
  if (!released.ok()) return released.status();
  for (const auto& [dims, exact_value] : values) {
    auto it = released->find(dims);
    if (it != released->end()) out[CellKey{metric.id(), period, dims}] = {it->second, v1::NOISY};
  }
  return out;
}

}  // namespace fedsync
