// Read-only queries over the registries: a filtered, paged listing with a name search,
// and the export of a whole registry in record id order. They take any connection (a
// reader of its own under WAL, so that a long export never holds up the writer).
// Requests are validated here: kInvalidArgument naming the request field.
// Not thread-safe on their own: one connection per caller.
#ifndef FEDSYNC_DISTRICT_NODE_REGISTRY_QUERIES_H_
#define FEDSYNC_DISTRICT_NODE_REGISTRY_QUERIES_H_

#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "fedsync/v1/registry.pb.h"
#include "shared/database.h"

namespace fedsync {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// One page of `request.kind`'s records in id order. The page token is the last id of
// the previous page, so pages stay stable while records are added.
absl::StatusOr<v1::ListRecordsResponse> ListRecords(Database* db,
                                                    const v1::ListRecordsRequest& request);

// Calls `consume` with chunks of at most `chunk_size` records of `kind` in id order
// (deleted ones only with `include_deleted`); stops early when it returns false.
absl::Status ExportRecords(Database* db, const v1::ExportRequest& request, int chunk_size,
                           absl::FunctionRef<bool(std::vector<v1::Record>&)> consume);

}  // namespace fedsync

#endif  // FEDSYNC_DISTRICT_NODE_REGISTRY_QUERIES_H_
