// fedctl's renderers: what operators read and what scripts parse.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "fedsync/v1/admin.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/fedctl/commands.h"
#include "tools/fedctl/connection.h"
#include "tools/fedctl/output.h"
#include "tools/fedctl/rollup_output.h"
#include "tools/fedctl/status_output.h"
#include "tools/fedctl/sync_output.h"

namespace fedsync::fedctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(FedctlTextTableTest, AlignsColumnsWithoutTrailingSpaces) {
  TextTable table({"node", "value", "status"});
  table.AlignRight(1);
  table.AddRow({"luyang", "53", "OK"});
  table.AddRow({"baohe", "x", "SUPPRESSED"});
  table.AddRow({"yaohai", "1200"});  // short row: padded, no trailing spaces
  EXPECT_EQ(table.Render(),
            "node    value  status\n"
            "luyang     53  OK\n"
            "baohe       x  SUPPRESSED\n"
            "yaohai   1200\n");
}

TEST(FedctlTextTableTest, WideCharactersTakeTwoColumns) {
  TextTable table({"community", "n"});
  table.AddRow({"林店街道", "1"});
  table.AddRow({"abc", "2"});
  EXPECT_EQ(table.Render(),
            "community  n\n"
            "林店街道   1\n"
            "abc        2\n");
}

TEST(FedctlTextTableTest, EmptyTableRendersNothing) { EXPECT_EQ(TextTable({}).Render(), ""); }

TEST(FedctlOutputTest, DisplayWidth) {
  struct Case {
    std::string text;
    int width;
  };
  for (const Case& test : std::vector<Case>{
           {"", 0},
           {"abc", 3},
           {"金池社区", 8},
           {"e\xCC\x81", 1},  // e + combining acute
           {"\xFF\xFE", 2},   // invalid bytes count one each
           {"ｘ", 2},         // full-width form
       }) {
    EXPECT_EQ(DisplayWidth(test.text), test.width) << test.text;
  }
}

TEST(FedctlOutputTest, JsonStringEscapes) {
  struct Case {
    std::string text;
    std::string json;
  };
  for (const Case& test : std::vector<Case>{
           {"plain", "\"plain\""},
           {"say \"hi\"\\", "\"say \\\"hi\\\"\\\\\""},
           {"a\nb\tc\rd\be\f", "\"a\\nb\\tc\\rd\\be\\f\""},
           {std::string("nul\0x", 5), "\"nul\\u0000x\""},
           {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
           {"合肥 / Hefei", "\"合肥 / Hefei\""},           // UTF-8 passes through
           {"\xF0\x9F\x98\x80", "\"\xF0\x9F\x98\x80\""},   // 4-byte sequence
           {"bad\xC3(", "\"bad\\ufffd(\""},                // truncated sequence
           {"\xC0\xAF", "\"\\ufffd\\ufffd\""},             // overlong '/'
           {"\xED\xA0\x80", "\"\\ufffd\\ufffd\\ufffd\""},  // surrogate
       }) {
    EXPECT_EQ(JsonString(test.text), test.json);
  }
}

TEST(FedctlOutputTest, RelativeTime) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  struct Case {
    absl::Duration age;
    std::string text;
  };
  for (const Case& test : std::vector<Case>{
           {absl::Seconds(-30), "just now"},
           {absl::Milliseconds(400), "just now"},
           {absl::Seconds(3), "3s ago"},
           {absl::Seconds(119), "119s ago"},
           {absl::Seconds(120), "2m ago"},
           {absl::Minutes(119), "119m ago"},
           {absl::Hours(5), "5h ago"},
           {absl::Hours(24 * 12 + 3), "12d ago"},
       }) {
    EXPECT_EQ(RelativeTime(now - test.age, now), test.text) << test.age;
  }
}

v1::RollupCell MakeRollupCell(const std::string& node, const std::string& period,
                              std::vector<std::pair<std::string, std::string>> dims, int64_t value,
                              v1::CellStatus status) {
  v1::RollupCell rollup_cell;
  rollup_cell.set_node_id(node);
  v1::Cell* cell = rollup_cell.mutable_cell();
  cell->set_metric("returned_students_by_region");
  cell->set_period(period);
  for (const auto& [key, dim_value] : dims) {
    v1::DimensionValue* dim = cell->add_dims();
    dim->set_key(key);
    dim->set_value(dim_value);
  }
  cell->set_value(value);
  cell->set_status(status);
  return rollup_cell;
}

// Deliberately out of order, with a tombstone that must not show.
v1::GetRollupResponse SampleRollup() {
  v1::GetRollupResponse response;
  *response.add_cells() =
      MakeRollupCell("luyang", "2026", {{"region", "europe"}}, 0, v1::SUPPRESSED);
  *response.add_cells() = MakeRollupCell("hefei", "2026", {{"region", "europe"}}, 17, v1::PARTIAL);
  *response.add_cells() = MakeRollupCell("luyang", "2026", {{"region", "asia"}}, 31, v1::OK);
  *response.add_cells() = MakeRollupCell("luyang", "2025", {{"region", "asia"}}, 29, v1::OK);
  v1::RollupCell tombstone = MakeRollupCell("luyang", "2026", {{"region", "africa"}}, 0, v1::OK);
  tombstone.mutable_cell()->set_deleted(true);
  *response.add_cells() = tombstone;
  return response;
}

TEST(FedctlRollupOutputTest, TableSortsAndMarksSuppressedCellsWithX) {
  EXPECT_EQ(RenderRollup(SampleRollup(), OutputFormat::kTable),
            "node    period  region  value  status\n"
            "hefei   2026    europe     17  PARTIAL\n"
            "luyang  2025    asia       29  OK\n"
            "luyang  2026    asia       31  OK\n"
            "luyang  2026    europe      x  SUPPRESSED\n");
}

TEST(FedctlRollupOutputTest, Csv) {
  EXPECT_EQ(RenderRollup(SampleRollup(), OutputFormat::kCsv),
            "node,metric,period,region,value,status\n"
            "hefei,returned_students_by_region,2026,europe,17,PARTIAL\n"
            "luyang,returned_students_by_region,2025,asia,29,OK\n"
            "luyang,returned_students_by_region,2026,asia,31,OK\n"
            "luyang,returned_students_by_region,2026,europe,,SUPPRESSED\n");
}

TEST(FedctlRollupOutputTest, JsonHasExactlyTheDocumentedFields) {
  EXPECT_EQ(
      RenderRollup(SampleRollup(), OutputFormat::kJson),
      "[\n"
      "  {\"node\": \"hefei\", \"metric\": \"returned_students_by_region\", \"period\": "
      "\"2026\", \"dims\": {\"region\": \"europe\"}, \"value\": 17, \"status\": \"PARTIAL\"},\n"
      "  {\"node\": \"luyang\", \"metric\": \"returned_students_by_region\", \"period\": "
      "\"2025\", \"dims\": {\"region\": \"asia\"}, \"value\": 29, \"status\": \"OK\"},\n"
      "  {\"node\": \"luyang\", \"metric\": \"returned_students_by_region\", \"period\": "
      "\"2026\", \"dims\": {\"region\": \"asia\"}, \"value\": 31, \"status\": \"OK\"},\n"
      "  {\"node\": \"luyang\", \"metric\": \"returned_students_by_region\", \"period\": "
      "\"2026\", \"dims\": {\"region\": \"europe\"}, \"value\": null, \"status\": "
      "\"SUPPRESSED\"}\n"
      "]\n");
}

TEST(FedctlRollupOutputTest, SuppressedValueNeverPrinted) {
  // Even if a buggy server sent the value along, fedctl does not show it.
  v1::GetRollupResponse response;
  *response.add_cells() = MakeRollupCell("luyang", "2026", {}, 2, v1::SUPPRESSED);
  for (OutputFormat format : {OutputFormat::kTable, OutputFormat::kCsv, OutputFormat::kJson}) {
    EXPECT_THAT(RenderRollup(response, format), Not(HasSubstr("2,"))) << OutputFormatName(format);
    EXPECT_THAT(RenderRollup(response, format), Not(HasSubstr(" 2 "))) << OutputFormatName(format);
  }
  EXPECT_THAT(RenderRollup(response, OutputFormat::kJson), HasSubstr("\"value\": null"));
}

TEST(FedctlRollupOutputTest, NoDimensionsAndEmptyAnswers) {
  v1::GetRollupResponse response;
  *response.add_cells() = MakeRollupCell("anhui", "2026", {}, 53, v1::OK);
  EXPECT_EQ(RenderRollup(response, OutputFormat::kTable),
            "node   period  value  status\n"
            "anhui  2026       53  OK\n");
  EXPECT_THAT(RenderRollup(response, OutputFormat::kJson), HasSubstr("\"dims\": {}"));

  v1::GetRollupResponse empty;
  EXPECT_EQ(RenderRollup(empty, OutputFormat::kTable), "no cells\n");
  EXPECT_EQ(RenderRollup(empty, OutputFormat::kCsv), "node,metric,period,value,status\n");
  EXPECT_EQ(RenderRollup(empty, OutputFormat::kJson), "[]\n");
}

TEST(FedctlRollupOutputTest, JsonAndCsvQuoteAwkwardValues) {
  v1::GetRollupResponse response;
  *response.add_cells() = MakeRollupCell("he\"fei", "2026", {{"type", "a,b\n合肥"}}, 1, v1::NOISY);
  EXPECT_THAT(RenderRollup(response, OutputFormat::kJson), HasSubstr("{\"node\": \"he\\\"fei\", "));
  EXPECT_THAT(RenderRollup(response, OutputFormat::kJson),
              HasSubstr("\"dims\": {\"type\": \"a,b\\n合肥\"}"));
  EXPECT_THAT(RenderRollup(response, OutputFormat::kCsv),
              HasSubstr("\"he\"\"fei\",returned_students_by_region,2026,\"a,b\n合肥\",1,NOISY\n"));
}

TEST(FedctlRollupOutputTest, CellsMissingADimensionLeaveItBlank) {
  v1::GetRollupResponse response;
  *response.add_cells() = MakeRollupCell("hefei", "2026-01", {{"type", "study"}}, 4, v1::OK);
  *response.add_cells() = MakeRollupCell("hefei", "2026-01", {}, 9, v1::OK);
  EXPECT_EQ(RenderRollup(response, OutputFormat::kCsv),
            "node,metric,period,type,value,status\n"
            "hefei,returned_students_by_region,2026-01,,9,OK\n"
            "hefei,returned_students_by_region,2026-01,study,4,OK\n");
}

v1::GetStatusResponse SampleStatus() {
  v1::GetStatusResponse status;
  status.set_node_id("hefei");
  status.set_level(v1::CITY);
  status.set_path("anhui/hefei");
  status.set_epoch(7);
  status.set_max_seq(120);
  status.set_catalog_version(1);
  status.set_published_cells(48);
  v1::ParentLinkStatus* parent = status.mutable_parent();
  parent->set_target("127.0.0.1:4000");
  parent->set_connected(true);
  parent->set_acked_seq(118);
  parent->set_last_ack_unix_millis(1'800'000'000'000 - 2'000);
  v1::ChildStatus* luyang = status.add_children();
  luyang->set_node_id("luyang");
  luyang->set_level(v1::DISTRICT);
  luyang->set_path("anhui/hefei/luyang");
  luyang->set_connected(true);
  luyang->set_last_seen_unix_millis(1'800'000'000'000 - 3'000);
  luyang->set_watermark(90);
  luyang->set_child_max_seq(95);
  luyang->set_catalog_version(1);
  luyang->set_cell_count(33);
  struct Report {
    const char* period;
    bool reported, on_time;
  };
  for (const Report& report :
       {Report{"2025", true, true}, Report{"2026-Q3", true, false}, Report{"2026-10", false, false}}) {
    v1::PeriodReport* added = luyang->add_reports();
    added->set_period(report.period);
    added->set_reported(report.reported);
    added->set_on_time(report.on_time);
  }
  v1::ChildStatus* baohe = status.add_children();
  baohe->set_node_id("baohe");
  baohe->set_level(v1::DISTRICT);
  return status;
}

TEST(FedctlStatusOutputTest, Table) {
  const absl::Time now = absl::FromUnixMillis(1'800'000'000'000);
  EXPECT_EQ(RenderStatusTable(SampleStatus(), now),
            "node             hefei\n"
            "level            city\n"
            "path             anhui/hefei\n"
            "epoch            7\n"
            "max seq          120\n"
            "catalog version  1\n"
            "published cells  48\n"
            "parent           127.0.0.1:4000\n"
            "  connected      yes\n"
            "  acked seq      118\n"
            "  last ack       2s ago\n"
            "  last error     none\n"
            "  lag seq        2\n"
            "  rejected       0 cells\n"
            "\n"
            "children (2):\n"
            "id      level     connected  last seen  watermark  child max seq  lag  lag s  "
            "catalog version  cells  reported (last ended periods)\n"
            "luyang  district  yes        3s ago            90             95    5      3  "
            "              1     33  2025 on time, 2026-Q3 late, 2026-10 missing\n"
            "baohe   district  no         never              0              0    0      0  "
            "              0      0  -\n");
}

TEST(FedctlStatusOutputTest, TopNodeWithoutChildren) {
  v1::GetStatusResponse status;
  status.set_node_id("anhui");
  status.set_level(v1::PROVINCE);
  std::string table = RenderStatusTable(status, absl::UnixEpoch());
  EXPECT_THAT(table, HasSubstr("parent           none (top of the tree)\n"));
  EXPECT_THAT(table, HasSubstr("\nchildren: none\n"));
}

TEST(FedctlStatusOutputTest, JsonUsesProtoFieldNamesAndProtobufConventions) {
  absl::StatusOr<std::string> json = RenderStatusJson(SampleStatus());
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"node_id\":\"hefei\""));
  EXPECT_THAT(*json, HasSubstr("\"level\":\"CITY\""));
  EXPECT_THAT(*json, HasSubstr("\"max_seq\":\"120\""));  // uint64 as a string
  EXPECT_THAT(*json, HasSubstr("\"child_max_seq\":\"95\""));
  EXPECT_THAT(*json, HasSubstr("\"watermark\":\"90\""));
  EXPECT_THAT(*json, HasSubstr("\"connected\":true"));
  EXPECT_THAT(*json, Not(HasSubstr("childMaxSeq")));
  EXPECT_EQ(json->back(), '\n');
  EXPECT_EQ(json->find('\n'), json->size() - 1);  // one line
}

TEST(FedctlSyncOutputTest, OneLinePerNodeAndCounts) {
  v1::SyncNowResponse response;
  response.set_command_id("c1");
  v1::NodeResult* ok = response.add_results();
  ok->set_node_id("luyang");
  ok->set_ok(true);
  ok->set_message("acked seq 120");
  v1::NodeResult* failed = response.add_results();
  failed->set_node_id("yaohai");
  failed->set_message("database is locked");
  response.add_missing("shushan");
  SyncReport report = RenderSyncResults(response, /*waited=*/true);
  EXPECT_EQ(report.text,
            "luyang   ok       acked seq 120\n"
            "yaohai   failed   database is locked\n"
            "shushan  missing  no answer within the deadline\n");
  EXPECT_EQ(report.failed, 1);
  EXPECT_EQ(report.missing, 1);
}

TEST(FedctlSyncOutputTest, WithoutWaitNothingIsMissing) {
  v1::SyncNowResponse response;
  response.set_command_id("c7");
  SyncReport report = RenderSyncResults(response, /*waited=*/false);
  EXPECT_EQ(report.text, "sync command c7 sent; add --wait to see the results\n");
  EXPECT_EQ(report.failed, 0);
  EXPECT_EQ(report.missing, 0);
  EXPECT_FALSE(report.none_answered);
}

TEST(FedctlSyncOutputTest, WaitingForNoOneIsNotASuccess) {
  v1::SyncNowResponse response;
  response.set_command_id("c8");
  SyncReport report = RenderSyncResults(response, /*waited=*/true);
  EXPECT_EQ(report.text, "sync command c8: no node answered\n");
  EXPECT_TRUE(report.none_answered);
}

TEST(FedctlRpcErrorTest, MessagesSayWhatHappenedAndWhatToDo) {
  struct Case {
    grpc::Status status;
    std::string message;
  };
  const absl::Duration timeout = absl::Seconds(10);
  for (const Case& test : std::vector<Case>{
           {grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses"),
            "fedctl: cannot reach 127.0.0.1:7000 (UNAVAILABLE): failed to connect to all "
            "addresses; check that the node is running and --target is right (a node on TLS "
            "needs --tls-dir, and --server-id)"},
           {grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"),
            "fedctl: 127.0.0.1:7000 did not answer within 10s (DEADLINE_EXCEEDED); check the "
            "node, or allow longer with --timeout=SECONDS"},
           {grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown metric 'nope'"),
            "fedctl rollup: unknown metric 'nope' (NOT_FOUND)"},
           {grpc::Status(grpc::StatusCode::INTERNAL, ""),
            "fedctl rollup: 127.0.0.1:7000 answered INTERNAL"},
           {grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "viewer role"),
            "fedctl rollup: 127.0.0.1:7000 refused the call (PERMISSION_DENIED): viewer role"},
       }) {
    EXPECT_EQ(DescribeRpcError("rollup", "127.0.0.1:7000", timeout, test.status), test.message);
  }
  EXPECT_THAT(DescribeRpcError("registry import", "127.0.0.1:7000", timeout,
                               grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "")),
              HasSubstr("registry commands go to a district node"));
}

// Without --tls-dir a call is plaintext: only to a loopback --target; a command that
// contacts no node is not held to it.
TEST(FedctlTransportTest, PlaintextOnlyToLoopbackTargets) {
  const CommandSpec status = StatusCommandSpec();
  const CommandSpec certs = CertsInitCommandSpec();
  struct Case {
    std::string target;
    const CommandSpec* command;
    bool allowed;
  };
  for (const Case& test : std::vector<Case>{
           {"127.0.0.1:7000", &status, true},
           {"127.3.4.5:7000", &status, true},
           {"localhost:7000", &status, true},
           {"[::1]:7000", &status, true},
           {"10.0.0.1:7000", &status, false},
           {"hefei.example.net:7000", &status, false},
           {"127.0.0.1.example.net:7000", &status, false},
           {"[2001:db8::1]:7000", &status, false},
           {"10.0.0.1:7000", &certs, true},
       }) {
    SCOPED_TRACE(test.target + " " + test.command->name);
    CommandLine command_line;
    command_line.command = test.command;
    command_line.target = test.target;
    absl::Status checked = CheckTransport(command_line);
    EXPECT_EQ(checked.ok(), test.allowed) << checked;
    if (!test.allowed) {
      EXPECT_EQ(checked.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(checked.message()), HasSubstr("give --tls-dir=DIR"));
    }
  }
}

}  // namespace
}  // namespace fedsync::fedctl
