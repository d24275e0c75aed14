// Indexing article files into a store: walk, parse on all cores, write
// SQLite and Xapian. One writer per store; readers may search meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kbtriage {

struct IndexOptions {
  std::string db_dir;
  std::vector<std::string> paths;  // files or folders
  bool prune = false;              // remove articles whose files under `paths` are gone
  unsigned jobs = 0;               // parser threads; 0 = hardware concurrency
  size_t commit_every = 3000;      // articles per generation (commit); measured best on the archive
  unsigned shards = 0;             // Xapian shards of a new store; 0 = schema::kDefaultShards
};

struct IndexProgress {
  size_t files_total = 0;
  size_t files_done = 0;
  size_t articles_written = 0;
  double elapsed_seconds = 0;
};

struct SkippedFile {
  std::string path;
  std::string reason;
};

// Each file seen is counted once, by what happened when it was processed:
// files == indexed + replaced + unchanged + duplicates + skipped.
struct IndexSummary {
  size_t files = 0;       // files seen
  size_t indexed = 0;     // new articles
  size_t replaced = 0;    // articles whose file changed (or a better form arrived)
  size_t unchanged = 0;   // files already in the store as they are
  size_t duplicates = 0;  // files holding an article another form provides
  size_t skipped = 0;     // not articles (see skipped_files)
  size_t removed = 0;     // articles pruned
  size_t articles = 0;    // articles in the store afterwards
  uint64_t generation = 0;
  double seconds = 0;
  std::vector<SkippedFile> skipped_files;  // skipped in this run (not unchanged ones)
};

// Indexes `options.paths` into `options.db_dir`. Files that are not articles
// are skipped with a reason; a missing path is skipped too. Throws
// StoreLockedError when another writer holds the store and StoreError when
// the store cannot be written. `progress` is called from the calling thread
// about ten times a second.
IndexSummary index_paths(const IndexOptions& options,
                         const std::function<void(const IndexProgress&)>& progress = {});

// The content hash of a source: "P:" then 64-bit FNV-1a of `bytes` as 16 hex
// digits, where P is schema::kParserVersion. The same file parsed by another
// version of the parser has another hash, so it is parsed again.
std::string content_hash(std::string_view bytes);

}  // namespace kbtriage
