// A node restored from a backup, with a real store file under it and the parent's real
// ChildCells: its parent converges, whatever the node wrote before they met again.
#include <unistd.h>

#include <filesystem>

#include "city_node/child_cells.h"
#include "gtest/gtest.h"
#include "shared/node_store.h"
#include "shared/uplink_session.h"
#include "tests/unit/database_test_support.h"

namespace fedsync {
namespace {

v1::Cell ByRegion(const std::string& region, int64_t value, uint64_t seq, bool deleted = false) {
  v1::Cell cell;
  cell.set_metric("returned_students_by_region");
  cell.set_period("2026");
  cell.set_value(value);
  cell.set_status(v1::OK);
  cell.set_seq(seq);
  cell.set_deleted(deleted);
  v1::DimensionValue* dim = cell.add_dims();
  dim->set_key("region");
  dim->set_value(region);
  return cell;
}

// The city: a real NodeStore on a file and its ChildCells (running sums in memory).
struct City {
  std::unique_ptr<NodeStore> store;
  std::unique_ptr<ChildCells> cells;
};

class Province {
 public:
  Province() {
    db_ = MigratedMemoryDatabase(CityMigrations());
    published_ = *PublishedCells::Open(db_.get());
  }
  // One Sync stream from `city` until its outbox is drained; returns the Welcome action.
  UplinkSession::WelcomeAction Pump(NodeStore* city) {
    UplinkSession session(city, UplinkIdentity{"hefei", v1::CITY, "anhui/hefei", 1, ""}, 100, 4);
    v1::Hello hello = session.Hello().hello();
    auto welcome = cells_.ApplyHello(db_.get(), published_.get(), hello, 1000);
    EXPECT_TRUE(welcome.ok()) << welcome.status();
    auto action = session.OnWelcome(*welcome);
    EXPECT_TRUE(action.ok()) << action.status();
    if (*action != UplinkSession::WelcomeAction::kStream) return *action;
    while (true) {
      auto batch = session.NextBatch();
      EXPECT_TRUE(batch.ok());
      if (!batch->has_value()) break;
      auto ack = cells_.ApplyBatch(db_.get(), published_.get(), "hefei", (*batch)->batch(), 2000);
      EXPECT_TRUE(ack.ok()) << ack.status();
      EXPECT_TRUE(session.OnAck(*ack).ok());
    }
    return *action;
  }
  // The province's copy of hefei's live cell for `region` (-1: none).
  int64_t CopyOf(const std::string& region) {
    auto cells = ReadChildCells(db_.get(), "returned_students_by_region", "2026");
    EXPECT_TRUE(cells.ok());
    for (const auto& cell : *cells) {
      if (cell.cell().dims(0).value() == region) return cell.cell().value();
    }
    return -1;
  }
  uint64_t Watermark() { return *ChildWatermark(db_.get(), "hefei"); }

 private:
  std::unique_ptr<Database> db_;
  std::unique_ptr<PublishedCells> published_;
  CatalogHolder catalogs_{Catalog::Default()};
  ChildCells cells_{&catalogs_};
};

// With GetParam(), the city also restarts after writing past the province's watermark
// and before the province is back (what it vouches for must outlive the process).
class RestoredCityTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/restored_node_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    city_ = City{};
    std::filesystem::remove_all(dir_);
  }
  std::string Path() const { return dir_ + "/hefei.db"; }
  void Open() {
    auto store = NodeStore::Open(Path(), CityMigrations());
    ASSERT_TRUE(store.ok()) << store.status();
    city_.store = std::move(*store);
    city_.cells = std::make_unique<ChildCells>(&catalogs_);
    ASSERT_TRUE(city_.store->Read([&](Database* db) { return city_.cells->LoadSums(db); }).ok());
  }
  void Close() {
    city_.cells.reset();
    city_.store.reset();
  }
  void Copy(const std::string& from, const std::string& to) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(to + suffix);
      if (std::filesystem::exists(from + suffix)) std::filesystem::copy_file(from + suffix, to + suffix);
    }
  }
  void Hello(const std::string& child, uint64_t epoch) {
    v1::Hello hello;
    hello.set_node_id(child);
    hello.set_level(v1::DISTRICT);
    hello.set_epoch(epoch);
    ASSERT_TRUE(city_.store
                    ->Write([&](Database* db, PublishedCells* published) {
                      return city_.cells->ApplyHello(db, published, hello, 1000).status();
                    })
                    .ok());
  }
  void Batch(const std::string& child, std::vector<v1::Cell> cells) {
    v1::CellBatch batch;
    batch.set_batch_id(1);
    for (v1::Cell& cell : cells) *batch.add_cells() = std::move(cell);
    ASSERT_TRUE(city_.store
                    ->Write([&](Database* db, PublishedCells* published) {
                      return city_.cells->ApplyBatch(db, published, child, batch, 2000).status();
                    })
                    .ok());
  }
  // The city's own published value for `region` (-1: none).
  int64_t Published(const std::string& region) {
    int64_t value = -1;
    EXPECT_TRUE(city_.store
                    ->Read([&](Database* db) -> absl::Status {
                      auto cells = ReadPublishedCells(db, "returned_students_by_region", "2026");
                      if (!cells.ok()) return cells.status();
                      for (const auto& cell : *cells) {
                        if (cell.dims(0).value() == region) value = cell.value();
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return value;
  }

  std::string dir_;
  CatalogHolder catalogs_{Catalog::Default()};
  City city_;
};

// A city restored from a backup while its province is unreachable: its districts
// resync into it (they see it lost what it acked), its seq climbs past the province's
// watermark, and only then does the uplink reach the province. The watermark lies
// between what the city last recorded as acked and its max seq, but above what its
// database held when opened: the seqs below it may name other cells now, so the city
// starts a new epoch and the province replaces its copy.
TEST_P(RestoredCityTest, ProvinceConvergesAfterTheCityIsRestoredFromABackup) {
  Province province;
  Hello("luyang", 1);
  Batch("luyang", {ByRegion("europe", 10, 1), ByRegion("east_asia", 20, 2)});
  ASSERT_EQ(province.Pump(city_.store.get()), UplinkSession::WelcomeAction::kStream);

  // Backup (the city stopped cleanly), then a day of changes the province receives.
  Close();
  Copy(Path(), dir_ + "/backup.db");
  Open();
  for (int i = 0; i < 10; ++i) {
    Batch("luyang", {ByRegion("europe", 11 + i, 3 + static_cast<uint64_t>(i))});
  }
  ASSERT_EQ(province.Pump(city_.store.get()), UplinkSession::WelcomeAction::kStream);
  const uint64_t watermark = province.Watermark();
  EXPECT_EQ(province.CopyOf("east_asia"), 20);

  // Restored from the backup; the province is unreachable for a while.
  Close();
  Copy(dir_ + "/backup.db", Path());
  Open();
  const uint64_t restored_max = city_.store->max_seq();
  // luyang finds the city behind what it acked: a new epoch, everything again (and it
  // changed asia meanwhile).
  Hello("luyang", 2);
  Batch("luyang", {ByRegion("europe", 20, 1), ByRegion("east_asia", 25, 2)});
  // Another district's ordinary traffic.
  Hello("yaohai", 1);
  for (int i = 0; i < 8; ++i) Batch("yaohai", {ByRegion("oceania", 1 + i, 1 + static_cast<uint64_t>(i))});
  ASSERT_LT(restored_max, watermark);
  ASSERT_GT(city_.store->max_seq(), watermark) << "the case a seq comparison alone misses";
  if (GetParam()) {
    Close();
    Open();
  }

  // The province is back.
  ASSERT_EQ(province.Pump(city_.store.get()), UplinkSession::WelcomeAction::kRestart);
  ASSERT_EQ(province.Pump(city_.store.get()), UplinkSession::WelcomeAction::kStream);
  // Guarantee 4: the province's copy equals what the city publishes.
  EXPECT_EQ(province.CopyOf("east_asia"), Published("east_asia"));
  EXPECT_EQ(province.CopyOf("europe"), Published("europe"));
  EXPECT_EQ(province.CopyOf("oceania"), Published("oceania"));
}
INSTANTIATE_TEST_SUITE_P(Restarts, RestoredCityTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "RestartedBeforeReconnecting" : "NotRestarted";
                         });

}  // namespace
}  // namespace fedsync
