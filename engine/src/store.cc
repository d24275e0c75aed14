#include "kbtriage/store.h"

#include "store_impl.h"

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

bool Store::refresh_if_changed() {
  bool changed = false;
  try {
    for (Xapian::Database& shard : impl_->shards) shard.reopen();
    // By revision, not only by generation: every commit, a new generation
    // among them, makes a new revision, and a writer's close can commit
    // under the same generation. What reads by revision (the search cache)
    // must see that too.
    changed = PostingsCache::key_of(impl_->shards) != impl_->shard_key;
  } catch (const Xapian::DatabaseModifiedError&) {
    changed = true;
  } catch (const Xapian::Error& e) {
    throw StoreError(impl_->dir + "/" + std::string(schema::kXapianDir) + ": " + e.get_description());
  }
  if (changed) impl_->open_snapshot();
  return changed;
}

std::optional<Record> Store::first_record(std::string_view id, std::string_view kind) {
  if (!impl_->first_record) {
    impl_->first_record = std::make_unique<Stmt>(
        *impl_->db,
        "SELECT r.text, r.origin, r.section FROM records r WHERE r.article = "
        "(SELECT rowid FROM articles WHERE id = ? AND gen <= ? ORDER BY gen DESC LIMIT 1) "
        "AND r.kind = ? ORDER BY r.seq LIMIT 1");
  }
  Stmt& st = *impl_->first_record;
  struct Reset {
    Stmt& st;
    ~Reset() { st.reset(); }  // a statement left mid-step would pin its read
  } reset{st};
  const uint64_t limit = impl_->gens[shard_of(id, static_cast<unsigned>(impl_->gens.size()))];
  st.bind(1, id).bind(2, static_cast<int64_t>(limit)).bind(3, kind);
  if (!st.step()) return std::nullopt;
  Record r;
  r.text = st.text(0);
  r.origin = st.text(1) == origin_name(Origin::kInferred) ? Origin::kInferred : Origin::kHeading;
  r.section = st.text(2);
  return r;
}

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

bool Store::contains(std::string_view id) {
  Stmt st(*impl_->db, "SELECT deleted FROM articles WHERE id = ? AND gen <= ? ORDER BY gen DESC LIMIT 1");
  const uint64_t limit = impl_->gens[shard_of(id, static_cast<unsigned>(impl_->gens.size()))];
  st.bind(1, id).bind(2, static_cast<int64_t>(limit));
  return st.step() && st.int64(0) == 0;
}

std::optional<ArticleBrief> Store::brief(std::string_view id) {
  std::optional<Article> a = article(id);
  if (!a) return std::nullopt;
  return ArticleBrief{a->title, a->product.empty() ? a->product_tag : a->product, a->applies_to, a->versions, a->os};
}

std::vector<RuleSource> Store::rule_sources() {
  std::vector<RuleSource> out;
  std::map<std::string, size_t> at;
  auto source = [&](const std::string& id) -> RuleSource& {
    auto [it, fresh] = at.emplace(id, out.size());
    if (fresh) out.push_back(RuleSource{id, {}, {}, {}, {}});
    return out[it->second];
  };
  // The live rows' rowids, then their messages and codes in two joins.
  const std::string live = store_detail::replace_all(impl_->live_sql(), "SELECT a.id, a.content_hash", "SELECT a.id, a.rowid AS rid");
  {
    Stmt st(*impl_->db, ("SELECT l.id, m.pattern, m.text FROM (" + live + ") l JOIN messages m ON m.article = l.rid ORDER BY l.id, m.seq").c_str());
    while (st.step()) {
      RuleSource& s = source(st.text(0));
      s.patterns.push_back(st.text(1));
      s.texts.push_back(st.text(2));
    }
  }
  {
    Stmt st(*impl_->db, ("SELECT l.id, c.code FROM (" + live + ") l JOIN codes c ON c.article = l.rid ORDER BY l.id").c_str());
    while (st.step()) source(st.text(0)).codes.push_back(st.text(1));
  }
  {
    // The first symptom record only, in no particular order: the records
    // table is large, and this is on every Matcher's start.
    Stmt st(*impl_->db, ("SELECT l.id, r.text FROM (" + live + ") l JOIN records r ON r.article = l.rid "
                         "WHERE r.kind = 'symptom' AND r.seq = 0").c_str());
    while (st.step()) source(st.text(0)).symptom = st.text(1);
  }
  std::sort(out.begin(), out.end(), [](const RuleSource& a, const RuleSource& b) { return a.id < b.id; });
  return out;
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
