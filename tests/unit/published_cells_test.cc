#include "shared/published_cells.h"

#include <filesystem>

#include "city_node/child_cells.h"
#include "gtest/gtest.h"
#include "shared/migrations.h"
#include "tests/unit/database_test_support.h"

namespace fedsync {
namespace {

// The layout a district keeps (its migrations 1 and 8).
const Migrations& DistrictLayout() {
  static const auto* layout = new Migrations{kPublishedCellsSchema, kPublishedCellsKeyedBySeq};
  return *layout;
}

class PublishedCellsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = MigratedMemoryDatabase(DistrictLayout());
    ASSERT_NE(db_, nullptr);
    auto cells = PublishedCells::Open(db_.get());
    ASSERT_TRUE(cells.ok()) << cells.status();
    cells_ = std::move(*cells);
  }

  std::vector<v1::Cell> After(uint64_t seq) {
    auto cells = ReadCellsAfter(db_.get(), seq, 1000);
    EXPECT_TRUE(cells.ok());
    return *cells;
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<PublishedCells> cells_;
};

const CellKey kTotal{"returned_students_total", "2026", ""};
const CellKey kEurope{"returned_students_by_region", "2026", "region=europe"};

TEST_F(PublishedCellsTest, NewDatabaseGetsAnEpochAndStartsAtSeqZero) {
  EXPECT_NE(cells_->epoch(), 0u);
  EXPECT_EQ(cells_->max_seq(), 0u);
  EXPECT_EQ(cells_->last_acked_seq(), 0u);
}

TEST_F(PublishedCellsTest, ReplaceAllTakesSeqsOnlyForChanges) {
  auto changed = cells_->ReplaceAll({{kTotal, {53, v1::OK}}, {kEurope, {0, v1::SUPPRESSED}}});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 2);
  EXPECT_EQ(cells_->max_seq(), 2u);

  changed = cells_->ReplaceAll({{kTotal, {53, v1::OK}}, {kEurope, {0, v1::SUPPRESSED}}});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 0);
  EXPECT_EQ(cells_->max_seq(), 2u);

  changed = cells_->ReplaceAll({{kTotal, {54, v1::OK}}, {kEurope, {0, v1::SUPPRESSED}}});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 1);
  std::vector<v1::Cell> cells = After(2);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].metric(), kTotal.metric);
  EXPECT_EQ(cells[0].value(), 54);
  EXPECT_EQ(cells[0].seq(), 3u);
}

TEST_F(PublishedCellsTest, MissingCellsBecomeTombstonesAndCanComeBack) {
  ASSERT_TRUE(cells_->ReplaceAll({{kTotal, {5, v1::OK}}, {kEurope, {4, v1::OK}}}).ok());
  ASSERT_TRUE(cells_->ReplaceAll({{kTotal, {5, v1::OK}}}).ok());
  std::vector<v1::Cell> cells = After(2);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_TRUE(cells[0].deleted());
  EXPECT_EQ(cells[0].value(), 0);
  ASSERT_EQ(cells[0].dims_size(), 1);
  EXPECT_EQ(cells[0].dims(0).value(), "europe");

  ASSERT_TRUE(cells_->ReplaceAll({{kTotal, {5, v1::OK}}, {kEurope, {4, v1::OK}}}).ok());
  cells = After(3);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_FALSE(cells[0].deleted());
  EXPECT_EQ(cells[0].value(), 4);
}

TEST_F(PublishedCellsTest, SuppressedCellTravelsWithoutItsValue) {
  // Even if a caller passed a value with SUPPRESSED, the wire cell must not carry it.
  ASSERT_TRUE(cells_->ReplaceAll({{kEurope, {2, v1::SUPPRESSED}}}).ok());
  std::vector<v1::Cell> cells = After(0);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].status(), v1::SUPPRESSED);
  EXPECT_EQ(cells[0].value(), 0);
}

TEST_F(PublishedCellsTest, PutChangesOneCell) {
  auto changed = cells_->Put(kTotal, CellValue{7, v1::OK});
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  changed = cells_->Put(kTotal, CellValue{7, v1::OK});
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  changed = cells_->Put(kTotal, std::nullopt);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  changed = cells_->Put(kTotal, std::nullopt);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(cells_->max_seq(), 2u);
  auto live = ReadPublishedCells(db_.get(), kTotal.metric, "");
  ASSERT_TRUE(live.ok());
  EXPECT_TRUE(live->empty());
}

TEST_F(PublishedCellsTest, ReadCellsAfterIsInSeqOrderAndLimited) {
  ASSERT_TRUE(cells_->Put(kEurope, CellValue{1, v1::OK}).ok());
  ASSERT_TRUE(cells_->Put(kTotal, CellValue{2, v1::OK}).ok());
  ASSERT_TRUE(cells_->Put(kEurope, CellValue{3, v1::OK}).ok());
  auto cells = ReadCellsAfter(db_.get(), 0, 2);
  ASSERT_TRUE(cells.ok());
  ASSERT_EQ(cells->size(), 2u);
  EXPECT_EQ((*cells)[0].seq(), 2u);  // kEurope's first version was replaced by seq 3
  EXPECT_EQ((*cells)[1].seq(), 3u);
}

TEST_F(PublishedCellsTest, NewEpochResetsTheAckedSeqButNotTheSeq) {
  ASSERT_TRUE(cells_->Put(kTotal, CellValue{1, v1::OK}).ok());
  ASSERT_TRUE(cells_->SetLastAckedSeq(1).ok());
  const uint64_t old_epoch = cells_->epoch();
  ASSERT_TRUE(cells_->StartNewEpoch().ok());
  EXPECT_NE(cells_->epoch(), old_epoch);
  EXPECT_EQ(cells_->last_acked_seq(), 0u);
  EXPECT_EQ(cells_->max_seq(), 1u);
}

// On a parent's table, keyed by seq: each Replace moves the cell to a new seq, and the
// outbox and the reads see one row per cell.
TEST(PublishedCellsBySeqTest, ReplaceMovesACellToANewSeq) {
  std::unique_ptr<Database> db = MigratedMemoryDatabase(CityMigrations());
  ASSERT_NE(db, nullptr);
  auto cells = PublishedCells::Open(db.get());
  ASSERT_TRUE(cells.ok());
  auto total = (*cells)->Replace(0, kTotal, CellValue{5, v1::OK});
  ASSERT_TRUE(total.ok()) << total.status();
  auto europe = (*cells)->Replace(0, kEurope, CellValue{2, v1::OK});
  ASSERT_TRUE(europe.ok());
  total = (*cells)->Replace(*total, kTotal, std::nullopt);
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(*total, 3u);
  total = (*cells)->Replace(*total, kTotal, CellValue{6, v1::PARTIAL});
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(*total, 4u);
  auto after = ReadCellsAfter(db.get(), 0, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].seq(), 2u);
  EXPECT_EQ((*after)[1].seq(), 4u);
  EXPECT_EQ((*after)[1].value(), 6);
  EXPECT_FALSE((*after)[1].deleted());
  auto live = ReadPublishedCells(db.get(), kTotal.metric, "2026");
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].status(), v1::PARTIAL);
  // A seq no row has is a caller's mistake, found before anything is written.
  auto wrong = (*cells)->Replace(3, kTotal, CellValue{7, v1::OK});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ((*cells)->max_seq(), 4u);
}

// District migration 8 keeps every cell, tombstones included, at its seq; afterwards a
// cell is still found by key, each key and each seq is still unique, and the outbox
// is read in the table's own order.
TEST(PublishedCellsMigrationTest, KeyedBySeqKeepsEveryCellAtItsSeq) {
  std::unique_ptr<Database> db = MigratedMemoryDatabase({kPublishedCellsSchema});
  ASSERT_NE(db, nullptr);
  {
    auto cells = PublishedCells::Open(db.get());
    ASSERT_TRUE(cells.ok());
    ASSERT_TRUE((*cells)->Put(kTotal, CellValue{1, v1::OK}).ok());
    ASSERT_TRUE((*cells)->Put(kEurope, CellValue{0, v1::SUPPRESSED}).ok());
    ASSERT_TRUE((*cells)->Put(kTotal, std::nullopt).ok());
  }
  auto before = ReadCellsAfter(db.get(), 0, 10);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 2u);
  ASSERT_TRUE(Migrate(db.get(), DistrictLayout()).ok());
  auto after = ReadCellsAfter(db.get(), 0, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < before->size(); ++i) {
    EXPECT_EQ((*after)[i].SerializeAsString(), (*before)[i].SerializeAsString()) << i;
  }
  auto cells = PublishedCells::Open(db.get());
  ASSERT_TRUE(cells.ok());
  EXPECT_EQ((*cells)->max_seq(), 3u);
  auto changed = (*cells)->Put(kEurope, CellValue{5, v1::OK});
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  after = ReadCellsAfter(db.get(), 2, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].seq(), 3u);
  EXPECT_TRUE((*after)[0].deleted());
  EXPECT_EQ((*after)[1].seq(), 4u);
  EXPECT_EQ((*after)[1].value(), 5);
  EXPECT_FALSE(db->Execute("INSERT INTO published_cells(seq, metric, period, dims, value, "
                           "status, deleted) VALUES(9, 'returned_students_total', '2026', "
                           "'', 1, 1, 0)")
                   .ok());
  EXPECT_FALSE(db->Execute("INSERT INTO published_cells(seq, metric, period, dims, value, "
                           "status, deleted) VALUES(4, 'm', '2026', '', 1, 1, 0)")
                   .ok());
  // The uplink's read of the outbox (ReadCellsAfter) is a range of the table's key.
  auto plan = db->Prepare(
      "EXPLAIN QUERY PLAN SELECT metric, period, dims, value, status, deleted, seq "
      "FROM published_cells WHERE seq > ? ORDER BY seq LIMIT ?");
  ASSERT_TRUE(plan.ok());
  auto row = plan->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(plan->ColumnText(3), "SEARCH published_cells USING INTEGER PRIMARY KEY (rowid>?)");
}

TEST(PublishedCellsFileTest, EpochSeqAndAckSurviveReopening) {
  const std::string path =
      ::testing::TempDir() + "/published_cells_test_" + std::to_string(::getpid()) + ".db";
  std::filesystem::remove(path);
  uint64_t epoch = 0;
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(Migrate(db->get(), DistrictLayout()).ok());
    auto cells = PublishedCells::Open(db->get());
    ASSERT_TRUE(cells.ok());
    epoch = (*cells)->epoch();
    ASSERT_TRUE((*cells)->Put(kTotal, CellValue{1, v1::OK}).ok());
    ASSERT_TRUE((*cells)->Put(kTotal, std::nullopt).ok());
    ASSERT_TRUE((*cells)->SetLastAckedSeq(2).ok());
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  auto cells = PublishedCells::Open(db->get());
  ASSERT_TRUE(cells.ok());
  EXPECT_EQ((*cells)->epoch(), epoch);
  EXPECT_EQ((*cells)->max_seq(), 2u);
  EXPECT_EQ((*cells)->last_acked_seq(), 2u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace fedsync
