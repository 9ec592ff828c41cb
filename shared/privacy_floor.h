// A district's floor under the disclosure control a catalog asks for. The catalog is
// written at the top of the tree and pushed down, but privacy is enforced where the
// data lives (DESIGN, guarantee 2): a district runs every metric at least as strictly
// as its floor, so no catalog from above can switch its filter off.
//
// The floor, metric by metric:
// - NONE only for counts of the documents the office issues (certificates), broken
//   down by nothing but their kind and filtered by nothing but their outcome. Any
//   other NONE metric runs as SUPPRESSION.
// - SUPPRESSION: the threshold is at least `min_threshold`; a sum's dominance and p%
//   rules are on and no looser than their defaults (n >= 2, k <= 85%, p >= 10%).
// - DP: one release costs at most 1 (epsilon for LAPLACE; rho = 1/2 for GAUSSIAN, the
//   same noise scale), and a registry's period at most four releases' worth, shared
//   evenly by the DP metrics that count it (n metrics: 4/n each, releases of at most
//   that), since copies of one metric would average their noise away. The district's
//   ledger also keeps that total per (registry, period) across catalogs, so that a
//   renamed or added metric gets no new budget (privacy_ledger.h).
// - CELL_KEY: a perturbation table at least as strong as the default: largest noise
//   D >= 2 and variance V >= 21/20 (js, at least 1, as the catalog asks). A weaker
//   parameter is raised to the default (the whole default table, should no table meet
//   the raised parameters).
//
// The top of the tree refuses a push that the default floor would change, so that an
// operator hears of it at once; a district with a higher floor raises and logs.
// Stateless functions; thread-safe.
#ifndef FEDSYNC_SHARED_PRIVACY_FLOOR_H_
#define FEDSYNC_SHARED_PRIVACY_FLOOR_H_

#include <gmpxx.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "fedsync/v1/catalog.pb.h"

namespace fedsync {

struct PrivacyFloor {
  // The least SUPPRESSION threshold: DESIGN's default k, and the least a district's
  // config may set (NodeConfig.min_suppression_threshold).
  static constexpr int kDefaultMinThreshold = 3;
  int min_threshold = kDefaultMinThreshold;
};

// A registry's period may spend this many releases' worth of DP, in all.
inline constexpr int kDpReleasesPerRegistryPeriod = 4;

// A DP release's cost in releases' worth: epsilon for LAPLACE, 2 rho for GAUSSIAN.
mpq_class DpReleaseUnits(v1::DpMechanism mechanism, const mpq_class& epsilon);

// `catalog` with every metric raised to `floor`; each change is described in `raised`
// ("metric 'x': threshold 1 raised to 3"). A catalog at or above the floor comes back
// unchanged, with `raised` empty. `catalog` must be valid (Catalog::FromProto), and
// so is the result.
v1::Catalog RaiseToPrivacyFloor(const v1::Catalog& catalog, const PrivacyFloor& floor,
                                std::vector<std::string>* raised);

// kInvalidArgument naming the first metric the default floor would raise, so that a
// push at the top of the tree is refused instead of run differently below.
absl::Status CheckPrivacyFloor(const v1::Catalog& catalog);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_PRIVACY_FLOOR_H_
