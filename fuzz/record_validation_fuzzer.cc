// libFuzzer harness: record validation (shared/record_validation.h) on any v1::Record
// the wire format can carry. It may refuse anything but must not crash, and it must
// agree with itself: a record is valid exactly when it has no field errors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/time/civil_time.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/record_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fedsync::v1::Record record;
  if (!record.ParseFromArray(data, static_cast<int>(size))) return 0;
  const absl::CivilDay today(2026, 11, 30);
  const bool valid = fedsync::ValidateRecord(record, today).ok();
  const bool no_errors = fedsync::RecordFieldErrors(record, today).empty();
  if (valid != no_errors) std::abort();
  return 0;
}
