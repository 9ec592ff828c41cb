// libFuzzer harness: the CSV import path (shared/csv.h, record_csv.h, then validation)
// as `fedctl registry import` and the district run it. The input's first line is the
// registry kind ("returned_students"), the rest the CSV file. Nothing may crash; every
// row the reader returns must survive FormatCsvRow and a second read unchanged; every
// record a row fills must map back to the same row.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/csv.h"
#include "shared/record_csv.h"
#include "shared/record_validation.h"

namespace {

// The fields of `row` after writing it with FormatCsvRow and reading it back.
std::vector<std::string> RoundTrip(const std::vector<std::string>& row) {
  std::istringstream in(fedsync::FormatCsvRow(row));
  fedsync::CsvReader reader(&in);
  std::vector<std::string> again;
  absl::StatusOr<bool> read = reader.Next(&again);
  if (!read.ok() || !*read) std::abort();
  return again;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == absl::string_view::npos) return 0;
  const std::string kind(input.substr(0, newline));
  std::istringstream in(std::string(input.substr(newline + 1)));

  fedsync::CsvReaderOptions options;
  options.max_field_bytes = 4096;  // small, so the fuzzer reaches the limit too
  options.max_fields_per_row = 64;
  fedsync::CsvReader reader(&in, options);
  std::vector<std::string> header;
  absl::StatusOr<bool> read = reader.Next(&header);
  if (!read.ok() || !*read) return 0;
  if (RoundTrip(header) != header) std::abort();
  absl::StatusOr<fedsync::RecordCsvMapper> mapper = fedsync::RecordCsvMapper::Create(kind, header);

  const absl::CivilDay today(2026, 11, 30);
  std::vector<std::string> row;
  for (int rows = 0; rows < 1000; ++rows) {
    read = reader.Next(&row);
    if (!read.ok() || !*read) break;
    if (RoundTrip(row) != row) std::abort();
    if (!mapper.ok()) continue;
    fedsync::v1::Record record;
    if (!mapper->Fill(row, &record).ok()) continue;
    (void)fedsync::ValidateRecord(record, today);
    // A filled record maps back to a row that fills the same record.
    fedsync::v1::Record again;
    const std::vector<std::string> canonical = fedsync::RecordToCsvRow(record);
    absl::StatusOr<fedsync::RecordCsvMapper> canonical_mapper =
        fedsync::RecordCsvMapper::Create(kind, fedsync::CsvHeader(mapper->kind()));
    if (!canonical_mapper.ok() || !canonical_mapper->Fill(canonical, &again).ok() ||
        again.SerializeAsString() != record.SerializeAsString()) {
      std::abort();
    }
  }
  return 0;
}
