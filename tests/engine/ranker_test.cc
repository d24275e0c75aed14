// The search cache (search-postings.bin) and the ranking from it: the same
// articles, in the same order with the same scores, as Xapian's matcher;
// used only for the snapshot it was read from; a damaged file is ignored.
#include <catch2/catch.hpp>

#include <xapian.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "kbtriage/indexer.h"
#include "kbtriage/schema.h"
#include "kbtriage/search.h"
#include "kbtriage/store.h"
#include "postings.h"
#include "ranker.h"
#include "../test_util.h"

using namespace kbtriage;
using kbtriage::test::TempDir;

namespace {

// A store of the corpus (but one article) in a folder of its own: these
// tests write the cache into it and add to it.
struct OwnStore {
  TempDir dir;
  std::string db = dir / "store";
  std::string docs = dir / "docs";
  OwnStore() {
    std::filesystem::copy(test::corpus_dir(), docs, std::filesystem::copy_options::recursive);
    std::filesystem::remove(docs + "/README.md");
    std::filesystem::remove(docs + "/raw/Q900001.TXT");  // added by a test
    index();
  }
  void index() {
    IndexOptions o;
    o.db_dir = db;
    o.paths = {docs};
    o.prune = true;  // an article whose file a test removed goes too
    index_paths(o);
  }
  std::string cache() const { return db + "/search-postings.bin"; }
  std::vector<Xapian::Database> shards() const {
    std::vector<Xapian::Database> out;
    for (unsigned i = 0;; ++i) {
      const std::string path = db + "/" + std::string(schema::kXapianDir) + "/" + std::to_string(i);
      if (!std::filesystem::exists(path)) break;
      out.emplace_back(path);
    }
    return out;
  }
};

// What a technician types or pastes, of every shape the query builder
// makes: messages, typos, abbreviations with synonyms, codes, logs, and
// the shapes only Xapian runs (phrases, fields, wildcards).
std::vector<std::string> queries(const std::string& db) {
  std::vector<std::string> qs = {
      "Background Synchronization Error. See detailed logs in Deleted Items folder.",
      "Bckgrd syncronization eror after move server",
      "outlook98 ost sync error",
      "0x80004005",
      "-2147467259 unspecified error",
      "STOP 0xA IRQL_NOT_LESS_OR_EQUAL",
      "Event ID 1001 xadm",
      "error\nfailed to start service\nthe service did not respond\nBackground Synchronization Error",
      "2001/08/07 17:41:25 Connected to EXCH01 on port 139.\n2001/08/07 17:41:26 Session closed.\n"
      "2001/08/07 17:41:47 The server failed to load application. The error was '80004005'.",
      "\"deleted items\" sync",
      "product:exchange synchronization",
      "synchron* error",
      "title:outlook",
  };
  Store store(db);
  for (const std::string& id : store.ids()) {
    std::optional<Article> a = store.article(id);
    if (!a) continue;
    qs.push_back(a->title);
    for (const Message& m : a->messages) qs.push_back(m.text);
  }
  return qs;
}

void require_same(const SearchResult& cached, const SearchResult& plain, const std::string& q) {
  INFO(q);
  REQUIRE(cached.hits.size() == plain.hits.size());
  for (size_t i = 0; i < plain.hits.size(); ++i) {
    INFO("hit " << i);
    CHECK(cached.hits[i].id == plain.hits[i].id);
    CHECK(cached.hits[i].score == Approx(plain.hits[i].score).epsilon(1e-9));
    // What a result page shows: from the cache's fields and lists, the same.
    CHECK(cached.hits[i].title == plain.hits[i].title);
    CHECK(cached.hits[i].snippet == plain.hits[i].snippet);
    CHECK(cached.hits[i].matched_fields == plain.hits[i].matched_fields);
    CHECK(cached.hits[i].matched_words == plain.hits[i].matched_words);
  }
}

}  // namespace

TEST_CASE("the search cache ranks as Xapian's matcher does", "[search][cache]") {
  OwnStore s;
  Searcher searcher(s.db);
  SearchOptions with, without;
  with.limit = without.limit = 30;
  without.use_cache = false;
  const std::vector<std::string> qs = queries(s.db);
  // No cache yet: both are Xapian's.
  CHECK_FALSE(searcher.search(qs[0], with).cached);
  REQUIRE(searcher.prepare());
  REQUIRE(std::filesystem::exists(s.cache()));
  size_t cached = 0;
  for (const std::string& q : qs) {
    SearchResult c = searcher.search(q, with);
    SearchResult x = searcher.search(q, without);
    CHECK_FALSE(x.cached);
    // Phrases, filters and wildcards are Xapian's to run; all else is the cache's.
    const bool plain = q.find('"') == std::string::npos && q.find('*') == std::string::npos &&
                       q.find("product:") == std::string::npos;
    if (plain) CHECK(c.cached);
    cached += c.cached;
    require_same(c, x, q);
  }
  CHECK(cached + 10 >= qs.size());

  SECTION("a rule engine's restriction to some articles") {
    SearchOptions only = with, only_x = without;
    only.only_ids = only_x.only_ids = {"Q198657", "Q900002"};
    SearchResult c = searcher.search("synchronization error stop", only);
    CHECK(c.cached);
    require_same(c, searcher.search("synchronization error stop", only_x), "only_ids");
    for (const SearchHit& h : c.hits) CHECK((h.id == "Q198657" || h.id == "Q900002"));
  }
  SECTION("another searcher maps the saved file") {
    Searcher other(s.db);
    SearchResult c = other.search(qs[0], with);
    CHECK(c.cached);
    require_same(c, searcher.search(qs[0], without), qs[0]);
  }
}

TEST_CASE("a search cache older than the index is not used until prepared again", "[search][cache]") {
  OwnStore s;
  Searcher searcher(s.db);
  REQUIRE(searcher.prepare());
  CHECK(searcher.search("STOP 0x0000001E").cached);
  std::filesystem::copy(test::corpus_dir() + "/raw/Q900001.TXT", s.docs + "/raw/Q900001.TXT");
  s.index();
  // The index moved on: Xapian ranks, and sees the new article.
  SearchOptions without;
  without.use_cache = false;
  SearchResult stale = searcher.search("STOP 0x0000001E");
  CHECK_FALSE(stale.cached);
  require_same(stale, searcher.search("STOP 0x0000001E", without), "after the index run");
  // A new searcher does not use the old file either.
  CHECK_FALSE(Searcher(s.db).search("STOP 0x0000001E").cached);
  REQUIRE(searcher.prepare());
  SearchResult fresh = searcher.search("STOP 0x0000001E");
  CHECK(fresh.cached);
  require_same(fresh, searcher.search("STOP 0x0000001E", without), "prepared again");
}

TEST_CASE("a damaged search cache is ignored and rebuilt", "[search][cache]") {
  OwnStore s;
  const std::string query = "Background Synchronization Error";
  {
    Searcher searcher(s.db);
    REQUIRE(searcher.prepare());
  }
  const std::string good = test::read_file(s.cache());
  for (const std::string& bad : {std::string(), std::string("not a cache at all"), good.substr(0, good.size() / 2),
                                 good.substr(0, 100)}) {
    test::write_file(s.cache(), bad);
    Searcher searcher(s.db);
    SearchResult r = searcher.search(query);
    CHECK_FALSE(r.cached);
    REQUIRE_FALSE(r.hits.empty());
    CHECK(r.hits[0].id == "Q198657");
    REQUIRE(searcher.prepare());
    CHECK(searcher.search(query).cached);
  }
}

TEST_CASE("the cache holds each term's postings and each document's fields as the shards do", "[search][cache]") {
  OwnStore s;
  std::vector<Xapian::Database> shards = s.shards();
  REQUIRE(shards.size() >= 1);
  std::unique_ptr<PostingsCache> cache = PostingsCache::build(shards);
  REQUIRE(cache);
  Xapian::Database all;
  for (const Xapian::Database& sh : shards) all.add_database(sh);
  CHECK(cache->doccount() == all.get_doccount());
  CHECK(cache->average_length() == Approx(all.get_avlength()));
  size_t terms = 0;
  for (auto t = all.allterms_begin(); t != all.allterms_end(); ++t, ++terms) {
    PostingsCache::Postings p = cache->postings(*t);
    REQUIRE(p.docids.size() == all.get_termfreq(*t));
    size_t i = 0;
    for (auto d = all.postlist_begin(*t); d != all.postlist_end(*t); ++d, ++i) {
      REQUIRE(p.docids[i] == *d);
      REQUIRE(p.wdfs[i] == d.get_wdf());
    }
  }
  CHECK(terms > 1000);
  CHECK(cache->postings("no-such-term-anywhere").empty());
  size_t docs = 0;
  for (auto it = all.postlist_begin(""); it != all.postlist_end(""); ++it, ++docs) {
    const Xapian::docid d = *it;
    Xapian::Document doc = all.get_document(d);
    CHECK(cache->doclength(d) == all.get_doclength(d));
    CHECK(cache->field(d, PostingsCache::Field::kData) == doc.get_data());
    CHECK(cache->field(d, PostingsCache::Field::kMessages) == doc.get_value(schema::kSlotMessages));
    CHECK(cache->field(d, PostingsCache::Field::kProduct) == doc.get_value(schema::kSlotProduct));
  }
  CHECK(docs == all.get_doccount());
}

TEST_CASE("searches while the cache is prepared again and swapped", "[search][cache][concurrency]") {
  OwnStore s;
  Searcher searcher(s.db);
  std::atomic<bool> done{false};
  std::atomic<size_t> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      while (!done) {
        SearchResult r = searcher.search("Background Synchronization Error");
        if (r.hits.empty() || r.hits[0].id != "Q198657") ++failures;
      }
    });
  }
  // Each index run leaves the cache behind; each prepare() reads a new one
  // and swaps it in under the searches.
  for (int i = 0; i < 4; ++i) {
    const std::string added = s.docs + "/raw/Q900001.TXT";
    if (i % 2 == 0) {
      std::filesystem::copy(test::corpus_dir() + "/raw/Q900001.TXT", added);
    } else {
      std::filesystem::remove(added);
    }
    s.index();
    REQUIRE(searcher.prepare());
    CHECK(searcher.search("Background Synchronization Error").cached);
  }
  done = true;
  for (std::thread& t : threads) t.join();
  CHECK(failures == 0);
}

namespace {

Plan T(const std::string& t, Xapian::termcount wqf = 1) { return Plan::of_term(t, wqf); }
Plan op(Plan::Op o, std::vector<Plan> kids) { return Plan::of(o, std::move(kids)); }

}  // namespace

TEST_CASE("rank_cached weighs every shape of plan as Xapian's matcher does", "[search][cache]") {
  OwnStore s;
  std::vector<Xapian::Database> shards = s.shards();
  REQUIRE(shards.size() == 2);
  Xapian::Database all;
  for (const Xapian::Database& sh : shards) all.add_database(sh);
  std::unique_ptr<PostingsCache> cache = PostingsCache::build(shards);
  REQUIRE(cache);
  const Bm25 bm25;
  const std::vector<double> norms = norms_of(*cache, bm25);
  Xapian::Enquire enquire(all);
  enquire.set_weighting_scheme(Xapian::BM25Weight(bm25.k1, 0, Bm25::kK3, bm25.b, Bm25::kMinNormLen));

  // Plain words by how many articles hold them, and one held in only one shard.
  std::vector<std::pair<Xapian::doccount, std::string>> words;
  std::string one_shard;
  for (auto t = all.allterms_begin(); t != all.allterms_end(); ++t) {
    const std::string w = *t;
    if (w.empty() || w[0] < 'a' || w[0] > 'z' || t.get_termfreq() < 2) continue;
    words.emplace_back(t.get_termfreq(), w);
    if (one_shard.empty() && shards[1].get_termfreq(w) == 0 && t.get_termfreq() >= 3) one_shard = w;
  }
  std::sort(words.begin(), words.end());
  REQUIRE(words.size() > 100);
  REQUIRE_FALSE(one_shard.empty());
  auto word = [&](double at) { return words[static_cast<size_t>(at * static_cast<double>(words.size() - 1))].second; };
  const std::string rare = word(0.1), mid = word(0.5), often = word(0.9), most = word(1.0), some = word(0.7);
  using O = Plan::Op;
  const std::vector<Plan> plans = {
      T(mid),
      T(rare, 3),
      op(O::kOr, {T(rare), T(mid), T(often)}),
      op(O::kOr, {T(mid, 2), T(mid)}),
      op(O::kAnd, {T(mid), T(often), T(most)}),
      Plan::and_maybe(op(O::kOr, {T(rare), T(mid)}), op(O::kOr, {T(often), T(most), T(some)})),
      op(O::kSynonym, {T(rare), T(mid), T(often)}),
      op(O::kSynonym, {T(often), op(O::kAnd, {T(mid), T(some)}), op(O::kAnd, {T(rare), T(most), T(often)}), T(one_shard)}),
      Plan::scaled(Plan::scaled(op(O::kOr, {T(rare), op(O::kSynonym, {T(mid), T(some), T(one_shard)})}), 0.3), 2.0),
      op(O::kOr, {T(one_shard), T(most)}),
      Plan::and_maybe(op(O::kSynonym, {T(one_shard), T(rare)}), op(O::kOr, {Plan::scaled(T(most), 0.3), T(often)})),
  };
  std::vector<Xapian::Query> ids = {Xapian::Query("QQ198657"), Xapian::Query("QQ123"), Xapian::Query("QQ900002")};
  const Xapian::Query only_query(Xapian::Query::OP_OR, ids.begin(), ids.end());
  std::vector<uint32_t> only_dids;
  for (const char* id : {"QQ198657", "QQ123", "QQ900002"}) {
    for (uint32_t d : cache->postings(id).docids) only_dids.push_back(d);
  }
  std::sort(only_dids.begin(), only_dids.end());
  for (size_t i = 0; i < plans.size(); ++i) {
    REQUIRE(plans[i].cacheable());
    for (size_t want : {0, 1, 5, 30, 1000}) {
      for (bool only : {false, true}) {
        INFO("plan " << i << " " << plans[i].to_xapian().get_description() << ", want " << want << ", only " << only);
        const Ranked c = rank_cached(*cache, norms, bm25, plans[i], want, only ? &only_dids : nullptr);
        const Ranked x = rank_xapian(enquire, plans[i], only ? only_query : Xapian::Query(), want);
        REQUIRE(c.hits.size() == x.hits.size());
        for (size_t h = 0; h < x.hits.size(); ++h) {
          CHECK(c.hits[h].first == x.hits[h].first);
          CHECK(c.hits[h].second == Approx(x.hits[h].second).epsilon(1e-12));
        }
        if (want > 0) CHECK(c.max_possible == Approx(x.max_possible).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("a cache file damaged inside its sections never reads out of bounds", "[search][cache]") {
  OwnStore s;
  {
    Searcher searcher(s.db);
    REQUIRE(searcher.prepare());
  }
  const std::string good = test::read_file(s.cache());
  std::mt19937 rng(20261124);
  for (int round = 0; round < 20; ++round) {
    std::string bad = good;
    // Bytes past the header (and the key, which decides whether it is used).
    for (int i = 0; i < 2000; ++i) bad[400 + rng() % (bad.size() - 400)] = static_cast<char>(rng());
    test::write_file(s.cache(), bad);
    Searcher searcher(s.db);
    for (const char* q : {"Background Synchronization Error", "STOP 0x0000001E", "outlook ost error\nfailed\nsync"}) {
      SearchResult r = searcher.search(q);  // any ranking; under the sanitizers, no bad read
      CHECK(r.took_ms >= 0);
    }
  }
}

TEST_CASE("prepare() from several threads at once", "[search][cache][concurrency]") {
  OwnStore s;
  Searcher searcher(s.db);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      if (searcher.prepare()) ++ready;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(ready == 3);
  CHECK(searcher.search("Background Synchronization Error").cached);
  // One file, whole, and no temporary left behind.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(s.db)) files += e.path().filename().string().rfind("search-postings", 0) == 0;
  CHECK(files == 1);
  CHECK(Searcher(s.db).search("Background Synchronization Error").cached);
}

TEST_CASE("a long-running searcher reads the cache again in the background after the store changes",
          "[search][cache][concurrency]") {
  OwnStore s;
  SearcherConfig config;
  config.refresh_cache = true;
  Searcher searcher(s.db, config);
  REQUIRE(searcher.prepare());
  CHECK(searcher.search("STOP 0x0000001E").cached);
  std::filesystem::copy(test::corpus_dir() + "/raw/Q900001.TXT", s.docs + "/raw/Q900001.TXT");
  s.index();
  // The first search after the change is Xapian's, and starts the refresh.
  CHECK_FALSE(searcher.search("STOP 0x0000001E").cached);
  bool cached = false;
  for (int i = 0; i < 300 && !cached; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cached = searcher.search("STOP 0x0000001E").cached;
  }
  CHECK(cached);
  // Without the setting, the searcher waits to be told.
  Searcher still(s.db);
  std::filesystem::remove(s.docs + "/raw/Q900001.TXT");
  s.index();
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(still.search("STOP 0x0000001E").cached);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}
