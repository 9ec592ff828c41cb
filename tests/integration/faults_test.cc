// Guarantees 3 and 4 under faults, with real processes: districts and cities are
// killed with SIGKILL at random moments while data flows, links are dropped, delayed,
// stalled and cut by a proxy, and a parent comes back from an old backup. Afterwards
// every level must hold exactly what the level below publishes (shared/verify.h), and
// each district must publish exactly the records it committed: nothing lost, nothing
// counted twice.
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "shared/database.h"
#include "shared/demo_data.h"
#include "shared/registry_kinds.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/tcp_proxy.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

constexpr char kStudentsTotal[] = "returned_students_total";

// Records a district's database holds (read while the district may run, under WAL).
int64_t CommittedStudents(const std::string& db_path) {
  auto db = Database::Open(db_path, Database::Mode::kReadOnly);
  if (!db.ok()) return -1;
  auto count = (*db)->Prepare("SELECT COUNT(*) FROM returned_students");
  if (!count.ok()) return -1;
  auto row = count->Step();
  return row.ok() && *row ? count->ColumnInt(0) : -1;
}

// Converged below `root`, every district in the tree, and each publishes as its
// current-year total the number of students it committed.
absl::Status ConvergedWithCommitted(const std::string& root, const std::string& root_id,
                                    const TempDir& dir,
                                    const std::map<std::string, std::string>& districts) {
  std::set<std::string> ids;
  for (const auto& [id, address] : districts) ids.insert(id);
  absl::Status tree = CheckTreeConverged(root, root_id, ids);
  if (!tree.ok()) return tree;
  const std::string year = std::to_string(CurrentYear());
  for (const auto& [id, address] : districts) {
    auto rollup = Admin(address, id).Rollup(kStudentsTotal, year);
    if (!rollup.ok()) return rollup.status();
    const int64_t published = std::max<int64_t>(TotalOf(*rollup, id, year), 0);
    const int64_t committed = CommittedStudents(dir.File(id + ".db"));
    if (published != committed) {
      return absl::UnavailableError(
          absl::StrCat(id, " publishes ", published, " but committed ", committed));
    }
  }
  return absl::OkStatus();
}

std::vector<v1::Record> Slice(const std::vector<v1::Record>& all, size_t begin, size_t count) {
  begin = std::min(begin, all.size());
  return std::vector<v1::Record>(all.begin() + begin,
                                 all.begin() + std::min(all.size(), begin + count));
}

TEST(FaultsTest, DistrictKilledWhileImportingAndSyncing) {
  TempDir dir;
  auto city = StartNode(dir, "hefei", "city", "127.0.0.1:0", {});
  ASSERT_TRUE(city.ok()) << city.status();
  auto district = StartNode(dir, "luyang", "district", "127.0.0.1:0", {(*city)->address(), "hefei"},
                            {"--debounce-ms=0"});
  ASSERT_TRUE(district.ok()) << district.status();

  constexpr int kRounds = 20, kPerRound = 40;
  const std::vector<v1::Record> students = Students(kRounds * kPerRound, 11);
  std::mt19937 random(20261130);
  int completed_imports = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string file = dir.File(absl::StrCat("round", round, ".csv"));
    WriteCsv(file, Slice(students, static_cast<size_t>(round) * kPerRound, kPerRound));
    const int kill_after_ms = std::uniform_int_distribution<int>(0, 50)(random);
    NodeProcess* victim = district->get();
    // The fault is injected at a random moment; nothing waits on this timer.
    std::thread killer([victim, kill_after_ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms));
      victim->Signal(SIGKILL);
    });
    CommandOutput imported = ImportCsv((*district)->address(), "luyang", "returned_students", file);
    killer.join();
    if (imported.exit_code == 0) ++completed_imports;
    ASSERT_NE((*district)->Wait(), -1);
    district = StartNode(dir, "luyang", "district", "127.0.0.1:0", {(*city)->address(), "hefei"},
                         {"--debounce-ms=0"});
    ASSERT_TRUE(district.ok()) << "round " << round << ": " << district.status();
  }
  absl::Status converged = WaitFor(
      [&] {
        return ConvergedWithCommitted((*city)->address(), "hefei", dir,
                                      {{"luyang", (*district)->address()}});
      },
      absl::Seconds(60));
  EXPECT_TRUE(converged.ok()) << converged;
  EXPECT_GE(CommittedStudents(dir.File("luyang.db")), completed_imports * kPerRound);
  std::cout << "imports completed before the kill: " << completed_imports << " of " << kRounds
            << "\n";
}

TEST(FaultsTest, CityKilledMidBatch) {
  TempDir dir;
  auto province = StartNode(dir, "anhui", "province", "127.0.0.1:0", {});
  ASSERT_TRUE(province.ok()) << province.status();
  auto city = StartNode(dir, "hefei", "city", "127.0.0.1:0", {(*province)->address(), "anhui"});
  ASSERT_TRUE(city.ok()) << city.status();
  const std::string city_address = (*city)->address();
  std::map<std::string, std::string> districts;
  std::vector<std::unique_ptr<NodeProcess>> district_processes;
  for (const std::string id : {"luyang", "yaohai"}) {
    auto district =
        StartNode(dir, id, "district", "127.0.0.1:0", {city_address, "hefei"}, {"--debounce-ms=0"});
    ASSERT_TRUE(district.ok()) << district.status();
    districts[id] = (*district)->address();
    district_processes.push_back(std::move(*district));
  }

  constexpr int kRounds = 20, kPerRound = 30;
  const std::vector<v1::Record> students = Students(2 * kRounds * kPerRound, 12);
  std::mt19937 random(1130);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> importers;
    int index = 0;
    for (const auto& [id, address] : districts) {
      const std::string file = dir.File(absl::StrCat(id, round, ".csv"));
      WriteCsv(file, Slice(students, static_cast<size_t>((round * 2 + index++) * kPerRound),
                           kPerRound));
      importers.emplace_back([id = id, address = address, file] {
        CommandOutput imported = ImportCsv(address, id, "returned_students", file);
        EXPECT_EQ(imported.exit_code, 0) << imported.err;
      });
    }
    // The fault is injected at a random moment; nothing waits on this timer.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 150)(random)));
    (*city)->Signal(SIGKILL);
    ASSERT_NE((*city)->Wait(), -1);
    for (std::thread& importer : importers) importer.join();
    city = StartNode(dir, "hefei", "city", city_address, {(*province)->address(), "anhui"});
    ASSERT_TRUE(city.ok()) << "round " << round << ": " << city.status();
  }
  absl::Status converged = WaitFor(
      [&] { return ConvergedWithCommitted((*province)->address(), "anhui", dir, districts); },
      absl::Seconds(60));
  EXPECT_TRUE(converged.ok()) << converged;
  const std::string year = std::to_string(CurrentYear());
  auto at_province = Admin((*province)->address(), "anhui").Rollup(kStudentsTotal, year);
  ASSERT_TRUE(at_province.ok());
  EXPECT_EQ(TotalOf(*at_province, "anhui", year), 2 * kRounds * kPerRound);
}

TEST(FaultsTest, LinksDroppedDelayedStalledAndCutConvergeOnceHealed) {
  TempDir dir;
  auto province = StartNode(dir, "anhui", "province", "127.0.0.1:0", {});
  ASSERT_TRUE(province.ok()) << province.status();
  auto port_of = [](const std::string& address) {
    return std::stoi(address.substr(address.rfind(':') + 1));
  };
  auto upper = TcpProxy::Start(port_of((*province)->address()));
  ASSERT_TRUE(upper.ok());
  auto city = StartNode(dir, "hefei", "city", "127.0.0.1:0", {(*upper)->address(), "anhui"});
  ASSERT_TRUE(city.ok()) << city.status();
  auto lower = TcpProxy::Start(port_of((*city)->address()));
  ASSERT_TRUE(lower.ok());
  auto district = StartNode(dir, "luyang", "district", "127.0.0.1:0",
                            {(*lower)->address(), "hefei"}, {"--debounce-ms=0"});
  ASSERT_TRUE(district.ok()) << district.status();
  const std::map<std::string, std::string> districts = {{"luyang", (*district)->address()}};

  const std::vector<v1::Record> students = Students(200, 13);
  int next = 0;
  auto import_more = [&] {
    const std::string file = dir.File(absl::StrCat("batch", next, ".csv"));
    WriteCsv(file, Slice(students, static_cast<size_t>(next) * 40, 40));
    ++next;
    CommandOutput imported = ImportCsv((*district)->address(), "luyang", "returned_students", file);
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
  };
  auto converge = [&](const std::string& phase) {
    absl::Status converged = WaitFor(
        [&] { return ConvergedWithCommitted((*province)->address(), "anhui", dir, districts); },
        absl::Seconds(60));
    EXPECT_TRUE(converged.ok()) << phase << ": " << converged;
  };

  import_more();
  converge("start");
  (*lower)->SetMode(TcpProxy::Mode::kDrop);
  (*upper)->SetMode(TcpProxy::Mode::kDrop);
  (*lower)->CutAll();
  (*upper)->CutAll();
  // The links are really down: the district sees its parent gone, and keeps retrying.
  const int accepted_before = (*lower)->connections_accepted();
  absl::Status down = WaitFor([&]() -> absl::Status {
    auto status = Admin((*district)->address(), "luyang").Status();
    if (!status.ok()) return status.status();
    if (status->parent().connected()) return absl::UnavailableError("still connected");
    if ((*lower)->connections_accepted() < accepted_before + 2) {
      return absl::UnavailableError("no retries yet");
    }
    return absl::OkStatus();
  });
  ASSERT_TRUE(down.ok()) << down;
  import_more();
  (*lower)->SetMode(TcpProxy::Mode::kPass);
  (*upper)->SetMode(TcpProxy::Mode::kPass);
  converge("after dropping");

  (*lower)->SetMode(TcpProxy::Mode::kDelay, 30);
  (*upper)->SetMode(TcpProxy::Mode::kDelay, 30);
  import_more();
  converge("with delays");

  (*lower)->SetMode(TcpProxy::Mode::kStall);
  (*upper)->SetMode(TcpProxy::Mode::kStall);
  import_more();
  (*lower)->SetMode(TcpProxy::Mode::kPass);
  (*upper)->SetMode(TcpProxy::Mode::kPass);
  converge("after a stall");

  (*lower)->CutAll();
  import_more();
  (*upper)->CutAll();
  converge("after cuts");
}

void CopyDatabase(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ignored;
    std::filesystem::remove(to + suffix, ignored);
    if (std::filesystem::exists(from + suffix)) {
      std::filesystem::copy_file(from + suffix, to + suffix);
    }
  }
}

TEST(FaultsTest, ParentRestoredFromAnOldBackupConvergesAfterFullResync) {
  TempDir dir;
  auto city = StartNode(dir, "hefei", "city", "127.0.0.1:0", {});
  ASSERT_TRUE(city.ok()) << city.status();
  const std::string city_address = (*city)->address();
  auto district = StartNode(dir, "luyang", "district", "127.0.0.1:0", {city_address, "hefei"},
                            {"--debounce-ms=0"});
  ASSERT_TRUE(district.ok()) << district.status();
  const std::map<std::string, std::string> districts = {{"luyang", (*district)->address()}};
  const std::vector<v1::Record> students = Students(100, 14);

  WriteCsv(dir.File("first.csv"), Slice(students, 0, 50));
  ASSERT_EQ(ImportCsv((*district)->address(), "luyang", "returned_students", dir.File("first.csv"))
                .exit_code,
            0);
  absl::Status converged =
      WaitFor([&] { return ConvergedWithCommitted(city_address, "hefei", dir, districts); });
  ASSERT_TRUE(converged.ok()) << converged;

  // Back up the city (stopped cleanly), then let it move on past the backup.
  (*city)->Signal(SIGTERM);
  ASSERT_NE((*city)->Wait(), -1);
  CopyDatabase(dir.File("hefei.db"), dir.File("hefei-backup.db"));
  city = StartNode(dir, "hefei", "city", city_address, {});
  ASSERT_TRUE(city.ok()) << city.status();
  WriteCsv(dir.File("second.csv"), Slice(students, 50, 50));
  ASSERT_EQ(ImportCsv((*district)->address(), "luyang", "returned_students", dir.File("second.csv"))
                .exit_code,
            0);
  converged =
      WaitFor([&] { return ConvergedWithCommitted(city_address, "hefei", dir, districts); });
  ASSERT_TRUE(converged.ok()) << converged;
  auto before = Admin((*district)->address(), "luyang").Status();
  ASSERT_TRUE(before.ok());

  // The city comes back from the old backup: it lost what it acked since.
  (*city)->Signal(SIGKILL);
  ASSERT_NE((*city)->Wait(), -1);
  CopyDatabase(dir.File("hefei-backup.db"), dir.File("hefei.db"));
  city = StartNode(dir, "hefei", "city", city_address, {});
  ASSERT_TRUE(city.ok()) << city.status();
  converged =
      WaitFor([&] { return ConvergedWithCommitted(city_address, "hefei", dir, districts); });
  ASSERT_TRUE(converged.ok()) << converged;
  auto after = Admin((*district)->address(), "luyang").Status();
  ASSERT_TRUE(after.ok());
  EXPECT_NE(after->epoch(), before->epoch()) << "the district should have started a new epoch";
  const std::string year = std::to_string(CurrentYear());
  auto at_city = Admin(city_address, "hefei").Rollup(kStudentsTotal, year);
  ASSERT_TRUE(at_city.ok());
  EXPECT_EQ(TotalOf(*at_city, "hefei", year), 100);
}

// The city comes back from an old backup while its province is unreachable. Its
// district resyncs into it, the district's changes made while the city was down land at
// seqs the province already holds from the lost timeline, and other traffic takes the
// city's max seq past the province's watermark before the two meet again: the city
// must still see that its database went back (a new epoch), or the province would keep
// the lost timeline's cells at those seqs for good.
TEST(FaultsTest, ACityRestoredWhileItsProvinceIsUnreachableConvergesOnceItIsBack) {
  TempDir dir;
  auto province = StartNode(dir, "anhui", "province", "127.0.0.1:0", {});
  ASSERT_TRUE(province.ok()) << province.status();
  const std::string province_address = (*province)->address();
  auto upper = TcpProxy::Start(std::stoi(province_address.substr(province_address.rfind(':') + 1)));
  ASSERT_TRUE(upper.ok());
  auto city = StartNode(dir, "hefei", "city", "127.0.0.1:0", {(*upper)->address(), "anhui"});
  ASSERT_TRUE(city.ok()) << city.status();
  const std::string city_address = (*city)->address();
  auto district = StartNode(dir, "luyang", "district", "127.0.0.1:0", {city_address, "hefei"},
                            {"--debounce-ms=0"});
  ASSERT_TRUE(district.ok()) << district.status();
  const std::map<std::string, std::string> districts = {{"luyang", (*district)->address()}};
  const std::vector<v1::Record> students = Students(400, 21);
  size_t next = 0;
  auto import_students = [&](size_t count) {
    const std::string file = dir.File(absl::StrCat("s", next, ".csv"));
    WriteCsv(file, Slice(students, next, count));
    next += count;
    CommandOutput out = ImportCsv((*district)->address(), "luyang", "returned_students", file);
    EXPECT_EQ(out.exit_code, 0) << out.err;
  };
  auto city_status = [&] {
    auto status = Admin(city_address, "hefei").Status();
    EXPECT_TRUE(status.ok());
    return status.ok() ? *status : v1::GetStatusResponse();
  };
  import_students(40);
  absl::Status converged =
      WaitFor([&] { return ConvergedWithCommitted(province_address, "anhui", dir, districts); });
  ASSERT_TRUE(converged.ok()) << converged;

  // Backup of the city, stopped cleanly.
  (*city)->Signal(SIGTERM);
  ASSERT_NE((*city)->Wait(), -1);
  CopyDatabase(dir.File("hefei.db"), dir.File("hefei-backup.db"));
  city = StartNode(dir, "hefei", "city", city_address, {(*upper)->address(), "anhui"});
  ASSERT_TRUE(city.ok()) << city.status();
  const v1::GetStatusResponse at_backup = city_status();
  const uint64_t backup_seq = at_backup.max_seq();
  // A day of ordinary changes the province receives.
  for (int i = 0; i < 150; ++i) {
    import_students(1);
    converged = WaitFor([&] { return CheckParentConverged(city_address, "hefei", districts); });
    ASSERT_TRUE(converged.ok()) << converged;
    const v1::GetStatusResponse now = city_status();
    if (now.max_seq() > backup_seq + 3 * static_cast<uint64_t>(now.published_cells()) + 60) break;
  }
  converged =
      WaitFor([&] { return ConvergedWithCommitted(province_address, "anhui", dir, districts); });
  ASSERT_TRUE(converged.ok()) << converged;
  const uint64_t watermark = city_status().max_seq();

  // The province becomes unreachable; the city dies; luyang changes meanwhile.
  (*upper)->SetMode(TcpProxy::Mode::kDrop);
  (*upper)->CutAll();
  (*city)->Signal(SIGKILL);
  ASSERT_NE((*city)->Wait(), -1);
  import_students(10);
  CopyDatabase(dir.File("hefei-backup.db"), dir.File("hefei.db"));
  city = StartNode(dir, "hefei", "city", city_address, {(*upper)->address(), "anhui"});
  ASSERT_TRUE(city.ok()) << city.status();
  converged = WaitFor([&] { return CheckParentConverged(city_address, "hefei", districts); },
                      absl::Seconds(60));
  ASSERT_TRUE(converged.ok()) << converged;
  const uint64_t after_resync = city_status().max_seq();
  // Other traffic (another registry's metrics) until the city's seq passes the watermark.
  const auto enterprises = GeneratedRecords(*FindRegistryKind("enterprises"), 600, 5, DemoYear());
  ASSERT_TRUE(enterprises.ok());
  size_t next_enterprise = 0;
  while (city_status().max_seq() <= watermark + 5 && next_enterprise + 3 <= enterprises->size()) {
    const std::string file = dir.File(absl::StrCat("e", next_enterprise, ".csv"));
    WriteCsv(file, Slice(*enterprises, next_enterprise, 3));
    next_enterprise += 3;
    CommandOutput out = ImportCsv((*district)->address(), "luyang", "enterprises", file);
    ASSERT_EQ(out.exit_code, 0) << out.err;
    converged = WaitFor([&] { return CheckParentConverged(city_address, "hefei", districts); });
    ASSERT_TRUE(converged.ok()) << converged;
  }
  std::cout << "backup seq " << backup_seq << ", province watermark " << watermark
            << ", after the district's resync " << after_resync << ", at reconnect "
            << city_status().max_seq() << "\n";
  ASSERT_LT(backup_seq, watermark);
  ASSERT_GT(city_status().max_seq(), watermark) << "the case a seq comparison alone misses";

  (*upper)->SetMode(TcpProxy::Mode::kPass);
  converged =
      WaitFor([&] { return ConvergedWithCommitted(province_address, "anhui", dir, districts); },
              absl::Seconds(40));
  EXPECT_TRUE(converged.ok()) << converged;
  const std::string year = std::to_string(CurrentYear());
  auto at_province = Admin(province_address, "anhui").Rollup(kStudentsTotal, year);
  auto at_city = Admin(city_address, "hefei").Rollup(kStudentsTotal, year);
  ASSERT_TRUE(at_province.ok() && at_city.ok());
  std::cout << "students total: city " << TotalOf(*at_city, "hefei", year) << ", province "
            << TotalOf(*at_province, "anhui", year) << "\n";
  EXPECT_EQ(TotalOf(*at_province, "anhui", year), TotalOf(*at_city, "hefei", year));
}

}  // namespace
}  // namespace fedsync::testing
