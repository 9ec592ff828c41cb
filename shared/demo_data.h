// Synthetic registry records: the demo districts' people, and bulk records for
// benchmarks. Nobody here is real. Names, resident IDs, phones and dates are drawn to
// look real and to pass ValidateRecord (record_validation.h) with today = the last day
// of `demo_year`, so the demo exercises the same paths as real data.
//
// Deterministic: the same arguments give the same records, on every platform. That is
// why the draws use std::mt19937_64 (whose output the C++ standard fixes) through our
// own range reduction, and not the std:: distributions (implementation-defined) or
// absl random (deliberately unstable between runs).
//
// The demo districts reproduce the counts of a real district report (see DESIGN.md):
// at the end of demo_year, Luyang has 53 returned students, 27 enterprises, 112
// community figures and 7 families in hardship in its registries, and has issued 11
// approved identity certifications and 20 approved study certificates in the year —
// plus what a correct metric must leave out: rejected and previous-year decisions, 2
// enterprises that closed and 2 families lifted out of hardship before the year's end.
// Families in hardship come with 2-3 aid visits each, listed after every case.
// Stateless functions are thread-safe; a GeneratedRecordStream is not.
#ifndef FEDSYNC_SHARED_DEMO_DATA_H_
#define FEDSYNC_SHARED_DEMO_DATA_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/registry_kinds.h"

namespace fedsync {

// {"luyang", "yaohai", "shushan", "baohe"}: districts of Hefei.
const std::vector<std::string>& DemoDistrictIds();

// Every demo record of `district_id` for a demo set in `demo_year`, all kinds
// together. kNotFound for an unknown district; kInvalidArgument unless 2018 <= demo_year
// <= 2100 (the returned students registered from 2018 on).
absl::StatusOr<std::vector<v1::Record>> DemoRecords(absl::string_view district_id, int demo_year);

// `count` records of one kind for load tests, produced one at a time so a million need
// not sit in memory: every kind but community_figures and aid_visits, whose keys a
// stream cannot keep unique (kUnimplemented). Resident IDs and credit codes are unique
// within one stream (the identities are a permutation of a space of some 10^8
// region/birth date/sequence combinations); records are otherwise drawn like the
// demo's, from all demo districts' communities.
class GeneratedRecordStream {
 public:
  // kInvalidArgument unless 0 <= count <= 10,000,000 and 2018 <= demo_year <= 2100.
  static absl::StatusOr<GeneratedRecordStream> Create(const RegistryKind& kind, int64_t count,
                                                      uint64_t seed, int demo_year);

  // Replaces *record with the next record; false once `count` records were produced.
  bool Next(v1::Record* record);

 private:
  GeneratedRecordStream(const RegistryKind* kind, int64_t count, uint64_t seed, int demo_year);

  const RegistryKind* kind_;
  int64_t count_;
  int64_t produced_ = 0;
  int demo_year_;
  std::mt19937_64 engine_;
  // Identity j of the stream is permutation (multiplier_ * j + offset_) mod space_.
  uint64_t space_ = 0;
  uint64_t multiplier_ = 1;
  uint64_t offset_ = 0;
};

// All of a GeneratedRecordStream at once.
absl::StatusOr<std::vector<v1::Record>> GeneratedRecords(const RegistryKind& kind, int64_t count,
                                                         uint64_t seed, int demo_year);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_DEMO_DATA_H_
