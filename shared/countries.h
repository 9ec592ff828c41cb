// ISO 3166-1 alpha-2 codes (every officially assigned code, including HK, MO and TW,
// which ISO lists) and the closed list of world regions the catalog bins them into.
// A region is a dimension value that leaves the district, so the list is closed and
// every code maps to exactly one member of it. Immutable tables; thread-safe.
#ifndef FEDSYNC_SHARED_COUNTRIES_H_
#define FEDSYNC_SHARED_COUNTRIES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace fedsync {

// True for an officially assigned ISO 3166-1 alpha-2 code, uppercase only ("GB", not
// "gb" or "UK").
bool IsCountryCode(absl::string_view code);

// The world region of `code`: one of WorldRegions(). "other" for an unknown code and
// for the few uninhabited territories (AQ, BV, HM, ...).
absl::string_view CountryRegion(absl::string_view code);

// "north_america", "europe", "east_asia", "southeast_asia", "south_asia", "oceania",
// "africa", "latin_america", "middle_east", "central_asia", "other" — in that order.
const std::vector<std::string>& WorldRegions();

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_COUNTRIES_H_
