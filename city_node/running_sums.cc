#include "city_node/running_sums.h"

#include "shared/status_macros.h"

namespace fedsync {
namespace {

constexpr char kSelectLiveChildCells[] =
    "SELECT child_id, metric, period, dims, value, status FROM child_cells WHERE deleted = 0";
constexpr char kSelectPublishedSeqs[] = "SELECT metric, period, dims, seq FROM published_cells";

}  // namespace

Sums Sums::operator+(const Sums& other) const {
  return Sums{total + other.total, inputs + other.inputs, partial_inputs + other.partial_inputs,
              noisy_inputs + other.noisy_inputs, perturbed_inputs + other.perturbed_inputs};
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
  ASSIGN_OR_RETURN(Statement live, db->Prepare(kSelectLiveChildCells));
  Map sums;
  absl::flat_hash_map<std::string, int64_t> live_cells;
  while (true) {
    ASSIGN_OR_RETURN(bool row, live.Step());
    if (!row) break;
    ++live_cells[live.ColumnText(0)];
    Sums& sum = sums[CellKey{live.ColumnText(1), live.ColumnText(2), live.ColumnText(3)}].sum;
    sum = sum + InputSums(
                    CellValue{live.ColumnInt(4), static_cast<v1::CellStatus>(live.ColumnInt(5))},
                    +1);
  }
  ASSIGN_OR_RETURN(Statement published, db->Prepare(kSelectPublishedSeqs));
  while (true) {
    ASSIGN_OR_RETURN(bool row, published.Step());
    if (!row) break;
    sums[CellKey{published.ColumnText(0), published.ColumnText(1), published.ColumnText(2)}].seq =
        static_cast<uint64_t>(published.ColumnInt(3));
  }
  sums_ = std::move(sums);
  changed_.clear();
  pending_live_cells_.clear();
  {
    absl::MutexLock lock(&counts_mu_);
    live_cells_ = std::move(live_cells);
  }
  loaded_ = true;
  return absl::OkStatus();
}

void RunningSums::WatchTransaction(Database* db) {
  if (in_transaction_) return;
  in_transaction_ = true;  // until EndTransaction, at once in autocommit
  db->OnTransactionEnd([this](bool committed) { EndTransaction(committed); });
}

void RunningSums::Add(Database* db, const CellKey& key, const Sums& delta) {
  if (delta.IsZero()) return;
  WatchTransaction(db);
  auto it = sums_.try_emplace(key).first;
  Entry& entry = it->second;
  if (!entry.changed) {
    entry.changed = true;
    entry.before = entry.sum;
    changed_.push_back(&*it);
  }
  entry.sum = entry.sum + delta;
}

void RunningSums::AddLiveCells(Database* db, const std::string& child, int64_t delta) {
  if (delta == 0) return;
  pending_live_cells_[child] += delta;
  WatchTransaction(db);
}

int64_t RunningSums::LiveCells(const std::string& child) const {
  absl::MutexLock lock(&counts_mu_);
  auto it = live_cells_.find(child);
  return it == live_cells_.end() ? 0 : it->second;
}

int64_t RunningSums::LiveCellsInTransaction(const std::string& child) const {
  auto pending = pending_live_cells_.find(child);
  return LiveCells(child) + (pending == pending_live_cells_.end() ? 0 : pending->second);
}

absl::Status RunningSums::Publish(PublishFn fn) {
  std::vector<Map::value_type*> changed;
  changed.swap(changed_);
  for (Map::value_type* cell : changed) {
    Entry& entry = cell->second;
    entry.changed = false;
    absl::StatusOr<uint64_t> seq = fn(cell->first, entry.before, entry.sum, entry.seq);
    if (!seq.ok()) {
      loaded_ = false;  // the rest stay unpublished: read them again
      return seq.status();
    }
    entry.seq = *seq;
    if (entry.sum.inputs <= 0 && entry.seq == 0) sums_.erase(cell->first);
  }
  return absl::OkStatus();
}

Sums RunningSums::Get(const CellKey& key) const {
  auto it = sums_.find(key);
  return it == sums_.end() ? Sums{} : it->second.sum;
}

uint64_t RunningSums::PublishedSeq(const CellKey& key) const {
  auto it = sums_.find(key);
  return it == sums_.end() ? 0 : it->second.seq;
}

void RunningSums::EndTransaction(bool committed) {
  in_transaction_ = false;
  if (!committed) {
    loaded_ = false;  // read again from what the database kept
    pending_live_cells_.clear();
    return;
  }
  absl::MutexLock lock(&counts_mu_);
  for (const auto& [child, delta] : pending_live_cells_) {
    int64_t& count = live_cells_[child];
    count += delta;
    if (count <= 0) live_cells_.erase(child);
  }
  pending_live_cells_.clear();
}

}  // namespace fedsync
