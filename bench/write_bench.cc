// The cost of one registry write, with the cell updates it makes (incremental
// aggregation, district_node/cell_updater.h), on a small and on a large registry: the
// goal is that it does not grow with the registry (at most 1.5 times at 1,000,000
// records what it is at 1,000).
//
// For each size, a district database file (the real Registry, CellUpdater and
// NodeStore, no gRPC) is filled with generated returned students through the bulk
// import path in large transactions, then timed one write at a time: creates of new
// records, updates of random existing ones (a new degree and study country, so the
// cells move), deletes of random ones as of a past day (stock of past years changes).
// Each write is its own transaction: validated, stored, audited, its exact cells and
// published cells updated. Prints the mean and the median per operation, 1,000,000
// beside 1,000; never fails on a timing, only when a write fails.
//
// SQLite's WAL checkpoints run inside the write that fills the WAL past 1000 pages, and
// cost more on a large file (its pages are scattered): they are the tail (p99) and
// much of the mean. --wal_autocheckpoint=0 shows the writes without them.
//
//   write_bench [--small=1000] [--large=1000000] [--writes=1000] [--wal_autocheckpoint=N]
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_util.h"
#include "district_node/cell_updater.h"
#include "district_node/registry.h"
#include "district_node/registry_store.h"
#include "shared/civil_date.h"
#include "shared/clock.h"
#include "shared/demo_data.h"
#include "shared/logging.h"
#include "shared/node_store.h"
#include "shared/registry_kinds.h"

ABSL_FLAG(int64_t, small, 1000, "records in the small registry");
ABSL_FLAG(int64_t, large, 1'000'000, "records in the large registry");
ABSL_FLAG(int64_t, writes, 1000, "timed writes of each operation, at each size");
ABSL_FLAG(int64_t, wal_autocheckpoint, -1,
          "diagnostic: SQLite's wal_autocheckpoint for the bench's database (-1: as the node "
          "runs; 0: no checkpoint in the committing write, to see what checkpoints cost)");

namespace fedsync::bench {
namespace {

constexpr uint64_t kSeed = 2026;
constexpr int64_t kImportTransactionRows = 250'000;

struct Timings {
  std::vector<double> create_us, update_us, delete_us;
  absl::Duration fill;
};

double Mean(const std::vector<double>& values) {
  double sum = 0;
  for (double value : values) sum += value;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

int DemoYear() {
  const absl::CivilDay today = TodayInChina(absl::Now());
  return today >= absl::CivilDay(today.year(), 11, 30) ? static_cast<int>(today.year())
                                                        : static_cast<int>(today.year()) - 1;
}

// Imports the next `count` records of `stream` in transactions of kImportTransactionRows.
absl::Status Fill(Registry& registry, GeneratedRecordStream& stream, int64_t count) {
  v1::Record record;
  for (int64_t done = 0; done < count;) {
    auto session = registry.BeginImport("returned_students", ImportOptions());
    if (!session.ok()) return session.status();
    const int64_t batch = std::min(kImportTransactionRows, count - done);
    for (int64_t i = 0; i < batch && stream.Next(&record); ++i) {
      absl::Status added = (*session)->Add(record);
      if (!added.ok()) return added;
    }
    auto response = registry.FinishImport("bench", session->get());
    if (!response.ok()) return response.status();
    done += batch;
  }
  return absl::OkStatus();
}

double MicrosSince(absl::Time start) {
  return absl::ToDoubleMicroseconds(absl::Now() - start);
}

absl::StatusOr<Timings> Measure(int64_t records, int64_t writes, const std::string& dir) {
  const std::string path = absl::StrCat(dir, "/district_", records, ".db");
  auto store = NodeStore::Open(path, DistrictMigrations());
  if (!store.ok()) return store.status();
  if (const int64_t pages = absl::GetFlag(FLAGS_wal_autocheckpoint); pages >= 0) {
    absl::Status set = (*store)->Read([&](Database* db) {
      return db->Execute(absl::StrCat("PRAGMA wal_autocheckpoint=", pages, ";"));
    });
    if (!set.ok()) return set;
  }
  CellUpdater cells(Catalog::Default(), Clock::Real());
  Registry registry(store->get(), Clock::Real(), &cells);
  // The registry's records, then the ones the timed creates add (unique keys: one stream).
  const int64_t warmup = 100;
  auto stream = GeneratedRecordStream::Create(*FindRegistryKind("returned_students"),
                                              records + warmup + writes, kSeed, DemoYear());
  if (!stream.ok()) return stream.status();

  Timings timings;
  const absl::Time fill_start = absl::Now();
  if (absl::Status filled = Fill(registry, *stream, records); !filled.ok()) return filled;
  timings.fill = absl::Now() - fill_start;

  std::mt19937_64 random(kSeed);
  // A record of the bulk load at random, as the registry holds it now.
  auto random_entry = [&]() -> absl::StatusOr<v1::RecordEntry> {
    v1::GetRecordRequest get;
    get.set_kind("returned_students");
    get.set_id(static_cast<int64_t>(random() % records) + 1);
    return registry.Get(get);
  };
  // Warm-up: the first writes after the bulk load read its pages back in.
  v1::Record record;
  for (int64_t i = 0; i < warmup && stream->Next(&record); ++i) {
    if (auto created = registry.Create("bench", record); !created.ok()) return created.status();
  }

  for (int64_t i = 0; i < writes && stream->Next(&record); ++i) {
    const absl::Time start = absl::Now();
    auto created = registry.Create("bench", record);
    timings.create_us.push_back(MicrosSince(start));
    if (!created.ok()) return created.status();
  }

  static const char* kCountries[] = {"GB", "US", "JP", "DE", "AU", "CA", "FR", "SG"};
  for (int64_t i = 0; i < writes; ++i) {
    auto entry = random_entry();
    if (!entry.ok()) return entry.status();
    if (entry->status() == v1::DELETED) continue;
    v1::UpdateRecordRequest update;
    update.set_id(entry->id());
    *update.mutable_record() = entry->record();
    v1::ReturnedStudent* student = update.mutable_record()->mutable_returned_student();
    student->set_degree(student->degree() == v1::MASTER ? v1::DOCTORATE : v1::MASTER);
    student->set_study_country(kCountries[i % 8]);
    const absl::Time start = absl::Now();
    auto updated = registry.Update("bench", update);
    timings.update_us.push_back(MicrosSince(start));
    if (!updated.ok()) return updated.status();
  }

  for (int64_t i = 0; i < writes; ++i) {
    auto entry = random_entry();
    if (!entry.ok()) return entry.status();
    if (entry->status() == v1::DELETED) continue;
    v1::DeleteRecordRequest remove;
    remove.set_kind("returned_students");
    remove.set_id(entry->id());
    remove.set_reason("left the district");
    // Left at the end of its first year, or now when it entered this year.
    const std::string start = entry->start_date();
    const std::string year_end = absl::StrCat(start.substr(0, 4), "-12-31");
    if (year_end < FormatDate(TodayInChina(absl::Now()))) remove.set_end_date(year_end);
    const absl::Time begin = absl::Now();
    auto deleted = registry.Delete("bench", remove);
    timings.delete_us.push_back(MicrosSince(begin));
    if (!deleted.ok()) return deleted.status();
  }
  return timings;
}

int Run() {
  SetMinLogLevel(LogLevel::kWarning);
  const int64_t small = absl::GetFlag(FLAGS_small);
  const int64_t large = absl::GetFlag(FLAGS_large);
  const int64_t writes = absl::GetFlag(FLAGS_writes);
  const std::string dir = MakeTempDir();
  std::printf("write_bench: one registry write with its cell updates, %lld vs %lld records, "
              "%lld timed writes of each kind (demo year %d)\n",
              static_cast<long long>(large), static_cast<long long>(small),
              static_cast<long long>(writes), DemoYear());

  std::vector<Timings> results;
  for (int64_t records : {small, large}) {
    absl::StatusOr<Timings> timings = Measure(records, writes, dir);
    if (!timings.ok()) {
      std::fprintf(stderr, "at %lld records: %s\n", static_cast<long long>(records),
                   timings.status().ToString().c_str());
      RemoveDir(dir);
      return 1;
    }
    std::printf("  filled %lld records through the import path in %.1f s\n",
                static_cast<long long>(records), absl::ToDoubleSeconds(timings->fill));
    results.push_back(*std::move(timings));
  }
  RemoveDir(dir);

  std::printf("\n%-48s %12s %12s %8s\n", "figure", "at large", "at small", "ratio");
  const Timings& at_small = results[0];
  const Timings& at_large = results[1];
  struct Row {
    const char* name;
    const std::vector<double>& large_us;
    const std::vector<double>& small_us;
  };
  const Row rows[] = {{"create", at_large.create_us, at_small.create_us},
                      {"update", at_large.update_us, at_small.update_us},
                      {"delete", at_large.delete_us, at_small.delete_us}};
  for (const Row& row : rows) {
    std::printf("  %s: p90 %.0f / %.0f us, p99 %.0f / %.0f us, max %.0f / %.0f us (large / small)\n",
                row.name, Percentile(row.large_us, 0.9), Percentile(row.small_us, 0.9),
                Percentile(row.large_us, 0.99), Percentile(row.small_us, 0.99),
                Percentile(row.large_us, 1.0), Percentile(row.small_us, 1.0));
    PrintFigure(absl::StrCat("registry ", row.name, " + cells, mean"), Mean(row.large_us),
                Mean(row.small_us), "us", "<= 150%", Mean(row.large_us) <= 1.5 * Mean(row.small_us));
    PrintFigure(absl::StrCat("registry ", row.name, " + cells, median"),
                Percentile(row.large_us, 0.5), Percentile(row.small_us, 0.5), "us", "<= 150%",
                Percentile(row.large_us, 0.5) <= 1.5 * Percentile(row.small_us, 0.5));
  }
  std::vector<double> all_large, all_small;
  for (const Row& row : rows) {
    all_large.insert(all_large.end(), row.large_us.begin(), row.large_us.end());
    all_small.insert(all_small.end(), row.small_us.begin(), row.small_us.end());
  }
  PrintFigure("registry write + cells, all kinds, mean", Mean(all_large), Mean(all_small), "us",
              "<= 150%", Mean(all_large) <= 1.5 * Mean(all_small));
  return 0;
}

}  // namespace
}  // namespace fedsync::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return fedsync::bench::Run();
}
