#include "district_node/node_secret.h"

#include <cstdint>
#include <vector>

#include "shared/privacy/byte_source.h"
#include "shared/privacy/record_key.h"
#include "shared/status_macros.h"

namespace fedsync {

// Version 6. Existing exact cells get key 0 in the new column, which is wrong for every
// cell with contributors: forgetting the catalog fingerprint they were computed under
// makes the next start recompute them all (cell_updater.h), keys included.
const char kCellKeySchema[] = R"sql(
CREATE TABLE node_secrets(
  name TEXT PRIMARY KEY,
  secret BLOB NOT NULL);
ALTER TABLE exact_cells ADD COLUMN perturbation_key INTEGER NOT NULL DEFAULT 0;
DELETE FROM exact_cells_state WHERE key = 'catalog';
)sql";

namespace {

constexpr char kRecordKeySecret[] = "record_key";
constexpr char kSelectSecret[] = "SELECT secret FROM node_secrets WHERE name = ?";
constexpr char kInsertSecret[] = "INSERT INTO node_secrets(name, secret) VALUES(?, ?)";

}  // namespace

absl::StatusOr<std::string> LoadOrCreateRecordKeySecret(Database* db) {
  ASSIGN_OR_RETURN(Statement select, db->Prepare(kSelectSecret));
  select.Bind(1, kRecordKeySecret);
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (row) {
    std::string secret = select.ColumnBlob(0);
    if (secret.size() < privacy::RecordKeyer::kMinSecretBytes) {
      return absl::DataLossError("the stored record key secret is too short");
    }
    return secret;
  }
  std::vector<uint8_t> bytes(privacy::RecordKeyer::kMinSecretBytes);
  privacy::SecureByteSource random;
  RETURN_IF_ERROR(random.Fill(absl::MakeSpan(bytes)));
  std::string secret(bytes.begin(), bytes.end());
  ASSIGN_OR_RETURN(Statement insert, db->Prepare(kInsertSecret));
  insert.Bind(1, kRecordKeySecret).BindBlob(2, secret);
  RETURN_IF_ERROR(insert.Run());
  return secret;
}

}  // namespace fedsync
