// Small pieces the benchmarks share: an in-process aggregating node with its gRPC
// server, temp directories, percentiles, and the one way figures are printed
// ("figure  fedsync  baseline  ratio") so scripts can collect them.
#ifndef FEDSYNC_BENCH_BENCH_UTIL_H_
#define FEDSYNC_BENCH_BENCH_UTIL_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "city_node/city_node.h"
#include "city_node/federation_service.h"
#include "city_node/admin_service.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "shared/outbox.h"
#include "shared/uplink.h"

namespace fedsync::bench {

// A city or province node in this process, serving on 127.0.0.1 (a free port).
struct InProcessCity {
  std::unique_ptr<CityNode> node;
  ChildAdmission admission{/*require_certificate=*/false, {}};  // plaintext: any child
  OperatorAuth operator_auth{/*require_certificate=*/false};     // plaintext: all admin
  std::unique_ptr<FederationService> federation;
  std::unique_ptr<CityAdminService> admin;
  std::unique_ptr<grpc::Server> server;
  std::string address;
  ~InProcessCity();
};

absl::StatusOr<std::unique_ptr<InProcessCity>> StartCity(const std::string& id,
                                                         v1::NodeLevel level,
                                                         const std::string& db,
                                                         const std::string& parent);

// For a bench that simulates thousands of children in its own process: Debian's
// Abseil is built with Mutex deadlock detection on, and its global lock graph then costs
// the harness more than the node under measurement (load_bench: 2.4x the wall time at
// 10,000 streams; national_sim_bench: 5.9 s -> 3.8 s). The node binaries keep it: a
// city_node under load_bench spends nothing measurable in it (perf).
void DisableMutexDeadlockDetection();

// A fresh directory, removed at exit.
std::string MakeTempDir();
void RemoveDir(const std::string& path);

double Percentile(std::vector<double> values, double fraction);

// One line of the results table, and a machine-readable line for scripts/bench.sh:
//   FIGURE\t<name>\t<fedsync>\t<baseline or ->\t<unit>\t<goal>\t<true|false|->
// `met`: whether the goal is met, when the bench can say (nullopt: no goal to meet).
void PrintFigure(const std::string& name, double fedsync, double baseline,
                 const std::string& unit, const std::string& goal,
                 std::optional<bool> met = std::nullopt);

// CPU time used so far by the whole process (every thread: client, server, SQLite), and
// by the calling thread alone: a cost that a shared machine does not inflate.
absl::Duration ProcessCpuTime();
absl::Duration ThreadCpuTime();
// A memory figure of process `pid` ("self" for this one) from /proc/PID/status, bytes:
// `field` is e.g. "VmRSS" (resident now) or "VmHWM" (peak resident); -1 when unknown.
int64_t ProcStatusBytes(const std::string& pid, const std::string& field);

// A year of the default catalog's cells for simulated district number `district`: 41
// cells (yearly totals and breakdowns, monthly certifications), values 3..52.
std::vector<v1::Cell> DistrictYear(int64_t district, int year);

// A simulated child's outbox in memory: fixed cells, seq 1..n in order. Thread-safe.
class MemoryOutbox : public Outbox {
 public:
  MemoryOutbox(uint64_t epoch, std::vector<v1::Cell> cells);
  uint64_t epoch() const override;
  uint64_t max_seq() const override { return cells_.size(); }
  uint64_t last_acked_seq() const override;
  absl::StatusOr<std::vector<v1::Cell>> CellsAfter(uint64_t after, int limit) override;
  absl::Status RecordAck(uint64_t watermark) override;
  absl::Status StartNewEpoch() override;

 private:
  const std::vector<v1::Cell> cells_;
  mutable absl::Mutex mu_;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_);
  uint64_t acked_ ABSL_GUARDED_BY(mu_) = 0;
};

// A simulated child's uplink to `parent`, answering commands with an empty result.
std::unique_ptr<Uplink> SimulatedUplink(Outbox* outbox, const std::string& id,
                                        const std::string& parent);

}  // namespace fedsync::bench

#endif  // FEDSYNC_BENCH_BENCH_UTIL_H_
