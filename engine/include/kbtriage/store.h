// Read access to a store, for the front ends (show, export, and later search
// and match). Sees one consistent state: each article's SQLite rows as of the
// generation its Xapian shard was committed at, even while an index run
// writes the store.
//
// Not thread-safe: one Store per thread (opening is cheap).
// Throws StoreError when the folder is not a store or cannot be read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/article.h"

namespace kbtriage {

struct StoreStats {
  uint64_t generation = 0;     // the newest shard generation
  size_t sqlite_articles = 0;  // live articles in SQLite at that generation
  size_t xapian_documents = 0;
};

// What check() found; empty `problems` means the two sides agree.
struct StoreCheck {
  StoreStats stats;
  std::vector<std::string> problems;
};

// What rules are derived from: one live article's quoted message patterns
// (mask.h), canonical error codes and first symptom record.
struct RuleSource {
  std::string id;
  std::vector<std::string> patterns;
  std::vector<std::string> texts;  // each pattern's message as the article quotes it
  std::vector<std::string> codes;
  std::string symptom;             // the first symptom record's text, or empty
};

// The little the rule engine needs to weigh an article against the context.
struct ArticleBrief {
  std::string title;
  std::string product;
  std::vector<std::string> applies_to;
  std::vector<std::string> versions;
  std::vector<std::string> os;
};

class Store {
 public:
  explicit Store(const std::string& dir);
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;

  // Moves to the newest committed generation (after an index run).
  void refresh();
  // refresh() when an index run has committed since; true if it did. Cheap
  // enough to call before every query (it reads each shard's version file).
  bool refresh_if_changed();

  // The newest generation of any shard (they differ only after a kill).
  uint64_t generation() const;
  std::optional<Article> article(std::string_view id);
  // The first record of `kind` ("symptom", "cause", "resolution") of an
  // article, without reading the whole article.
  std::optional<Record> first_record(std::string_view id, std::string_view kind);
  bool contains(std::string_view id);
  std::optional<ArticleBrief> brief(std::string_view id);
  // Every live article that quotes a message or names a code, by id.
  std::vector<RuleSource> rule_sources();
  // Live article ids, sorted.
  std::vector<std::string> ids();
  StoreStats stats();
  // PRAGMA integrity_check, and SQLite and Xapian holding the same article
  // set with the same content hashes.
  StoreCheck check();

 private:
  friend class Searcher;  // searches the Xapian side of the same snapshot
  StoreCheck check_once();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kbtriage
