#include "district_node/import_session.h"

#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "district_node/registry_store.h"
#include "shared/record_normalization.h"
#include "shared/record_validation.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

// Errors quoted in a rejection's message; the response and the count carry the rest.
constexpr size_t kErrorsInMessage = 20;
constexpr size_t kSpoolBufferBytes = 1 << 20;

// Two independent 64-bit FNV-1a variants. A collision would only report a false
// duplicate (the import fails safe); at 2^-128 per pair it does not happen.
std::pair<uint64_t, uint64_t> Fingerprint(absl::string_view key) {
  uint64_t a = 1469598103934665603ULL;
  uint64_t b = 0x84222325CBF29CE4ULL;
  for (char c : key) {
    a = (a ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    b = (b ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    b ^= b >> 29;
  }
  return {a, b};
}

// The spool holds each valid row's table columns, length-prefixed.
bool WriteBytes(std::FILE* file, absl::string_view bytes) {
  const uint32_t size = static_cast<uint32_t>(bytes.size());
  return std::fwrite(&size, sizeof size, 1, file) == 1 &&
         (size == 0 || std::fwrite(bytes.data(), 1, size, file) == size);
}
bool ReadBytes(std::FILE* file, std::string* bytes) {
  uint32_t size = 0;
  if (std::fread(&size, sizeof size, 1, file) != 1) return false;
  bytes->resize(size);
  return size == 0 || std::fread(bytes->data(), 1, size, file) == size;
}

struct SpooledRow {
  int64_t row = 0;
  RecordColumns columns;
};

bool WriteRow(std::FILE* file, const SpooledRow& entry) {
  const RecordColumns& c = entry.columns;
  return std::fwrite(&entry.row, sizeof entry.row, 1, file) == 1 &&
         WriteBytes(file, c.natural_key) && WriteBytes(file, c.community) &&
         WriteBytes(file, c.start_date) && WriteBytes(file, c.own_end_date) &&
         WriteBytes(file, c.name) && WriteBytes(file, c.bytes);
}
bool ReadRow(std::FILE* file, SpooledRow* entry) {
  RecordColumns& c = entry->columns;
  return std::fread(&entry->row, sizeof entry->row, 1, file) == 1 &&
         ReadBytes(file, &c.natural_key) && ReadBytes(file, &c.community) &&
         ReadBytes(file, &c.start_date) && ReadBytes(file, &c.own_end_date) &&
         ReadBytes(file, &c.name) && ReadBytes(file, &c.bytes);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ImportSession>> ImportSession::Create(const RegistryKind& kind,
                                                                     ImportOptions options,
                                                                     Aggregator aggregator) {
  // Anonymous: removed by the system when closed, even if the node crashes.
  std::FILE* spool = std::tmpfile();
  if (spool == nullptr) {
    return absl::InternalError(
        absl::StrCat("import: cannot create a temporary file: ", std::strerror(errno)));
  }
  std::setvbuf(spool, nullptr, _IOFBF, kSpoolBufferBytes);
  return std::unique_ptr<ImportSession>(
      new ImportSession(&kind, options, std::move(aggregator), spool));
}

ImportSession::~ImportSession() { std::fclose(spool_); }

void ImportSession::AddError(int64_t row, absl::string_view field, absl::string_view reason) {
  ++error_count_;
  // A row's errors come together (Add checks a row at once; Apply finds one per row).
  if (row != last_invalid_row_) ++invalid_rows_;
  last_invalid_row_ = row;
  if (static_cast<int>(errors_.size()) >= options_.max_listed_errors) return;
  v1::RowError& error = errors_.emplace_back();
  error.set_row(row);
  error.set_field(std::string(field));
  error.set_reason(std::string(reason));
}

absl::Status ImportSession::Add(const v1::Record& given, int64_t row) {
  ++rows_received_;
  // Checked, keyed, stored and counted as trimmed (record_normalization.h); copied
  // only when it differs.
  std::optional<v1::Record> normalized;
  if (given.kind_case() == kind_->record_case && !IsNormalized(RecordPayload(given))) {
    normalized = given;
    NormalizeRecord(&*normalized);
  }
  const v1::Record& record = normalized.has_value() ? *normalized : given;
  if (row <= 0) row = rows_received_;
  if (record.kind_case() != kind_->record_case) {
    AddError(row, "kind", absl::StrCat("not a record of ", kind_->name));
    return absl::OkStatus();
  }
  const std::vector<FieldError> field_errors = RecordFieldErrors(record, aggregator_.today());
  for (const FieldError& error : field_errors) AddError(row, error.field, error.reason);
  if (!field_errors.empty()) return absl::OkStatus();

  SpooledRow entry;
  entry.row = row;
  entry.columns = ColumnsOfNormalized(*kind_, RecordPayload(record));
  const auto [seen, inserted] = first_row_.try_emplace(Fingerprint(entry.columns.natural_key), row);
  if (!inserted) {
    AddError(row, absl::StrJoin(kind_->key_fields, "+"),
             absl::StrCat("the same key as row ", seen->second, " of this import"));
    return absl::OkStatus();
  }
  // Once the import is bound to fail, keep checking rows but stop spooling them.
  if (error_count_ > 0 && !options_.skip_invalid) return absl::OkStatus();
  if (!WriteRow(spool_, entry)) {
    return absl::InternalError(
        absl::StrCat("import: cannot write the temporary file: ", std::strerror(errno)));
  }
  ++spooled_;
  // Its cells as a new row (InsertedRow): computed here, while the client is still
  // sending, rather than under the node's write lock.
  const RecordColumns& columns = entry.columns;
  if (CountsInRegistry(columns.start_date, columns.own_end_date)) {
    aggregator_.AddRanges(record, columns.start_date, columns.own_end_date, &new_rows_);
  }
  return absl::OkStatus();
}

absl::Status ImportSession::Rejection() const {
  std::vector<std::string> lines;
  for (size_t i = 0; i < errors_.size() && i < kErrorsInMessage; ++i) {
    const v1::RowError& error = errors_[i];
    lines.push_back(absl::StrCat("row ", error.row(), ": ", kind_->name, ".", error.field(), ": ",
                                 error.reason()));
  }
  if (error_count_ > static_cast<int64_t>(lines.size())) {
    lines.push_back(absl::StrCat("... and ", error_count_ - static_cast<int64_t>(lines.size()),
                                 " more"));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      invalid_rows_, " invalid row(s), nothing imported:\n", absl::StrJoin(lines, "\n")));
}

absl::StatusOr<v1::ImportResponse> ImportSession::Apply(Database* db, AuditWriter* audit,
                                                        CellChanges* changes) {
  if (error_count_ > 0 && !options_.skip_invalid) return Rejection();
  if (std::fflush(spool_) != 0 || std::fseek(spool_, 0, SEEK_SET) != 0) {
    return absl::InternalError("import: cannot rewind the temporary file");
  }
  ASSIGN_OR_RETURN(RegistryTable table, RegistryTable::Prepare(db, *kind_));
  // An aid visit belongs to a family with a case file at this district.
  const bool needs_household = kind_->record_case == v1::Record::kAidVisit;
  std::optional<RegistryTable> households;
  if (needs_household) {
    ASSIGN_OR_RETURN(households, RegistryTable::Prepare(db, *FindRegistryKind("hardship_cases")));
  }
  // The rows' cells as new rows, computed in Add(); each row that turns out not to be
  // new takes its part away again. Row by row instead when the catalog changed since.
  const bool precomputed = changes->AddRanges(*kind_, aggregator_, new_rows_);
  auto not_new = [&](const RecordColumns& columns) -> absl::Status {
    if (!precomputed) return absl::OkStatus();
    const StoredRow as_new = InsertedRow(0, columns);
    return changes->RowChanged(*kind_, &as_new, nullptr);
  };
  // The audit rows of created records, written a batch at a time.
  constexpr size_t kAuditBatch = 1024;
  std::vector<int64_t> created;
  created.reserve(kAuditBatch);
  v1::ImportResponse response;
  response.set_rows_received(rows_received_);
  SpooledRow entry;
  for (int64_t i = 0; i < spooled_; ++i) {
    if (!ReadRow(spool_, &entry)) {
      return absl::InternalError("import: the temporary file is truncated");
    }
    const RecordColumns& columns = entry.columns;
    if (needs_household) {
      const std::string household = columns.natural_key.substr(0, columns.natural_key.find('|'));
      ASSIGN_OR_RETURN(std::optional<StoredRow> found, households->FindByKey(household));
      if (!found.has_value() || !found->deleted_at.empty()) {
        AddError(entry.row, "household_resident_id",
                 found.has_value()
                     ? "the hardship case with this resident_id is deleted; restore it first"
                     : "no hardship case with this resident_id at this district");
        RETURN_IF_ERROR(not_new(columns));
        continue;
      }
    }
    ASSIGN_OR_RETURN(std::optional<int64_t> id, table.InsertIfAbsent(columns, audit->at()));
    if (id.has_value()) {
      created.push_back(*id);
      if (created.size() == kAuditBatch) {
        RETURN_IF_ERROR(audit->RecordEach(kAuditImportCreate, kind_->name, created));
        created.clear();
      }
      if (!precomputed) {
        const StoredRow inserted = InsertedRow(*id, columns);
        RETURN_IF_ERROR(changes->RowChanged(*kind_, nullptr, &inserted));
      }
      response.set_created(response.created() + 1);
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<StoredRow> existing, table.FindByKey(columns.natural_key));
    if (!existing.has_value()) {
      return absl::InternalError(
          absl::StrCat("import: row ", entry.row, " was neither inserted nor found by its key"));
    }
    if (!existing->deleted_at.empty()) {
      // As UpdateRecord: a deleted record changes only once restored (one entered in
      // error would otherwise count again, under its new dates). The same data again
      // is refused too: "unchanged" would tell the operator it is in the registry.
      AddError(entry.row, absl::StrJoin(kind_->key_fields, "+"),
               absl::StrCat("record ", existing->id, " is deleted; restore it first"));
      RETURN_IF_ERROR(not_new(columns));
    } else if (existing->columns.bytes == columns.bytes) {
      RETURN_IF_ERROR(not_new(columns));
      response.set_unchanged(response.unchanged() + 1);
    } else {
      RETURN_IF_ERROR(table.Update(*existing, columns));
      v1::Record before, after;
      MutableRecordPayload(*kind_, &before)->ParseFromString(existing->columns.bytes);
      MutableRecordPayload(*kind_, &after)->ParseFromString(columns.bytes);
      RETURN_IF_ERROR(audit->Record(kAuditImportUpdate, kind_->name, existing->id,
                                    ChangedFields(RecordPayload(before), RecordPayload(after))));
      RETURN_IF_ERROR(not_new(columns));
      const StoredRow updated = UpdatedRow(*existing, columns);
      RETURN_IF_ERROR(changes->RowChanged(*kind_, &*existing, &updated));
      response.set_updated(response.updated() + 1);
    }
  }
  RETURN_IF_ERROR(audit->RecordEach(kAuditImportCreate, kind_->name, created));
  if (error_count_ > 0 && !options_.skip_invalid) return Rejection();
  response.set_error_count(error_count_);
  response.set_skipped(rows_received_ - response.created() - response.updated() -
                       response.unchanged());
  for (const v1::RowError& error : errors_) *response.add_errors() = error;
  return response;
}

}  // namespace fedsync
