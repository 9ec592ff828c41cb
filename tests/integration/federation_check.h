// Checks on a running federation for integration tests, over the admin API on mutual
// TLS as the admin operator (tests/integration/test_pki.h); the checking itself is
// shared/verify.h, which `fedctl verify` uses too.
#ifndef FEDSYNC_TESTS_INTEGRATION_FEDERATION_CHECK_H_
#define FEDSYNC_TESTS_INTEGRATION_FEDERATION_CHECK_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "fedsync/v1/admin.pb.h"
#include "shared/admin_client.h"
#include "tests/integration/test_pki.h"

namespace fedsync::testing {

using ::fedsync::AdminClient;

// Ok when parent `parent_id` at `parent_address` holds exactly what each child
// (id -> address) published, for every metric, and each of its own cells is the sum of
// its children's cells.
absl::Status CheckParentConverged(const std::string& parent_address, const std::string& parent_id,
                                  const std::map<std::string, std::string>& children);

// Ok when every link of the tree under node `root_id` at `root_address` has converged
// (shared/verify.h) and each node in `below` is in it: verify checks the children a
// parent knows, so a child that has never reached its parent must be asked for.
absl::Status CheckTreeConverged(const std::string& root_address, const std::string& root_id,
                                const std::set<std::string>& below = {});

// The value of `node`'s cell without dimensions for `period` in `rollup`; -1 when absent.
int64_t TotalOf(const v1::GetRollupResponse& rollup, const std::string& node,
                const std::string& period);

}  // namespace fedsync::testing

#endif  // FEDSYNC_TESTS_INTEGRATION_FEDERATION_CHECK_H_
