// Store internals shared by the engine's readers (Store, Searcher): the
// snapshot of SQLite and the Xapian shards. Not part of the public API.
#pragma once

#include <xapian.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/error.h"
#include "kbtriage/schema.h"
#include "kbtriage/store.h"
#include "postings.h"
#include "shards.h"
#include "sqlite_db.h"

namespace kbtriage {

namespace store_detail {

// Live rows: for each id the newest version visible at its shard's
// generation, not a tombstone. LIMIT_A/LIMIT_B are filled in per snapshot.
inline constexpr const char* kLiveSql =
    "SELECT a.id, a.content_hash FROM articles a "
    "WHERE a.gen <= LIMIT_A AND a.deleted = 0 AND NOT EXISTS "
    "(SELECT 1 FROM articles b WHERE b.id = a.id AND b.gen > a.gen AND b.gen <= LIMIT_B) ORDER BY a.id";

inline std::string replace_all(std::string s, std::string_view from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

}  // namespace store_detail

struct Store::Impl {
  std::string dir;
  std::vector<Xapian::Database> shards;  // one per shard, for its generation
  Xapian::Database xdb;                  // all shards as one
  std::unique_ptr<Db> db;
  std::unique_ptr<Transaction> snapshot;
  std::vector<uint64_t> gens;            // per shard, as of the snapshot
  std::string shard_key;                 // the shards' UUIDs and revisions, as of the snapshot
  std::unique_ptr<Stmt> first_record;    // prepared once: the searcher asks it for every hit

  // Runs `f` against the current snapshot. When the writer has moved on far
  // enough that Xapian dropped the revision we read (DatabaseModifiedError),
  // takes a new snapshot and runs `f` again, as Xapian's docs prescribe.
  template <typename F>
  auto with_retry(F&& f) -> decltype(f()) {
    for (int attempt = 0;; ++attempt) {
      try {
        return f();
      } catch (const Xapian::DatabaseModifiedError& e) {
        if (attempt >= 20) throw StoreError(dir + ": the index keeps changing under the reader: " + e.get_msg());
        open_snapshot();
      } catch (const Xapian::Error& e) {
        throw StoreError(dir + "/" + std::string(schema::kXapianDir) + ": " + e.get_description());
      }
    }
  }

  std::vector<uint64_t> read_generations() {
    std::vector<uint64_t> g;
    for (Xapian::Database& s : shards) {
      s.reopen();
      g.push_back(generation_of(s));
    }
    return g;
  }

  void open_snapshot() {
    // A read transaction pins SQLite's state. Reading the shards'
    // generations before and after it and finding them unchanged proves that
    // the snapshot holds those generations' rows (committed before the
    // shards' commits) and not the cleanup of later ones (done after them).
    for (int attempt = 0;; ++attempt) {
      snapshot.reset();
      try {
        std::vector<uint64_t> before = read_generations();
        snapshot = std::make_unique<Transaction>(*db, false);
        Stmt touch(*db, "SELECT COUNT(*) FROM meta");  // starts the read
        touch.step();
        std::vector<uint64_t> after = read_generations();
        if (before == after || attempt > 50) {
          gens = after;
          shard_key = PostingsCache::key_of(shards);
          xdb = Xapian::Database();
          for (const Xapian::Database& s : shards) xdb.add_database(s);
          return;
        }
      } catch (const Xapian::DatabaseModifiedError&) {
        // The writer moved on twice while we looked; look again.
      }
    }
  }

  std::string live_sql() const {
    return store_detail::replace_all(store_detail::replace_all(store_detail::kLiveSql, "LIMIT_A", generation_limit_sql("a", gens)), "LIMIT_B",
                       generation_limit_sql("b", gens));
  }
};

}  // namespace kbtriage
