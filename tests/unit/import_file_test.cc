// fedctl's import file reader (tools/fedctl/import_file.h): chunks are capped by bytes
// as well as rows, and a cell longer than any field may be is refused by its row.
#include "tools/fedctl/import_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "shared/csv.h"
#include "shared/demo_data.h"
#include "shared/field_checker.h"
#include "shared/record_csv.h"
#include "shared/registry_kinds.h"

namespace fedsync::fedctl {
namespace {

class ImportFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(::testing::TempDir(), "/import_file_test_", ::getpid(), ".csv");
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // Writes `count` generated returned students, their names `name_bytes` long, with
  // row `long_row` (1-based; 0: none) given a name one byte too long for any field.
  void WriteStudents(int count, int name_bytes, int long_row = 0) {
    const RegistryKind& kind = *FindRegistryKind("returned_students");
    auto records = GeneratedRecords(kind, count, 9, 2026);
    ASSERT_TRUE(records.ok()) << records.status();
    std::ofstream out(path_, std::ios::binary);
    out << FormatCsvRow(CsvHeader(kind));
    for (int i = 0; i < count; ++i) {
      v1::Record record = (*records)[i];
      const int bytes = i + 1 == long_row ? kMaxFieldBytes + 1 : name_bytes;
      record.mutable_returned_student()->set_name(std::string(bytes, 'a'));
      out << FormatCsvRow(RecordToCsvRow(record));
    }
  }

  std::string path_;
};

TEST_F(ImportFileTest, ChunksStopAtTheByteCapAsWellAsTheRowCap) {
  WriteStudents(300, kMaxFieldBytes);
  auto file = ImportFile::Open(path_, "returned_students");
  ASSERT_TRUE(file.ok()) << file.status();
  constexpr int64_t kMaxBytes = 64 << 10;
  v1::ImportRequest chunk;
  int64_t rows = 0, chunks = 0, largest_record = 0;
  while (true) {
    auto read = (*file)->ReadChunk(1000, kMaxBytes, &chunk);
    ASSERT_TRUE(read.ok()) << read.status();
    if (*read == 0) break;
    ++chunks;
    for (const v1::Record& record : chunk.records()) {
      largest_record = std::max<int64_t>(largest_record, record.ByteSizeLong());
    }
    // The row that crosses the cap is the last one in.
    EXPECT_LT(static_cast<int64_t>(chunk.ByteSizeLong()), kMaxBytes + 2 * largest_record);
    ASSERT_EQ(chunk.row_numbers_size(), *read);
    EXPECT_EQ(chunk.row_numbers(0), rows + 1);
    rows += *read;
  }
  EXPECT_EQ(rows, 300);
  EXPECT_GT(chunks, 4) << "300 rows of over 1 KiB in chunks of 64 KiB";

  // The row cap still holds for small rows.
  WriteStudents(30, 5);
  auto small = ImportFile::Open(path_, "returned_students");
  ASSERT_TRUE(small.ok()) << small.status();
  auto read = (*small)->ReadChunk(10, kMaxBytes, &chunk);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, 10);
}

TEST_F(ImportFileTest, ACellTooLongIsRefusedByItsRow) {
  WriteStudents(20, 10, /*long_row=*/7);
  auto file = ImportFile::Open(path_, "returned_students");
  ASSERT_TRUE(file.ok()) << file.status();
  v1::ImportRequest chunk;
  auto read = (*file)->ReadChunk(1000, 1 << 20, &chunk);
  ASSERT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << read.status();
  EXPECT_TRUE(absl::StrContains(
      read.status().message(),
      absl::StrCat("(row 7): returned_students.name: longer than ", kMaxFieldBytes, " bytes")))
      << read.status();

  auto skipping = ImportFile::Open(path_, "returned_students");
  ASSERT_TRUE(skipping.ok()) << skipping.status();
  (*skipping)->set_skip_invalid(true);
  read = (*skipping)->ReadChunk(1000, 1 << 20, &chunk);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, 19);
  ASSERT_EQ((*skipping)->skipped_rows().size(), 1u);
  EXPECT_EQ((*skipping)->skipped_rows()[0].row(), 7);
  EXPECT_EQ((*skipping)->skipped_rows()[0].field(), "name");
}

}  // namespace
}  // namespace fedsync::fedctl
