// The real archive (../shared/kbarchive): unpack both forms, index all
// 117,000 files, and hold the extraction rates, the search quality and the rule engine's. Hidden ([.archive]); CTest
// runs it under the "archive" label. Skipped with a message when the archive
// is not beside the project.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include "kbtriage/indexer.h"
#include "kbtriage/match.h"
#include "kbtriage/search.h"
#include "kbtriage/store.h"
#include "../test_util.h"

using namespace kbtriage;
namespace fs = std::filesystem;

namespace {

std::string archive_dir() {
  if (const char* env = std::getenv("KBTRIAGE_ARCHIVE")) return env;
  return test::source_dir() + "/../shared/kbarchive";
}

bool has_heading(const Article& a, std::string_view word) {
  for (const Section& s : a.sections) {
    std::string h = s.heading;
    for (char& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (h == word || (word == "SYMPTOMS" && h == "SYMPTOM")) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the whole archive indexes without a crash, with the extraction rates", "[.archive][archive]") {
  const std::string archive = archive_dir();
  if (!fs::exists(archive + "/txt.tar.zst") || !fs::exists(archive + "/md.tar.zst")) {
    WARN("skipped: no archive at " << archive << " (set KBTRIAGE_ARCHIVE)");
    return;
  }
  test::TempDir tmp;
  const std::string unpack = "tar -C " + test::quote(tmp.str()) + " --zstd -xf ";
  REQUIRE(std::system((unpack + test::quote(archive + "/txt.tar.zst")).c_str()) == 0);
  REQUIRE(std::system((unpack + test::quote(archive + "/md.tar.zst")).c_str()) == 0);

  IndexOptions o;
  o.db_dir = tmp / "db";
  o.paths = {tmp / "txt", tmp / "kb"};
  IndexSummary s = index_paths(o);
  std::cout << "archive: " << s.files << " files in " << s.seconds << " s: " << s.indexed << " indexed, "
            << s.duplicates << " duplicates, " << s.skipped << " skipped, " << s.articles << " articles\n";
  // Every file is either an article (indexed or a duplicate form of one) or skipped with a reason.
  CHECK(s.files == 56989 + 60335);
  CHECK(s.indexed + s.replaced + s.unchanged + s.duplicates + s.skipped == s.files);
  CHECK(s.replaced == 0);  // the raw form is taken before the web form
  for (const SkippedFile& f : s.skipped_files) {
    CHECK_FALSE(f.reason.empty());
    UNSCOPED_INFO("skipped " << f.path << ": " << f.reason);
  }
  // The raw ids plus the articles that exist only in the web form.
  CHECK(s.articles >= 56989 + 3000);

  Store store(o.db_dir);
  StoreCheck c = store.check();
  CHECK(c.problems.empty());

  size_t with_symptoms_heading = 0, symptom_from_heading = 0, no_headings = 0, inferred_symptom = 0,
         inferred_resolution = 0;
  for (const std::string& id : store.ids()) {
    std::optional<Article> a = store.article(id);
    REQUIRE(a);
    bool sym = has_heading(*a, "SYMPTOMS"), cause = has_heading(*a, "CAUSE"), res = has_heading(*a, "RESOLUTION");
    if (sym) {
      ++with_symptoms_heading;
      symptom_from_heading += !a->symptoms.empty();
    }
    if (!sym && !cause && !res) {
      ++no_headings;
      auto inferred = [](const std::vector<Record>& rs) {
        return std::any_of(rs.begin(), rs.end(), [](const Record& r) { return r.origin == Origin::kInferred; });
      };
      inferred_symptom += inferred(a->symptoms);
      inferred_resolution += inferred(a->resolutions);
    }
  }
  const double sym_rate = static_cast<double>(inferred_symptom) / static_cast<double>(no_headings);
  const double res_rate = static_cast<double>(inferred_resolution) / static_cast<double>(no_headings);
  std::cout << "archive: SYMPTOMS heading " << symptom_from_heading << "/" << with_symptoms_heading
            << "; no headings " << no_headings << ": inferred symptom " << sym_rate << ", inferred resolution "
            << res_rate << "\n";
  CHECK(symptom_from_heading == with_symptoms_heading);
  CHECK(sym_rate >= 0.80);
  CHECK(res_rate >= 0.60);

  // Search over the whole archive: the development queries, scored as
  // ../shared/eval/score.py does (R@1 per kind), held at the search issue's
  // targets. bench/eval.sh measures the same over the raw form alone, beside
  // the peers.
  const std::string queries = test::source_dir() + "/../shared/eval/dev-queries.jsonl";
  if (!fs::exists(queries)) {
    WARN("search part skipped: no " << queries);
    return;
  }
  Searcher searcher(o.db_dir);
  Matcher matcher(o.db_dir);  // the rules derived from the archive's articles
  REQUIRE(searcher.prepare());  // the search cache, as a batch readies it
  REQUIRE(matcher.prepare());
  SearchOptions opt;
  opt.details = false;
  SearchOptions by_xapian = opt;
  by_xapian.use_cache = false;
  size_t cached = 0, same = 0, queries_run = 0;
  MatchOptions mopt;
  mopt.details = false;
  // kind -> (right first, queries), for search and for match
  std::map<std::string, std::pair<size_t, size_t>> at_one, match_at_one;
  std::ifstream in(queries);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    nlohmann::json q = nlohmann::json::parse(line);
    const std::string text = q["query"].get<std::string>();
    const auto& expected = q["expected"];
    auto right = [&](const std::string& id) { return std::find(expected.begin(), expected.end(), id) != expected.end(); };
    SearchResult r = searcher.search(text, opt);
    MatchResult m = matcher.match(text, mopt);
    // The cache ranks as Xapian's matcher does: same articles, same scores.
    SearchResult x = searcher.search(text, by_xapian);
    bool alike = r.hits.size() == x.hits.size();
    for (size_t i = 0; alike && i < r.hits.size(); ++i) {
      alike = r.hits[i].id == x.hits[i].id && std::abs(r.hits[i].score - x.hits[i].score) <= 1e-9 * x.hits[i].score;
    }
    if (!alike) WARN("the search cache ranks otherwise than Xapian: " << text);
    same += alike;
    cached += r.cached;
    ++queries_run;
    const std::string kind = q["kind"].get<std::string>();
    at_one[kind].first += !r.hits.empty() && right(r.hits[0].id);
    ++at_one[kind].second;
    match_at_one[kind].first += !m.hits.empty() && right(m.hits[0].id);
    ++match_at_one[kind].second;
  }
  std::cout << "archive: search cache " << cached << " of " << queries_run << " queries, ranked as Xapian for "
            << same << "\n";
  CHECK(same == queries_run);
  CHECK(cached * 10 >= queries_run * 9);
  const std::map<std::string, double> targets = {{"exact", 0.90}, {"noisy", 0.80}, {"log", 0.85}, {"code", 0.80}};
  for (const auto& [kind, counts] : at_one) {
    const double r1 = static_cast<double>(counts.first) / static_cast<double>(counts.second);
    std::cout << "archive: search R@1 " << kind << " " << r1 << " (" << counts.second << " queries)\n";
    auto target = targets.find(kind);
    if (target != targets.end()) CHECK(r1 >= target->second);
  }
  // The rule engine, held at the match issue's targets: at least search's
  // R@1 on every kind, and 0.90 on log excerpts.
  for (const auto& [kind, counts] : match_at_one) {
    INFO("match, " << kind);
    std::cout << "archive: match R@1 " << kind << " "
              << static_cast<double>(counts.first) / static_cast<double>(counts.second) << "\n";
    CHECK(counts.first >= at_one[kind].first);
    if (kind == "log") CHECK(static_cast<double>(counts.first) >= 0.90 * static_cast<double>(counts.second));
  }
}
