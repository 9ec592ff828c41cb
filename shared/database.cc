#include "shared/database.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace fedsync {
namespace {

absl::Status StatusFromCode(int code, absl::string_view what, const char* message) {
  std::string text = absl::StrCat(what, ": ", message ? message : sqlite3_errstr(code));
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::AbortedError(text);
    case SQLITE_CANTOPEN:
      return absl::NotFoundError(text);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(text);
    case SQLITE_READONLY:
      return absl::FailedPreconditionError(text);
    default:
      return absl::InternalError(text);
  }
}

// SQLite counts every allocation under a process-wide mutex for sqlite3_status(),
// which nothing here reads; every statement step pays for it. Configuration must come
// before SQLite initialises, so it is done once, before the first connection.
void ConfigureSqliteOnce() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                         Mode mode) {
  ConfigureSqliteOnce();
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY
                                   : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  // Files the node creates are its owner's only (personal data, keys).
  mode_t old_mask = ::umask(077);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  ::umask(old_mask);
  if (rc != SQLITE_OK) {
    absl::Status status =
        StatusFromCode(rc, absl::StrCat("open ", path), raw ? sqlite3_errmsg(raw) : nullptr);
    sqlite3_close(raw);
    return status;
  }
  std::unique_ptr<Database> db(new Database(raw, path));
  sqlite3_busy_timeout(raw, 5000);
  if (path != ":memory:" && mode == Mode::kReadWrite) {
    // The default 4 KiB pages: 16 KiB pages made the parent's apply ~3% cheaper per
    // cell in sync_bench but WAL checkpoints 4x bigger, and freshness p99 went from
    // ~6 ms to ~13 ms.
    // synchronous=NORMAL under WAL: a commit survives a crash of the process; a power
    // loss may lose the last commits. A parent whose watermark went back behind what
    // it acked is then caught by the child at the next Hello, and a child whose parent
    // holds seqs it lost by the parent's watermark above what the child vouches for
    // (outbox.h); either is repaired by a full resync, as after a restore from an old
    // backup.
    absl::Status status = db->Execute(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    if (!status.ok()) return status;
  }
  absl::Status status = db->Execute("PRAGMA foreign_keys=ON;");
  if (!status.ok()) return status;
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Database::OnTransactionEnd(std::function<void(bool committed)> fn) {
  if (!InTransaction()) {
    fn(/*committed=*/true);
    return;
  }
  on_transaction_end_.push_back(std::move(fn));
}

void Database::EndTransaction(bool committed) {
  std::vector<std::function<void(bool)>> callbacks;
  callbacks.swap(on_transaction_end_);
  for (const auto& callback : callbacks) callback(committed);
}

absl::Status Database::Execute(absl::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    absl::Status status = StatusFromCode(rc, "execute", message);
    sqlite3_free(message);
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Database::Prepare(absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(absl::StrCat("prepare '", sql.substr(0, 60), "'"));
  return Statement(this, stmt);
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

absl::Status Database::Error(absl::string_view what) const {
  return StatusFromCode(sqlite3_extended_errcode(db_), what, sqlite3_errmsg(db_));
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)),
      bind_status_(std::move(other.bind_status_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_status_ = std::move(other.bind_status_);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = db_->Error("bind");
  }
  return *this;
}

Statement& Statement::Bind(int index, absl::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK &&
      bind_status_.ok()) {
    bind_status_ = db_->Error("bind");
  }
  return *this;
}

Statement& Statement::BindUnowned(int index, absl::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_STATIC) != SQLITE_OK &&
      bind_status_.ok()) {
    bind_status_ = db_->Error("bind");
  }
  return *this;
}

Statement& Statement::BindBlob(int index, absl::string_view bytes) {
  if (sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK &&
      bind_status_.ok()) {
    bind_status_ = db_->Error("bind");
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = db_->Error("bind");
  }
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(absl::StrCat("step '", absl::string_view(sqlite3_sql(stmt_)).substr(0, 60),
                                 "'"));
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_status_ = absl::OkStatus();
}

int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::ColumnText(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text), size) : std::string();
}

std::string Statement::ColumnBlob(int index) const {
  const void* blob = sqlite3_column_blob(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  return blob ? std::string(static_cast<const char*>(blob), size) : std::string();
}

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

absl::StatusOr<std::unique_ptr<Transaction>> Transaction::Begin(Database* db) {
  absl::Status status = db->Execute("BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  return std::unique_ptr<Transaction>(new Transaction(db));
}

Transaction::~Transaction() {
  if (done_) return;
  (void)db_->Execute("ROLLBACK");
  db_->EndTransaction(/*committed=*/false);
}

absl::Status Transaction::Commit() {
  absl::Status status = db_->Execute("COMMIT");
  if (!status.ok()) return status;
  done_ = true;
  db_->EndTransaction(/*committed=*/true);
  return status;
}

absl::StatusOr<std::unique_ptr<ReadSnapshot>> ReadSnapshot::Begin(Database* db) {
  absl::Status status = db->Execute("BEGIN");
  if (!status.ok()) return status;
  return std::unique_ptr<ReadSnapshot>(new ReadSnapshot(db));
}

ReadSnapshot::~ReadSnapshot() { (void)db_->Execute("ROLLBACK"); }

}  // namespace fedsync
