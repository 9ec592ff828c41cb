#include "shared/database.h"

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "shared/migrations.h"

namespace fedsync {
namespace {

std::unique_ptr<Database> Memory() {
  auto db = Database::Open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status();
  return std::move(*db);
}

int64_t CountRows(Database* db, const std::string& table) {
  auto statement = db->Prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(statement.ok());
  auto row = statement->Step();
  EXPECT_TRUE(row.ok() && *row);
  return statement->ColumnInt(0);
}

TEST(DatabaseTest, StatementBindsAndReadsBack) {
  auto db = Memory();
  ASSERT_TRUE(db->Execute("CREATE TABLE t(i INTEGER, s TEXT, b BLOB, n TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES(?, ?, ?, ?)");
  ASSERT_TRUE(insert.ok());
  insert->Bind(1, int64_t{-7}).Bind(2, "庐阳区").BindBlob(3, std::string("a\0b", 3)).BindNull(4);
  ASSERT_TRUE(insert->Run().ok());
  auto select = db->Prepare("SELECT i, s, b, n FROM t");
  ASSERT_TRUE(select.ok());
  auto row = select->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(select->ColumnInt(0), -7);
  EXPECT_EQ(select->ColumnText(1), "庐阳区");
  EXPECT_EQ(select->ColumnBlob(2), std::string("a\0b", 3));
  EXPECT_TRUE(select->ColumnIsNull(3));
  row = select->Step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST(DatabaseTest, UnownedTextIsStoredAsBoundAndRebindingAfterResetWorks) {
  auto db = Memory();
  ASSERT_TRUE(db->Execute("CREATE TABLE t(s TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES(?)");
  ASSERT_TRUE(insert.ok());
  for (const std::string text : {"returned_students_total", "region=europe"}) {
    insert->Reset();
    insert->BindUnowned(1, text);
    ASSERT_TRUE(insert->Run().ok());
  }
  auto select = db->Prepare("SELECT s FROM t ORDER BY rowid");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->ColumnText(0), "returned_students_total");
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->ColumnText(0), "region=europe");
}

TEST(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  auto db = Memory();
  ASSERT_TRUE(db->Execute("CREATE TABLE t(i INTEGER)").ok());
  {
    auto transaction = Transaction::Begin(db.get());
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(db->Execute("INSERT INTO t VALUES(1)").ok());
  }
  EXPECT_EQ(CountRows(db.get(), "t"), 0);
  {
    auto transaction = Transaction::Begin(db.get());
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(db->Execute("INSERT INTO t VALUES(1)").ok());
    ASSERT_TRUE((*transaction)->Commit().ok());
  }
  EXPECT_EQ(CountRows(db.get(), "t"), 1);
}

TEST(DatabaseTest, TransactionEndCallbacksSayWhetherItCommitted) {
  auto db = Memory();
  std::vector<bool> ends;
  const auto record = [&](bool committed) { ends.push_back(committed); };
  {
    auto transaction = Transaction::Begin(db.get());
    ASSERT_TRUE(transaction.ok());
    EXPECT_TRUE(db->InTransaction());
    db->OnTransactionEnd(record);
    EXPECT_TRUE(ends.empty());
    ASSERT_TRUE((*transaction)->Commit().ok());
  }
  EXPECT_FALSE(db->InTransaction());
  {
    auto transaction = Transaction::Begin(db.get());
    ASSERT_TRUE(transaction.ok());
    db->OnTransactionEnd(record);
  }  // rolled back
  db->OnTransactionEnd(record);  // autocommit: at once
  {
    auto transaction = Transaction::Begin(db.get());
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE((*transaction)->Commit().ok());  // nothing registered: nothing called
  }
  EXPECT_EQ(ends, (std::vector<bool>{true, false, true}));
}

TEST(DatabaseTest, ConstraintViolationIsAlreadyExists) {
  auto db = Memory();
  ASSERT_TRUE(db->Execute("CREATE TABLE t(i INTEGER PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Execute("INSERT INTO t VALUES(1)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES(1)");
  ASSERT_TRUE(insert.ok());
  EXPECT_EQ(insert->Run().code(), absl::StatusCode::kAlreadyExists);
}

TEST(DatabaseTest, BadSqlIsAnError) {
  auto db = Memory();
  EXPECT_FALSE(db->Prepare("SELEC nothing").ok());
  EXPECT_FALSE(db->Execute("CREATE TABLE").ok());
}

// Two queries of a reader in one snapshot see the same commit, whatever the writer
// commits between them; after the snapshot the reader sees the new commit.
TEST(DatabaseTest, AReadSnapshotSeesOneCommitAcrossQueries) {
  const std::string path =
      ::testing::TempDir() + "/database_test_snapshot_" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  auto writer = Database::Open(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->Execute("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(1)").ok());
  auto reader = Database::Open(path, Database::Mode::kReadOnly);
  ASSERT_TRUE(reader.ok()) << reader.status();
  {
    auto snapshot = ReadSnapshot::Begin(reader->get());
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    EXPECT_EQ(CountRows(reader->get(), "t"), 1);
    ASSERT_TRUE((*writer)->Execute("INSERT INTO t VALUES(2)").ok());
    EXPECT_EQ(CountRows(reader->get(), "t"), 1);
  }
  EXPECT_EQ(CountRows(reader->get(), "t"), 2);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

TEST(MigrationsTest, AppliesInOrderAndOnlyOnce) {
  auto db = Memory();
  Migrations migrations = {"CREATE TABLE a(x INTEGER);", "ALTER TABLE a ADD COLUMN y TEXT;"};
  ASSERT_TRUE(Migrate(db.get(), migrations).ok());
  EXPECT_EQ(*SchemaVersion(db.get()), 2);
  ASSERT_TRUE(Migrate(db.get(), migrations).ok());  // nothing left to apply
  EXPECT_TRUE(db->Execute("INSERT INTO a(x, y) VALUES(1, 'z')").ok());
  migrations.push_back("CREATE TABLE b(z INTEGER);");
  ASSERT_TRUE(Migrate(db.get(), migrations).ok());
  EXPECT_EQ(*SchemaVersion(db.get()), 3);
  EXPECT_EQ(CountRows(db.get(), "a"), 1);
}

TEST(MigrationsTest, FailedMigrationLeavesTheOldVersion) {
  auto db = Memory();
  ASSERT_TRUE(Migrate(db.get(), {"CREATE TABLE a(x INTEGER);"}).ok());
  absl::Status status =
      Migrate(db.get(), {"CREATE TABLE a(x INTEGER);", "CREATE TABLE b(y); CREATE TABLE a(q);"});
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(*SchemaVersion(db.get()), 1);
  EXPECT_FALSE(db->Prepare("SELECT * FROM b").ok());  // rolled back with the version
}

TEST(MigrationsTest, RefusesADatabaseNewerThanTheCode) {
  auto db = Memory();
  ASSERT_TRUE(Migrate(db.get(), {"CREATE TABLE a(x);", "CREATE TABLE b(x);"}).ok());
  absl::Status status = Migrate(db.get(), {"CREATE TABLE a(x);"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("newer"), absl::string_view::npos);
}

}  // namespace
}  // namespace fedsync
