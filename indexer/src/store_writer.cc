#include "store_writer.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "kbtriage/article_json.h"
#include "kbtriage/error.h"
#include "kbtriage/schema.h"
#include "shards.h"
#include "xapian_doc.h"

namespace kbtriage {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles(
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  shard INTEGER NOT NULL DEFAULT 0,
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

void insert_records(Stmt& st, int64_t article, const char* kind, const std::vector<Record>& records) {
  int64_t seq = 0;
  for (const Record& r : records) {
    st.bind(1, article).bind(2, kind).bind(3, seq++).bind(4, r.text).bind(5, origin_name(r.origin)).bind(6, r.section);
    st.run();
  }
}

// Fault injection for the crash test: KBTRIAGE_FAULT=shard-commit:N makes the
// process exit when generation N has been committed by shard 0 only.
bool fault_after_first_shard(uint64_t gen) {
  const char* f = std::getenv("KBTRIAGE_FAULT");
  return f && std::string_view(f) == "shard-commit:" + std::to_string(gen);
}

}  // namespace

// One Xapian shard and the thread that writes it. The writer hands it
// operations in order; commit() waits until they and the commit are done.
class StoreWriter::Shard {
 public:
  Shard(const std::string& path) : db_(path, Xapian::DB_CREATE_OR_OPEN), path_(path) {
    generation_ = generation_of(db_);
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "kbt-shard");
      run();
    });
  }
  ~Shard() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    try {
      db_.close();  // drops what was not committed
    } catch (const Xapian::Error&) {
    }
  }
  uint64_t generation() const { return generation_; }
  Xapian::doccount doc_count() { return db_.get_doccount(); }

  void add(Xapian::Document doc) { push({Op::kAdd, {}, std::move(doc)}); }
  void replace(std::string term, Xapian::Document doc) { push({Op::kReplace, std::move(term), std::move(doc)}); }
  void remove(std::string term) { push({Op::kDelete, std::move(term), {}}); }
  void add_spelling(std::unordered_map<std::string, unsigned> words) {
    std::lock_guard lock(mutex_);
    spelling_ = std::move(words);
  }
  // Starts committing at `gen`; wait() for the outcome.
  void start_commit(uint64_t gen) { push({Op::kCommit, std::to_string(gen), {}}); }
  // Blocks until the queue is empty; rethrows a Xapian failure as StoreError.
  void wait() {
    std::unique_lock lock(mutex_);
    idle_cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
    if (!error_.empty()) throw StoreError(path_ + ": " + error_);
  }

 private:
  struct Op {
    enum Kind { kAdd, kReplace, kDelete, kCommit } kind;
    std::string term;
    Xapian::Document doc;
  };
  // Bound on queued documents, so a slow shard holds back the parser.
  static constexpr size_t kMaxQueue = 512;

  void push(Op op) {
    std::unique_lock lock(mutex_);
    idle_cv_.wait(lock, [&] { return queue_.size() < kMaxQueue; });
    queue_.push_back(std::move(op));
    cv_.notify_one();
  }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      Op op = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      idle_cv_.notify_all();
      std::unordered_map<std::string, unsigned> spelling;
      if (op.kind == Op::kCommit) spelling.swap(spelling_);
      const bool failed = !error_.empty();
      lock.unlock();
      std::string failure;
      try {
        if (!failed) apply(op, spelling);  // after a failure nothing more is written
      } catch (const Xapian::Error& e) {
        failure = e.get_description();
      }
      lock.lock();
      if (!failure.empty() && error_.empty()) error_ = failure;
      busy_ = false;
      idle_cv_.notify_all();
    }
  }

  void apply(Op& op, const std::unordered_map<std::string, unsigned>& spelling) {
    switch (op.kind) {
      case Op::kAdd: db_.add_document(op.doc); break;
      case Op::kReplace: db_.replace_document(op.term, op.doc); break;
      case Op::kDelete: db_.delete_document(op.term); break;
      case Op::kCommit:
        for (const auto& [word, freq] : spelling) db_.add_spelling(word, freq);
        db_.set_metadata(std::string(schema::kGenerationKey), op.term);
        db_.commit();
        generation_ = std::stoull(op.term);
        break;
    }
  }

  Xapian::WritableDatabase db_;
  std::string path_;
  std::atomic<uint64_t> generation_{0};
  std::mutex mutex_;
  std::condition_variable cv_, idle_cv_;
  std::deque<Op> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::string error_;
  std::unordered_map<std::string, unsigned> spelling_;
  std::thread thread_;
};

struct StoreWriter::Statements {
  explicit Statements(Db& db)
      : current(db, "SELECT deleted, source_path, source_rank FROM articles WHERE id = ? ORDER BY gen DESC LIMIT 1"),
        drop_same(db, "DELETE FROM articles WHERE id = ? AND gen = ?"),
        insert_article(db,
                       "INSERT INTO articles(id, gen, deleted, title, product, issue_type, last_modified, format, "
                       "source_path, source_rank, content_hash, body, shard) VALUES(?,?,0,?,?,?,?,?,?,?,?,?,?)"),
        insert_tombstone(db, "INSERT INTO articles(id, gen, deleted, shard) VALUES(?, ?, 1, ?)"),
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

StoreWriter::StoreWriter(const std::string& dir, unsigned shards) : dir_(dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw StoreError(dir + ": cannot create store folder: " + ec.message());
  lock_fd_ = take_lock(dir);
  try {
    db_ = std::make_unique<Db>(dir + "/" + std::string(schema::kSqliteFile), true);
    create_schema(shards ? shards : schema::kDefaultShards);
    Stmt count(*db_, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'shards'");
    const unsigned n = count.step() ? static_cast<unsigned>(count.int64(0)) : schema::kDefaultShards;
    count.reset();
    // Commits happen only where the protocol says: no automatic flushes.
    ::setenv("XAPIAN_FLUSH_THRESHOLD", "100000000", 1);
    for (unsigned s = 0; s < n; ++s) {
      fs::create_directories(dir + "/" + std::string(schema::kXapianDir));
      shards_.push_back(std::make_unique<Shard>(shard_path(dir, s)));
    }
    recover();
    st_ = std::make_unique<Statements>(*db_);
  } catch (const Xapian::DatabaseLockError& e) {
    shards_.clear();
    ::close(lock_fd_);
    throw StoreLockedError(dir + ": another indexer holds this store (" + e.get_msg() + ")");
  } catch (const Xapian::Error& e) {
    shards_.clear();
    ::close(lock_fd_);
    throw StoreError(dir + ": " + e.get_description());
  } catch (...) {
    shards_.clear();
    ::close(lock_fd_);
    throw;
  }
}

StoreWriter::~StoreWriter() {
  txn_.reset();  // an uncommitted generation is rolled back
  st_.reset();
  shards_.clear();  // each drops what it did not commit
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void StoreWriter::create_schema(unsigned shards) {
  Stmt version(*db_, "PRAGMA user_version");
  version.step();
  int64_t v = version.int64(0);
  version.reset();
  if (v != 0 && v != schema::kSchemaVersion) {
    throw StoreError(db_->path() + ": store schema version " + std::to_string(v) + ", this kbtriage needs " +
                     std::to_string(schema::kSchemaVersion) + "; index into a new folder");
  }
  db_->exec(kSchemaSql);
  Stmt set(*db_, "INSERT OR IGNORE INTO meta(key, value) VALUES('shards', ?)");
  set.bind(1, std::to_string(shards)).run();
  db_->exec(("PRAGMA user_version=" + std::to_string(schema::kSchemaVersion)).c_str());
}

std::vector<uint64_t> StoreWriter::shard_generations() const {
  std::vector<uint64_t> gens;
  for (const auto& s : shards_) gens.push_back(s->generation());
  return gens;
}

void StoreWriter::recover() {
  const std::vector<uint64_t> gens = shard_generations();
  generation_ = *std::max_element(gens.begin(), gens.end());
  const uint64_t all = *std::min_element(gens.begin(), gens.end());
  Transaction t(*db_);
  // Rows of a generation that never reached their shard are not part of the store.
  db_->exec(("DELETE FROM articles AS a WHERE a.gen > " + generation_limit_sql("a", gens)).c_str());
  // Source rows are applied once every shard has their generation; the files
  // of a generation only some shards committed are simply read again.
  Stmt drop_src(*db_, "DELETE FROM pending_sources WHERE gen > ?");
  drop_src.bind(1, static_cast<int64_t>(all)).run();
  t.commit();
  finalize();
}

void StoreWriter::finalize() {
  const std::vector<uint64_t> gens = shard_generations();
  const auto all = static_cast<int64_t>(*std::min_element(gens.begin(), gens.end()));
  const std::string limit_a = generation_limit_sql("a", gens), limit_b = generation_limit_sql("b", gens);
  Transaction t(*db_);
  // Drop versions superseded by a newer visible one, looking only at ids
  // touched since the last finalize.
  const std::string gc =
      "DELETE FROM articles AS a WHERE a.gen <= " + limit_a +
      " AND a.id IN (SELECT id FROM articles WHERE gen > "
      "  (SELECT COALESCE(MAX(CAST(value AS INTEGER)), -1) FROM meta WHERE key = 'finalized')) "
      "AND EXISTS (SELECT 1 FROM articles b WHERE b.id = a.id AND b.gen > a.gen AND b.gen <= " + limit_b + ")";
  db_->exec(gc.c_str());
  db_->exec(("DELETE FROM articles AS a WHERE a.deleted = 1 AND a.gen <= " + limit_a).c_str());
  Stmt apply(*db_,
             "INSERT OR REPLACE INTO sources(path, size, mtime_ns, hash, id, status, reason) "
             "SELECT path, size, mtime_ns, hash, id, status, reason FROM pending_sources "
             "WHERE gen <= ? AND status != 'gone' ORDER BY seq");
  apply.bind(1, all).run();
  Stmt gone(*db_,
            "DELETE FROM sources WHERE path IN (SELECT path FROM pending_sources WHERE gen <= ? AND status = 'gone')");
  gone.bind(1, all).run();
  Stmt clear(*db_, "DELETE FROM pending_sources WHERE gen <= ?");
  clear.bind(1, all).run();
  Stmt mark(*db_, "INSERT OR REPLACE INTO meta(key, value) VALUES('finalized', ?)");
  mark.bind(1, std::to_string(all)).run();
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
                      int rank, const std::vector<std::string>& spelling, bool replaces) {
  begin_if_needed();
  const auto gen = static_cast<int64_t>(generation_ + 1);
  // An article replaced twice in one generation keeps only its last version.
  st_->drop_same.bind(1, a.id).bind(2, gen).run();
  st_->insert_article.bind(1, a.id).bind(2, gen).bind(3, a.title).bind(4, a.product).bind(5, a.issue_type)
      .bind(6, a.last_modified).bind(7, format_name(a.format)).bind(8, source.path)
      .bind(9, static_cast<int64_t>(rank)).bind(10, source.hash).bind(11, body)
      .bind(12, static_cast<int64_t>(shard_of(a.id, static_cast<unsigned>(shards_.size()))));
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
  Shard& shard = *shards_[shard_of(a.id, static_cast<unsigned>(shards_.size()))];
  // A new id has no document to replace: adding skips the term lookup.
  if (replaces) shard.replace(id_term(a.id), std::move(doc));
  else shard.add(std::move(doc));
  ++pending_;
}

void StoreWriter::remove(std::string_view id) {
  begin_if_needed();
  const auto gen = static_cast<int64_t>(generation_ + 1);
  const unsigned shard = shard_of(id, static_cast<unsigned>(shards_.size()));
  st_->drop_same.bind(1, id).bind(2, gen).run();
  st_->insert_tombstone.bind(1, id).bind(2, gen).bind(3, static_cast<int64_t>(shard)).run();
  shards_[shard]->remove(id_term(id));
  ++pending_;
}

void StoreWriter::note_source(const SourceRow& s) {
  begin_if_needed();
  Stmt& st = st_->insert_source;
  st.bind(1, static_cast<int64_t>(generation_ + 1)).bind(2, s.path).bind(3, s.size).bind(4, s.mtime_ns)
      .bind(5, s.hash).bind(6, s.id).bind(7, s.status).bind(8, s.reason);
  st.run();
  // Source rows ride along with the next commit; only articles count towards one.
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
  // Step 2: every shard commits (in parallel); each commit is the commit
  // point of that shard's articles.
  shards_[0]->add_spelling(std::move(spelling_));
  spelling_.clear();
  if (fault_after_first_shard(next)) {
    shards_[0]->start_commit(next);
    shards_[0]->wait();
    ::_exit(86);  // tests/store/crash_test.cc: die with only shard 0 committed
  }
  for (auto& s : shards_) s->start_commit(next);
  for (auto& s : shards_) s->wait();
  generation_ = next;
  pending_ = 0;
  finalize();  // step 3
}

size_t StoreWriter::article_count() {
  size_t n = 0;
  for (auto& s : shards_) n += s->doc_count();
  return n;
}

}  // namespace kbtriage
