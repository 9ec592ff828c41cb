#include "city_node/running_sums.h"

#include "shared/status_macros.h"

namespace fedsync {

Sums Sums::operator+(const Sums& other) const {
  return Sums{total + other.total, inputs + other.inputs, partial_inputs + other.partial_inputs,
              noisy_inputs + other.noisy_inputs, perturbed_inputs + other.perturbed_inputs};
}

Sums Sums::operator-(const Sums& other) const {
  return Sums{total - other.total, inputs - other.inputs, partial_inputs - other.partial_inputs,
              noisy_inputs - other.noisy_inputs, perturbed_inputs - other.perturbed_inputs};
}

bool Sums::operator==(const Sums& other) const {
  return total == other.total && inputs == other.inputs &&
         partial_inputs == other.partial_inputs && noisy_inputs == other.noisy_inputs &&
         perturbed_inputs == other.perturbed_inputs;
}

Sums InputSums(const CellValue& value, int sign) {
  Sums sums;
  sums.total = sign * (value.status == v1::SUPPRESSED ? 0 : value.value);
  sums.inputs = sign;
  sums.partial_inputs =
      value.status == v1::SUPPRESSED || value.status == v1::PARTIAL ? sign : 0;
  sums.noisy_inputs = value.status == v1::NOISY ? sign : 0;
  sums.perturbed_inputs = value.status == v1::PERTURBED ? sign : 0;
  return sums;
}

std::optional<CellValue> PublishedValue(const Sums& sums) {
  if (sums.inputs <= 0) return std::nullopt;
  return CellValue{sums.total, sums.partial_inputs > 0     ? v1::PARTIAL
                               : sums.noisy_inputs > 0     ? v1::NOISY
                               : sums.perturbed_inputs > 0 ? v1::PERTURBED
                                                           : v1::OK};
}

absl::Status RunningSums::Load(Database* db) {
  if (loaded_) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement live,
                   db->Prepare("SELECT metric, period, dims, value, status FROM child_cells "
                               "WHERE deleted = 0"));
  absl::flat_hash_map<CellKey, Sums> sums;
  while (true) {
    ASSIGN_OR_RETURN(bool row, live.Step());
    if (!row) break;
    Sums& sum = sums[CellKey{live.ColumnText(0), live.ColumnText(1), live.ColumnText(2)}];
    sum = sum + InputSums(
                    CellValue{live.ColumnInt(3), static_cast<v1::CellStatus>(live.ColumnInt(4))},
                    +1);
  }
  committed_ = std::move(sums);
  loaded_ = true;
  return absl::OkStatus();
}

Sums RunningSums::Get(const CellKey& key) const {
  if (auto it = pending_.find(key); it != pending_.end()) return it->second;
  if (auto it = committed_.find(key); it != committed_.end()) return it->second;
  return Sums{};
}

void RunningSums::Set(Database* db, CellKey key, const Sums& sums) {
  if (!db->InTransaction()) {  // autocommit: what changed the sum is committed already
    pending_.insert_or_assign(std::move(key), sums);
    EndTransaction(/*committed=*/true);
    return;
  }
  if (!in_transaction_) {
    in_transaction_ = true;
    db->OnTransactionEnd([this](bool committed) { EndTransaction(committed); });
  }
  pending_.insert_or_assign(std::move(key), sums);
}

void RunningSums::EndTransaction(bool committed) {
  in_transaction_ = false;
  if (!committed) {
    pending_.clear();
    return;
  }
  while (!pending_.empty()) {
    auto change = pending_.extract(pending_.begin());
    if (change.mapped().inputs <= 0) {
      committed_.erase(change.key());
    } else {
      committed_.insert_or_assign(std::move(change.key()), change.mapped());
    }
  }
}

}  // namespace fedsync
