// Starting the nodes of a test federation as real processes on mutual TLS (each node
// with its certificate from tests/integration/test_pki.h), and feeding districts
// through fedctl as the admin operator: the few steps every integration test repeats.
#ifndef FEDSYNC_TESTS_INTEGRATION_TREE_H_
#define FEDSYNC_TESTS_INTEGRATION_TREE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedsync/v1/registry.pb.h"
#include "tests/integration/process.h"
#include "tests/integration/test_pki.h"

namespace fedsync::testing {

// Where a node's uplink goes: the parent's address (or a proxy's in front of it) and
// the parent's id, which the parent's certificate must name. Both empty for a root.
struct ParentLink {
  std::string address;
  std::string id;
};

// The transport flags of node `id`: its --tls-dir, and --parent/--parent-id when it
// has a parent.
std::vector<std::string> NodeTlsFlags(const std::string& id, const ParentLink& parent = {});

// Starts node `id` ("district", "city" or "province" `level`) on mutual TLS with its
// database and log in `dir`, listening on `listen` ("127.0.0.1:0" for any port).
absl::StatusOr<std::unique_ptr<NodeProcess>> StartNode(const TempDir& dir, const std::string& id,
                                                       const std::string& level,
                                                       const std::string& listen,
                                                       const ParentLink& parent,
                                                       std::vector<std::string> extra = {});

// The smallest whole tree: province "anhui", city "hefei" and district "luyang" with
// its demo data, started in `dir` and converged (every link verified).
struct DemoTree {
  std::unique_ptr<NodeProcess> province;
  std::unique_ptr<NodeProcess> city;
  std::unique_ptr<NodeProcess> luyang;
};
absl::StatusOr<DemoTree> StartDemoTree(const TempDir& dir);

// Writes `records` (all of one kind) as a CSV file fedctl imports.
void WriteCsv(const std::string& path, const std::vector<v1::Record>& records);

// fedctl as the admin operator, calling node `server_id` at `address`.
CommandOutput RunFedctl(const std::string& address, const std::string& server_id,
                        const std::vector<std::string>& args,
                        absl::Duration timeout = absl::Seconds(60));

// `fedctl registry import` of `path` into district `id` at `address`.
CommandOutput ImportCsv(const std::string& address, const std::string& id, const std::string& kind,
                        const std::string& path);

// `count` synthetic returned students (unique resident IDs), deterministic per `seed`.
std::vector<v1::Record> Students(int64_t count, uint64_t seed);

// The year the registries' dates are in (Beijing time) and the demo data's year.
int CurrentYear();
int DemoYear();

}  // namespace fedsync::testing

#endif  // FEDSYNC_TESTS_INTEGRATION_TREE_H_
