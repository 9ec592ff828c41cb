// Many children on one aggregating node: a real city_node process holds N district
// streams at once, each from the real uplink code in this process with an outbox in
// memory, every district sending changes. Prints the city's memory per stream and the
// cells/s it applied, and fails if the city's sums do not match what was sent.
//   load_bench [--children=1000] [--cells=50] [--city_node=PATH]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/bench_util.h"
#include "shared/admin_client.h"
#include "shared/countries.h"
#include "shared/logging.h"
#include "shared/uplink.h"

ABSL_FLAG(int64_t, children, 1000, "district streams to hold");
ABSL_FLAG(int64_t, cells, 50, "cells each district sends");
ABSL_FLAG(std::string, city_node, FEDSYNC_CITY_NODE_BINARY, "the city_node binary");

extern char** environ;

namespace fedsync::bench {
namespace {

// `cells` cells of returned_students_by_region, each with value 1, so that the city's
// sum for a region is the number of districts: every region (the parent refuses any
// other value) in 2026, then in 2025, and so on.
std::vector<v1::Cell> RegionCells(int64_t cells) {
  const std::vector<std::string>& regions = WorldRegions();
  const int64_t per_year = static_cast<int64_t>(regions.size());
  std::vector<v1::Cell> out;
  for (int64_t i = 0; i < cells; ++i) {
    v1::Cell cell;
    cell.set_metric("returned_students_by_region");
    cell.set_period(absl::StrCat(2026 - i / per_year));
    v1::DimensionValue* dim = cell.add_dims();
    dim->set_key("region");
    dim->set_value(regions[static_cast<size_t>(i % per_year)]);
    cell.set_value(1);
    cell.set_status(v1::OK);
    out.push_back(std::move(cell));
  }
  return out;
}

}  // namespace
}  // namespace fedsync::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace fedsync;         // NOLINT: a benchmark's main
  using namespace fedsync::bench;  // NOLINT
  DisableMutexDeadlockDetection();
  SetMinLogLevel(LogLevel::kError);
  const int64_t children = absl::GetFlag(FLAGS_children);
  const int64_t cells = absl::GetFlag(FLAGS_cells);
  const std::string dir = MakeTempDir();

  // The city: a real process, its stdout (the listening line) through a pipe.
  int out[2];
  if (::pipe(out) != 0) return 1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (dir + "/city.log").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const std::string binary = absl::GetFlag(FLAGS_city_node);
  std::vector<std::string> args = {binary, "--id=hefei", "--level=city",
                                   "--db=" + dir + "/city.db", "--listen=127.0.0.1:0",
                                   "--insecure", "--log-level=error"};
  std::vector<char*> argv_city;
  for (std::string& arg : args) argv_city.push_back(arg.data());
  argv_city.push_back(nullptr);
  pid_t city = 0;
  if (posix_spawn(&city, binary.c_str(), &actions, nullptr, argv_city.data(), environ) != 0) {
    std::fprintf(stderr, "load_bench: cannot start %s\n", binary.c_str());
    return 1;
  }
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  const std::string address = line.substr(line.rfind(' ') + 1);
  const int64_t idle_rss = ProcStatusBytes(std::to_string(city), "VmRSS");

  std::vector<std::unique_ptr<MemoryOutbox>> outboxes;
  std::vector<std::unique_ptr<Uplink>> uplinks;
  const absl::Time start = absl::Now();
  for (int64_t i = 0; i < children; ++i) {
    outboxes.push_back(std::make_unique<MemoryOutbox>(1000 + i, RegionCells(cells)));
    uplinks.push_back(
        SimulatedUplink(outboxes.back().get(), absl::StrFormat("d%05d", i), address));
    uplinks.back()->Start("");
  }
  bool all_acked = true;
  for (int64_t i = 0; i < children; ++i) {
    all_acked &= uplinks[i]->WaitForAck(static_cast<uint64_t>(cells), absl::Now() + absl::Seconds(100));
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const int64_t loaded_rss = ProcStatusBytes(std::to_string(city), "VmRSS");

  // Every region cell at the city must be the number of districts.
  AdminClient admin(address, nullptr, absl::Seconds(30));
  auto rollup = admin.Rollup("returned_students_by_region");
  auto status = admin.Status();
  int64_t connected = 0;
  if (status.ok()) {
    for (const auto& child : status->children()) connected += child.connected() ? 1 : 0;
  }
  bool sums_right = rollup.ok();
  int64_t own_cells = 0;
  if (rollup.ok()) {
    for (const auto& cell : rollup->cells()) {
      if (cell.node_id() != "hefei") continue;
      ++own_cells;
      sums_right &= cell.cell().value() == children;
    }
  }
  sums_right &= own_cells == cells;

  for (auto& uplink : uplinks) uplink->Stop();
  ::kill(city, SIGTERM);
  ::waitpid(city, nullptr, 0);
  RemoveDir(dir);

  std::printf("%-48s %12s %12s %8s\n", "figure", "fedsync", "baseline", "ratio");
  PrintFigure(absl::StrCat("child streams held on one city (connected)"),
              static_cast<double>(connected), 0, "streams", absl::StrCat(children),
              connected == children);
  const double kilobytes_per_stream =
      static_cast<double>(loaded_rss - idle_rss) / 1024.0 / static_cast<double>(children);
  PrintFigure("city memory per child stream, KB", kilobytes_per_stream, 0, "KB", "<= 32 KB",
              kilobytes_per_stream <= 32);
  PrintFigure("city apply rate with all children sending, cells/s",
              static_cast<double>(children * cells) / seconds, 0, "cells/s", "-");
  if (!all_acked || !sums_right || connected != children) {
    std::fprintf(stderr, "load_bench: acked=%d sums_right=%d connected=%lld of %lld\n",
                 all_acked, sums_right, static_cast<long long>(connected),
                 static_cast<long long>(children));
    return 1;
  }
  return 0;
}
