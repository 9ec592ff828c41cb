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
  return total == other.total && inputs == other.inputs && partial_inputs == other.partial_inputs &&
         noisy_inputs == other.noisy_inputs && perturbed_inputs == other.perturbed_inputs;
}

Sums InputSums(const CellValue& value, int sign) {
  Sums sums;
  sums.total = sign * (value.status == v1::SUPPRESSED ? 0 : value.value);
  sums.inputs = sign;
  sums.partial_inputs = value.status == v1::SUPPRESSED || value.status == v1::PARTIAL ? sign : 0;
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
  Map sums;
  while (true) {
    ASSIGN_OR_RETURN(bool row, live.Step());
    if (!row) break;
    Sums& sum = sums[CellKey{live.ColumnText(0), live.ColumnText(1), live.ColumnText(2)}].sum;
    sum =
        sum +
        InputSums(CellValue{live.ColumnInt(3), static_cast<v1::CellStatus>(live.ColumnInt(4))}, +1);
  }
  sums_ = std::move(sums);
  changed_.clear();
  loaded_ = true;
  return absl::OkStatus();
}

void RunningSums::Add(Database* db, const CellKey& key, const Sums& delta) {
  if (delta.IsZero()) return;
  if (db->InTransaction() && !in_transaction_) {
    in_transaction_ = true;
    db->OnTransactionEnd([this](bool committed) { EndTransaction(committed); });
  }
  auto it = sums_.try_emplace(key).first;
  Entry& entry = it->second;
  if (!entry.changed) {
    entry.changed = true;
    entry.before = entry.sum;
    changed_.push_back(&*it);
  }
  entry.sum = entry.sum + delta;
}

absl::Status RunningSums::Publish(
    absl::FunctionRef<absl::Status(const CellKey&, const Sums&, const Sums&)> fn) {
  std::vector<Map::value_type*> changed;
  changed.swap(changed_);
  for (Map::value_type* cell : changed) {
    Entry& entry = cell->second;
    entry.changed = false;
    if (absl::Status status = fn(cell->first, entry.before, entry.sum); !status.ok()) {
      loaded_ = false;  // the rest stay unpublished: read them again
      return status;
    }
    if (entry.sum.inputs <= 0) sums_.erase(cell->first);
  }
  return absl::OkStatus();
}

Sums RunningSums::Get(const CellKey& key) const {
  auto it = sums_.find(key);
  return it == sums_.end() ? Sums{} : it->second.sum;
}

void RunningSums::EndTransaction(bool committed) {
  in_transaction_ = false;
  if (!committed) loaded_ = false;  // read again from what the database kept
}

}  // namespace fedsync
