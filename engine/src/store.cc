#include "kbtriage/store.h"

#include <xapian.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "kbtriage/article_json.h"
#include "kbtriage/error.h"
#include "kbtriage/schema.h"
#include "sqlite_db.h"

namespace kbtriage {

namespace {

uint64_t generation_of(const Xapian::Database& db) {
  std::string g = db.get_metadata(std::string(schema::kGenerationKey));
  return g.empty() ? 0 : std::strtoull(g.c_str(), nullptr, 10);
}

// Live rows at generation ?1: for each id the newest version at or below it, not a tombstone.
constexpr const char* kLiveSql =
    "SELECT a.id, a.content_hash FROM articles a "
    "WHERE a.gen <= ?1 AND a.deleted = 0 AND NOT EXISTS "
    "(SELECT 1 FROM articles b WHERE b.id = a.id AND b.gen > a.gen AND b.gen <= ?1) ORDER BY a.id";

}  // namespace

struct Store::Impl {
  std::string dir;
  Xapian::Database xdb;
  std::unique_ptr<Db> db;
  std::unique_ptr<Transaction> snapshot;
  uint64_t gen = 0;

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

  void open_snapshot() {
    // A read transaction pins SQLite's state. Reading Xapian's generation
    // before and after it and finding it unchanged proves that the snapshot
    // holds that generation's rows (committed before Xapian's commit) and not
    // the cleanup of a later one (done after the next Xapian commit).
    for (int attempt = 0;; ++attempt) {
      snapshot.reset();
      try {
        xdb.reopen();
        uint64_t before = generation_of(xdb);
        snapshot = std::make_unique<Transaction>(*db, false);
        Stmt touch(*db, "SELECT COUNT(*) FROM meta");  // starts the read
        touch.step();
        xdb.reopen();
        uint64_t after = generation_of(xdb);
        if (before == after || attempt > 50) {
          gen = after;
          return;
        }
      } catch (const Xapian::DatabaseModifiedError&) {
        // The writer moved on twice while we looked; look again.
      }
    }
  }
};

Store::Store(const std::string& dir) : impl_(std::make_unique<Impl>()) {
  impl_->dir = dir;
  std::string sqlite_path = dir + "/" + std::string(schema::kSqliteFile);
  std::string xapian_path = dir + "/" + std::string(schema::kXapianDir);
  if (!std::filesystem::exists(sqlite_path) || !std::filesystem::exists(xapian_path)) {
    throw StoreError(dir + ": not a kbtriage store (run `kbtriage index --db " + dir + " PATH...` first)");
  }
  try {
    impl_->xdb = Xapian::Database(xapian_path);
  } catch (const Xapian::Error& e) {
    throw StoreError(xapian_path + ": " + e.get_description());
  }
  impl_->db = std::make_unique<Db>(sqlite_path, false);
  Stmt version(*impl_->db, "PRAGMA user_version");
  version.step();
  if (version.int64(0) != schema::kSchemaVersion) {
    throw StoreError(sqlite_path + ": store schema version " + std::to_string(version.int64(0)) +
                     ", this kbtriage reads " + std::to_string(schema::kSchemaVersion) + "; re-index");
  }
  version.reset();
  impl_->open_snapshot();
}

Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

void Store::refresh() { impl_->open_snapshot(); }

uint64_t Store::generation() const { return impl_->gen; }

std::optional<Article> Store::article(std::string_view id) {
  Stmt st(*impl_->db, "SELECT deleted, body FROM articles WHERE id = ? AND gen <= ? ORDER BY gen DESC LIMIT 1");
  st.bind(1, id).bind(2, static_cast<int64_t>(impl_->gen));
  if (!st.step() || st.int64(0) != 0) return std::nullopt;
  std::optional<Article> a = article_from_json(st.text(1));
  if (!a) throw StoreError(impl_->db->path() + ": record of " + std::string(id) + " is damaged");
  return a;
}

std::vector<std::string> Store::ids() {
  std::vector<std::string> out;
  Stmt st(*impl_->db, kLiveSql);
  st.bind(1, static_cast<int64_t>(impl_->gen));
  while (st.step()) out.push_back(st.text(0));
  return out;
}

StoreStats Store::stats() {
  return impl_->with_retry([&] {
    StoreStats s;
    s.generation = impl_->gen;
    s.sqlite_articles = ids().size();
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
    Stmt st(*impl_->db, kLiveSql);
    st.bind(1, static_cast<int64_t>(impl_->gen));
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
