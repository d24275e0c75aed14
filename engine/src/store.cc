#include "kbtriage/store.h"

#include <xapian.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "kbtriage/article_json.h"
#include "kbtriage/error.h"
#include "kbtriage/schema.h"
#include "shards.h"
#include "sqlite_db.h"

namespace kbtriage {

namespace {

// Live rows: for each id the newest version visible at its shard's
// generation, not a tombstone. LIMIT_A/LIMIT_B are filled in per snapshot.
constexpr const char* kLiveSql =
    "SELECT a.id, a.content_hash FROM articles a "
    "WHERE a.gen <= LIMIT_A AND a.deleted = 0 AND NOT EXISTS "
    "(SELECT 1 FROM articles b WHERE b.id = a.id AND b.gen > a.gen AND b.gen <= LIMIT_B) ORDER BY a.id";

std::string replace_all(std::string s, std::string_view from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

}  // namespace

struct Store::Impl {
  std::string dir;
  std::vector<Xapian::Database> shards;  // one per shard, for its generation
  Xapian::Database xdb;                  // all shards as one
  std::unique_ptr<Db> db;
  std::unique_ptr<Transaction> snapshot;
  std::vector<uint64_t> gens;            // per shard, as of the snapshot

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
    return replace_all(replace_all(kLiveSql, "LIMIT_A", generation_limit_sql("a", gens)), "LIMIT_B",
                       generation_limit_sql("b", gens));
  }
};

Store::Store(const std::string& dir) : impl_(std::make_unique<Impl>()) {
  impl_->dir = dir;
  std::string sqlite_path = dir + "/" + std::string(schema::kSqliteFile);
  if (!std::filesystem::exists(sqlite_path) || !std::filesystem::exists(shard_path(dir, 0))) {
    throw StoreError(dir + ": not a kbtriage store (run `kbtriage index --db " + dir + " PATH...` first)");
  }
  impl_->db = std::make_unique<Db>(sqlite_path, false);
  {
    Stmt version(*impl_->db, "PRAGMA user_version");
    version.step();
    if (version.int64(0) != schema::kSchemaVersion) {
      throw StoreError(sqlite_path + ": store schema version " + std::to_string(version.int64(0)) +
                       ", this kbtriage reads " + std::to_string(schema::kSchemaVersion) + "; re-index");
    }
    Stmt count(*impl_->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'shards'");
    if (!count.step() || count.int64(0) < 1) throw StoreError(sqlite_path + ": store has no shard count");
    try {
      for (int64_t s = 0; s < count.int64(0); ++s) {
        impl_->shards.emplace_back(shard_path(dir, static_cast<unsigned>(s)));
      }
    } catch (const Xapian::Error& e) {
      throw StoreError(dir + "/" + std::string(schema::kXapianDir) + ": " + e.get_description());
    }
  }
  impl_->open_snapshot();
}

Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

void Store::refresh() { impl_->open_snapshot(); }

uint64_t Store::generation() const { return *std::max_element(impl_->gens.begin(), impl_->gens.end()); }

std::optional<Article> Store::article(std::string_view id) {
  Stmt st(*impl_->db, "SELECT deleted, body FROM articles WHERE id = ? AND gen <= ? ORDER BY gen DESC LIMIT 1");
  const uint64_t limit = impl_->gens[shard_of(id, static_cast<unsigned>(impl_->gens.size()))];
  st.bind(1, id).bind(2, static_cast<int64_t>(limit));
  if (!st.step() || st.int64(0) != 0) return std::nullopt;
  std::optional<Article> a = article_from_json(st.text(1));
  if (!a) throw StoreError(impl_->db->path() + ": record of " + std::string(id) + " is damaged");
  return a;
}

std::vector<std::string> Store::ids() {
  std::vector<std::string> out;
  Stmt st(*impl_->db, impl_->live_sql().c_str());
  while (st.step()) out.push_back(st.text(0));
  return out;
}

StoreStats Store::stats() {
  return impl_->with_retry([&] {
    StoreStats s;
    s.generation = generation();
    Stmt count(*impl_->db, ("SELECT COUNT(*) FROM (" + impl_->live_sql() + ")").c_str());
    count.step();
    s.sqlite_articles = static_cast<size_t>(count.int64(0));
    s.xapian_documents = impl_->xdb.get_doccount();
    return s;
  });
}

StoreCheck Store::check() {
  return impl_->with_retry([&] { return check_once(); });
}

StoreCheck Store::check_once() {
  StoreCheck c;
  c.stats = stats();
  {
    Stmt st(*impl_->db, "PRAGMA integrity_check");
    while (st.step()) {
      if (st.text(0) != "ok") c.problems.push_back("sqlite: " + st.text(0));
    }
  }
  std::map<std::string, std::string> sql;
  {
    Stmt st(*impl_->db, impl_->live_sql().c_str());
    while (st.step()) sql.emplace(st.text(0), st.text(1));
  }
  std::map<std::string, std::string> xap;
  const std::string prefix(schema::kPrefixId);
  for (auto t = impl_->xdb.allterms_begin(prefix); t != impl_->xdb.allterms_end(prefix); ++t) {
    std::string id = (*t).substr(prefix.size());
    auto pl = impl_->xdb.postlist_begin(*t);
    if (pl == impl_->xdb.postlist_end(*t)) continue;
    xap.emplace(id, impl_->xdb.get_document(*pl).get_value(schema::kSlotContentHash));
  }
  for (const auto& [id, hash] : sql) {
    auto it = xap.find(id);
    if (it == xap.end()) c.problems.push_back(id + ": in SQLite, not in Xapian");
    else if (it->second != hash) c.problems.push_back(id + ": content hash differs between SQLite and Xapian");
  }
  for (const auto& [id, hash] : xap) {
    if (!sql.count(id)) c.problems.push_back(id + ": in Xapian, not in SQLite");
  }
  if (c.stats.xapian_documents != xap.size()) {
    c.problems.push_back("xapian: " + std::to_string(c.stats.xapian_documents) + " documents but " +
                         std::to_string(xap.size()) + " id terms");
  }
  return c;
}

}  // namespace kbtriage
