#include "postings.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>

#include "kbtriage/schema.h"

namespace kbtriage {

namespace {

using schema::kSlotMessages;
using schema::kSlotProduct;

constexpr char kMagic[8] = {'K', 'B', 'T', 'P', 'O', 'S', 'T', '1'};
constexpr uint32_t kVersion = 3;
constexpr uint32_t kMaxShards = 1024;
constexpr uint64_t kByteOrder = 0x0102030405060708ull;

// The file: this header, then the key, each shard's document count, the
// document lengths, the term entries, each term's per-shard wdf bound and
// frequency, the term names, all docids, all wdfs, the documents' field
// offsets and the fields' bytes, each section starting at a multiple of 8
// bytes.
struct Header {
  char magic[8];
  uint32_t version;
  uint32_t shards;
  uint64_t byte_order;
  uint64_t doccount;
  uint64_t total_length;
  uint32_t doclen_lower;
  uint32_t doclen_upper;
  uint32_t max_docid;
  uint32_t key_len;
  uint64_t terms;
  uint64_t names_bytes;
  uint64_t postings;
  uint64_t field_bytes;
};

size_t padded(size_t n) { return (n + 7) & ~size_t{7}; }

}  // namespace

struct PostingsCache::TermEntry {
  uint64_t first;      // index of its first posting
  uint32_t name_off;   // in the names
  uint32_t name_len;
  uint32_t count;
  uint32_t unused;
};

std::string PostingsCache::key_of(const std::vector<Xapian::Database>& shards) {
  std::string key;
  for (const Xapian::Database& s : shards) {
    key += s.get_uuid();
    key += ':';
    key += std::to_string(s.get_revision());
    key += ';';
  }
  return key;
}

std::unique_ptr<PostingsCache> PostingsCache::build(const std::vector<Xapian::Database>& shards) {
  const uint32_t n = static_cast<uint32_t>(shards.size());
  if (n == 0) return nullptr;
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.shards = n;
  h.byte_order = kByteOrder;
  const std::string key = key_of(shards);
  h.key_len = static_cast<uint32_t>(key.size());

  // Document lengths, and the bounds Xapian's combined database reports.
  Xapian::docid max_docid = 0;
  std::vector<uint64_t> shard_docs;
  for (uint32_t s = 0; s < n; ++s) {
    shard_docs.push_back(shards[s].get_doccount());
    const Xapian::docid last = shards[s].get_lastdocid();
    if (last) max_docid = std::max<Xapian::docid>(max_docid, (last - 1) * n + s + 1);
    h.doccount += shards[s].get_doccount();
    h.total_length += shards[s].get_total_length();
    if (shards[s].get_total_length() != 0) {
      const uint32_t lb = shards[s].get_doclength_lower_bound();
      if (h.doclen_lower == 0 || lb < h.doclen_lower) h.doclen_lower = lb;
    }
    h.doclen_upper = std::max<uint32_t>(h.doclen_upper, shards[s].get_doclength_upper_bound());
  }
  h.max_docid = max_docid;
  std::vector<uint32_t> doclens(size_t{max_docid} + 1, 0);  // each thread writes its own shard's

  // Each shard is read by a thread of its own (a shard is one Xapian
  // database, used by that thread alone): its terms in order, each one's
  // postings, and its documents' lengths and fields. Reading is mostly
  // Xapian's block copies, so two shards take about half the time.
  struct ShardRead {
    std::string names;
    std::vector<uint32_t> name_end;  // per term: where its name ends in `names`
    std::vector<uint64_t> first;     // per term and one past the last: its first posting
    std::vector<uint32_t> docids;    // the store's docids
    std::vector<uint16_t> wdfs;
    std::vector<uint32_t> bound;     // per term, as glass bounds its wdf
    bool too_big = false;            // a wdf that does not fit in 16 bits
    std::exception_ptr error;
  };
  const size_t docs = size_t{max_docid} + 1;
  std::vector<std::array<std::string, kFields>> per_doc(docs);  // each thread writes its own shard's
  std::vector<ShardRead> reads(n);
  auto read_shard = [&](uint32_t s) {
    ShardRead& r = reads[s];
    try {
      const Xapian::Database& db = shards[s];
      for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
        const std::string term = *t;
        r.names += term;
        r.name_end.push_back(static_cast<uint32_t>(r.names.size()));
        r.first.push_back(r.docids.size());
        uint64_t collfreq = 0;
        for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) {
          const Xapian::termcount wdf = p.get_wdf();
          if (wdf > std::numeric_limits<uint16_t>::max()) r.too_big = true;
          r.docids.push_back((*p - 1) * n + s + 1);
          r.wdfs.push_back(static_cast<uint16_t>(wdf));
          collfreq += wdf;
        }
        // As glass bounds a term's wdf when it opens the posting list:
        // from its collection frequency and its first wdf.
        const uint64_t w0 = r.wdfs.size() > r.first.back() ? r.wdfs[r.first.back()] : 0;
        r.bound.push_back(static_cast<uint32_t>(std::max<uint64_t>(collfreq - w0, w0)));
        if (r.names.size() > std::numeric_limits<uint32_t>::max()) r.too_big = true;
      }
      r.first.push_back(r.docids.size());
      for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
        const size_t did = (*p - 1) * n + s + 1;
        doclens[did] = p.get_doclength();
        per_doc[did][static_cast<unsigned>(Field::kData)] = db.get_document(*p, Xapian::DOC_ASSUME_VALID).get_data();
      }
      for (Field f : {Field::kMessages, Field::kProduct}) {
        const Xapian::valueno slot = f == Field::kMessages ? kSlotMessages : kSlotProduct;
        for (auto v = db.valuestream_begin(slot); v != db.valuestream_end(slot); ++v) {
          per_doc[(v.get_docid() - 1) * n + s + 1][static_cast<unsigned>(f)] = *v;
        }
      }
    } catch (...) {
      r.error = std::current_exception();
    }
  };
  {
    std::vector<std::thread> threads;
    for (uint32_t s = 1; s < n; ++s) threads.emplace_back(read_shard, s);
    read_shard(0);
    for (std::thread& t : threads) t.join();
  }
  for (const ShardRead& r : reads) {
    if (r.error) std::rethrow_exception(r.error);
    if (r.too_big) return nullptr;
  }

  // The terms of all shards in order, each one's postings merged by docid.
  std::vector<TermEntry> terms;
  std::vector<uint32_t> bounds;  // per term, per shard: wdf bound, termfreq
  std::string names;
  std::vector<uint32_t> docids;
  std::vector<uint16_t> wdfs;
  std::vector<size_t> at(n, 0);  // each shard's next term
  auto name_of = [&](uint32_t s, size_t i) {
    const ShardRead& r = reads[s];
    const uint32_t b = i ? r.name_end[i - 1] : 0;
    return std::string_view(r.names).substr(b, r.name_end[i] - b);
  };
  std::vector<std::pair<uint32_t, uint16_t>> merged;
  for (;;) {
    std::string_view term;
    bool any = false;
    for (uint32_t s = 0; s < n; ++s) {
      if (at[s] < reads[s].name_end.size() && (!any || name_of(s, at[s]) < term)) {
        term = name_of(s, at[s]);
        any = true;
      }
    }
    if (!any) break;
    TermEntry e{};
    e.first = docids.size();
    e.name_off = static_cast<uint32_t>(names.size());
    e.name_len = static_cast<uint32_t>(term.size());
    names += term;
    merged.clear();
    for (uint32_t s = 0; s < n; ++s) {
      uint32_t bound = 0, freq = 0;
      const ShardRead& r = reads[s];
      if (at[s] < r.name_end.size() && name_of(s, at[s]) == term) {
        const size_t i = at[s]++;
        bound = r.bound[i];
        freq = static_cast<uint32_t>(r.first[i + 1] - r.first[i]);
        const size_t mid = merged.size();
        for (uint64_t p = r.first[i]; p < r.first[i + 1]; ++p) merged.emplace_back(r.docids[p], r.wdfs[p]);
        std::inplace_merge(merged.begin(), merged.begin() + static_cast<long>(mid), merged.end());
      }
      bounds.push_back(bound);
      bounds.push_back(freq);
    }
    for (auto& [did, wdf] : merged) {
      docids.push_back(did);
      wdfs.push_back(wdf);
    }
    e.count = static_cast<uint32_t>(merged.size());
    terms.push_back(e);
    if (names.size() > std::numeric_limits<uint32_t>::max()) return nullptr;
  }
  reads.clear();
  h.terms = terms.size();
  h.names_bytes = names.size();
  h.postings = docids.size();

  // The fields of each document, in docid order per field: offsets[f][d]
  // to offsets[f][d + 1] in the bytes.
  std::vector<uint32_t> offsets;
  std::string bytes;
  for (unsigned f = 0; f < kFields; ++f) {
    for (const auto& fields : per_doc) {
      offsets.push_back(static_cast<uint32_t>(bytes.size()));
      bytes += fields[f];
      if (bytes.size() > std::numeric_limits<uint32_t>::max()) return nullptr;
    }
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
  h.field_bytes = bytes.size();

  auto cache = std::unique_ptr<PostingsCache>(new PostingsCache());
  std::vector<char>& out = cache->owned_;
  auto put = [&out](const void* data, size_t len) {
    const char* p = static_cast<const char*>(data);
    out.insert(out.end(), p, p + len);
    out.resize(padded(out.size()), 0);
  };
  out.reserve(sizeof h + padded(key.size()) + doclens.size() * 4 + terms.size() * sizeof(TermEntry) +
              bounds.size() * 4 + names.size() + docids.size() * 6 + offsets.size() * 4 + bytes.size() + 96);
  put(&h, sizeof h);
  put(key.data(), key.size());
  put(shard_docs.data(), shard_docs.size() * sizeof(uint64_t));
  put(doclens.data(), doclens.size() * sizeof(uint32_t));
  put(terms.data(), terms.size() * sizeof(TermEntry));
  put(bounds.data(), bounds.size() * sizeof(uint32_t));
  put(names.data(), names.size());
  put(docids.data(), docids.size() * sizeof(uint32_t));
  put(wdfs.data(), wdfs.size() * sizeof(uint16_t));
  put(offsets.data(), offsets.size() * sizeof(uint32_t));
  put(bytes.data(), bytes.size());
  cache->bytes_ = out.data();
  cache->size_ = out.size();
  if (!cache->parse()) return nullptr;
  return cache;
}

std::unique_ptr<PostingsCache> PostingsCache::load(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st{};
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) {
    ::close(fd);
    return nullptr;
  }
  void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return nullptr;
  auto cache = std::unique_ptr<PostingsCache>(new PostingsCache());
  cache->mapped_ = map;
  cache->bytes_ = static_cast<const char*>(map);
  cache->size_ = static_cast<size_t>(st.st_size);
  if (!cache->parse()) return nullptr;
  return cache;
}

bool PostingsCache::save(const std::string& path) const {
  // A name of its own (mkstemp), so that two writers never share one.
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return false;
  ::fchmod(fd, 0644);
  FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    ::close(fd);
    std::remove(tmp.c_str());
    return false;
  }
  bool ok = std::fwrite(bytes_, 1, size_, f) == size_;
  ok = std::fflush(f) == 0 && ok;
  ok = ::fsync(::fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

PostingsCache::~PostingsCache() {
  if (mapped_) ::munmap(mapped_, size_);
}

bool PostingsCache::parse() {
  if (size_ < sizeof(Header)) return false;
  Header h;
  std::memcpy(&h, bytes_, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.version != kVersion || h.byte_order != kByteOrder ||
      h.shards == 0) {
    return false;
  }
  size_t at = padded(sizeof h);
  // Each section in turn; false when the file is shorter than its header says.
  auto take = [&](size_t bytes, const char** where) {
    if (bytes > size_ || at > size_ - bytes) return false;
    *where = bytes_ + at;
    at = padded(at + bytes);
    return true;
  };
  const char *key, *docs, *lens, *terms, *bounds, *names, *docids, *wdfs, *offsets, *fields;
  const uint64_t nterms = h.terms, npost = h.postings;
  const size_t noffsets = (size_t{h.max_docid} + 2) * kFields;
  // Every count is at most the file's size, and the shards few, so no
  // section's size below overflows.
  if (nterms > size_ || npost > size_ || h.names_bytes > size_ || h.field_bytes > size_ || h.shards > kMaxShards ||
      h.max_docid > size_) {
    return false;
  }
  if (!take(h.key_len, &key) || !take(size_t{h.shards} * 8, &docs) || !take((size_t{h.max_docid} + 1) * 4, &lens) ||
      !take(nterms * sizeof(TermEntry), &terms) || !take(nterms * h.shards * 8, &bounds) ||
      !take(h.names_bytes, &names) || !take(npost * 4, &docids) || !take(npost * 2, &wdfs) ||
      !take(noffsets * 4, &offsets) || !take(h.field_bytes, &fields)) {
    return false;
  }
  key_.assign(key, h.key_len);
  shards_ = h.shards;
  doccount_ = h.doccount;
  total_length_ = h.total_length;
  doclen_lower_ = h.doclen_lower;
  doclen_upper_ = h.doclen_upper;
  doclens_ = {reinterpret_cast<const uint32_t*>(lens), size_t{h.max_docid} + 1};
  terms_ = {reinterpret_cast<const TermEntry*>(terms), nterms};
  shard_docs_ = {reinterpret_cast<const uint64_t*>(docs), h.shards};
  per_shard_ = {reinterpret_cast<const uint32_t*>(bounds), nterms * h.shards * 2};
  names_ = names;
  docids_ = {reinterpret_cast<const uint32_t*>(docids), npost};
  wdfs_ = {reinterpret_cast<const uint16_t*>(wdfs), npost};
  names_bytes_ = h.names_bytes;
  field_offsets_ = {reinterpret_cast<const uint32_t*>(offsets), noffsets};
  field_bytes_ = fields;
  field_bytes_size_ = h.field_bytes;
  return true;
}

std::string_view PostingsCache::field(uint32_t did, Field f) const {
  const size_t per_field = doclens_.size() + 1;
  if (did >= doclens_.size()) return {};
  const size_t at = static_cast<size_t>(f) * per_field + did;
  const uint32_t b = field_offsets_[at], e = field_offsets_[at + 1];
  if (b > e || e > field_bytes_size_) return {};
  return {field_bytes_ + b, e - b};
}

PostingsCache::Postings PostingsCache::postings(std::string_view term) const {
  // Entries are checked as they are read, not all at load: a one-query
  // process reads about twenty of half a million.
  auto name = [this](const TermEntry& e) {
    if (e.name_off + uint64_t{e.name_len} > names_bytes_) return std::string_view();
    return std::string_view(names_ + e.name_off, e.name_len);
  };
  auto it = std::lower_bound(terms_.begin(), terms_.end(), term,
                             [&](const TermEntry& e, std::string_view t) { return name(e) < t; });
  if (it == terms_.end() || name(*it) != term || it->first + uint64_t{it->count} > docids_.size()) return {};
  Postings p;
  p.docids = docids_.subspan(it->first, it->count);
  p.wdfs = wdfs_.subspan(it->first, it->count);
  p.per_shard = per_shard_.data() + static_cast<size_t>(it - terms_.begin()) * shards_ * 2;
  return p;
}

}  // namespace kbtriage
