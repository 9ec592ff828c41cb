// A national tree in one process: a national node, provinces and cities as real
// aggregating nodes (CityNode with SQLite and a gRPC server each, on loopback), and
// districts simulated through the real uplink code with their published cells in
// memory, shaped like a year of the default catalog. Prints the time until the
// national node's own cells equal the sums over every district, and the peak memory;
// fails when they never do.
//   national_sim_bench [--districts=2850] [--cities=333] [--provinces=34]
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_util.h"
#include "shared/cell.h"
#include "shared/logging.h"

ABSL_FLAG(int64_t, districts, 2850, "simulated districts");
ABSL_FLAG(int64_t, cities, 333, "cities");
ABSL_FLAG(int64_t, provinces, 34, "provinces");
ABSL_FLAG(int64_t, timeout_seconds, 110, "give up after this long");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace fedsync;         // NOLINT: a benchmark's main
  using namespace fedsync::bench;  // NOLINT
  DisableMutexDeadlockDetection();
  SetMinLogLevel(LogLevel::kError);
  const int64_t districts = absl::GetFlag(FLAGS_districts);
  const int64_t cities = absl::GetFlag(FLAGS_cities);
  const int64_t provinces = absl::GetFlag(FLAGS_provinces);
  const int year = 2026;
  const std::string dir = MakeTempDir();

  const absl::Time start = absl::Now();
  auto national = StartCity("china", v1::NATIONAL, dir + "/china.db", "");
  if (!national.ok()) return 1;
  std::vector<std::unique_ptr<InProcessCity>> upper;
  for (int64_t p = 0; p < provinces; ++p) {
    auto node = StartCity(absl::StrFormat("p%02d", p), v1::PROVINCE,
                          absl::StrFormat("%s/p%02d.db", dir, p), (*national)->address);
    if (!node.ok()) return 1;
    upper.push_back(std::move(*node));
  }
  std::vector<std::string> city_addresses;
  for (int64_t c = 0; c < cities; ++c) {
    auto node = StartCity(absl::StrFormat("c%03d", c), v1::CITY,
                          absl::StrFormat("%s/c%03d.db", dir, c),
                          upper[static_cast<size_t>(c % provinces)]->address);
    if (!node.ok()) return 1;
    city_addresses.push_back((*node)->address);
    upper.push_back(std::move(*node));
  }
  const absl::Duration tree_started = absl::Now() - start;

  // Expected national cells: the sum over every district.
  CellMap expected;
  std::vector<std::unique_ptr<MemoryOutbox>> outboxes;
  std::vector<std::unique_ptr<Uplink>> uplinks;
  for (int64_t d = 0; d < districts; ++d) {
    std::vector<v1::Cell> cells = DistrictYear(d, year);
    for (const v1::Cell& cell : cells) {
      expected[CellKey{cell.metric(), cell.period(), CanonicalDims(cell.dims())}].value +=
          cell.value();
    }
    outboxes.push_back(std::make_unique<MemoryOutbox>(1 + d, std::move(cells)));
    uplinks.push_back(SimulatedUplink(outboxes.back().get(), absl::StrFormat("d%04d", d),
                                      city_addresses[static_cast<size_t>(d % cities)]));
    uplinks.back()->Start("");
  }

  // Converged when the national node's own cells are exactly the expected sums.
  std::set<std::string> metrics;
  for (const auto& [key, value] : expected) metrics.insert(key.metric);
  const absl::Time deadline = start + absl::Seconds(absl::GetFlag(FLAGS_timeout_seconds));
  bool converged = false;
  while (!converged && absl::Now() < deadline) {
    CellMap national_cells;
    for (const std::string& metric : metrics) {
      auto rollup = (*national)->node->Rollup(metric, "");
      if (!rollup.ok()) continue;
      for (const v1::RollupCell& cell : rollup->cells()) {
        if (cell.node_id() != "china") continue;
        national_cells[CellKey{metric, cell.cell().period(), CanonicalDims(cell.cell().dims())}] =
            CellValue{cell.cell().value(), v1::OK};
      }
    }
    converged = national_cells == expected;
    // Polling the national node's database; the tree converges on its own.
    if (!converged) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const int64_t peak = ProcStatusBytes("self", "VmHWM");

  for (auto& uplink : uplinks) uplink->Stop();
  upper.clear();
  national->reset();
  RemoveDir(dir);

  std::printf("%-48s %12s %12s %8s\n", "figure", "fedsync", "baseline", "ratio");
  PrintFigure(absl::StrFormat("national simulation (%d->%d->%d->1), s to converge", districts,
                              cities, provinces),
              seconds, 0, "s", "<= 60 s", converged && seconds <= 60);
  PrintFigure("national simulation, peak memory of the process, MB",
              static_cast<double>(peak) / (1024.0 * 1024.0), 0, "MB", "-");
  std::printf("(%d aggregating nodes started in %.1f s; %zu cells per district)\n",
              static_cast<int>(cities + provinces + 1), absl::ToDoubleSeconds(tree_started),
              DistrictYear(0, year).size());
  if (!converged) {
    std::fprintf(stderr, "national_sim_bench: the national sums never matched the districts\n");
    return 1;
  }
  return 0;
}
