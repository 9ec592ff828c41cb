#include "city_node/child_cells.h"

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "shared/period.h"
#include "shared/privacy_groups.h"
#include "tests/unit/database_test_support.h"

namespace fedsync {
namespace {

class ChildCellsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = MigratedMemoryDatabase(CityMigrations());
    ASSERT_NE(db_, nullptr);
    auto published = PublishedCells::Open(db_.get());
    ASSERT_TRUE(published.ok());
    published_ = std::move(*published);
  }

  v1::Welcome Hello(const std::string& child, uint64_t epoch) {
    v1::Hello hello;
    hello.set_node_id(child);
    hello.set_level(v1::DISTRICT);
    hello.set_epoch(epoch);
    auto welcome = cells_.ApplyHello(db_.get(), published_.get(), hello, 1000);
    EXPECT_TRUE(welcome.ok()) << welcome.status();
    return *welcome;
  }

  v1::Ack Apply(const std::string& child, std::vector<v1::Cell> cells) {
    v1::CellBatch batch;
    batch.set_batch_id(1);
    for (v1::Cell& cell : cells) *batch.add_cells() = std::move(cell);
    auto ack = cells_.ApplyBatch(db_.get(), published_.get(), child, batch, 2000);
    EXPECT_TRUE(ack.ok()) << ack.status();
    return *ack;
  }

  // This node's own published value of the total for 2026; -1 when absent.
  std::pair<int64_t, v1::CellStatus> Own(const std::string& metric = "returned_students_total",
                                         const std::string& dims_value = "") {
    auto cells = ReadPublishedCells(db_.get(), metric, "2026");
    EXPECT_TRUE(cells.ok());
    for (const v1::Cell& cell : *cells) {
      if (dims_value.empty() || (cell.dims_size() == 1 && cell.dims(0).value() == dims_value)) {
        return {cell.value(), cell.status()};
      }
    }
    return {-1, v1::CELL_STATUS_UNSPECIFIED};
  }

  // Runs a newer catalog, the current one without `metric`.
  void AdoptCatalogWithout(const std::string& metric) {
    v1::Catalog proto = catalogs_.Get()->proto();
    proto.set_version(proto.version() + 1);
    auto* metrics = proto.mutable_metrics();
    for (int i = 0; i < metrics->size(); ++i) {
      if (metrics->Get(i).id() == metric) metrics->DeleteSubrange(i, 1);
    }
    auto newer = Catalog::FromProto(proto);
    ASSERT_TRUE(newer.ok()) << newer.status();
    catalogs_.Set(*newer);
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<PublishedCells> published_;
  CatalogHolder catalogs_{Catalog::Default()};
  ChildCells cells_{&catalogs_};
};

v1::Cell Total(int64_t value, uint64_t seq, v1::CellStatus status = v1::OK) {
  v1::Cell cell;
  cell.set_metric("returned_students_total");
  cell.set_period("2026");
  cell.set_value(value);
  cell.set_status(status);
  cell.set_seq(seq);
  return cell;
}

v1::Cell ByRegion(const std::string& region, int64_t value, uint64_t seq,
                  v1::CellStatus status = v1::OK) {
  v1::Cell cell = Total(value, seq, status);
  cell.set_metric("returned_students_by_region");
  v1::DimensionValue* dim = cell.add_dims();
  dim->set_key("region");
  dim->set_value(region);
  return cell;
}

TEST_F(ChildCellsTest, NewChildStartsAtWatermarkZero) {
  v1::Welcome welcome = Hello("luyang", 42);
  EXPECT_EQ(welcome.epoch(), 42u);
  EXPECT_EQ(welcome.watermark(), 0u);
}

TEST_F(ChildCellsTest, SumsChildrenAndAdvancesWatermarks) {
  Hello("luyang", 1);
  Hello("yaohai", 2);
  EXPECT_EQ(Apply("luyang", {Total(53, 5)}).watermark(), 5u);
  EXPECT_EQ(Apply("yaohai", {Total(38, 9)}).watermark(), 9u);
  EXPECT_EQ(Own(), std::make_pair(int64_t{91}, v1::OK));
  EXPECT_EQ(Hello("luyang", 1).watermark(), 5u);  // reconnect in the same epoch
}

TEST_F(ChildCellsTest, ReplayedAndOlderCellsChangeNothing) {
  Hello("luyang", 1);
  Apply("luyang", {Total(53, 5)});
  const uint64_t seq = published_->max_seq();
  Apply("luyang", {Total(53, 5)});  // the same batch again
  Apply("luyang", {Total(40, 3)});  // an older version of the cell
  EXPECT_EQ(Own().first, 53);
  EXPECT_EQ(published_->max_seq(), seq);
}

TEST_F(ChildCellsTest, SuppressedInputMakesTheSumPartial) {
  Hello("luyang", 1);
  Hello("yaohai", 2);
  Apply("luyang", {ByRegion("oceania", 0, 1, v1::SUPPRESSED)});
  Apply("yaohai", {ByRegion("oceania", 7, 1)});
  EXPECT_EQ(Own("returned_students_by_region", "oceania"),
            std::make_pair(int64_t{7}, v1::PARTIAL));
}

TEST_F(ChildCellsTest, TombstoneRemovesTheInputAndTheLastOneTheAggregate) {
  Hello("luyang", 1);
  Apply("luyang", {Total(53, 1)});
  v1::Cell tombstone = Total(0, 2);
  tombstone.set_deleted(true);
  tombstone.clear_status();
  Apply("luyang", {tombstone});
  EXPECT_EQ(Own().first, -1);
}

// The dashboard's completeness: metrics with a live cell count, a metric whose only
// cell is a tombstone does not, and neither does a metric not asked about.
TEST_F(ChildCellsTest, CountsTheMetricsEachChildHasLiveCellsOf) {
  Hello("luyang", 1);
  Hello("yaohai", 2);
  Hello("shushan", 3);
  Apply("luyang",
        {Total(53, 1), ByRegion("europe", 20, 2), ByRegion("oceania", 0, 3, v1::SUPPRESSED)});
  Apply("yaohai", {Total(38, 1), ByRegion("east_asia", 9, 2)});
  v1::Cell tombstone = ByRegion("east_asia", 0, 3);
  tombstone.set_deleted(true);
  tombstone.clear_status();
  Apply("yaohai", {tombstone});
  auto counts = CountReportedMetrics(
      db_.get(), {"luyang", "yaohai", "shushan", "never_seen"},
      {"returned_students_total", "returned_students_by_region", "returned_students_by_degree"});
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (std::map<std::string, int64_t>{
                         {"luyang", 2}, {"yaohai", 1}, {"shushan", 0}, {"never_seen", 0}}));
  auto only_total = CountReportedMetrics(db_.get(), {"luyang"}, {"returned_students_total"});
  ASSERT_TRUE(only_total.ok());
  EXPECT_EQ(only_total->at("luyang"), 1);
}

TEST_F(ChildCellsTest, RejectedCellsDoNotBlockTheRest) {
  Hello("luyang", 1);
  v1::Cell unknown = Total(1, 1);
  unknown.set_metric("no_such_metric");
  v1::Cell suppressed_with_value = Total(2, 2, v1::SUPPRESSED);
  v1::Cell bad_period = Total(3, 3);
  bad_period.set_period("2026-03");  // a month for a yearly metric
  v1::Cell bad_dims = ByRegion("a;b=c", 4, 4);
  v1::Ack ack = Apply("luyang", {unknown, suppressed_with_value, bad_period, bad_dims,
                                 Total(53, 5)});
  EXPECT_EQ(ack.rejected_size(), 4);
  EXPECT_EQ(ack.watermark(), 5u);
  EXPECT_EQ(Own().first, 53);
}

// Guarantee 1, defence in depth: a dimension's value must be one of the catalog's
// closed values, or a faulty child could send free text (a name, an ID number) to be
// stored and summed up the tree. The reason names the dimension, never the value.
TEST_F(ChildCellsTest, ADimensionValueOutsideTheCatalogsListIsRejected) {
  Hello("luyang", 1);
  v1::Cell free_text = ByRegion("zhang_san_340104199001011234", 4, 1);
  v1::Cell other_metrics_value = ByRegion("doctorate", 5, 2);  // a degree, not a region
  v1::Cell wrong_case = ByRegion("Europe", 6, 3);
  v1::Ack ack = Apply("luyang", {free_text, other_metrics_value, wrong_case});
  ASSERT_EQ(ack.rejected_size(), 3);
  EXPECT_EQ(ack.watermark(), 3u);
  for (const v1::RejectedCell& rejected : ack.rejected()) {
    EXPECT_TRUE(absl::StrContains(rejected.reason(), "'region'")) << rejected.reason();
    EXPECT_TRUE(absl::StrContains(rejected.reason(), "not one of its categories"))
        << rejected.reason();
    for (const char* sent : {"zhang_san", "340104", "doctorate", "Europe"}) {
      EXPECT_FALSE(absl::StrContains(rejected.reason(), sent)) << rejected.reason();
    }
  }
  // Nothing stored, summed or published.
  auto held = ReadChildCells(db_.get(), "returned_students_by_region", "");
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_TRUE(held->empty());
  EXPECT_EQ(cells_.LiveCells("luyang"), 0);
  EXPECT_EQ(published_->max_seq(), 0u);
  auto children = ReadChildren(db_.get());
  ASSERT_TRUE(children.ok()) << children.status();
  ASSERT_EQ(children->size(), 1u);
  EXPECT_EQ(children->at(0).cell_count(), 0);
}

// Every cell an honest district can publish under the default catalog is accepted:
// each metric over every value of each of its dimensions.
TEST_F(ChildCellsTest, EveryValueOfTheDefaultCatalogsDomainIsAccepted) {
  Hello("luyang", 1);
  std::vector<v1::Cell> cells;
  uint64_t seq = 0;
  for (const v1::MetricDef& metric : Catalog::Default()->proto().metrics()) {
    absl::StatusOr<std::vector<std::string>> domain = MetricDomain(metric);
    ASSERT_TRUE(domain.ok()) << metric.id() << ": " << domain.status();
    ASSERT_FALSE(domain->empty()) << metric.id();
    for (const std::string& dims : *domain) {
      v1::Cell cell;
      cell.set_metric(metric.id());
      cell.set_period(PeriodOf(absl::CivilDay(2026, 1, 1), metric.period_type()));
      AppendDims(dims, cell.mutable_dims());
      cell.set_value(3);
      cell.set_status(v1::OK);
      cell.set_seq(++seq);
      cells.push_back(std::move(cell));
    }
  }
  ASSERT_GT(cells.size(), Catalog::Default()->proto().metrics_size());
  v1::Ack ack = Apply("luyang", cells);
  for (const v1::RejectedCell& rejected : ack.rejected()) {
    ADD_FAILURE() << rejected.metric() << " seq " << rejected.seq() << ": " << rejected.reason();
  }
  EXPECT_EQ(cells_.LiveCells("luyang"), static_cast<int64_t>(cells.size()));
}

TEST_F(ChildCellsTest, NewEpochReplacesTheChildsCells) {
  Hello("luyang", 1);
  Hello("yaohai", 2);
  Apply("luyang", {Total(53, 7)});
  Apply("yaohai", {Total(38, 3)});
  v1::Welcome welcome = Hello("luyang", 99);
  EXPECT_EQ(welcome.watermark(), 0u);
  EXPECT_EQ(Own().first, 38);  // luyang's old cells are gone from the sum
  Apply("luyang", {Total(50, 1)});
  EXPECT_EQ(Own().first, 88);
}

TEST_F(ChildCellsTest, BatchBeforeHelloIsRefused) {
  v1::CellBatch batch;
  *batch.add_cells() = Total(1, 1);
  auto ack = cells_.ApplyBatch(db_.get(), published_.get(), "stranger", batch, 0);
  EXPECT_FALSE(ack.ok());
}

TEST_F(ChildCellsTest, ChildrenAndTheirCellsAreReadBack) {
  Hello("luyang", 1);
  Apply("luyang", {Total(53, 5), ByRegion("europe", 20, 6)});
  auto children = ReadChildren(db_.get());
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), 1u);
  EXPECT_EQ((*children)[0].node_id(), "luyang");
  EXPECT_EQ((*children)[0].watermark(), 6u);
  EXPECT_EQ((*children)[0].cell_count(), 2);
  auto cells = ReadChildCells(db_.get(), "returned_students_by_region", "");
  ASSERT_TRUE(cells.ok());
  ASSERT_EQ(cells->size(), 1u);
  EXPECT_EQ((*cells)[0].node_id(), "luyang");
  EXPECT_EQ((*cells)[0].cell().value(), 20);
}

TEST_F(ChildCellsTest, StatusPrecedenceOfSums) {
  Hello("luyang", 1);
  Hello("yaohai", 2);
  Apply("luyang", {ByRegion("europe", 5, 1, v1::PERTURBED)});
  Apply("yaohai", {ByRegion("europe", 4, 1, v1::OK)});
  EXPECT_EQ(Own("returned_students_by_region", "europe"),
            std::make_pair(int64_t{9}, v1::PERTURBED));
  Apply("yaohai", {ByRegion("europe", 6, 2, v1::NOISY)});
  EXPECT_EQ(Own("returned_students_by_region", "europe"), std::make_pair(int64_t{11}, v1::NOISY));
  Apply("luyang", {ByRegion("europe", 0, 2, v1::SUPPRESSED)});
  EXPECT_EQ(Own("returned_students_by_region", "europe"), std::make_pair(int64_t{6}, v1::PARTIAL));
  Apply("luyang", {ByRegion("europe", 3, 3, v1::OK)});  // the suppression lifts
  EXPECT_EQ(Own("returned_students_by_region", "europe"), std::make_pair(int64_t{9}, v1::NOISY));
}

// Several batches applied together (one transaction at the parent) end where applying
// them one after another ends, with one ack each, in order.
TEST_F(ChildCellsTest, BatchesAppliedTogetherEqualBatchesAppliedInTurn) {
  Hello("luyang", 1);
  Hello("yaohai", 2);
  v1::Cell tombstone = ByRegion("europe", 0, 4);
  tombstone.set_deleted(true);
  tombstone.clear_status();
  const std::string luyang = "luyang";
  const std::string yaohai = "yaohai";
  std::vector<v1::CellBatch> batches(4);
  *batches[0].add_cells() = Total(10, 1);
  *batches[0].add_cells() = ByRegion("europe", 5, 2);
  *batches[1].add_cells() = Total(7, 1);
  *batches[2].add_cells() = Total(12, 3);  // replaces luyang's total
  *batches[2].add_cells() = Total(10, 1);  // a replay changes nothing
  *batches[3].add_cells() = tombstone;
  for (size_t i = 0; i < batches.size(); ++i) batches[i].set_batch_id(i + 1);
  auto acks = cells_.ApplyBatches(db_.get(), published_.get(),
                                  {{&luyang, &batches[0]}, {&yaohai, &batches[1]},
                                   {&luyang, &batches[2]}, {&luyang, &batches[3]}},
                                  2000);
  ASSERT_TRUE(acks.ok()) << acks.status();
  ASSERT_EQ(acks->size(), 4u);
  const uint64_t watermarks[] = {2, 1, 3, 4};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*acks)[i].batch_id(), i + 1);
    EXPECT_EQ((*acks)[i].watermark(), watermarks[i]);
    EXPECT_EQ((*acks)[i].rejected_size(), 0);
  }
  EXPECT_EQ(Own(), std::make_pair(int64_t{19}, v1::OK));
  EXPECT_EQ(Own("returned_students_by_region", "europe").first, -1);
  // Each sum is published once, at its final value: the total. Europe came and went
  // inside the transaction, so this node never published it and needs no tombstone.
  EXPECT_EQ(published_->max_seq(), 1u);
  // Applying the same batches again changes nothing.
  auto replayed = cells_.ApplyBatches(db_.get(), published_.get(),
                                      {{&luyang, &batches[0]}, {&yaohai, &batches[1]}}, 3000);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(Own().first, 19);
  EXPECT_EQ(published_->max_seq(), 1u);
}

TEST_F(ChildCellsTest, ASumThatEndsWhereItStartedTakesNoNewSeq) {
  Hello("luyang", 1);
  Apply("luyang", {Total(10, 1)});
  const uint64_t seq = published_->max_seq();
  const std::string luyang = "luyang";
  std::vector<v1::CellBatch> batches(2);
  *batches[0].add_cells() = Total(20, 2);
  *batches[1].add_cells() = Total(10, 3);
  auto acks = cells_.ApplyBatches(db_.get(), published_.get(),
                                  {{&luyang, &batches[0]}, {&luyang, &batches[1]}}, 2000);
  ASSERT_TRUE(acks.ok());
  EXPECT_EQ(acks->back().watermark(), 3u);
  EXPECT_EQ(Own().first, 10);
  EXPECT_EQ(published_->max_seq(), seq);
}

// A batch checked on arrival is checked again when the catalog changed before it is
// applied: a metric the new catalog dropped is rejected, not stored.
TEST_F(ChildCellsTest, ABatchCheckedUnderAnOlderCatalogIsCheckedAgain) {
  Hello("luyang", 1);
  const std::string luyang = "luyang";
  v1::CellBatch batch;
  *batch.add_cells() = Total(10, 1);
  *batch.add_cells() = ByRegion("europe", 4, 2);
  const ChildCells::CheckedBatch checked = ChildCells::Check(catalogs_.Get(), batch);
  ASSERT_EQ(checked.cells.size(), 2u);
  EXPECT_TRUE(checked.cells[0].rejection.empty());
  ASSERT_NO_FATAL_FAILURE(AdoptCatalogWithout("returned_students_total"));
  auto acks = cells_.ApplyBatches(db_.get(), published_.get(), {{&luyang, &batch, &checked}}, 2000);
  ASSERT_TRUE(acks.ok()) << acks.status();
  ASSERT_EQ(acks->at(0).rejected_size(), 1);
  EXPECT_EQ(acks->at(0).rejected(0).seq(), 1u);
  EXPECT_EQ(acks->at(0).watermark(), 2u);
  EXPECT_EQ(Own().first, -1);
  EXPECT_EQ(Own("returned_students_by_region", "europe").first, 4);
}

// A child on a newer catalog (its parent restored from a backup, or rebuilt) would
// send cells of metrics this node does not run yet; rejected, the watermark would pass
// them and they would never come again. It waits, with nothing stored, until this node
// has its catalog.
TEST_F(ChildCellsTest, AChildOnANewerCatalogWaitsUntilThisNodeHasIt) {
  v1::Hello hello;
  hello.set_node_id("luyang");
  hello.set_level(v1::DISTRICT);
  hello.set_epoch(1);
  hello.set_catalog_version(catalogs_.Get()->version() + 1);
  auto refused = cells_.ApplyHello(db_.get(), published_.get(), hello, 1000);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ReadChildren(db_.get())->empty());
  ASSERT_NO_FATAL_FAILURE(AdoptCatalogWithout("no such metric"));
  auto welcome = cells_.ApplyHello(db_.get(), published_.get(), hello, 1000);
  ASSERT_TRUE(welcome.ok()) << welcome.status();
  EXPECT_EQ(Apply("luyang", {ByRegion("europe", 4, 1)}).rejected_size(), 0);
  EXPECT_EQ(Own("returned_students_by_region", "europe").first, 4);
}

// A catalog that drops a metric reaches the city before the district. The district then
// deletes that metric's cells; the city must take those tombstones, or it would keep
// the old cells, and their sums, for good.
TEST_F(ChildCellsTest, TombstonesOfAMetricTheCatalogDroppedAreApplied) {
  Hello("luyang", 1);
  Apply("luyang", {Total(10, 1), ByRegion("europe", 4, 2)});
  ASSERT_EQ(Own().first, 10);
  ASSERT_NO_FATAL_FAILURE(AdoptCatalogWithout("returned_students_total"));
  v1::Cell tombstone = Total(0, 3);
  tombstone.set_deleted(true);
  tombstone.clear_status();
  v1::Cell live = Total(7, 4);  // a live cell of the dropped metric is still refused
  v1::Ack ack = Apply("luyang", {tombstone, live});
  ASSERT_EQ(ack.rejected_size(), 1);
  EXPECT_EQ(ack.rejected(0).seq(), 4u);
  EXPECT_EQ(Own().first, -1);
  EXPECT_EQ(cells_.LiveCells("luyang"), 1);
  EXPECT_EQ(Own("returned_students_by_region", "europe").first, 4);
  // A tombstone still needs what makes it a cell's key.
  v1::Cell no_period = ByRegion("asia", 0, 5);
  no_period.set_deleted(true);
  no_period.set_period("someday");
  v1::Cell no_metric = no_period;
  no_metric.set_period("2026");
  no_metric.clear_metric();
  EXPECT_EQ(Apply("luyang", {no_period, no_metric}).rejected_size(), 2);
}

// The cap on a child's live cells counts what a batch adds here, exactly: an update of
// a held cell adds nothing and a tombstone frees one, so a child at its cap keeps
// syncing; a batch that would pass it fails whole, and other children are unaffected.
TEST_F(ChildCellsTest, TheCapOnAChildsCellsCountsOnlyCellsNewHere) {
  cells_.set_max_cells_per_child(2);
  const std::string luyang = "luyang";
  // In a transaction, as the hub applies: a refused batch leaves nothing.
  auto apply = [&](std::vector<v1::Cell> cells) -> absl::Status {
    v1::CellBatch batch;
    for (v1::Cell& cell : cells) *batch.add_cells() = std::move(cell);
    auto transaction = Transaction::Begin(db_.get());
    if (!transaction.ok()) return transaction.status();
    auto acks = cells_.ApplyBatches(db_.get(), published_.get(), {{&luyang, &batch}}, 2000);
    if (!acks.ok()) return acks.status();
    return (*transaction)->Commit();
  };
  Hello("luyang", 1);
  ASSERT_TRUE(apply({ByRegion("europe", 1, 1), ByRegion("east_asia", 2, 2)}).ok());
  ASSERT_TRUE(apply({ByRegion("europe", 5, 3)}).ok()) << "an update at the cap";
  EXPECT_EQ(Own("returned_students_by_region", "europe").first, 5);
  absl::Status over = apply({ByRegion("africa", 1, 4)});
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted) << over;
  EXPECT_TRUE(absl::StrContains(over.message(), "limit of 2 cells")) << over;
  EXPECT_EQ(Own("returned_students_by_region", "africa").first, -1);
  auto watermark = ChildWatermark(db_.get(), "luyang");
  ASSERT_TRUE(watermark.ok());
  EXPECT_EQ(*watermark, 3u);
  EXPECT_EQ(cells_.LiveCells("luyang"), 2);
  // A tombstone and a new cell in one batch add nothing.
  v1::Cell gone = ByRegion("east_asia", 0, 4);
  gone.set_deleted(true);
  gone.clear_status();
  ASSERT_TRUE(apply({gone, ByRegion("africa", 1, 5)}).ok());
  EXPECT_EQ(Own("returned_students_by_region", "africa").first, 1);
  EXPECT_EQ(cells_.LiveCells("luyang"), 2);
  // Another child has its own cap.
  const std::string yaohai = "yaohai";
  Hello("yaohai", 1);
  v1::CellBatch two;
  *two.add_cells() = ByRegion("europe", 1, 1);
  *two.add_cells() = ByRegion("east_asia", 1, 2);
  EXPECT_TRUE(cells_.ApplyBatches(db_.get(), published_.get(), {{&yaohai, &two}}, 2000).ok());
}

TEST_F(ChildCellsTest, OneBatchBeforeHelloFailsTheBatchesAppliedWithIt) {
  Hello("luyang", 1);
  const std::string luyang = "luyang";
  const std::string stranger = "stranger";
  std::vector<v1::CellBatch> batches(2);
  *batches[0].add_cells() = Total(10, 1);
  *batches[1].add_cells() = Total(20, 1);
  auto acks = cells_.ApplyBatches(db_.get(), published_.get(),
                                  {{&luyang, &batches[0]}, {&stranger, &batches[1]}}, 2000);
  EXPECT_FALSE(acks.ok());
}

// The live cells counted per child (for its limit) follow what is stored: a new cell
// adds one, an update nothing, a tombstone takes one away, a new epoch starts at none.
TEST_F(ChildCellsTest, LiveCellsFollowNewCellsTombstonesAndEpochs) {
  Hello("luyang", 1);
  EXPECT_EQ(cells_.LiveCells("luyang"), 0);
  Apply("luyang", {Total(5, 1), ByRegion("europe", 3, 2)});
  EXPECT_EQ(cells_.LiveCells("luyang"), 2);
  Apply("luyang", {Total(6, 3)});  // an update
  EXPECT_EQ(cells_.LiveCells("luyang"), 2);
  v1::Cell gone = Total(0, 4);
  gone.set_deleted(true);
  Apply("luyang", {gone});
  EXPECT_EQ(cells_.LiveCells("luyang"), 1);
  Hello("luyang", 2);  // starts afresh
  EXPECT_EQ(cells_.LiveCells("luyang"), 0);
}

}  // namespace
}  // namespace fedsync
