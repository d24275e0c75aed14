// The searcher's data files: ranking knobs and synonyms, and their errors.
#include <catch2/catch.hpp>

#include "kbtriage/error.h"
#include "kbtriage/search.h"

using kbtriage::RankingConfig;
using kbtriage::Synonyms;

namespace {

std::string error_of(void (*f)()) {
  try {
    f();
  } catch (const kbtriage::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("ranking settings are read from name = value lines", "[config]") {
  RankingConfig c = RankingConfig::parse("# comment\nk1 = 2.5\n\nrerank_depth = 50  # deeper\n", "r.conf");
  CHECK(c.k1 == 2.5);
  CHECK(c.rerank_depth == 50);
  CHECK(c.b == RankingConfig{}.b);  // unset knobs keep their defaults
}

TEST_CASE("bad ranking settings say file line and what is wrong", "[config]") {
  CHECK(error_of([] { RankingConfig::parse("k1 = 1\nk3 = 2\n", "r.conf"); }) == "r.conf:2: unknown setting 'k3'");
  CHECK(error_of([] { RankingConfig::parse("k1 1\n", "r.conf"); }) == "r.conf:1: expected \"name = value\"");
  CHECK(error_of([] { RankingConfig::parse("\n\nb = high\n", "r.conf"); }) ==
        "r.conf:3: b: expected a number >= 0, got 'high'");
  CHECK(error_of([] { RankingConfig::parse("rerank_depth = 0\n", "r.conf"); }) ==
        "r.conf:1: rerank_depth: expected a whole number >= 1, got '0'");
}

TEST_CASE("the built-in data files load", "[config]") {
  CHECK(RankingConfig::builtin().rerank_depth > 0);
  const Synonyms& s = Synonyms::builtin();
  CHECK(s.size() > 50);
  CHECK_FALSE(s.of("ost").empty());
  CHECK_FALSE(s.of("xadm").empty());
  CHECK_FALSE(s.of("nt").empty());
}

TEST_CASE("synonyms go both ways and span words", "[config]") {
  Synonyms s = Synonyms::parse("# c\nost = offline folder file | Offline Store\n", "s.txt");
  CHECK(s.of("ost") == std::vector<std::string>{"offline folder file", "offline store"});
  CHECK(s.of("offline store") == std::vector<std::string>{"ost"});
  CHECK(s.max_words() == 3);
  CHECK(s.of("pst").empty());
}

TEST_CASE("bad synonym lines say file line and what is wrong", "[config]") {
  CHECK(error_of([] { Synonyms::parse("ost offline\n", "s.txt"); }) ==
        "s.txt:1: expected \"word = alternative | alternative\"");
  CHECK(error_of([] { Synonyms::parse("\nost = a ||\n", "s.txt"); }) == "s.txt:2: empty alternative");
  CHECK(error_of([] { Synonyms::parse("= a\n", "s.txt"); }) == "s.txt:1: nothing before '='");
  CHECK(error_of([] { Synonyms::parse("ost = OST\n", "s.txt"); }) == "s.txt:1: 'ost' has no alternative but itself");
}
