// Small pieces the benchmarks share: an in-process aggregating node with its gRPC
// server, temp directories, percentiles, and the one way figures are printed
// ("figure  fedsync  baseline  ratio") so scripts can collect them.
#ifndef FEDSYNC_BENCH_BENCH_UTIL_H_
#define FEDSYNC_BENCH_BENCH_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "city_node/city_node.h"
#include "city_node/federation_service.h"
#include "city_node/admin_service.h"
#include "grpcpp/grpcpp.h"

namespace fedsync::bench {

// A city or province node in this process, serving on 127.0.0.1 (a free port).
struct InProcessCity {
  std::unique_ptr<CityNode> node;
  ChildAdmission admission{/*require_certificate=*/false, {}};  // plaintext: any child
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

// A fresh directory, removed at exit.
std::string MakeTempDir();
void RemoveDir(const std::string& path);

double Percentile(std::vector<double> values, double fraction);

// One line of the results table, and a machine-readable line for scripts/bench.sh:
//   FIGURE\t<name>\t<fedsync>\t<baseline or ->\t<goal>
void PrintFigure(const std::string& name, double fedsync, double baseline,
                 const std::string& unit, const std::string& goal);

// Resident set size of this process, bytes.
int64_t ResidentBytes();

}  // namespace fedsync::bench

#endif  // FEDSYNC_BENCH_BENCH_UTIL_H_
