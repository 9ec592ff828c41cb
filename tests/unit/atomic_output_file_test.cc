// fedctl's --out file: replaced whole or not at all, never left half written.
#include "tools/fedctl/atomic_output_file.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "shared/files.h"

namespace fedsync::fedctl {
namespace {

class AtomicOutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/atomic_output_file_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/keep.csv";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  static std::string Contents(const std::string& path) {
    absl::StatusOr<std::string> contents = ReadFile(path);
    return contents.ok() ? *contents : "<" + std::string(contents.status().message()) + ">";
  }

  std::string dir_;
  std::string path_;
};

TEST_F(AtomicOutputFileTest, FileIsReplacedOnlyByCommit) {
  ASSERT_TRUE(WriteFile(path_, "precious\n", 0644).ok());
  auto file = AtomicOutputFile::Create(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Append("id,name\n").ok());
  ASSERT_TRUE((*file)->Append("1,x\n").ok());
  EXPECT_EQ(Contents(path_), "precious\n");
  ASSERT_TRUE((*file)->Commit().ok());
  file->reset();
  EXPECT_EQ(Contents(path_), "id,name\n1,x\n");
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(Names(), std::vector<std::string>{"keep.csv"});  // no temporary left
}

TEST_F(AtomicOutputFileTest, WithoutCommitNothingChangesAndNothingIsLeft) {
  for (bool exists : {true, false}) {
    SCOPED_TRACE(exists ? "existing file" : "no file");
    std::filesystem::remove(path_);
    if (exists) {
      ASSERT_TRUE(WriteFile(path_, "precious\n", 0644).ok());
    }
    {
      auto file = AtomicOutputFile::Create(path_);
      ASSERT_TRUE(file.ok()) << file.status();
      ASSERT_TRUE((*file)->Append("partial").ok());
    }  // the call failed: destroyed uncommitted
    EXPECT_EQ(Names(), exists ? std::vector<std::string>{"keep.csv"} : std::vector<std::string>{});
    if (exists) {
      EXPECT_EQ(Contents(path_), "precious\n");
    }
  }
}

// A write that fails part-way (here: past the file size limit, as on a full disk).
TEST_F(AtomicOutputFileTest, FailedWriteLeavesTheFileAsItWas) {
  ASSERT_TRUE(WriteFile(path_, "precious\n", 0644).ok());
  auto file = AtomicOutputFile::Create(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  {
    // Past RLIMIT_FSIZE, write() fails with EFBIG instead of raising SIGXFSZ.
    struct rlimit old_limit {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = old_limit;
    limit.rlim_cur = 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
    absl::Status appended = (*file)->Append(std::string(10000, 'x'));
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    EXPECT_FALSE(appended.ok());
    EXPECT_NE(appended.message().find("cannot write " + path_), std::string::npos)
        << appended.message();
  }
  EXPECT_FALSE((*file)->Append("more").ok());
  EXPECT_FALSE((*file)->Commit().ok());
  file->reset();
  EXPECT_EQ(Contents(path_), "precious\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"keep.csv"});
}

TEST_F(AtomicOutputFileTest, SymbolicLinkKeepsPointingAtTheReplacedFile) {
  const std::string real = dir_ + "/real.csv";
  ASSERT_TRUE(WriteFile(real, "old\n", 0600).ok());
  std::filesystem::create_symlink(real, path_);
  auto file = AtomicOutputFile::Create(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Append("new\n").ok());
  ASSERT_TRUE((*file)->Commit().ok());
  EXPECT_TRUE(std::filesystem::is_symlink(path_));
  EXPECT_EQ(Contents(real), "new\n");
}

TEST_F(AtomicOutputFileTest, FileThatIsNotRegularIsWrittenStraight) {
  auto null = AtomicOutputFile::Create("/dev/null");
  ASSERT_TRUE(null.ok()) << null.status();
  EXPECT_TRUE((*null)->Append("gone\n").ok());
  EXPECT_TRUE((*null)->Commit().ok());

  auto directory = AtomicOutputFile::Create(dir_);
  EXPECT_FALSE(directory.ok());
  auto no_directory = AtomicOutputFile::Create(dir_ + "/missing/keep.csv");
  EXPECT_FALSE(no_directory.ok());
  EXPECT_TRUE(Names().empty());
}

}  // namespace
}  // namespace fedsync::fedctl
