// The perturbation table a CELL_KEY metric's disclosure parameters (catalog.proto,
// Disclosure) ask for. Building a table is exact rational arithmetic (GMP) and not
// cheap, so each distinct parameter set is built once per process and kept for its
// life; there are only ever a handful. Thread-safe.
#ifndef FEDSYNC_SHARED_CELL_KEY_TABLE_H_
#define FEDSYNC_SHARED_CELL_KEY_TABLE_H_

#include "absl/status/statusor.h"
#include "fedsync/v1/catalog.pb.h"
#include "shared/privacy/perturbation_table.h"

namespace fedsync {

// The parameters of `disclosure`, unset ones at their defaults (D=2, V=21/20, js=1).
// kInvalidArgument naming the field when a value is out of range or only one half of V
// is set.
absl::StatusOr<privacy::PerturbationParameters> CellKeyParameters(const v1::Disclosure& disclosure);

// The table for `disclosure`; the pointer lives as long as the process.
// kInvalidArgument as CellKeyParameters, or when no table meets the parameters.
absl::StatusOr<const privacy::PerturbationTable*> CellKeyTable(const v1::Disclosure& disclosure);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_CELL_KEY_TABLE_H_
