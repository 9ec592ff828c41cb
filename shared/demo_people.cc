#include "shared/demo_people.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "shared/resident_id.h"

namespace fedsync::demo {

Identity MakeIdentity(absl::string_view region, absl::CivilDay birth, int sequence) {
  const std::string compact =
      absl::StrFormat("%04d%02d%02d", birth.year(), birth.month(), birth.day());
  return {MakeResidentId(region, compact, sequence), birth, sequence % 2 == 1};
}

absl::CivilDay EarliestBirth(int demo_year, int max_age) {
  return absl::CivilDay(demo_year - max_age, 1, 1);
}
absl::CivilDay LatestBirth(int demo_year, int min_age) {
  return absl::CivilDay(demo_year - min_age, 12, 31);
}

std::string PersonName(Dice& dice, bool male) {
  // The smaller of two draws favours the front of the list, where the common surnames
  // are.
  const int64_t first = dice.Between(0, std::size(kSurnames) - 1);
  const int64_t second = dice.Between(0, std::size(kSurnames) - 1);
  std::string name = kSurnames[std::min(first, second)];
  const int given_chars = dice.Percent(30) ? 1 : 2;
  for (int i = 0; i < given_chars; ++i) {
    if (dice.Percent(25)) {
      name += dice.Pick(kNeutralGiven);
    } else {
      name += male ? dice.Pick(kMaleGiven) : dice.Pick(kFemaleGiven);
    }
  }
  return name;
}

std::string MobileNumber(Dice& dice) {
  return absl::StrCat(dice.Pick(kMobilePrefixes),
                      absl::StrFormat("%08d", dice.Between(0, 99'999'999)));
}

}  // namespace fedsync::demo
