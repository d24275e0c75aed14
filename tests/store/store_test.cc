// Index runs over the bundled corpus: counts, incremental runs, changed and
// removed files, duplicate forms of one article, and what the reader sees.
#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include "kbtriage/error.h"
#include "kbtriage/indexer.h"
#include "kbtriage/parser.h"
#include "kbtriage/schema.h"
#include "kbtriage/store.h"
#include "../test_util.h"

using namespace kbtriage;
using kbtriage::test::TempDir;

namespace fs = std::filesystem;

namespace {

IndexSummary index_into(const std::string& db, std::vector<std::string> paths, bool prune = false) {
  IndexOptions o;
  o.db_dir = db;
  o.paths = std::move(paths);
  o.prune = prune;
  o.jobs = 2;
  return index_paths(o);
}

size_t corpus_articles() {
  size_t n = 0;
  for (auto& e : fs::recursive_directory_iterator(test::corpus_dir())) {
    if (e.is_regular_file() && e.path() != fs::path(test::corpus_dir()) / "README.md") ++n;
  }
  return n;
}

void check_raw_wins(const std::string& db) {
  Store store(db);
  CHECK(store.ids() == std::vector<std::string>{"Q198657"});
  REQUIRE(store.article("Q198657"));
  CHECK(store.article("Q198657")->format == Format::kRaw);
}

void copy_corpus(const std::string& to) { fs::copy(test::corpus_dir(), to, fs::copy_options::recursive); }

}  // namespace

TEST_CASE("indexing the corpus stores every article once and agrees with itself", "[store]") {
  TempDir tmp;
  IndexSummary s = index_into(tmp / "db", {test::corpus_dir()});
  const size_t files = corpus_articles();
  CHECK(s.files == files + 1);  // + corpus/README.md, which is not an article
  CHECK(s.indexed == files);
  CHECK(s.skipped == 1);
  REQUIRE(s.skipped_files.size() == 1);
  CHECK(s.skipped_files[0].path.ends_with("corpus/README.md"));
  CHECK(s.articles == files);

  Store store(tmp / "db");
  StoreCheck c = store.check();
  CHECK(c.problems.empty());
  CHECK(c.stats.sqlite_articles == files);
  CHECK(c.stats.xapian_documents == files);
  std::optional<Article> seed = store.article("Q198657");
  REQUIRE(seed);
  CHECK(seed->title == "XADM: Outlook 98 Shows Bckgrd Sync error after Move Server");
  REQUIRE_FALSE(seed->symptoms.empty());
  CHECK(seed->symptoms[0].text.find("Background Synchronization Error") != std::string::npos);
  CHECK_FALSE(store.article("Q000001"));
}

TEST_CASE("a second run over the same files rewrites nothing", "[store]") {
  TempDir tmp;
  IndexSummary first = index_into(tmp / "db", {test::corpus_dir()});
  IndexSummary second = index_into(tmp / "db", {test::corpus_dir()});
  CHECK(second.indexed == 0);
  CHECK(second.replaced == 0);
  CHECK(second.unchanged == first.files);
  CHECK(second.generation == first.generation);
  CHECK(second.articles == first.articles);
}

TEST_CASE("a store written by an older parser is parsed again, once", "[store]") {
  TempDir tmp;
  IndexSummary first = index_into(tmp / "db", {test::corpus_dir()});
  // What an older kbtriage leaves: the same files, hashed under its version.
  sqlite3* db = nullptr;
  const std::string file = tmp / ("db/" + std::string(schema::kSqliteFile));
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  const std::string sql = "UPDATE sources SET hash = '" + std::to_string(schema::kParserVersion - 1) +
                          ":' || substr(hash, instr(hash, ':') + 1)";
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  IndexSummary again = index_into(tmp / "db", {test::corpus_dir()});
  CHECK(again.unchanged == 0);  // corpus/README.md too: a newer parser may read what an older one skipped
  CHECK(again.replaced == first.indexed);
  CHECK(again.articles == first.articles);
  CHECK(Store(tmp / "db").check().problems.empty());
  IndexSummary third = index_into(tmp / "db", {test::corpus_dir()});
  CHECK(third.unchanged == first.files);
  CHECK(third.replaced == 0);
}

TEST_CASE("a changed file replaces its article but a touched one does not", "[store]") {
  TempDir tmp;
  copy_corpus(tmp / "c");
  index_into(tmp / "db", {tmp / "c"});
  const std::string path = tmp / "c/raw/Q900001.TXT";
  std::string text = test::read_file(path);

  SECTION("touched, same bytes") {
    fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(5));
    IndexSummary s = index_into(tmp / "db", {tmp / "c"});
    CHECK(s.replaced == 0);
    CHECK(s.indexed == 0);
  }
  SECTION("changed title") {
    size_t at = text.find("TITLE   :");
    REQUIRE(at != std::string::npos);
    text.insert(at + 9, "CHANGED ");
    test::write_file(path, text);
    fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(5));
    IndexSummary s = index_into(tmp / "db", {tmp / "c"});
    CHECK(s.replaced == 1);
    Store store(tmp / "db");
    REQUIRE(store.article("Q900001"));
    CHECK(store.article("Q900001")->title.starts_with("CHANGED "));
    CHECK(store.check().problems.empty());
  }
}

TEST_CASE("index with prune removes articles whose files are gone", "[store]") {
  TempDir tmp;
  copy_corpus(tmp / "c");
  IndexSummary first = index_into(tmp / "db", {tmp / "c"});
  fs::remove(tmp / "c/raw/Q900002.TXT");
  IndexSummary kept = index_into(tmp / "db", {tmp / "c"});
  CHECK(kept.removed == 0);
  CHECK(kept.articles == first.articles);
  IndexSummary pruned = index_into(tmp / "db", {tmp / "c"}, true);
  CHECK(pruned.removed == 1);
  CHECK(pruned.articles == first.articles - 1);
  Store store(tmp / "db");
  CHECK_FALSE(store.article("Q900002"));
  CHECK(store.check().problems.empty());
}

TEST_CASE("one article in two forms is one article and the raw form wins", "[store]") {
  TempDir tmp;
  // The seed as page text, and the same article as raw text.
  std::string page = test::read_file(test::corpus_dir() + "/page/Q198657.txt");
  std::string raw = "DOCUMENT:Q198657  18-APR-1999  [exchange]\r\nTITLE   :XADM: Outlook 98 Shows Bckgrd Sync error after Move Server\r\n"
                    "PRODUCT :Microsoft Exchange\r\nPROD/VER:winnt:5.5\r\nOPER/SYS:\r\nKEYWORDS:\r\n\r\n"
                    "======================================================================\r\n"
                    "SUMMARY\r\n=======\r\n\r\nOutlook98 reports:\r\n\r\n   Background Synchronization Error. See detailed logs in Deleted Items folder.\r\n";
  test::write_file(tmp / "a/page.txt", page);
  test::write_file(tmp / "b/Q198657.TXT", raw);

  SECTION("page first, then raw") {
    index_into(tmp / "db", {tmp / "a"});
    IndexSummary s = index_into(tmp / "db", {tmp / "b"});
    CHECK(s.replaced == 1);
    CHECK(s.duplicates == 0);
    check_raw_wins(tmp / "db");
  }
  SECTION("both in one run") {
    IndexSummary s = index_into(tmp / "db", {tmp / "a", tmp / "b"});
    CHECK(s.indexed == 1);   // the page text, first in path order
    CHECK(s.replaced == 1);  // by the raw text; the page file was counted as indexed
    CHECK(s.indexed + s.replaced + s.unchanged + s.duplicates + s.skipped == s.files);
    CHECK(s.articles == 1);
    check_raw_wins(tmp / "db");
  }
  SECTION("when the raw file goes the page text takes over") {
    index_into(tmp / "db", {tmp / "a", tmp / "b"});
    fs::remove(tmp / "b/Q198657.TXT");
    IndexSummary s = index_into(tmp / "db", {tmp / "a", tmp / "b"}, true);
    CHECK(s.removed == 1);
    Store after(tmp / "db");
    REQUIRE(after.article("Q198657"));
    CHECK(after.article("Q198657")->format == Format::kPage);
    CHECK(after.check().problems.empty());
  }
}

TEST_CASE("the web form after the raw form is a duplicate and is not written", "[store]") {
  TempDir tmp;
  const std::string raw = test::read_file(test::corpus_dir() + "/raw/Q900001.TXT");
  std::string web = "---\nlayout: page\ntitle: \"Q900001: web copy\"\n---\n\n## Q900001: web copy\n\n{% raw %}\n\n"
                    "\tArticle: Q900001\n\tProduct(s): Microsoft Exchange\n\t\n\tSUMMARY\n\t=======\n\t\n\tText.\n\n{% endraw %}\n";
  // The web file sorts first by path, but web-form files are taken last.
  test::write_file(tmp / "a/Q900001/README.md", web);
  test::write_file(tmp / "b/Q900001.TXT", raw);
  IndexSummary s = index_into(tmp / "db", {tmp / "a", tmp / "b"});
  CHECK(s.indexed == 1);
  CHECK(s.replaced == 0);
  CHECK(s.duplicates == 1);
  Store store(tmp / "db");
  REQUIRE(store.article("Q900001"));
  CHECK(store.article("Q900001")->format == Format::kRaw);
}

TEST_CASE("a second writer is refused while one holds the store", "[store]") {
  TempDir tmp;
  index_into(tmp / "db", {test::corpus_dir() + "/raw"});
  // The first writer holds the lock for the length of its run; emulate with a
  // run in another thread over a path that takes a while is flaky, so take
  // the lock file directly, as a writer does.
  std::string lock = tmp / "db/write.lock";
  int fd = ::open(lock.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  CHECK_THROWS_AS(index_into(tmp / "db", {test::corpus_dir() + "/raw"}), StoreLockedError);
  ::close(fd);
  CHECK_NOTHROW(index_into(tmp / "db", {test::corpus_dir() + "/raw"}));
}

TEST_CASE("opening something that is not a store says so", "[store]") {
  TempDir tmp;
  CHECK_THROWS_WITH(Store(tmp.str()), Catch::Contains("not a kbtriage store"));
}

TEST_CASE("a reader keeps its generation until it refreshes", "[store]") {
  TempDir tmp;
  copy_corpus(tmp / "c");
  index_into(tmp / "db", {tmp / "c/raw"});
  Store reader(tmp / "db");
  const uint64_t gen = reader.generation();
  const size_t before = reader.ids().size();
  index_into(tmp / "db", {tmp / "c/web"});
  CHECK(reader.ids().size() == before);
  reader.refresh();
  CHECK(reader.generation() > gen);
  CHECK(reader.ids().size() > before);
  CHECK(reader.check().problems.empty());
}
