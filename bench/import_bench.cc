// Bulk import through the real path, beside raw SQLite, measured in the same run:
//
//   raw SQLite   the same generated rows, serialized, inserted with one prepared
//                statement into a table of the registry's shape, in one transaction;
//   RPC import   an in-process district node behind a loopback gRPC server:
//                fedctl-sized chunks streamed to RegistryService.Import, every record
//                validated, spooled, upserted by natural key and audited, and its
//                contribution to the exact cells added and the touched cells published
//                (incremental aggregation), in one transaction. The node's cells are
//                made current before, as on a running node, so the import takes the
//                incremental path, not the first-ever full recompute;
//   publish      the publisher's check afterwards (SyncNow): nothing left to do, as
//                the import published its cells itself.
//
// Both the baseline and the import include generating the records (the generator's
// own rate is printed too), so the ratio compares like with like. The process's CPU
// time of each phase is printed beside its wall time (the import split into sending —
// the client generating and streaming, the node checking rows as they arrive — and
// storing, after the last row): on a shared machine the wall ratio moves with the
// load, the CPU times much less. Prints figures and never fails on a timing.
//
//   import_bench [--records=N]   (default 1,000,000; at most 10,000,000)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_util.h"
#include "district_node/district_node.h"
#include "district_node/registry_service.h"
#include "district_node/registry_store.h"
#include "fedsync/v1/registry.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "shared/database.h"
#include "shared/demo_data.h"
#include "shared/registry_kinds.h"
#include "shared/server_runner.h"

namespace fedsync {
namespace {

constexpr int kChunkRecords = 1000;  // as fedctl registry import sends them
constexpr uint64_t kSeed = 2026;

struct Args {
  int64_t records = 1'000'000;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--records=", 0) == 0 &&
        absl::SimpleAtoi(arg.substr(10), &args->records) && args->records > 0 &&
        args->records <= 10'000'000) {
      continue;
    }
    std::cerr << "usage: import_bench [--records=N]  (1 <= N <= 10000000)\n";
    return false;
  }
  return true;
}

int DemoYear() {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
  return today >= absl::CivilDay(today.year(), 11, 30) ? static_cast<int>(today.year())
                                                        : static_cast<int>(today.year()) - 1;
}

void ReportCpu(const char* what, absl::Duration cpu, absl::Duration wall) {
  std::cout << absl::StrFormat("%-44s %10.2f s CPU (%.2f s wall)\n", what,
                               absl::ToDoubleSeconds(cpu), absl::ToDoubleSeconds(wall));
}

double Rate(int64_t rows, absl::Duration elapsed) {
  return static_cast<double>(rows) / absl::ToDoubleSeconds(elapsed);
}

void Report(const char* what, int64_t rows, absl::Duration elapsed) {
  std::cout << absl::StrFormat("%-44s %10.0f rows/s  (%.2f s)\n", what, Rate(rows, elapsed),
                               absl::ToDoubleSeconds(elapsed));
}

absl::Status Check(const absl::Status& status, const char* what) {
  if (!status.ok()) std::cerr << what << ": " << status << "\n";
  return status;
}

// Generation and serialization alone.
absl::Duration Generate(const RegistryKind& kind, int64_t count, int year) {
  auto stream = GeneratedRecordStream::Create(kind, count, kSeed, year).value();
  const absl::Time start = absl::Now();
  v1::Record record;
  size_t bytes = 0;
  while (stream.Next(&record)) bytes += ColumnsOf(kind, RecordPayload(record)).bytes.size();
  const absl::Duration elapsed = absl::Now() - start;
  if (bytes == 0) std::cerr << "nothing generated\n";
  return elapsed;
}

absl::StatusOr<absl::Duration> RawInsert(const RegistryKind& kind, int64_t count, int year,
                                         const std::string& path) {
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  absl::Status status = (*db)->Execute(
      "CREATE TABLE t(id INTEGER PRIMARY KEY, natural_key TEXT NOT NULL UNIQUE, community TEXT "
      "NOT NULL, start_date TEXT NOT NULL, name TEXT NOT NULL, record BLOB NOT NULL);");
  if (!status.ok()) return status;
  auto stream = GeneratedRecordStream::Create(kind, count, kSeed, year).value();
  const absl::Time start = absl::Now();
  auto transaction = Transaction::Begin(db->get());
  if (!transaction.ok()) return transaction.status();
  auto insert = (*db)->Prepare(
      "INSERT INTO t(natural_key, community, start_date, name, record) VALUES(?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  v1::Record record;
  while (stream.Next(&record)) {
    const RecordColumns columns = ColumnsOf(kind, RecordPayload(record));
    insert->Reset();
    insert->Bind(1, columns.natural_key).Bind(2, columns.community).Bind(3, columns.start_date)
        .Bind(4, columns.name).BindBlob(5, columns.bytes);
    if (absl::Status run = insert->Run(); !run.ok()) return run;
  }
  if (absl::Status commit = (*transaction)->Commit(); !commit.ok()) return commit;
  return absl::Now() - start;
}

int Run(const Args& args) {
  const RegistryKind& kind = *FindRegistryKind("returned_students");
  const int year = DemoYear();
  const std::string dir =
      std::filesystem::temp_directory_path() / ("import_bench." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};

  std::cout << "import_bench: " << args.records << " " << kind.name << " records, demo year "
            << year << "\n";
  Report("generate + serialize only", args.records, Generate(kind, args.records, year));

  const absl::Duration raw_cpu_start = bench::ProcessCpuTime();
  absl::StatusOr<absl::Duration> raw = RawInsert(kind, args.records, year, dir + "/raw.db");
  if (!Check(raw.status(), "raw insert").ok()) return 1;
  const absl::Duration raw_cpu = bench::ProcessCpuTime() - raw_cpu_start;
  Report("raw SQLite: prepared inserts, one transaction", args.records, *raw);

  v1::NodeConfig config;
  config.set_id("bench");
  config.set_db(dir + "/district.db");
  config.set_listen("127.0.0.1:0");
  config.set_insecure(true);
  config.set_debounce_millis(3'600'000);  // publish only when asked, to time it apart
  auto node = DistrictNode::Create(config, nullptr, Clock::Real());
  if (!Check(node.status(), "district").ok()) return 1;
  const OperatorAuth operator_auth(/*require_certificate=*/false);
  RegistryService service(node->get(), &operator_auth);
  auto server = StartServer("127.0.0.1:0", grpc::InsecureServerCredentials(), {&service});
  if (!Check(server.status(), "server").ok()) return 1;
  auto stub = v1::RegistryService::NewStub(grpc::CreateChannel(
      absl::StrFormat("127.0.0.1:%d", server->port), grpc::InsecureChannelCredentials()));

  // A running node's cells are current: the import below updates them incrementally.
  if (v1::NodeResult ready = (*node)->SyncNow(false, absl::Minutes(1)); !ready.ok()) {
    std::cerr << "publish before import: " << ready.message() << "\n";
    return 1;
  }
  auto stream = GeneratedRecordStream::Create(kind, args.records, kSeed, year).value();
  const absl::Duration import_cpu_start = bench::ProcessCpuTime();
  const absl::Time start = absl::Now();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  v1::ImportResponse response;
  auto writer = stub->Import(&context, &response);
  v1::ImportRequest chunk;
  chunk.set_kind(kind.name);
  int64_t row = 0;
  v1::Record record;
  while (stream.Next(&record)) {
    *chunk.add_records() = std::move(record);
    chunk.add_row_numbers(++row);
    if (chunk.records_size() == kChunkRecords) {
      if (!writer->Write(chunk)) break;
      chunk.Clear();
    }
  }
  if (chunk.records_size() > 0 || row == 0) writer->Write(chunk);
  writer->WritesDone();
  const absl::Time sent = absl::Now();
  const absl::Duration sent_cpu = bench::ProcessCpuTime();
  grpc::Status status = writer->Finish();
  const absl::Duration imported = absl::Now() - start;
  const absl::Duration import_cpu = bench::ProcessCpuTime() - import_cpu_start;
  if (!status.ok()) {
    std::cerr << "import failed: " << status.error_message().substr(0, 500) << "\n";
    return 1;
  }
  if (response.created() != args.records) {
    std::cerr << "import created " << response.created() << " of " << args.records
              << " records\n";
    return 1;
  }
  Report("RPC import (validated, stored, audited, cells)", response.created(), imported);
  const double rpc_rate = static_cast<double>(response.created()) / absl::ToDoubleSeconds(imported);
  const double raw_rate = static_cast<double>(response.created()) / absl::ToDoubleSeconds(*raw);
  bench::PrintFigure("registry bulk import, rows/s", rpc_rate, raw_rate, "rows/s", ">= 50%",
              rpc_rate >= 0.5 * raw_rate);
  std::cout << absl::StrFormat("%-44s %10.1f %%   (goal: at least 50 %%)\n",
                               "RPC import / raw SQLite", 100.0 * absl::ToDoubleSeconds(*raw) /
                                                              absl::ToDoubleSeconds(imported));
  // Where the time went: sending (the client generating, the node checking each row as
  // it arrives) and storing (after the last row, under the node's write lock).
  ReportCpu("  raw SQLite", raw_cpu, *raw);
  ReportCpu("  RPC import", import_cpu, imported);
  ReportCpu("    sending: generate, stream, validate", sent_cpu - import_cpu_start, sent - start);
  ReportCpu("    storing: after the last row", import_cpu_start + import_cpu - sent_cpu,
            start + imported - sent);

  const absl::Time publish_start = absl::Now();
  v1::NodeResult published = (*node)->SyncNow(false, absl::Minutes(10));
  const absl::Duration publish = absl::Now() - publish_start;
  std::cout << absl::StrFormat("%-44s %10.2f s     (%s)\n",
                               "publish: check after the import",
                               absl::ToDoubleSeconds(publish), published.message());
  Report("RPC import + publish", response.created(), imported + publish);
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}

}  // namespace
}  // namespace fedsync

int main(int argc, char** argv) {
  fedsync::Args args;
  if (!fedsync::ParseArgs(argc, argv, &args)) return 2;
  return fedsync::Run(args);
}
