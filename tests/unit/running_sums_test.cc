#include "city_node/running_sums.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "city_node/child_cells.h"
#include "gtest/gtest.h"
#include "shared/migrations.h"
#include "tests/unit/database_test_support.h"

namespace fedsync {
namespace {

class RunningSumsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = MigratedMemoryDatabase(CityMigrations());
    ASSERT_NE(db_, nullptr);
  }

  void Insert(const std::string& child, const std::string& dims, int64_t value,
              v1::CellStatus status, bool deleted = false) {
    ASSERT_TRUE(db_->Execute(absl::StrCat("INSERT INTO child_cells VALUES('", child,
                                          "', 'm', '2026', '", dims, "', ", value, ", ",
                                          static_cast<int>(status), ", ", deleted ? 1 : 0, ", 1)"))
                    .ok());
  }

  std::unique_ptr<Database> db_;
  RunningSums sums_;
};

const CellKey kTotal{"m", "2026", ""};
const CellKey kEurope{"m", "2026", "region=europe"};

TEST_F(RunningSumsTest, LoadSumsTheLiveChildCells) {
  Insert("a", "", 5, v1::OK);
  Insert("b", "", 0, v1::SUPPRESSED);
  Insert("c", "", 7, v1::NOISY);
  Insert("d", "", 100, v1::OK, /*deleted=*/true);
  Insert("a", "region=europe", 3, v1::PERTURBED);
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  EXPECT_EQ(sums_.Get(kTotal), (Sums{12, 3, 1, 1, 0}));
  EXPECT_EQ(sums_.Get(kEurope), (Sums{3, 1, 0, 0, 1}));
  EXPECT_EQ(sums_.size(), 2u);
  EXPECT_EQ(PublishedValue(sums_.Get(kTotal)), (CellValue{12, v1::PARTIAL}));
  EXPECT_EQ(PublishedValue(sums_.Get(kEurope)), (CellValue{3, v1::PERTURBED}));
  EXPECT_EQ(PublishedValue(sums_.Get(CellKey{"m", "2026", "region=asia"})), std::nullopt);
}

// What Publish reports: key, before, after, seq.
struct Published {
  CellKey key;
  Sums before;
  Sums after;
  uint64_t seq;
};

// Publishes with `fn`'s answer as each cell's new seq; by default it writes no row.
std::vector<Published> PublishAll(
    RunningSums& sums,
    std::function<uint64_t(uint64_t seq)> fn = [](uint64_t seq) { return seq; }) {
  std::vector<Published> out;
  EXPECT_TRUE(sums.Publish([&](const CellKey& key, const Sums& before, const Sums& after,
                               uint64_t seq) -> absl::StatusOr<uint64_t> {
                    out.push_back(Published{key, before, after, seq});
                    return fn(seq);
                  })
                  .ok());
  return out;
}

TEST_F(RunningSumsTest, PublishReportsEachChangedSumOnceInFirstChangeOrder) {
  Insert("a", "", 5, v1::OK);
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  sums_.Add(db_.get(), kEurope, Sums{2, 1, 0, 0, 0});
  sums_.Add(db_.get(), kTotal, Sums{1, 1, 0, 0, 0});
  sums_.Add(db_.get(), kEurope, Sums{3, 1, 0, 0, 0});
  sums_.Add(db_.get(), kTotal, Sums{});  // changes nothing
  std::vector<Published> published = PublishAll(sums_);
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0].key, kEurope);
  EXPECT_EQ(published[0].before, Sums{});
  EXPECT_EQ(published[0].after, (Sums{5, 2, 0, 0, 0}));
  EXPECT_EQ(published[1].key, kTotal);
  EXPECT_EQ(published[1].before, (Sums{5, 1, 0, 0, 0}));
  EXPECT_EQ(published[1].after, (Sums{6, 2, 0, 0, 0}));
  EXPECT_TRUE(PublishAll(sums_).empty());  // nothing changed since
}

TEST_F(RunningSumsTest, ASumWithoutInputsIsDroppedWhenPublished) {
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  sums_.Add(db_.get(), kTotal, Sums{4, 1, 0, 0, 0});
  PublishAll(sums_);
  EXPECT_EQ(sums_.size(), 1u);
  sums_.Add(db_.get(), kTotal, Sums{-4, -1, 0, 0, 0});
  std::vector<Published> published = PublishAll(sums_);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(PublishedValue(published[0].after), std::nullopt);
  EXPECT_EQ(sums_.size(), 0u);
}

TEST_F(RunningSumsTest, ASumWithoutInputsStaysWhileItHasAPublishedRow) {
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  uint64_t next_seq = 0;
  const auto write_row = [&](uint64_t) { return ++next_seq; };
  sums_.Add(db_.get(), kTotal, Sums{4, 1, 0, 0, 0});
  ASSERT_EQ(PublishAll(sums_, write_row).at(0).seq, 0u);
  EXPECT_EQ(sums_.PublishedSeq(kTotal), 1u);
  sums_.Add(db_.get(), kTotal, Sums{-4, -1, 0, 0, 0});
  ASSERT_EQ(PublishAll(sums_, write_row).at(0).seq, 1u);  // the row the tombstone replaces
  EXPECT_EQ(sums_.size(), 1u);
  EXPECT_EQ(sums_.Get(kTotal), Sums{});
  EXPECT_EQ(sums_.PublishedSeq(kTotal), 2u);
  sums_.Add(db_.get(), kTotal, Sums{1, 1, 0, 0, 0});
  ASSERT_EQ(PublishAll(sums_, write_row).at(0).seq, 2u);  // back from its tombstone
  EXPECT_EQ(sums_.PublishedSeq(kTotal), 3u);
}

TEST_F(RunningSumsTest, LoadReadsEachPublishedRowsSeqTombstonesIncluded) {
  Insert("a", "", 5, v1::OK);
  ASSERT_TRUE(db_->Execute("INSERT INTO published_cells(seq, metric, period, dims, value, "
                           "status, deleted) VALUES(7, 'm', '2026', '', 5, 1, 0), "
                           "(9, 'm', '2026', 'region=europe', 0, 0, 1)")
                  .ok());
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  EXPECT_EQ(sums_.PublishedSeq(kTotal), 7u);
  EXPECT_EQ(sums_.PublishedSeq(kEurope), 9u);
  EXPECT_EQ(sums_.Get(kEurope), Sums{});
  EXPECT_EQ(sums_.PublishedSeq(CellKey{"m", "2026", "region=asia"}), 0u);
  sums_.Add(db_.get(), kEurope, Sums{2, 1, 0, 0, 0});
  std::vector<Published> published = PublishAll(sums_);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].seq, 9u);  // the tombstone's row, to be replaced
}

TEST_F(RunningSumsTest, ARolledBackTransactionLeavesTheSumsTheDatabaseKept) {
  Insert("a", "", 5, v1::OK);
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  {
    auto transaction = Transaction::Begin(db_.get());
    ASSERT_TRUE(transaction.ok());
    Insert("b", "", 6, v1::OK);
    sums_.Add(db_.get(), kTotal, Sums{6, 1, 0, 0, 0});
    PublishAll(sums_);
    ASSERT_TRUE((*transaction)->Commit().ok());
  }
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  EXPECT_EQ(sums_.Get(kTotal).total, 11);
  {
    auto transaction = Transaction::Begin(db_.get());
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(sums_.Load(db_.get()).ok());
    Insert("c", "region=europe", 7, v1::OK);
    sums_.Add(db_.get(), kEurope, Sums{7, 1, 0, 0, 0});
    sums_.Add(db_.get(), kTotal, Sums{7, 1, 0, 0, 0});
    PublishAll(sums_, [](uint64_t) { return uint64_t{42}; });
    EXPECT_EQ(sums_.PublishedSeq(kEurope), 42u);
  }  // rolled back
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  EXPECT_EQ(sums_.Get(kTotal).total, 11);
  EXPECT_EQ(sums_.Get(kEurope), Sums{});
  EXPECT_EQ(sums_.PublishedSeq(kEurope), 0u);
  EXPECT_EQ(sums_.size(), 1u);
}

TEST_F(RunningSumsTest, LiveCellsCountEachChildAndChangeWhenCommitted) {
  Insert("a", "", 5, v1::OK);
  Insert("a", "region=europe", 3, v1::OK);
  Insert("a", "region=asia", 0, v1::OK, /*deleted=*/true);
  Insert("b", "", 6, v1::OK);
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  EXPECT_EQ(sums_.LiveCells("a"), 2);
  EXPECT_EQ(sums_.LiveCells("b"), 1);
  EXPECT_EQ(sums_.LiveCells("nobody"), 0);
  {
    auto transaction = Transaction::Begin(db_.get());
    ASSERT_TRUE(transaction.ok());
    sums_.AddLiveCells(db_.get(), "a", 3);
    sums_.AddLiveCells(db_.get(), "b", -1);
    EXPECT_EQ(sums_.LiveCells("a"), 2);  // not committed yet
    ASSERT_TRUE((*transaction)->Commit().ok());
  }
  EXPECT_EQ(sums_.LiveCells("a"), 5);
  EXPECT_EQ(sums_.LiveCells("b"), 0);
  {
    auto transaction = Transaction::Begin(db_.get());
    ASSERT_TRUE(transaction.ok());
    sums_.AddLiveCells(db_.get(), "a", 7);
  }  // rolled back
  EXPECT_EQ(sums_.LiveCells("a"), 5);
}

TEST_F(RunningSumsTest, LoadReadsOnceWhileTransactionsCommit) {
  Insert("a", "", 5, v1::OK);
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  Insert("b", "", 6, v1::OK);  // not through the sums: a second Load must not count it
  ASSERT_TRUE(sums_.Load(db_.get()).ok());
  EXPECT_EQ(sums_.Get(kTotal).total, 5);
}

// A city database with only the first `version` migrations.
std::unique_ptr<Database> CityAtVersion(size_t version) {
  const Migrations& all = CityMigrations();
  return MigratedMemoryDatabase(Migrations(all.begin(), all.begin() + version));
}

// A city database from before the sums moved to memory keeps its child cells, and the
// sums read from them are the ones its aggregates table held.
TEST(CityMigrationTest, SixKeepsTheChildCellsAndDropsTheAggregates) {
  std::unique_ptr<Database> db = CityAtVersion(5);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Execute("INSERT INTO children(child_id, level, path, epoch, watermark, "
                          "child_max_seq, catalog_version, last_seen_millis) "
                          "VALUES('a', 1, 'a', 1, 2, 2, 1, 0), ('b', 1, 'b', 1, 1, 1, 1, 0);"
                          "INSERT INTO child_cells VALUES('a', 'm', '2026', '', 5, 1, 0, 1), "
                          "('a', 'm', '2026', 'x=y', 2, 1, 0, 2), "
                          "('b', 'm', '2026', '', 0, 2, 0, 1);"
                          "INSERT INTO aggregates VALUES('m', '2026', '', 5, 2, 1, 0, 0), "
                          "('m', '2026', 'x=y', 2, 1, 0, 0, 0);")
                  .ok());
  ASSERT_TRUE(Migrate(db.get(), CityMigrations()).ok());
  auto count = db->Prepare("SELECT COUNT(*), SUM(value), SUM(seq) FROM child_cells");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt(0), 3);
  EXPECT_EQ(count->ColumnInt(1), 7);
  EXPECT_EQ(count->ColumnInt(2), 4);
  EXPECT_FALSE(db->Prepare("SELECT * FROM aggregates").ok());
  RunningSums sums;
  ASSERT_TRUE(sums.Load(db.get()).ok());
  EXPECT_EQ(sums.Get(CellKey{"m", "2026", ""}), (Sums{5, 2, 1, 0, 0}));
  EXPECT_EQ(sums.Get(CellKey{"m", "2026", "x=y"}), (Sums{2, 1, 0, 0, 0}));
}

// A city's published cells keep their rows and seqs when the table is keyed by seq.
TEST(CityMigrationTest, SevenKeysThePublishedCellsBySeq) {
  std::unique_ptr<Database> db = CityAtVersion(6);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Execute("INSERT INTO published_cells VALUES('m', '2026', '', 5, 1, 0, 3), "
                          "('m', '2026', 'x=y', 0, 0, 1, 8)")
                  .ok());
  ASSERT_TRUE(Migrate(db.get(), CityMigrations()).ok());
  auto rows = db->Prepare("SELECT rowid, dims, value, deleted FROM published_cells ORDER BY seq");
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->ColumnInt(0), 3);  // the seq is the row's key
  EXPECT_EQ(rows->ColumnText(1), "");
  EXPECT_EQ(rows->ColumnInt(2), 5);
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->ColumnInt(0), 8);
  EXPECT_EQ(rows->ColumnInt(3), 1);
  EXPECT_FALSE(*rows->Step());
}

}  // namespace
}  // namespace fedsync
