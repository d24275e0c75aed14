#include "store_writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "kbtriage/article_json.h"
#include "kbtriage/error.h"
#include "kbtriage/schema.h"
#include "xapian_doc.h"

namespace kbtriage {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles(
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  gen INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  title TEXT, product TEXT, issue_type TEXT, last_modified TEXT, format TEXT,
  source_path TEXT, source_rank INTEGER, content_hash TEXT,
  body TEXT);
CREATE INDEX IF NOT EXISTS articles_id_gen ON articles(id, gen);
CREATE INDEX IF NOT EXISTS articles_gen ON articles(gen);
CREATE TABLE IF NOT EXISTS records(
  article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
  kind TEXT NOT NULL, seq INTEGER, text TEXT, origin TEXT, section TEXT);
CREATE INDEX IF NOT EXISTS records_article ON records(article);
CREATE TABLE IF NOT EXISTS messages(
  article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
  seq INTEGER, text TEXT, pattern TEXT, section TEXT);
CREATE INDEX IF NOT EXISTS messages_article ON messages(article);
CREATE TABLE IF NOT EXISTS codes(
  article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
  code TEXT, kind TEXT, raw TEXT);
CREATE INDEX IF NOT EXISTS codes_article ON codes(article);
CREATE INDEX IF NOT EXISTS codes_code ON codes(code);
CREATE TABLE IF NOT EXISTS refs(
  article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
  ref TEXT);
CREATE INDEX IF NOT EXISTS refs_article ON refs(article);
CREATE TABLE IF NOT EXISTS sources(
  path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, hash TEXT,
  id TEXT, status TEXT, reason TEXT);
CREATE INDEX IF NOT EXISTS sources_id ON sources(id);
CREATE TABLE IF NOT EXISTS pending_sources(
  seq INTEGER PRIMARY KEY, gen INTEGER NOT NULL, path TEXT, size INTEGER, mtime_ns INTEGER,
  hash TEXT, id TEXT, status TEXT, reason TEXT);
)sql";

int take_lock(const std::string& dir) {
  std::string path = dir + "/" + std::string(schema::kLockFile);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw StoreError(path + ": cannot open lock file");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw StoreLockedError(dir + ": another indexer holds this store (" + path + ")");
  }
  return fd;
}

uint64_t xapian_generation(const Xapian::Database& db) {
  std::string g = db.get_metadata(std::string(schema::kGenerationKey));
  return g.empty() ? 0 : std::strtoull(g.c_str(), nullptr, 10);
}

void insert_records(Stmt& st, int64_t article, const char* kind, const std::vector<Record>& records) {
  int64_t seq = 0;
  for (const Record& r : records) {
    st.bind(1, article).bind(2, kind).bind(3, seq++).bind(4, r.text).bind(5, origin_name(r.origin)).bind(6, r.section);
    st.run();
  }
}

}  // namespace

struct StoreWriter::Statements {
  explicit Statements(Db& db)
      : current(db, "SELECT deleted, source_path, source_rank FROM articles WHERE id = ? ORDER BY gen DESC LIMIT 1"),
        drop_same(db, "DELETE FROM articles WHERE id = ? AND gen = ?"),
        insert_article(db,
                       "INSERT INTO articles(id, gen, deleted, title, product, issue_type, last_modified, format, "
                       "source_path, source_rank, content_hash, body) VALUES(?,?,0,?,?,?,?,?,?,?,?,?)"),
        insert_tombstone(db, "INSERT INTO articles(id, gen, deleted) VALUES(?, ?, 1)"),
        insert_record(db, "INSERT INTO records(article, kind, seq, text, origin, section) VALUES(?,?,?,?,?,?)"),
        insert_message(db, "INSERT INTO messages(article, seq, text, pattern, section) VALUES(?,?,?,?,?)"),
        insert_code(db, "INSERT INTO codes(article, code, kind, raw) VALUES(?,?,?,?)"),
        insert_ref(db, "INSERT INTO refs(article, ref) VALUES(?,?)"),
        insert_source(db,
                      "INSERT INTO pending_sources(gen, path, size, mtime_ns, hash, id, status, reason) "
                      "VALUES(?,?,?,?,?,?,?,?)") {}
  Stmt current, drop_same, insert_article, insert_tombstone, insert_record, insert_message, insert_code,
      insert_ref, insert_source;
};

StoreWriter::StoreWriter(const std::string& dir) : dir_(dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw StoreError(dir + ": cannot create store folder: " + ec.message());
  lock_fd_ = take_lock(dir);
  try {
    db_ = std::make_unique<Db>(dir + "/" + std::string(schema::kSqliteFile), true);
    create_schema();
    // Commits happen only where the protocol says: no automatic flushes.
    ::setenv("XAPIAN_FLUSH_THRESHOLD", "100000000", 1);
    xdb_ = std::make_unique<Xapian::WritableDatabase>(dir + "/" + std::string(schema::kXapianDir),
                                                      Xapian::DB_CREATE_OR_OPEN);
    recover();
    st_ = std::make_unique<Statements>(*db_);
  } catch (const Xapian::DatabaseLockError& e) {
    ::close(lock_fd_);
    throw StoreLockedError(dir + ": another indexer holds this store (" + e.get_msg() + ")");
  } catch (const Xapian::Error& e) {
    ::close(lock_fd_);
    throw StoreError(dir + ": " + e.get_description());
  } catch (...) {
    ::close(lock_fd_);
    throw;
  }
}

StoreWriter::~StoreWriter() {
  txn_.reset();  // an uncommitted generation is rolled back
  st_.reset();
  if (xdb_) {
    try {
      xdb_->close();
    } catch (const Xapian::Error&) {
      // Closing drops uncommitted changes; nothing to report.
    }
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void StoreWriter::create_schema() {
  Stmt version(*db_, "PRAGMA user_version");
  version.step();
  int64_t v = version.int64(0);
  version.reset();
  if (v != 0 && v != schema::kSchemaVersion) {
    throw StoreError(db_->path() + ": store schema version " + std::to_string(v) + ", this kbtriage needs " +
                     std::to_string(schema::kSchemaVersion) + "; index into a new folder");
  }
  db_->exec(kSchemaSql);
  db_->exec(("PRAGMA user_version=" + std::to_string(schema::kSchemaVersion)).c_str());
}

void StoreWriter::recover() {
  generation_ = xapian_generation(*xdb_);
  Transaction t(*db_);
  // Rows of a generation that never reached Xapian are not part of the store.
  Stmt drop(*db_, "DELETE FROM articles WHERE gen > ?");
  drop.bind(1, static_cast<int64_t>(generation_)).run();
  Stmt drop_src(*db_, "DELETE FROM pending_sources WHERE gen > ?");
  drop_src.bind(1, static_cast<int64_t>(generation_)).run();
  t.commit();
  finalize(generation_);
}

void StoreWriter::finalize(uint64_t gen) {
  auto g = static_cast<int64_t>(gen);
  Transaction t(*db_);
  // Drop versions superseded by a newer one at or below `gen`, looking only at
  // ids touched since the last finalized generation.
  Stmt gc(*db_,
          "DELETE FROM articles AS a WHERE a.gen <= ?1 "
          "AND a.id IN (SELECT id FROM articles WHERE gen <= ?1 AND gen > "
          "  (SELECT COALESCE(MAX(CAST(value AS INTEGER)), -1) FROM meta WHERE key = 'finalized')) "
          "AND EXISTS (SELECT 1 FROM articles b WHERE b.id = a.id AND b.gen > a.gen AND b.gen <= ?1)");
  gc.bind(1, g).run();
  Stmt tomb(*db_, "DELETE FROM articles WHERE deleted = 1 AND gen <= ?");
  tomb.bind(1, g).run();
  Stmt apply(*db_,
             "INSERT OR REPLACE INTO sources(path, size, mtime_ns, hash, id, status, reason) "
             "SELECT path, size, mtime_ns, hash, id, status, reason FROM pending_sources "
             "WHERE gen <= ? AND status != 'gone' ORDER BY seq");
  apply.bind(1, g).run();
  Stmt gone(*db_,
            "DELETE FROM sources WHERE path IN (SELECT path FROM pending_sources WHERE gen <= ? AND status = 'gone')");
  gone.bind(1, g).run();
  Stmt clear(*db_, "DELETE FROM pending_sources WHERE gen <= ?");
  clear.bind(1, g).run();
  Stmt mark(*db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('finalized', ?)");
  mark.bind(1, std::to_string(gen)).run();
  t.commit();
}

void StoreWriter::begin_if_needed() {
  if (!txn_) txn_ = std::make_unique<Transaction>(*db_);
}

std::unordered_map<std::string, SourceRow> StoreWriter::load_sources() {
  std::unordered_map<std::string, SourceRow> out;
  Stmt st(*db_, "SELECT path, size, mtime_ns, hash, id, status, reason FROM sources");
  while (st.step()) {
    SourceRow r{st.text(0), st.int64(1), st.int64(2), st.text(3), st.text(4), st.text(5), st.text(6)};
    out.emplace(r.path, r);
  }
  return out;
}

std::optional<CurrentSource> StoreWriter::current(std::string_view id) {
  Stmt& st = st_->current;
  st.bind(1, id);
  std::optional<CurrentSource> out;
  if (st.step() && st.int64(0) == 0) out = CurrentSource{st.text(1), static_cast<int>(st.int64(2))};
  st.reset();
  return out;
}

std::vector<std::string> StoreWriter::duplicate_sources(std::string_view id) {
  std::vector<std::string> out;
  Stmt st(*db_,
          "SELECT path FROM sources WHERE id = ?1 AND status = 'duplicate' "
          "UNION SELECT path FROM pending_sources WHERE id = ?1 AND status = 'duplicate'");
  st.bind(1, id);
  while (st.step()) out.push_back(st.text(0));
  return out;
}

void StoreWriter::put(const Article& a, const std::string& body, Xapian::Document doc, const SourceRow& source,
                      int rank, const std::vector<std::string>& spelling) {
  begin_if_needed();
  const auto gen = static_cast<int64_t>(generation_ + 1);
  const bool known = current(a.id).has_value();
  // An article replaced twice in one generation keeps only its last version.
  st_->drop_same.bind(1, a.id).bind(2, gen).run();
  st_->insert_article.bind(1, a.id).bind(2, gen).bind(3, a.title).bind(4, a.product).bind(5, a.issue_type)
      .bind(6, a.last_modified).bind(7, format_name(a.format)).bind(8, source.path)
      .bind(9, static_cast<int64_t>(rank)).bind(10, source.hash).bind(11, body);
  st_->insert_article.run();
  const int64_t row = sqlite3_last_insert_rowid(db_->handle());
  insert_records(st_->insert_record, row, "symptom", a.symptoms);
  insert_records(st_->insert_record, row, "cause", a.causes);
  insert_records(st_->insert_record, row, "resolution", a.resolutions);
  int64_t seq = 0;
  for (const Message& m : a.messages) {
    st_->insert_message.bind(1, row).bind(2, seq++).bind(3, m.text).bind(4, m.pattern).bind(5, m.section);
    st_->insert_message.run();
  }
  for (const ErrorCode& c : a.codes) {
    st_->insert_code.bind(1, row).bind(2, c.code).bind(3, c.kind).bind(4, c.raw);
    st_->insert_code.run();
  }
  for (const std::string& r : a.references) {
    st_->insert_ref.bind(1, row).bind(2, r);
    st_->insert_ref.run();
  }
  note_source(source);
  for (const std::string& w : spelling) ++spelling_[w];
  try {
    // A new id has no document to replace: adding skips the term lookup.
    if (known) xdb_->replace_document(id_term(a.id), doc);
    else xdb_->add_document(doc);
  } catch (const Xapian::Error& e) {
    throw StoreError(dir_ + ": " + e.get_description());
  }
  ++pending_;
}

void StoreWriter::remove(std::string_view id) {
  begin_if_needed();
  const auto gen = static_cast<int64_t>(generation_ + 1);
  st_->drop_same.bind(1, id).bind(2, gen).run();
  st_->insert_tombstone.bind(1, id).bind(2, gen).run();
  try {
    xdb_->delete_document(id_term(id));
  } catch (const Xapian::Error& e) {
    throw StoreError(dir_ + ": " + e.get_description());
  }
  ++pending_;
}

void StoreWriter::note_source(const SourceRow& s) {
  begin_if_needed();
  Stmt& st = st_->insert_source;
  st.bind(1, static_cast<int64_t>(generation_ + 1)).bind(2, s.path).bind(3, s.size).bind(4, s.mtime_ns)
      .bind(5, s.hash).bind(6, s.id).bind(7, s.status).bind(8, s.reason);
  st.run();
  ++pending_;
}

void StoreWriter::forget_source(std::string_view path) {
  SourceRow gone;
  gone.path = std::string(path);
  gone.status = "gone";
  note_source(gone);
}

void StoreWriter::commit() {
  if (!txn_) return;
  const uint64_t next = generation_ + 1;
  txn_->commit();  // step 1
  txn_.reset();
  try {
    for (const auto& [word, freq] : spelling_) xdb_->add_spelling(word, freq);
    spelling_.clear();
    xdb_->set_metadata(std::string(schema::kGenerationKey), std::to_string(next));
    xdb_->commit();  // step 2: the commit point
  } catch (const Xapian::Error& e) {
    throw StoreError(dir_ + ": " + e.get_description());
  }
  generation_ = next;
  pending_ = 0;
  finalize(next);  // step 3
}

size_t StoreWriter::article_count() { return xdb_->get_doccount(); }

}  // namespace kbtriage
