#include "bench/bench_util.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "shared/node_config.h"
#include "shared/server_runner.h"

namespace fedsync::bench {

InProcessCity::~InProcessCity() {
  if (node != nullptr) node->Stop();
  if (server != nullptr) server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

absl::StatusOr<std::unique_ptr<InProcessCity>> StartCity(const std::string& id,
                                                         v1::NodeLevel level,
                                                         const std::string& db,
                                                         const std::string& parent) {
  v1::NodeConfig config;
  config.set_id(id);
  config.set_level(level);
  config.set_db(db);
  config.set_listen("127.0.0.1:0");
  config.set_parent(parent);
  config.set_insecure(true);
  absl::Status finished = FinishNodeConfig(&config);
  if (!finished.ok()) return finished;
  auto city = std::make_unique<InProcessCity>();
  auto node = CityNode::Create(config, grpc::InsecureChannelCredentials());
  if (!node.ok()) return node.status();
  city->node = std::move(*node);
  city->federation = std::make_unique<FederationService>(city->node->hub(), &city->admission);
  city->admin = std::make_unique<CityAdminService>(city->node.get(), &city->operator_auth);
  auto server = StartServer(config.listen(), grpc::InsecureServerCredentials(),
                            {city->federation.get(), city->admin.get()});
  if (!server.ok()) return server.status();
  city->server = std::move(server->server);
  city->address = absl::StrCat("127.0.0.1:", server->port);
  city->node->Start(city->address);
  return city;
}

void DisableMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

std::string MakeTempDir() {
  std::string pattern = "/tmp/fedsync-bench-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  return made ? made : "/tmp";
}

void RemoveDir(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

void PrintFigure(const std::string& name, double fedsync, double baseline,
                 const std::string& unit, const std::string& goal, std::optional<bool> met) {
  const char* met_text = !met.has_value() ? "-" : *met ? "true" : "false";
  if (baseline > 0) {
    std::printf("%-48s %12.2f %12.2f %7.1f%%  %s  (goal %s)\n", name.c_str(), fedsync, baseline,
                100.0 * fedsync / baseline, unit.c_str(), goal.c_str());
    std::printf("FIGURE\t%s\t%.4f\t%.4f\t%s\t%s\t%s\n", name.c_str(), fedsync, baseline,
                unit.c_str(), goal.c_str(), met_text);
  } else {
    std::printf("%-48s %12.2f %12s %8s  %s  (goal %s)\n", name.c_str(), fedsync, "-", "-",
                unit.c_str(), goal.c_str());
    std::printf("FIGURE\t%s\t%.4f\t-\t%s\t%s\t%s\n", name.c_str(), fedsync, unit.c_str(),
                goal.c_str(), met_text);
  }
  std::fflush(stdout);
}

namespace {

absl::Duration CpuTime(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return absl::DurationFromTimespec(now);
}

}  // namespace

absl::Duration ProcessCpuTime() { return CpuTime(CLOCK_PROCESS_CPUTIME_ID); }

absl::Duration ThreadCpuTime() { return CpuTime(CLOCK_THREAD_CPUTIME_ID); }

int64_t ProcStatusBytes(const std::string& pid, const std::string& field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  const std::string wanted = field + ":";
  std::string key;
  int64_t kilobytes = 0;
  while (status >> key) {
    if (key == wanted) {
      status >> kilobytes;
      return kilobytes * 1024;
    }
  }
  return -1;
}

namespace {
v1::Cell MakeCell(const std::string& metric, const std::string& period, const std::string& key,
                  const std::string& value, int64_t number) {
  v1::Cell cell;
  cell.set_metric(metric);
  cell.set_period(period);
  if (!key.empty()) {
    v1::DimensionValue* dim = cell.add_dims();
    dim->set_key(key);
    dim->set_value(value);
  }
  cell.set_value(number);
  cell.set_status(v1::OK);
  return cell;
}

}  // namespace

std::vector<v1::Cell> DistrictYear(int64_t district, int year) {
  const std::string y = absl::StrCat(year);
  std::vector<v1::Cell> cells;
  int64_t n = 0;
  auto value = [&] { return 3 + (district * 7919 + 104729 * ++n) % 50; };
  cells.push_back(MakeCell("returned_students_total", y, "", "", value()));
  for (const char* region : {"europe", "north_america", "east_asia", "oceania",
                             "southeast_asia", "latin_america", "africa"}) {
    cells.push_back(MakeCell("returned_students_by_region", y, "region", region, value()));
  }
  for (const char* degree : {"bachelor", "master", "doctorate", "postdoctoral"}) {
    cells.push_back(MakeCell("returned_students_by_degree", y, "degree", degree, value()));
  }
  for (int month = 1; month <= 12; ++month) {
    for (const char* type : {"identity", "study"}) {
      cells.push_back(MakeCell("certifications_by_type", absl::StrFormat("%d-%02d", year, month),
                               "type", type, value()));
    }
  }
  for (const char* metric : {"enterprises_total", "community_figures_total",
                             "hardship_cases_total"}) {
    cells.push_back(MakeCell(metric, y, "", "", value()));
  }
  for (const char* type : {"identity", "study"}) {
    cells.push_back(MakeCell("certifications_issued_by_year", y, "type", type, value()));
  }
  return cells;
}

MemoryOutbox::MemoryOutbox(uint64_t epoch, std::vector<v1::Cell> cells)
    : cells_(std::move(cells)), epoch_(epoch) {}

uint64_t MemoryOutbox::epoch() const {
  absl::MutexLock lock(&mu_);
  return epoch_;
}

uint64_t MemoryOutbox::last_acked_seq() const {
  absl::MutexLock lock(&mu_);
  return acked_;
}

absl::StatusOr<std::vector<v1::Cell>> MemoryOutbox::CellsAfter(uint64_t after, int limit) {
  std::vector<v1::Cell> cells;
  for (uint64_t seq = after + 1; seq <= cells_.size() && cells.size() < static_cast<size_t>(limit);
       ++seq) {
    cells.push_back(cells_[seq - 1]);
    cells.back().set_seq(seq);
  }
  return cells;
}

absl::Status MemoryOutbox::RecordAck(uint64_t watermark) {
  absl::MutexLock lock(&mu_);
  acked_ = std::max(acked_, watermark);
  return absl::OkStatus();
}

absl::Status MemoryOutbox::StartNewEpoch() {
  absl::MutexLock lock(&mu_);
  ++epoch_;
  acked_ = 0;
  return absl::OkStatus();
}

std::unique_ptr<Uplink> SimulatedUplink(Outbox* outbox, const std::string& id,
                                        const std::string& parent) {
  UplinkOptions options;
  options.target = parent;
  options.credentials = grpc::InsecureChannelCredentials();
  options.identity = UplinkIdentity{id, v1::DISTRICT, "", 1, ""};
  options.batch_cells = 500;
  options.heartbeat = absl::Seconds(30);
  return std::make_unique<Uplink>(
      outbox, options, [](const v1::Command&, std::function<void(v1::CommandResult)> reply) {
        reply(v1::CommandResult());
      });
}

}  // namespace fedsync::bench
