// Killing the indexer (SIGKILL) at random moments leaves a store that opens,
// passes PRAGMA integrity_check, and whose SQLite and Xapian sides agree;
// running the indexer again completes it. Readers open the store meanwhile.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "kbtriage/error.h"
#include "kbtriage/indexer.h"
#include "kbtriage/store.h"
#include "../test_util.h"

using namespace kbtriage;
using kbtriage::test::TempDir;

namespace fs = std::filesystem;

namespace {

// Many distinct articles from the corpus: each raw article copied under new ids.
size_t make_articles(const std::string& dir, size_t copies) {
  size_t n = 0;
  for (auto& e : fs::directory_iterator(test::corpus_dir() + "/raw")) {
    std::string text = test::read_file(e.path().string());
    std::string id = e.path().stem().string();  // Q9000NN
    for (size_t k = 0; k < copies; ++k) {
      std::string copy = text;
      std::string new_id = "Q7" + std::to_string(10000 + n);
      for (size_t at = copy.find(id); at != std::string::npos; at = copy.find(id, at + 1)) copy.replace(at, id.size(), new_id);
      test::write_file(dir + "/" + std::to_string(n % 50) + "/" + new_id + ".TXT", copy);
      ++n;
    }
  }
  return n;
}

pid_t start_indexer(const std::string& db, const std::string& src) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(KBTRIAGE_BIN, KBTRIAGE_BIN, "index", "--quiet", "--commit-every", "150", "--db", db.c_str(), src.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Running the indexer again over `src` finishes the job.
void check_rerun_completes(const std::string& db, const std::string& src, size_t total) {
  IndexOptions o;
  o.db_dir = db;
  o.paths = {src};
  IndexSummary s = index_paths(o);
  CHECK(s.articles == total);
  Store done(db);
  CHECK(done.check().problems.empty());
  CHECK(done.ids().size() == total);
}

}  // namespace

TEST_CASE("killing the indexer at any moment leaves a consistent store", "[store][crash]") {
  TempDir tmp;
  const size_t total = make_articles(tmp / "src", 250);
  std::mt19937 rng(20261124);

  // Time one full run to spread the kills over it.
  auto t0 = std::chrono::steady_clock::now();
  {
    pid_t pid = start_indexer(tmp / "timing-db", tmp / "src");
    int st = 0;
    waitpid(pid, &st, 0);
    REQUIRE(WIFEXITED(st));
    REQUIRE(WEXITSTATUS(st) == 0);
  }
  const auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);

  std::uniform_int_distribution<long> when(0, full.count());
  size_t interrupted = 0;
  // Five kills that land mid-run. The timing run may have been slowed by
  // other tests running beside it, so a kill can come after a quicker run
  // has finished: such a round still checks the store, and another follows.
  for (int round = 0; round < 12 && interrupted < 5; ++round) {
    // Each round starts from an empty store, so that the kill lands in a run of full length.
    const std::string db = tmp / ("db" + std::to_string(round));
    pid_t pid = start_indexer(db, tmp / "src");
    const auto delay = std::chrono::microseconds(when(rng));
    // Meanwhile a reader opens the store (once it exists) and checks it.
    std::atomic<bool> stop{false};
    std::atomic<int> reader_problems{0};
    std::thread reader([&] {
      while (!stop) {
        if (fs::exists(db + "/xapian/0/iamglass") && fs::exists(db + "/kbtriage.sqlite")) {
          try {
            Store r(db);
            reader_problems += static_cast<int>(r.check().problems.size());
          } catch (const StoreError& e) {
            // Created but not yet initialised is not a store yet; anything else is a failure.
            std::string what = e.what();
            if (what.find("keeps changing") != std::string::npos) ++reader_problems;
          } catch (const std::exception&) {
            ++reader_problems;  // e.g. a Xapian exception escaping the reader
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
    std::this_thread::sleep_for(delay);
    kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    stop = true;
    reader.join();
    CHECK(reader_problems == 0);
    interrupted += WIFSIGNALED(st);
    if (!fs::exists(db + "/kbtriage.sqlite") || !fs::exists(db + "/xapian/0/iamglass")) continue;
    INFO("round " << round << ", killed after " << delay.count() << " us");
    Store store(db);
    StoreCheck c = store.check();
    for (const std::string& p : c.problems) UNSCOPED_INFO(p);
    CHECK(c.problems.empty());
    CHECK(c.stats.sqlite_articles == c.stats.xapian_documents);

    check_rerun_completes(db, tmp / "src", total);
  }
  CHECK(interrupted >= 3);  // most kills land mid-run, not after it
}

TEST_CASE("dying with one shard committed and the other not leaves a consistent store", "[store][crash]") {
  TempDir tmp;
  const size_t total = make_articles(tmp / "src", 40);
  const std::string db = tmp / "db";
  // Generation 1 completes; the process dies in generation 2 after shard 0 committed.
  std::string cmd = "KBTRIAGE_FAULT=shard-commit:2 " + std::string(KBTRIAGE_BIN) +
                    " index --quiet --commit-every 150 --db " + test::quote(db) + " " + test::quote(tmp / "src") +
                    " >/dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(rc));
  REQUIRE(WEXITSTATUS(rc) == 86);
  {
    Store store(db);
    StoreCheck c = store.check();
    for (const std::string& p : c.problems) UNSCOPED_INFO(p);
    CHECK(c.problems.empty());
    CHECK(store.generation() == 2);  // shard 0's
    CHECK(c.stats.sqlite_articles > 150);
    CHECK(c.stats.sqlite_articles < 300);
  }
  check_rerun_completes(db, tmp / "src", total);
}
