// Test support for the exact and published cells of a district: a district on an
// in-memory database with a fake clock, and the check that its stored cells equal a
// full recompute. Header-only, for tests/unit.
#ifndef FEDSYNC_TESTS_UNIT_CELL_TEST_SUPPORT_H_
#define FEDSYNC_TESTS_UNIT_CELL_TEST_SUPPORT_H_

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "district_node/cell_updater.h"
#include "district_node/registry.h"
#include "district_node/registry_store.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"
#include "shared/privacy_filter.h"
#include "shared/privacy_groups.h"
#include "shared/published_cells.h"

namespace fedsync::cell_testing {

// Beijing noon of `day`.
inline absl::Time NoonInChina(absl::CivilDay day) {
  return absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), 4, 0, 0),
                         absl::UTCTimeZone());
}

// The live published cells, as the privacy filter's output looks.
inline absl::StatusOr<CellMap> ReadPublished(Database* db, const Catalog& catalog) {
  CellMap cells;
  for (const v1::MetricDef& metric : catalog.proto().metrics()) {
    auto published = ReadPublishedCells(db, metric.id(), "");
    if (!published.ok()) return published.status();
    for (const v1::Cell& cell : *published) {
      cells[CellKey{cell.metric(), cell.period(), CanonicalDims(cell.dims())}] =
          CellValue{cell.value(), cell.status()};
    }
  }
  return cells;
}

// The same, read from `store`.
inline absl::StatusOr<CellMap> ReadPublished(NodeStore& store, const Catalog& catalog) {
  absl::StatusOr<CellMap> cells;
  absl::Status read = store.Read([&](Database* db) {
    cells = ReadPublished(db, catalog);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return cells;
}

// The first few differences between two maps, for a readable failure.
template <typename Map, typename Print>
std::string Differences(const Map& got, const Map& want, Print print) {
  std::string out;
  int shown = 0;
  auto note = [&](const CellKey& key, const std::string& what) {
    if (shown++ < 8) absl::StrAppend(&out, "\n  ", key.metric, " ", key.period, " {", key.dims, "}: ", what);
  };
  for (const auto& [key, value] : got) {
    auto it = want.find(key);
    if (it == want.end()) {
      note(key, absl::StrCat("stored ", print(value), ", recompute has none"));
    } else if (!(it->second == value)) {
      note(key, absl::StrCat("stored ", print(value), ", recompute ", print(it->second)));
    }
  }
  for (const auto& [key, value] : want) {
    if (got.count(key) == 0) note(key, absl::StrCat("missing, recompute ", print(value)));
  }
  return out;
}

inline std::string PrintExact(const ExactCell& cell) {
  return absl::StrCat(cell.value, "/", cell.contributors, " key ", cell.perturbation_key);
}

// The default catalog plus every period type, time basis and measure: stock by quarter
// with cell keys (two dimensions), hardship cases filed by month, and aid sums (clamped
// otherwise than the yearly ones) by month.
inline std::shared_ptr<const Catalog> CatalogWithEveryPeriodType() {
  auto catalog = Catalog::FromText(absl::StrCat(DefaultCatalogText(), R"pb(
    metrics {
      id: "students_by_degree_quarterly_perturbed"
      registries: "returned_students"
      dimensions { name: "degree" field: "degree" binning: ENUM_NAME }
      dimensions { name: "region" field: "study_country" binning: COUNTRY_TO_REGION }
      time_basis: STOCK
      period_type: QUARTER
      disclosure { method: CELL_KEY }
    }
    metrics {
      id: "hardship_by_type_monthly"
      registries: "hardship_cases"
      dimensions { name: "type" field: "hardship_type" binning: ENUM_NAME }
      time_basis: EVENT
      date_field: "filed_date"
      period_type: MONTH
      disclosure { method: SUPPRESSION threshold: 2 }
    }
    metrics {
      id: "aid_by_kind_monthly"
      registries: "aid_visits"
      dimensions { name: "aid" field: "aid_kind" binning: ENUM_NAME }
      measure: SUM
      measure_field: "amount_yuan"
      time_basis: EVENT
      date_field: "visit_date"
      period_type: MONTH
      disclosure { method: SUPPRESSION threshold: 3 magnitude_max: 5000 }
    })pb"));
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  if (!catalog.ok()) return Catalog::Default();
  // Each metric of its own records, or linked: none is withheld (privacy_groups.h).
  for (const auto& [metric, reason] : UnlinkedMetrics((*catalog)->proto())) {
    ADD_FAILURE() << metric << " is withheld: " << reason;
  }
  return *catalog;
}

// A record keyer with a fixed secret, so that tests key records as a district does.
inline std::shared_ptr<const privacy::RecordKeyer> TestKeyer(char fill = 's') {
  auto keyer = privacy::RecordKeyer::Create(std::string(32, fill));
  EXPECT_TRUE(keyer.ok()) << keyer.status();
  return std::make_shared<const privacy::RecordKeyer>(*keyer);
}
inline std::string PrintPublished(const CellValue& cell) {
  return absl::StrCat(cell.value, " ", v1::CellStatus_Name(cell.status));
}

// A district's registries on an in-memory database, with the clock the test moves.
class District {
 public:
  District(std::shared_ptr<const Catalog> catalog, absl::CivilDay start,
           std::shared_ptr<const privacy::RecordKeyer> keyer = TestKeyer())
      : clock_(NoonInChina(start)), cells_(std::move(catalog), &clock_, std::move(keyer)) {
    auto store = NodeStore::Open(":memory:", DistrictMigrations());
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    registry_ = std::make_unique<Registry>(store_.get(), &clock_, &cells_);
  }

  // What the publisher does when the calendar may have moved.
  absl::Status EnsureCurrent() {
    return store_->Write([&](Database* db, PublishedCells* published) {
      return cells_.EnsureCurrent(db, published).status();
    });
  }

  // The property, as gtest failures naming `context`.
  void ExpectMatchesRecompute(const std::string& context) {
    absl::StatusOr<ExactCellMap> stored, full;
    absl::StatusOr<ContributionMap> shares;
    absl::StatusOr<CellMap> published;
    ASSERT_TRUE(store_->Read([&](Database* db) {
      stored = CellUpdater::ReadStored(db);
      full = cells_.ComputeAll(db, cells_.Today());
      shares = cells_.ComputeAllShares(db, cells_.Today());
      published = ReadPublished(db, *cells_.catalog());
      return absl::OkStatus();
    }).ok());
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_TRUE(full.ok()) << full.status();
    ASSERT_TRUE(published.ok()) << published.status();
    EXPECT_TRUE(*stored == *full) << context << ": exact cells differ from a recompute:"
                                  << Differences(*stored, *full, PrintExact);
    ASSERT_TRUE(shares.ok()) << shares.status();
    const CellMap want = FilterForPublication(*cells_.catalog(), *full, *shares);
    EXPECT_TRUE(*published == want) << context << ": published cells differ:"
                                    << Differences(*published, want, PrintPublished);
  }

  FakeClock& clock() { return clock_; }
  Registry& registry() { return *registry_; }
  const CellUpdater& cells() { return cells_; }
  NodeStore& store() { return *store_; }

 private:
  FakeClock clock_;
  CellUpdater cells_;
  std::unique_ptr<NodeStore> store_;
  std::unique_ptr<Registry> registry_;
};

}  // namespace fedsync::cell_testing

#endif  // FEDSYNC_TESTS_UNIT_CELL_TEST_SUPPORT_H_
