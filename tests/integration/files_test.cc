// Files a node creates are its owner's only (DESIGN.md, guarantee 5; issue 7): a district
// and a city run as real processes, with a permissive umask, and their databases and
// SQLite's -wal and -shm files beside them are mode 0600 while they run; so are the
// keys `fedctl certs init` writes.
#include <sys/stat.h>

#include <string>

#include "gtest/gtest.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/process.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

// The permission bits of `path`; -1 when it does not exist.
int ModeOf(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 0777);
}

class PermissiveUmask {
 public:
  PermissiveUmask() : old_(::umask(022)) {}
  ~PermissiveUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(FilesTest, DatabasesAndTheirWalAndShmAreTheOwnersOnly) {
  PermissiveUmask umask_022;  // the nodes inherit it
  TempDir dir;
  auto city = StartNode(dir, "hefei", "city", "127.0.0.1:0", {});
  ASSERT_TRUE(city.ok()) << city.status();
  auto luyang = StartNode(dir, "luyang", "district", "127.0.0.1:0", {(*city)->address(), "hefei"},
                          {"--demo-data=luyang", "--debounce-ms=0"});
  ASSERT_TRUE(luyang.ok()) << luyang.status();
  // Once converged, both have written (WAL mode), so -wal and -shm exist.
  absl::Status converged = WaitFor(
      [&] {
        return CheckParentConverged((*city)->address(), "hefei",
                                    {{"luyang", (*luyang)->address()}});
      },
      absl::Seconds(60));
  ASSERT_TRUE(converged.ok()) << converged;
  for (const std::string node : {"hefei", "luyang"}) {
    for (const std::string suffix : {"", "-wal", "-shm"}) {
      const std::string path = dir.File(node + ".db" + suffix);
      EXPECT_EQ(ModeOf(path), 0600) << path;
    }
  }

  const std::string pki = dir.File("pki");
  CommandOutput made = RunCommand(
      FEDSYNC_FEDCTL, {"certs", "init", "--out=" + pki, "--node=luyang", "--operator=vera:viewer"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  for (const std::string& key :
       {pki + "/ca-key.pem", pki + "/luyang/key.pem", pki + "/vera/key.pem"}) {
    EXPECT_EQ(ModeOf(key), 0600) << key;
  }
}

}  // namespace
}  // namespace fedsync::testing
