// fedctl's rendering of registry records: the table for people, CSV and JSON that
// scripts parse.
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shared/csv.h"
#include "shared/registry_kinds.h"
#include "tools/fedctl/registry_output.h"

namespace fedsync::fedctl {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

v1::ListRecordsResponse HardshipPage(const std::string& next_page_token) {
  v1::ListRecordsResponse page;
  v1::RecordEntry* entry = page.add_entries();
  entry->set_id(7);
  entry->set_kind("hardship_cases");
  entry->set_status(v1::ACTIVE);
  entry->set_start_date("2026-03-01");
  v1::HardshipCase* hardship = entry->mutable_record()->mutable_hardship_case();
  hardship->set_head_name("张伟");
  hardship->set_household_size(3);
  hardship->set_status(v1::HARDSHIP_ACTIVE);
  page.set_next_page_token(next_page_token);
  return page;
}

TEST(FedctlRegistryOutputTest, NextPageHintOnlyWhenThereIsANextPage) {
  EXPECT_EQ(NextPageHint(HardshipPage("")), "");
  EXPECT_EQ(NextPageHint(HardshipPage("abc")), "more: --page-token=abc (or --all)\n");
}

TEST(FedctlRegistryOutputTest, TableEndsWithTheHintAndCsvAndJsonStayDocuments) {
  const RegistryKind& kind = *FindRegistryKind("hardship_cases");
  const v1::ListRecordsResponse page = HardshipPage("abc");
  EXPECT_THAT(RenderEntries(kind, page, OutputFormat::kTable),
              EndsWith("\nmore: --page-token=abc (or --all)\n"));
  for (OutputFormat format : {OutputFormat::kCsv, OutputFormat::kJson}) {
    EXPECT_THAT(RenderEntries(kind, page, format), Not(HasSubstr("more:")));
  }
  EXPECT_THAT(RenderEntries(kind, page, OutputFormat::kJson), EndsWith("}\n]\n"));
}

// hardship_cases has a status field of its own: the record's state is record_status.
TEST(FedctlRegistryOutputTest, CsvHeaderNamesEachColumnOnce) {
  const std::string csv =
      RenderEntries(*FindRegistryKind("hardship_cases"), HardshipPage(""), OutputFormat::kCsv);
  EXPECT_THAT(csv, StartsWith("id,record_status,start_date,end_date,head_name,"));
  EXPECT_THAT(csv, HasSubstr("\n7,active,2026-03-01,,张伟,"));
  for (const RegistryKind& kind : AllRegistryKinds()) {
    SCOPED_TRACE(kind.name);
    v1::RecordEntry entry;
    MutableRecordPayload(kind, entry.mutable_record());
    for (const std::string& csv :
         {RenderEntries(kind, v1::ListRecordsResponse(), OutputFormat::kCsv),
          RenderEntry(kind, entry, OutputFormat::kCsv)}) {
      std::istringstream in(csv);
      CsvReader reader(&in);
      std::vector<std::string> header;
      ASSERT_TRUE(*reader.Next(&header));
      const std::set<std::string> unique(header.begin(), header.end());
      EXPECT_EQ(unique.size(), header.size()) << absl::StrJoin(header, ",");
    }
  }
}

}  // namespace
}  // namespace fedsync::fedctl
