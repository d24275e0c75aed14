// `parse --json` of every corpus article, checked against tests/golden/.
// A deliberate change of the parser's output is approved by running
// scripts/approve-golden and reviewing the diff it prints.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "../test_util.h"
#include "kbtriage/article_json.h"
#include "kbtriage/parser.h"

namespace kbtriage {
namespace {

namespace fs = std::filesystem;

constexpr const char* kApprove = "scripts/approve-golden";

std::string golden_dir() { return test::source_dir() + "/tests/golden"; }

using test::corpus_files;

// "web/Q900007/README.md" -> "web_Q900007_README.md.json"
std::string golden_name(std::string rel) {
  std::replace(rel.begin(), rel.end(), '/', '_');
  return rel + ".json";
}

TEST_CASE("golden_name", "[golden]") {
  CHECK(golden_name("raw/Q900001.TXT") == "raw_Q900001.TXT.json");
  CHECK(golden_name("web/Q900007/README.md") == "web_Q900007_README.md.json");
}

TEST_CASE("parse --json of every corpus article matches its golden file", "[golden]") {
  const std::vector<std::string> files = corpus_files();
  REQUIRE(files.size() >= 27);
  for (const std::string& rel : files) {
    const std::string golden_path = golden_dir() + "/" + golden_name(rel);
    INFO("corpus/" << rel << " vs tests/golden/" << golden_name(rel));
    if (!fs::exists(golden_path)) {
      FAIL_CHECK("no golden file; run " << kApprove << " to create it");
      continue;
    }
    ParseResult r = parse_article(test::read_file(test::corpus_dir() + "/" + rel));
    INFO(r.error);
    REQUIRE(r.article);
    const nlohmann::json actual = nlohmann::json::parse(article_to_json(*r.article));
    const nlohmann::json expected = nlohmann::json::parse(test::read_file(golden_path), nullptr, false);
    if (expected.is_discarded()) {
      FAIL_CHECK("golden file is not valid JSON; run " << kApprove);
      continue;
    }
    if (actual != expected) {
      // The JSON patch names the fields that differ, briefly.
      std::string patch = nlohmann::json::diff(expected, actual).dump();
      if (patch.size() > 2000) patch = patch.substr(0, 2000) + "...";
      FAIL_CHECK("output differs from the golden file:\n"
                 << patch << "\nIf the change is intended, run " << kApprove
                 << " and review the diff it prints.");
    }
  }
}

TEST_CASE("every golden file has its corpus article", "[golden]") {
  std::set<std::string> expected;
  for (const std::string& rel : corpus_files()) expected.insert(golden_name(rel));
  REQUIRE(fs::is_directory(golden_dir()));
  size_t goldens = 0;
  for (const auto& e : fs::directory_iterator(golden_dir())) {
    const std::string name = e.path().filename().string();
    if (!name.ends_with(".json")) continue;
    ++goldens;
    INFO("tests/golden/" << name);
    if (!expected.count(name)) {
      FAIL_CHECK("stale golden file without a corpus article; run " << kApprove << " to remove it");
    }
  }
  CHECK(goldens == expected.size());
}

}  // namespace
}  // namespace kbtriage
