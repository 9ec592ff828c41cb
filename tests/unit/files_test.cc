#include "shared/files.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/files_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static mode_t Mode(const std::string& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0);
    return info.st_mode & 0777;
  }

  std::string dir_;
};

TEST_F(FilesTest, WritesWithTheModeAndReadsBack) {
  const std::string path = dir_ + "/key.pem";
  ASSERT_TRUE(WriteFile(path, "secret\n", 0600).ok());
  EXPECT_EQ(Mode(path), 0600u);
  ASSERT_TRUE(WriteFile(path, "other", 0644).ok());  // replaced, mode reset
  EXPECT_EQ(Mode(path), 0644u);
  auto read = ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "other");
}

TEST_F(FilesTest, ANewFileNeverReplacesOne) {
  const std::string path = dir_ + "/token";
  ASSERT_TRUE(WriteFile(path, "first", 0600, FileCreation::kNew).ok());
  absl::Status again = WriteFile(path, "second", 0600, FileCreation::kNew);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*ReadFile(path), "first");
}

TEST_F(FilesTest, APrivateFileOthersMayReadIsRefused) {
  const std::string path = dir_ + "/token";
  ASSERT_TRUE(WriteFile(path, "fst_secret\n", 0600).ok());
  auto read = ReadPrivateFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "fst_secret\n");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  read = ReadPrivateFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(read.status().message().find("readable by others"), absl::string_view::npos);
  EXPECT_TRUE(ReadFile(path).ok());  // an ordinary read does not care
}

TEST_F(FilesTest, AMissingFileIsNotFoundAndNamed) {
  auto read = ReadFile(dir_ + "/absent");
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(read.status().message().find("absent"), absl::string_view::npos);
}

}  // namespace
}  // namespace fedsync
