// A small RAII wrapper over the SQLite C API, for the audit log and the key broker's store.
// Errors become confide Errors (kUnavailable for I/O and locking, kInternal otherwise); the
// message names the statement's purpose, never a bound value (values may be secret).
//
//   CONFIDE_ASSIGN_OR_RETURN(Db db, Db::Open(path));
//   CONFIDE_TRY(db.Exec("PRAGMA journal_mode=WAL"));
//   CONFIDE_ASSIGN_OR_RETURN(Stmt s, db.Prepare("SELECT v FROM t WHERE k = ?"));
//   s.BindText(1, key);
//   CONFIDE_ASSIGN_OR_RETURN(bool row, s.Step());
#ifndef CONFIDE_AUDIT_SQLITE_H_
#define CONFIDE_AUDIT_SQLITE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace confide::audit {

// A prepared statement. Move-only; not thread safe; must not outlive its Db.
class Stmt {
 public:
  Stmt(Stmt&&) noexcept;
  Stmt& operator=(Stmt&&) noexcept;
  ~Stmt();

  // 1-based parameter index. The bound bytes are copied by SQLite (SQLITE_TRANSIENT).
  void BindInt(int index, int64_t value);
  void BindText(int index, std::string_view text);
  void BindBlob(int index, ByteSpan blob);
  // true: a row is available; false: done. Errors as for Db::Exec.
  Result<bool> Step();
  // Resets the statement and clears its bindings, for reuse.
  void Reset();
  // 0-based column of the current row.
  int64_t ColumnInt(int col) const;
  std::string ColumnText(int col) const;
  Bytes ColumnBlob(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  friend class Db;
  Stmt(sqlite3_stmt* stmt, std::string what) : stmt_(stmt), what_(std::move(what)) {}
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
};

// One connection. Move-only. SQLite is built serialized on Debian, but callers still guard a
// Db with their own mutex so that multi-statement transactions stay atomic.
class Db {
 public:
  // Opens (creating unless `read_only`) the database and sets a 5 s busy timeout.
  // kUnavailable if it cannot be opened.
  static Result<Db> Open(const std::string& path, bool read_only = false);
  Db(Db&&) noexcept;
  Db& operator=(Db&&) noexcept;
  ~Db();

  // Runs one or more statements without results. kUnavailable (busy, I/O, read-only), else
  // kInternal with SQLite's message.
  Status Exec(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);
  // PRAGMA user_version (the schema version).
  Result<int64_t> UserVersion();
  int64_t Changes() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// Maps an SQLite result code to an Error with `what` as context.
Error SqliteError(int code, std::string_view what, sqlite3* db);

}  // namespace confide::audit

#endif  // CONFIDE_AUDIT_SQLITE_H_
