// The search cache: every term's posting list, every document's length and
// the document fields the searcher reads for each candidate (its quoted
// messages, product and data), read out of the Xapian shards into one flat
// file of the store (search-postings.bin) that is mapped into memory.
//
// Why: Xapian's glass backend reads each posting list through 8 KB pread()
// copies and finds each document's length by decoding the length list
// linearly, per term. A pasted message is an OR of ten to twenty terms over
// thousands of articles, and that bookkeeping, not the arithmetic, is most of
// its 2-3 ms. From flat arrays the same BM25 sums take a fifth of that. A
// candidate's fields cost a B-tree descent each in Xapian, a lookup here.
//
// The cache is derived data. It names the shards' UUIDs and revisions it was
// read from, and a searcher uses it only for a snapshot of exactly those; any
// other snapshot is searched by Xapian directly, with the same results
// (ranker.h). Not part of the public API.
#pragma once

#include <xapian.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kbtriage {

class PostingsCache {
 public:
  // A term's postings, in increasing document id (the ids of the shards
  // taken together, as Xapian numbers them: shard s's document d is
  // (d - 1) * shards + s + 1).
  struct Postings {
    std::span<const uint32_t> docids;  // each at most max_docid()
    std::span<const uint16_t> wdfs;
    const uint32_t* per_shard = nullptr;
    bool empty() const { return docids.empty(); }
    // As Xapian bounds the term's wdf in shard `s` when it opens the list.
    uint32_t wdf_upper_bound(uint32_t s) const { return per_shard[2 * s]; }
    // The articles of shard `s` holding the term.
    uint32_t termfreq(uint32_t s) const { return per_shard[2 * s + 1]; }
  };

  // The identity of the shards as opened: each one's UUID and revision.
  static std::string key_of(const std::vector<Xapian::Database>& shards);

  // Reads every posting list of `shards` (about 1.5 s for the whole archive).
  // Throws Xapian::Error from the shards; returns null when a wdf does not
  // fit the file's 16 bits (then Xapian searches on its own).
  static std::unique_ptr<PostingsCache> build(const std::vector<Xapian::Database>& shards);

  // Maps `path`; null when it is missing, unreadable, or not a cache of
  // this format (a stale cache is returned: compare key()).
  static std::unique_ptr<PostingsCache> load(const std::string& path);

  // Writes the cache to `path` by way of a temporary file renamed over it,
  // so a reader sees the old file or the new one. False when it cannot.
  bool save(const std::string& path) const;

  ~PostingsCache();
  PostingsCache(const PostingsCache&) = delete;
  PostingsCache& operator=(const PostingsCache&) = delete;

  const std::string& key() const { return key_; }
  uint32_t shards() const { return shards_; }
  uint64_t doccount() const { return doccount_; }
  uint64_t doccount(uint32_t shard) const { return shard_docs_[shard]; }
  double average_length() const { return doccount_ ? static_cast<double>(total_length_) / doccount_ : 0.0; }
  uint32_t doclength_lower_bound() const { return doclen_lower_; }
  uint32_t doclength_upper_bound() const { return doclen_upper_; }
  // Document ids run from 1 to max_docid(); a gap has length 0.
  uint32_t max_docid() const { return static_cast<uint32_t>(doclens_.size()) - 1; }
  uint32_t doclength(uint32_t did) const { return doclens_[did]; }
  std::span<const uint32_t> doclengths() const { return doclens_; }

  Postings postings(std::string_view term) const;

  // The fields kept per document: Xapian's value slots and document data.
  enum class Field : unsigned { kMessages, kProduct, kData };
  static constexpr unsigned kFields = 3;
  std::string_view field(uint32_t did, Field f) const;

 private:
  PostingsCache() = default;
  bool parse();  // sets the spans below from bytes_

  struct TermEntry;
  std::vector<char> owned_;  // a cache just built
  const char* bytes_ = nullptr;
  size_t size_ = 0;
  void* mapped_ = nullptr;  // a cache loaded from its file

  std::string key_;
  uint32_t shards_ = 0;
  uint64_t doccount_ = 0, total_length_ = 0;
  uint32_t doclen_lower_ = 0, doclen_upper_ = 0;
  std::span<const uint32_t> doclens_;
  std::span<const TermEntry> terms_;
  std::span<const uint32_t> per_shard_;  // per term, per shard: wdf bound, termfreq
  std::span<const uint64_t> shard_docs_;
  const char* names_ = nullptr;
  uint64_t names_bytes_ = 0;
  std::span<const uint32_t> docids_;
  std::span<const uint16_t> wdfs_;
  std::span<const uint32_t> field_offsets_;  // per field, per docid and one past the last
  const char* field_bytes_ = nullptr;
  uint64_t field_bytes_size_ = 0;
};

}  // namespace kbtriage
