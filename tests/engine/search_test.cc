// The Searcher over a store of the bundled corpus: ranking, codes, typos,
// fields, paging, facets, and searching while an index run commits.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "kbtriage/indexer.h"
#include "kbtriage/search.h"
#include "kbtriage/store.h"
#include "../test_util.h"

using namespace kbtriage;
using kbtriage::test::TempDir;
using kbtriage::test::corpus_store;

namespace {

const Searcher& searcher() {
  static Searcher s(corpus_store());
  return s;
}

std::vector<std::string> ids(const SearchResult& r) {
  std::vector<std::string> out;
  for (const SearchHit& h : r.hits) out.push_back(h.id);
  return out;
}

std::string top(std::string_view query) {
  SearchResult r = searcher().search(query);
  return r.hits.empty() ? "" : r.hits[0].id;
}

}  // namespace

TEST_CASE("the seed's error text finds the seed first with why it matched", "[search]") {
  SearchResult r = searcher().search("Background Synchronization Error. See detailed logs in Deleted Items folder.");
  REQUIRE_FALSE(r.hits.empty());
  const SearchHit& h = r.hits[0];
  CHECK(h.id == "Q198657");
  CHECK(h.title.find("Outlook 98") != std::string::npos);
  CHECK(h.message_similarity == Approx(1.0));
  CHECK(h.matched_message.find("Background Synchronization Error") != std::string::npos);
  CHECK_FALSE(h.symptom.empty());
  CHECK(h.snippet.find(kHighlightOn) != std::string::npos);
  CHECK(std::find(h.matched_fields.begin(), h.matched_fields.end(), "message") != h.matched_fields.end());
  CHECK(r.took_ms > 0);
}

TEST_CASE("each corpus article's own quoted message finds it first", "[search]") {
  Store store(corpus_store());
  size_t checked = 0;
  for (const std::string& id : store.ids()) {
    std::optional<Article> a = store.article(id);
    REQUIRE(a);
    for (const Message& m : a->messages) {
      SearchResult r = searcher().search(m.text);
      REQUIRE_FALSE(r.hits.empty());
      INFO(id << ": " << m.text << " -> " << r.hits[0].id);
      // Another article quoting the very same message may tie with it.
      if (r.hits[0].id != id) {
        CHECK(r.hits[0].message_similarity == Approx(1.0));
        CHECK(r.hits[0].matched_message == m.text);
      }
      ++checked;
    }
  }
  CHECK(checked > 30);
}

TEST_CASE("noisy pastes: another user name and lost punctuation find the same article", "[search]") {
  CHECK(top("Synchronizing Mailbox 'jsmith'") == "Q198657");
  CHECK(top("background synchronization error see detailed logs in deleted items") == "Q198657");
  CHECK(top("ERROR [2026-11-24 10:11:12] Background Synchronization Error. See detailed logs") == "Q198657");
}

TEST_CASE("typos and abbreviations are forgiven on prose", "[search]") {
  SearchResult r = searcher().search("Bckgrd Syncronization eror outlook98");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q198657");
  std::set<std::string> typed;
  for (const auto& [word, used] : r.corrections) typed.insert(word);
  CHECK(typed.count("syncronization"));
  CHECK(typed.count("eror"));
  // Letters run together with a version: "Windows98" is "Windows 98".
  SearchResult run_together = searcher().search("Windows98 Setup");
  CHECK(std::find(run_together.corrections.begin(), run_together.corrections.end(),
                  std::pair<std::string, std::string>{"windows98", "windows 98"}) != run_together.corrections.end());
}

TEST_CASE("every notation of a code finds the articles carrying it", "[search]") {
  // Q900003, Q900014, Q900019 and Q900030 carry 0x80004005 in some notation.
  const std::set<std::string> carriers = {"Q900003", "Q900014", "Q900019", "Q900030"};
  for (const char* q : {"0x80004005", "80004005", "-2147467259", "2147500037", "error 0X80004005"}) {
    INFO(q);
    SearchResult r = searcher().search(q);
    REQUIRE(r.hits.size() >= carriers.size());
    std::set<std::string> head;
    for (size_t i = 0; i < carriers.size(); ++i) head.insert(r.hits[i].id);
    CHECK(head == carriers);
    CHECK(std::find(r.hits[0].matched_fields.begin(), r.hits[0].matched_fields.end(), "code") !=
          r.hits[0].matched_fields.end());
  }
  CHECK(top("STOP 0xA") == "Q900002");
  CHECK(top("stop 0x0000000a") == "Q900002");
  CHECK(top("code:0xA") == "");  // a bare hex number is no STOP code: no article has code 0xa
}

TEST_CASE("fields filter and restrict", "[search]") {
  SearchResult by_id = searcher().search("id:q198657");
  CHECK(ids(by_id) == std::vector<std::string>{"Q198657"});
  SearchResult product = searcher().search("product:exchange error");
  REQUIRE_FALSE(product.hits.empty());
  for (const SearchHit& h : product.hits) CHECK(h.product.find("Exchange") != std::string::npos);
  SearchResult year = searcher().search("error year:1999..1999");
  REQUIRE_FALSE(year.hits.empty());
  for (const SearchHit& h : year.hits) CHECK(h.date.substr(0, 4) == "1999");
  SearchResult type = searcher().search("error type:kbprb");
  REQUIRE_FALSE(type.hits.empty());
  for (const SearchHit& h : type.hits) CHECK(h.issue_type == "kbprb");
  CHECK(top("title:\"move server\"") == "Q198657");
  CHECK(top("code:-2147467259 jet") == "Q900014");
}

TEST_CASE("operators exclude and require and relax when nothing matches", "[search]") {
  SearchResult all = searcher().search("error");
  SearchResult without = searcher().search("error NOT exchange");
  REQUIRE_FALSE(without.hits.empty());
  for (const SearchHit& h : without.hits) CHECK(h.product.find("Exchange") == std::string::npos);
  CHECK(without.total_estimate < all.total_estimate);
  SearchResult relaxed = searcher().search("synchronization AND zzzqqqnothing");
  CHECK(relaxed.relaxed);
  REQUIRE_FALSE(relaxed.hits.empty());
  CHECK(relaxed.hits[0].id == "Q198657");
}

TEST_CASE("paging with offset and limit walks one ranking", "[search]") {
  SearchOptions all;
  all.limit = 12;
  std::vector<std::string> whole = ids(searcher().search("error message server", all));
  REQUIRE(whole.size() == 12);
  SearchOptions page;
  page.limit = 4;
  page.offset = 4;
  std::vector<std::string> second = ids(searcher().search("error message server", page));
  CHECK(second == std::vector<std::string>(whole.begin() + 4, whole.begin() + 8));
}

TEST_CASE("facets count products years and issue types over all matches", "[search]") {
  SearchOptions o;
  o.facets = true;
  o.limit = 1;
  SearchResult r = searcher().search("error", o);
  REQUIRE(r.facets.count("product"));
  REQUIRE(r.facets.count("year"));
  REQUIRE(r.facets.count("issue_type"));
  size_t years = 0;
  for (const auto& [value, n] : r.facets["year"]) {
    CHECK(value.size() == 4);
    years += n;
  }
  CHECK(years == r.total_estimate);  // every match has a date in the corpus
}

TEST_CASE("a log excerpt finds the article of its one error line", "[search]") {
  std::string log =
      "06:47:45 - Scan of E:\\Shared\\Finance finished in 166 seconds.\n"
      "06:47:46 - Worker thread 1203 started.\n"
      "06:47:47 - User asmith logged on from 10.24.175.251.\n"
      "06:47:49 - Initialization complete.\n"
      "06:48:49 - Background Synchronization Error. See detailed logs in Deleted Items folder.\n"
      "06:48:54 - Replication cycle finished.\n"
      "06:49:00 - Logging level set to 3.\n";
  CHECK(top(log) == "Q198657");
}

TEST_CASE("random pasted bytes never throw and plain words always find something", "[search][property]") {
  std::mt19937 rng(7);
  const std::string alphabet = "ab :\"'\\/*-+()<>#|.\n\t\xff ANDORNOT product:id:year:code:..";
  for (int i = 0; i < 300; ++i) {
    const std::string s = test::random_text(rng, alphabet, 120);
    INFO(s);
    REQUIRE_NOTHROW(searcher().search(s));
    REQUIRE_FALSE(searcher().search(s + " synchronization").hits.empty());
  }
}

TEST_CASE("searches from several threads while an index run commits", "[search][concurrency]") {
  TempDir dir;
  const std::string db = dir / "store";
  const std::string docs = dir / "docs";
  std::filesystem::create_directories(docs);
  std::filesystem::copy(test::corpus_dir() + "/raw", docs + "/raw", std::filesystem::copy_options::recursive);
  IndexOptions o;
  o.db_dir = db;
  o.paths = {docs};
  index_paths(o);
  Searcher s(db);
  const std::string added = test::read_file(test::corpus_dir() + "/raw/Q900001.TXT");
  std::atomic<bool> done{false};
  std::atomic<size_t> searches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!done) {
        try {
          SearchResult r = s.search("STOP 0x0000001E");
          if (r.hits.empty() || r.hits[0].id != "Q900002") ++failures;
        } catch (...) {
          ++failures;
        }
        ++searches;
      }
    });
  }
  // The writer adds articles in small generations while the readers search.
  for (int round = 0; round < 5; ++round) {
    std::string text = added;
    const std::string id = "Q99" + std::to_string(1000 + round);
    text.replace(text.find("Q900001"), 7, id);
    text.replace(text.find("TITLE   :") + 9, 0, "Zebracorn" + std::to_string(round) + " ");
    test::write_file(docs + "/new/" + id + ".TXT", text);
    IndexOptions again = o;
    again.commit_every = 1;
    index_paths(again);
  }
  done = true;
  for (std::thread& t : threads) t.join();
  CHECK(searches > 0);
  CHECK(failures == 0);
  // The open searcher picked up what the index runs committed.
  SearchResult r = s.search("Zebracorn4");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q991004");
}

TEST_CASE("filters given beside the query restrict like typed fields", "[search]") {
  SearchOptions o;
  o.filters = {{"product", "exchange"}, {"year", "1999..2001"}};
  SearchResult r = searcher().search("error", o);
  REQUIRE_FALSE(r.hits.empty());
  for (const SearchHit& h : r.hits) {
    CHECK(h.product.find("Exchange") != std::string::npos);
    CHECK(h.date >= "1999");
    CHECK(h.date < "2002");
  }
  CHECK(r.total_estimate < searcher().search("error").total_estimate);
}

TEST_CASE("phrases wildcards and version fields", "[search]") {
  CHECK(top("\"deleted items folder\" outlook") == "Q198657");
  CHECK(top("synchroniz* mailbox") == "Q198657");
  // version: matches a version with or without its platform ("winnt:5.5" or "5.5").
  SearchResult v = searcher().search("version:5.5 synchronization");
  REQUIRE_FALSE(v.hits.empty());
  CHECK(v.hits[0].id == "Q198657");
  for (const SearchHit& h : v.hits) CHECK(h.id != "Q900002");  // Windows NT 4.0 only
  CHECK(top("symptom:\"background synchronization\"") == "Q198657");
}

TEST_CASE("a synonyms file given to the searcher is used", "[search]") {
  Synonyms mine = Synonyms::parse("zorblax = deleted items folder\n", "mine.txt");
  SearcherConfig config;
  config.synonyms = &mine;
  Searcher s(corpus_store(), config);
  SearchResult r = s.search("zorblax");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q198657");
  CHECK(searcher().search("zorblax").hits.empty());  // the built-in list does not know it
}

TEST_CASE("in a log the line reporting a failure outweighs routine lines quoted elsewhere", "[search]") {
  // Both the routine lines (Q198657 quotes them) and the failure (Q900031)
  // match an article's message word for word; the failure is what matters.
  std::string log =
      "1:05:34 Synchronizing Mailbox 'testuser'\n"
      "1:05:34 Synchronizing Hierarchy\n"
      "1:05:34 Done\n"
      "1:05:35 Compacting the shared database: Disk or network error.\n";
  CHECK(top(log) == "Q900031");
}

TEST_CASE("snippets mark the query's words and why names them for every kind of query", "[search]") {
  SearchResult r = searcher().search("deleted items folder");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].snippet.find(std::string(1, kHighlightOn) + "Deleted" + kHighlightOff + " " + kHighlightOn +
                               "Items" + kHighlightOff) != std::string::npos);
  // A log is searched line by line; why still speaks of the whole query.
  std::string log =
      "06:47:46 - Worker thread 1203 started.\n"
      "06:48:49 - Background Synchronization Error. See detailed logs in Deleted Items folder.\n"
      "06:48:54 - Replication cycle finished.\n";
  SearchResult l = searcher().search(log);
  REQUIRE_FALSE(l.hits.empty());
  REQUIRE(l.hits[0].id == "Q198657");
  const std::vector<std::string>& words = l.hits[0].matched_words;
  CHECK(std::find(words.begin(), words.end(), "synchron") != words.end());
  CHECK(l.hits[0].snippet.find(kHighlightOn) != std::string::npos);
  // Without details none of it is computed.
  SearchOptions bare;
  bare.details = false;
  SearchResult b = searcher().search("deleted items folder", bare);
  REQUIRE_FALSE(b.hits.empty());
  CHECK(b.hits[0].id == r.hits[0].id);
  CHECK(b.hits[0].snippet.empty());
  CHECK(b.hits[0].matched_fields.empty());
}

TEST_CASE("problems described in a technician's own words find their article", "[search]") {
  CHECK(top("public folder replication stopped working") == "Q900001");
  CHECK(top("offline address book download does not work") == "Q900025");
  CHECK(top("information store will not start after restoring offline") == "Q900030");
  CHECK(top("spooler crashes when the lpr queue name is too long") == "Q900018");
}

TEST_CASE("a timestamp's numbers add to the score but never narrow what a line finds", "[search]") {
  // Every word of this line is in many corpus articles and the numbers in
  // few: rare as they are, the numbers must not decide which articles count.
  SearchOptions o;
  o.limit = 100;
  for (std::string_view line : {"cannot open the file because of an error", "the server is not available"}) {
    const SearchResult plain = searcher().search(line, o);
    const SearchResult stamped = searcher().search("2001/06/04 06:04:14 " + std::string(line), o);
    REQUIRE(plain.hits.size() >= 2);
    std::vector<std::string> a = ids(plain), b = ids(stamped);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    CHECK(std::includes(b.begin(), b.end(), a.begin(), a.end()));
  }
}

TEST_CASE("words naming a product rank that product's article first among those sharing a code", "[search]") {
  // Q900003 (Internet Information Server) and Q900030 (Exchange) both carry
  // 0x80004005; the words beside the code say which product is meant.
  auto rank_of = [](const SearchResult& r, std::string_view id) {
    auto hits = ids(r);
    return static_cast<size_t>(std::find(hits.begin(), hits.end(), id) - hits.begin());
  };
  const SearchResult iis = searcher().search("0x80004005 Internet Information Server");
  CHECK(rank_of(iis, "Q900003") < rank_of(iis, "Q900030"));
  const SearchResult exchange = searcher().search("0x80004005 Exchange");
  CHECK(rank_of(exchange, "Q900030") < rank_of(exchange, "Q900003"));
}

TEST_CASE("a rare word whose synonym is in most articles only adds to the score", "[search]") {
  // "info" is in few corpus articles, "information" (its synonym) in most:
  // together they are a common word, ranked beside the rarer ones
  // (AND_MAYBE), not a reason to look at most of the archive.
  const SearchResult r = searcher().search("INFO Replication cycle finished");
  const size_t maybe = r.xapian_query.find("AND_MAYBE");
  const size_t info = r.xapian_query.find("info SYNONYM inform");
  INFO(r.xapian_query);
  REQUIRE(maybe != std::string::npos);
  REQUIRE(info != std::string::npos);
  CHECK(info > maybe);
}
