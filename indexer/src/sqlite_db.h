// Thin RAII over SQLite for the indexer and the engine (internal: sqlite3.h
// stays out of the public headers). Errors throw StoreError with the path.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace kbtriage {

class Db {
 public:
  // Opens (read-only, or read-write creating the file). WAL, busy timeout.
  Db(const std::string& path, bool writable);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement; finalizes itself. Declare after its Db.
class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, int64_t v);
  Stmt& bind_null(int i);
  // Steps once: true when a row is available.
  bool step();
  // Steps to completion and resets, for statements without results.
  void run();
  void reset();

  int64_t int64(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Rolls back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Db& db, bool immediate = true);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace kbtriage
