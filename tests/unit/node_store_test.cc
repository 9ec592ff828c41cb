#include "shared/node_store.h"

#include <unistd.h>

#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "shared/published_cells.h"

namespace fedsync {
namespace {

// A node's database is its own while the node runs: a second store on the same file
// (as a second process would open it) is refused, and the file is free again once
// the first is closed.
TEST(NodeStoreTest, ADatabaseOpenInOneStoreIsRefusedToAnother) {
  const std::string dir = ::testing::TempDir() + "/node_store_test_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/node.db";
  const Migrations migrations = {kPublishedCellsSchema};
  {
    auto first = NodeStore::Open(path, migrations);
    ASSERT_TRUE(first.ok()) << first.status();
    auto second = NodeStore::Open(path, migrations);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(second.status().message().find("node.db.lock"), absl::string_view::npos)
        << second.status();
    // Nor through a symlink to the same file.
    std::filesystem::create_symlink(path, dir + "/link.db");
    auto linked = NodeStore::Open(dir + "/link.db", migrations);
    EXPECT_EQ(linked.status().code(), absl::StatusCode::kFailedPrecondition) << linked.status();
    // In-memory databases are private to their store and take no lock.
    EXPECT_TRUE(NodeStore::Open(":memory:", migrations).ok());
    EXPECT_TRUE(NodeStore::Open(":memory:", migrations).ok());
  }
  EXPECT_TRUE(NodeStore::Open(path, migrations).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fedsync
