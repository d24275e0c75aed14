// The one writer of a store (internal to the indexer). Keeps SQLite and the
// Xapian shards in step with generations:
//   1. rows of generation G+1 are written to SQLite and committed;
//   2. each shard commits its documents with metadata generation = G+1; a
//      shard's commit is the commit point of its articles (readers see an
//      article's SQLite rows up to its shard's generation);
//   3. older versions are dropped and pending source rows applied.
// Opening the writer discards the rows of shards whose step 2 did not happen
// and finishes step 3, so a kill at any moment leaves a consistent store.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kbtriage/article.h"
#include "sqlite_db.h"

namespace kbtriage {

// What the store knows of one source file.
struct SourceRow {
  std::string path;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string hash;
  std::string id;      // article id, empty when skipped
  std::string status;  // "indexed", "duplicate", "skipped"
  std::string reason;  // for skipped and duplicate
};

// The source currently providing an article.
struct CurrentSource {
  std::string path;
  int rank = 0;
};

class StoreWriter {
 public:
  // Creates the folder and store when missing, with `shards` Xapian shards
  // (an existing store keeps its own). Throws StoreLockedError when another
  // writer holds it, StoreError when it cannot be opened.
  explicit StoreWriter(const std::string& dir, unsigned shards = 0);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  std::unordered_map<std::string, SourceRow> load_sources();
  std::optional<CurrentSource> current(std::string_view id);
  // Paths of sources that hold `id` but lost to another form.
  std::vector<std::string> duplicate_sources(std::string_view id);

  // `body` is article_to_json(a), made by the caller (off the writer's thread).
  // `replaces` says whether current(a.id) found the article (the caller has
  // just asked; a new id is added to Xapian without a replace look-up).
  void put(const Article& a, const std::string& body, Xapian::Document doc, const SourceRow& source, int rank,
           const std::vector<std::string>& spelling, bool replaces);
  void remove(std::string_view id);
  void note_source(const SourceRow& source);
  void forget_source(std::string_view path);

  // Articles written or removed since the last commit.
  size_t pending() const { return pending_; }
  // Ends the current generation (steps 1-3). No-op when nothing is pending.
  void commit();

  uint64_t generation() const { return generation_; }
  size_t article_count();

 private:
  class Shard;
  struct Statements;

  void begin_if_needed();
  void create_schema(unsigned shards);
  void recover();
  void finalize();
  std::vector<uint64_t> shard_generations() const;

  std::string dir_;
  int lock_fd_ = -1;
  std::unique_ptr<Db> db_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::unique_ptr<Transaction> txn_;
  uint64_t generation_ = 0;  // the newest generation of any shard
  size_t pending_ = 0;
  // Spelling words of the generation, added to shard 0 once each at commit.
  std::unordered_map<std::string, unsigned> spelling_;
  // Statements prepared once; declared after db_ so they are finalized first.
  std::unique_ptr<Statements> st_;
};

}  // namespace kbtriage
