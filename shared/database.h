// Database, Statement, Transaction: a thin RAII layer over one SQLite connection.
//
// A Database owns one connection and is not thread-safe: give each thread its own
// (one write connection per node, readers open their own under WAL). Statements are
// prepared once and reset by RAII; a Transaction rolls back unless Commit() succeeded.
// Every failure is an absl::Status: kNotFound for a missing file opened read-only,
// kAborted for a busy or locked database (retry the transaction), kInternal otherwise.
#ifndef FEDSYNC_SHARED_DATABASE_H_
#define FEDSYNC_SHARED_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace fedsync {

class Statement;

class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (creating when kReadWrite) the file at `path`; ":memory:" for a private
  // in-memory database. Sets WAL, foreign keys and a busy timeout. A new file is created
  // readable by its owner only.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                        Mode mode = Mode::kReadWrite);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results (schema, pragmas).
  absl::Status Execute(absl::string_view sql);
  absl::StatusOr<Statement> Prepare(absl::string_view sql);

  int64_t LastInsertRowId() const;
  // Whether a transaction is open (false in autocommit mode).
  bool InTransaction() const;
  int Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

  // The status for the connection's last error, naming `what`.
  absl::Status Error(absl::string_view what) const;

  // Calls `fn` once when the current Transaction ends: with true after its commit
  // succeeded, with false when it rolled back. For state kept beside the database
  // that must change with it (a cache of what the transaction wrote). Outside a
  // transaction (autocommit) it calls fn(true) at once: what was written is committed.
  void OnTransactionEnd(std::function<void(bool committed)> fn);

 private:
  friend class Transaction;
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void EndTransaction(bool committed);

  sqlite3* db_;
  std::string path_;
  std::vector<std::function<void(bool)>> on_transaction_end_;
};

// A prepared statement. Bind parameters are 1-based, columns 0-based.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, absl::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, absl::string_view(text)); }
  // Binds `text` without copying it: it must stay valid and unchanged until the
  // statement is reset or the parameter rebound. For hot loops over long-lived strings.
  Statement& BindUnowned(int index, absl::string_view text);
  Statement& BindBlob(int index, absl::string_view bytes);
  Statement& BindNull(int index);

  // Steps once: true with a row, false when done.
  absl::StatusOr<bool> Step();
  // Steps to the end, for statements without rows.
  absl::Status Run();
  // Clears the bindings and rewinds, to run again.
  void Reset();

  int64_t ColumnInt(int index) const;
  std::string ColumnText(int index) const;
  std::string ColumnBlob(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  friend class Database;
  Statement(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Database* db_;
  sqlite3_stmt* stmt_;
  absl::Status bind_status_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  static absl::StatusOr<std::unique_ptr<Transaction>> Begin(Database* db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  absl::Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
  bool done_ = false;
};

// BEGIN ... ROLLBACK on a reader: every read between them sees the one snapshot the
// first read took (WAL), so what several queries return is of one commit. Ends in the
// destructor; writes nothing.
class ReadSnapshot {
 public:
  static absl::StatusOr<std::unique_ptr<ReadSnapshot>> Begin(Database* db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  explicit ReadSnapshot(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_DATABASE_H_
