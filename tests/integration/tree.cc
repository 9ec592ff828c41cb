#include "tests/integration/tree.h"

#include <fstream>

#include "absl/time/clock.h"
#include "shared/csv.h"
#include "shared/demo_data.h"
#include "shared/record_csv.h"
#include "shared/registry_kinds.h"
#include "shared/status_macros.h"
#include "tests/integration/federation_check.h"

namespace fedsync::testing {

std::vector<std::string> NodeTlsFlags(const std::string& id, const ParentLink& parent) {
  std::vector<std::string> flags = {"--tls-dir=" + NodeTlsDir(id)};
  if (!parent.address.empty()) {
    flags.push_back("--parent=" + parent.address);
    flags.push_back("--parent-id=" + parent.id);
  }
  return flags;
}

absl::StatusOr<std::unique_ptr<NodeProcess>> StartNode(const TempDir& dir, const std::string& id,
                                                       const std::string& level,
                                                       const std::string& listen,
                                                       const ParentLink& parent,
                                                       std::vector<std::string> extra) {
  std::vector<std::string> args = {"--id=" + id, "--db=" + dir.File(id + ".db"),
                                   "--listen=" + listen};
  for (std::string& flag : NodeTlsFlags(id, parent)) args.push_back(std::move(flag));
  if (level != "district") args.push_back("--level=" + level);
  // The test operator may use a district's registries (its own operator, as it were).
  if (level == "district") args.push_back(std::string("--registry-operators=") + kAdminOperator);
  args.insert(args.end(), extra.begin(), extra.end());
  return NodeProcess::Start(level == "district" ? FEDSYNC_DISTRICT_NODE : FEDSYNC_CITY_NODE,
                            args, dir.File(id + ".log"));
}

absl::StatusOr<DemoTree> StartDemoTree(const TempDir& dir) {
  DemoTree tree;
  ASSIGN_OR_RETURN(tree.province, StartNode(dir, "anhui", "province", "127.0.0.1:0", {}));
  ASSIGN_OR_RETURN(tree.city, StartNode(dir, "hefei", "city", "127.0.0.1:0",
                                        {tree.province->address(), "anhui"}));
  ASSIGN_OR_RETURN(tree.luyang, StartNode(dir, "luyang", "district", "127.0.0.1:0",
                                          {tree.city->address(), "hefei"}, {"--demo-data=luyang"}));
  RETURN_IF_ERROR(WaitFor([&] {
    return CheckTreeConverged(tree.province->address(), "anhui", {"hefei", "luyang"});
  }));
  return tree;
}

void WriteCsv(const std::string& path, const std::vector<v1::Record>& records) {
  std::ofstream out(path);
  if (records.empty()) return;
  out << FormatCsvRow(CsvHeader(*RegistryKindOf(records[0])));
  for (const v1::Record& record : records) out << FormatCsvRow(RecordToCsvRow(record));
}

CommandOutput RunFedctl(const std::string& address, const std::string& server_id,
                        const std::vector<std::string>& args, absl::Duration timeout) {
  std::vector<std::string> all = FedctlTarget(address, server_id);
  all.insert(all.end(), args.begin(), args.end());
  return RunCommand(FEDSYNC_FEDCTL, all, timeout);
}

CommandOutput ImportCsv(const std::string& address, const std::string& id, const std::string& kind,
                        const std::string& path) {
  return RunFedctl(address, id, {"registry", "import", "--kind=" + kind, path});
}

std::vector<v1::Record> Students(int64_t count, uint64_t seed) {
  absl::StatusOr<std::vector<v1::Record>> records =
      GeneratedRecords(*FindRegistryKind("returned_students"), count, seed, DemoYear());
  return records.ok() ? *records : std::vector<v1::Record>();
}

int CurrentYear() {
  return static_cast<int>(absl::ToCivilYear(absl::Now(), absl::FixedTimeZone(8 * 3600)).year());
}

int DemoYear() {
  absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  return today >= absl::CivilDay(today.year(), 11, 30) ? static_cast<int>(today.year())
                                                        : static_cast<int>(today.year()) - 1;
}

}  // namespace fedsync::testing
