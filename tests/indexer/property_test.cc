// Property tests: whatever bytes arrive, parse_article, mask_variables and
// extract_codes return (no exception, no crash), and any article they give
// has an id and survives the XML round trip.
//
// Inputs come from a fixed-seed std::mt19937 per generated case, not from
// Catch's random(): Catch 2.13 reseeds its generator before every run of a
// test case, so with a fixed --rng-seed (as in CI) GENERATE(take(N,
// random(...))) yields the same value N times. GENERATE(range) over case
// numbers gives N different, reproducible inputs whatever the seed; a failure
// names its case number.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "../test_util.h"
#include "kbtriage/article_json.h"
#include "kbtriage/article_xml.h"
#include "kbtriage/codes.h"
#include "kbtriage/mask.h"
#include "kbtriage/parser.h"
#include "kbtriage/text.h"

namespace kbtriage {
namespace {

constexpr uint32_t kSeed = 0x6b627472;  // "kbtr"

using test::corpus_files;

const std::vector<std::string>& corpus_bytes() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    for (const std::string& rel : corpus_files())
      out.push_back(test::read_file(test::corpus_dir() + "/" + rel));
    return out;
  }();
  return all;
}

class Random {
 public:
  explicit Random(uint32_t case_number) : gen_(kSeed ^ (case_number * 2654435761u)) {}
  size_t below(size_t n) { return n == 0 ? 0 : gen_() % n; }
  bool one_in(size_t n) { return below(n) == 0; }
  char byte() { return static_cast<char>(gen_() & 0xFF); }

 private:
  std::mt19937 gen_;
};

// Pieces that steer the parser into its branches: headers of every form,
// headings, intros, quotes, codes, and bytes it must survive.
constexpr std::string_view kFragments[] = {
    "DOCUMENT:",
    "DOCUMENT:Q198657  18-APR-1999  [exchange]\r\n",
    "TITLE   :",
    "PROD/VER:winnt:4.0 SP5,4.0\r\n",
    "KEYWORDS:a | | b\r\n",
    "<article",
    "<article id=\"Q900001\">",
    "</article>",
    "<?xml version=\"1.0\"?>\n",
    "<articles>",
    "<sections><section heading=\"S\">",
    "<records>",
    "---\n",
    "permalink: /kb/1/Q1/\n",
    "## Q900007: title\n",
    "{% raw %}\n",
    "{% endraw %}\n",
    "\tArticle: Q900007\n",
    "Article: Q1234567\n",
    "Last Modified: 3-APR-1991\n",
    "SYMPTOMS\n========\n\n",
    "CAUSE\n=====\n",
    "RESOLUTION\n",
    "Question:\n",
    "Response:\n",
    "======================================================================\n",
    "-------------------------------------------------------------------------------\n",
    "The information in this article applies to:\n",
    " - Product \n",
    "you receive the following error message:\n\n",
    "The following entries are found in the logs:\n\n",
    "   ",
    "    1:05:34 Synchronizing Mailbox 'testuser'\n",
    "\"",
    "\xE2\x80\x9C",
    "'",
    "<#>",
    "<",
    ">",
    "%1",
    "%",
    "0x",
    "0x80004005",
    "-2147467259",
    "STOP 0xA",
    "Event ID: ",
    "error ",
    "C:\\",
    "\\\\server\\",
    "Q123456",
    "Additional query words:",
    "Keywords          : kbprb \n",
    "Issue type        : kbbug\n",
    "THE INFORMATION PROVIDED IN THE MICROSOFT KNOWLEDGE BASE IS\n",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\x1A",
    "\xEF\xBB\xBF",
    "\x92",
    "\xC3\xA9",
    "\xE2\x80",
    "\xFF\xFE",
    ". ",
    ":",
    "=",
    "- ",
    "1. ",
    "Failure to do so",
    "This occurs because ",
    "To resolve this problem, ",
    "you must ",
    "&#95;",
    "&amp;",
    "]]>",
};

// Starts that make the rest parse as one of the forms, whole or cut short.
constexpr std::string_view kPrefixes[] = {
    "",
    "DOCUMENT:",
    "DOCUMENT:Q",
    "DOCUMENT:Q900001  12-MAR-2000  [exchange]\r\n",
    "DOCUMENT:Q900001  12-MAR-2000  [exchange]\r\nTITLE   :t\r\n\r\n",
    "<article",
    "<article id=\"Q900030\">",
    "<?xml version=\"1.0\"?>\n<articles><article id=\"Q1\"><title>t</title><sections><section heading=\"",
    "---\nlayout: page\ntitle: \"Q900007: t\"\npermalink: /kb/900/Q900007/\n---\n\n## Q900007: t\n\n{% raw "
    "%}\n",
    "---\npermalink: /kb/900/Q900007/\n---\n{% raw %}\n\tArticle: Q900007\n",
    "Site\n\nQ900025: t\n\nArticle: Q900025\n",
};

std::string random_input(Random& r) {
  std::string s(r.one_in(2) ? kPrefixes[r.below(std::size(kPrefixes))] : "");
  const size_t pieces = r.below(60);
  for (size_t i = 0; i < pieces; ++i) {
    switch (r.below(4)) {
      case 0: {  // random bytes, NULs and high bytes included
        for (size_t n = r.below(12); n > 0; --n) s += r.byte();
        break;
      }
      case 1:
        s += std::string(r.below(8) + 1, "=-\n \t\r"[r.below(6)]);
        break;
      default:
        s += kFragments[r.below(std::size(kFragments))];
    }
  }
  return s;
}

// Truncated, byte-flipped, lines dropped or doubled.
std::string mangle(std::string s, Random& r) {
  switch (r.below(4)) {
    case 0:  // cut at a random point
      s.resize(r.below(s.size() + 1));
      break;
    case 1:  // flip random bytes
      for (size_t n = r.below(40) + 1; n > 0 && !s.empty(); --n) s[r.below(s.size())] = r.byte();
      break;
    default: {  // delete or duplicate random lines
      std::vector<std::string> lines;
      size_t start = 0;
      for (size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) {
        lines.push_back(s.substr(start, nl + 1 - start));
      }
      lines.push_back(s.substr(start));
      for (size_t n = r.below(12) + 1; n > 0 && !lines.empty(); --n) {
        size_t at = r.below(lines.size());
        if (r.one_in(2)) {
          lines.erase(lines.begin() + static_cast<long>(at));
        } else {
          lines.insert(lines.begin() + static_cast<long>(at), lines[at]);
        }
      }
      s.clear();
      for (const std::string& l : lines) s += l;
    }
  }
  return s;
}

// What must hold for any input: nothing throws, and an article has an id, the
// error is empty exactly when there is an article, and its XML form reads back
// as the same article.
void check_total(const std::string& bytes) {
  ParseResult r;
  REQUIRE_NOTHROW(r = parse_article(bytes));
  if (r.article) {
    CHECK_FALSE(r.article->id.empty());
    CHECK(r.error.empty());
    CHECK(is_valid_utf8(r.article->title));
    std::string json;
    REQUIRE_NOTHROW(json = article_to_json(*r.article));
    CHECK_FALSE(json.empty());
    ParseResult back;
    REQUIRE_NOTHROW(back = article_from_xml(article_to_xml(*r.article)));
    CHECK(back.error == "");
    if (back.article) CHECK(*back.article == *r.article);
  } else {
    CHECK_FALSE(r.error.empty());
  }
  CHECK_NOTHROW(mask_variables(bytes));
  CHECK_NOTHROW(extract_codes(bytes));
}

TEST_CASE("random bytes never break the parser or mask or codes", "[property]") {
  const uint32_t case_number = GENERATE(range(0u, 400u));
  Random r(case_number);
  const std::string bytes = random_input(r);
  INFO("case " << case_number << ", " << bytes.size() << " bytes");
  check_total(bytes);
}

TEST_CASE("random text after a valid raw header never breaks the parser", "[property]") {
  const uint32_t case_number = GENERATE(range(0u, 200u));
  Random r(case_number + 100000);
  const std::string bytes =
      "DOCUMENT:Q900001  12-MAR-2000  [exchange]\r\nTITLE   :t\r\n\r\n" + random_input(r);
  INFO("case " << case_number);
  if (why_not_text(bytes).empty()) {  // random NULs make it a binary file
    ParseResult result = parse_article(bytes);
    REQUIRE(result.article);
    CHECK(result.article->id == "Q900001");
  }
  check_total(bytes);
}

TEST_CASE("truncations of every corpus file never break the parser", "[property]") {
  const uint32_t case_number = GENERATE(range(0u, 20u));
  Random r(case_number + 200000);
  const std::vector<std::string>& files = corpus_bytes();
  REQUIRE(files.size() >= 27);
  for (size_t f = 0; f < files.size(); ++f) {
    const size_t cut = r.below(files[f].size() + 1);
    INFO("case " << case_number << ", corpus file " << corpus_files()[f] << " cut at " << cut);
    check_total(files[f].substr(0, cut));
  }
}

TEST_CASE("mangled corpus files never break the parser", "[property]") {
  const uint32_t case_number = GENERATE(range(0u, 25u));
  Random r(case_number + 300000);
  const std::vector<std::string>& files = corpus_bytes();
  for (size_t f = 0; f < files.size(); ++f) {
    const std::string bytes = mangle(files[f], r);
    INFO("case " << case_number << ", corpus file " << corpus_files()[f]);
    check_total(bytes);
  }
}

TEST_CASE("message patterns of the corpus are fixed points of mask_variables", "[property]") {
  size_t messages = 0;
  for (const std::string& bytes : corpus_bytes()) {
    ParseResult r = parse_article(bytes);
    REQUIRE(r.article);
    for (const Message& m : r.article->messages) {
      INFO(r.article->id << ": " << m.text);
      CHECK(m.pattern == mask_variables(m.text));
      CHECK(mask_variables(m.pattern) == m.pattern);
      ++messages;
    }
  }
  // The property must have been tried on many messages, not vacuously
  // (event-log entries count once, by their description).
  CHECK(messages > 60);
}

TEST_CASE("mask_variables and extract_codes take any line", "[property]") {
  const uint32_t case_number = GENERATE(range(0u, 300u));
  Random r(case_number + 400000);
  std::string line = random_input(r);
  INFO("case " << case_number);
  std::string masked;
  REQUIRE_NOTHROW(masked = mask_variables(line));
  CHECK(masked.find('\n') == std::string::npos);  // whitespace collapsed
  CHECK(masked == mask_variables(line));          // deterministic
  std::vector<ErrorCode> codes;
  REQUIRE_NOTHROW(codes = extract_codes(line));
  for (const ErrorCode& c : codes) {
    CHECK_FALSE(c.code.empty());
    CHECK_FALSE(c.raw.empty());
  }
}

}  // namespace
}  // namespace kbtriage
