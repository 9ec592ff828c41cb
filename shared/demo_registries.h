// Synthetic records of the registries beyond returned students and certificates:
// enterprises, community figures, families in hardship and their aid visits, drawn to
// pass ValidateRecord (record_validation.h) for any `today` from the last drawn date on.
// Used by demo_data.cc for the demo districts and the benchmark streams. Nobody and
// nothing drawn here is real. Deterministic for a given Dice; not thread-safe.
#ifndef FEDSYNC_SHARED_DEMO_REGISTRIES_H_
#define FEDSYNC_SHARED_DEMO_REGISTRIES_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/demo_people.h"

namespace fedsync::demo {

// Ages of the people of these registries on the last day of the demo year.
inline constexpr AgeRange kFigureAges = {25, 85};
inline constexpr AgeRange kHardshipHeadAges = {55, 95};

// A valid unified social credit code of an enterprise registered in `region6`, unique
// for each `serial` below 31^6 (the organisation code is built from it).
std::string DemoCreditCode(absl::string_view region6, uint64_t serial);

// An enterprise registered in the registry on `registered`; closed on `closed` unless
// that is empty.
void FillEnterprise(Dice& dice, absl::string_view credit_code, absl::string_view community,
                    absl::CivilDay registered, absl::string_view closed, v1::Record* record);

void FillCommunityFigure(Dice& dice, const Identity& who, absl::string_view community,
                         absl::CivilDay registered, v1::Record* record);

// A family filed on `filed`; lifted out of hardship on `lifted` unless it is empty.
void FillHardshipCase(Dice& dice, const Identity& head, absl::string_view community,
                      absl::CivilDay filed, absl::string_view lifted, v1::Record* record);

void FillAidVisit(Dice& dice, absl::string_view household_resident_id, absl::string_view community,
                  absl::CivilDay visited, v1::AidKind kind, v1::Record* record);

}  // namespace fedsync::demo

#endif  // FEDSYNC_SHARED_DEMO_REGISTRIES_H_
