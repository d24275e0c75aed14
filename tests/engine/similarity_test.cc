// Message similarity: the rerank's comparison of pasted text with quoted messages.
#include <catch2/catch.hpp>

#include <algorithm>

#include "kbtriage/query.h"
#include "similarity.h"

using kbtriage::message_words;
using kbtriage::sequence_similarity;

namespace {
// pattern_coverage_degree() with the pattern's own profile.
double degree_alone(const std::vector<uint64_t>& pattern, const std::vector<uint64_t>& text) {
  return kbtriage::pattern_coverage_degree(pattern, kbtriage::DegreeProfile(pattern), text);
}
// OrderBound over a whole text, each word as the pattern words it is.
double order_bound(const std::vector<uint64_t>& pattern, const kbtriage::DegreeProfile& profile,
                   const std::vector<uint64_t>& text) {
  kbtriage::OrderBound b(pattern.size(), profile);
  for (uint64_t w : text) {
    uint64_t is = 0;
    for (size_t i = 0; i < pattern.size() && i < 64; ++i) is |= static_cast<uint64_t>(pattern[i] == w) << i;
    b.add(is);
  }
  return b.bound();
}
}  // namespace

TEST_CASE("the same message scores 1 whatever its variable parts case and punctuation", "[similarity]") {
  auto sim = [](const char* a, const char* b) { return sequence_similarity(message_words(a), message_words(b)); };
  CHECK(sim("Background Synchronization Error. See detailed logs in Deleted Items folder.",
            "background synchronization error see detailed logs in deleted items folder") == Approx(1.0));
  CHECK(sim("Synchronizing Mailbox 'jsmith' now", "Synchronizing Mailbox 'testuser' now") == Approx(1.0));
  CHECK(sim("Cannot open C:\\Temp\\a.dll for user one two", "Cannot open D:\\x\\y.dll for user one two") ==
        Approx(1.0));
  // Word order counts.
  CHECK(sim("one two three four", "four three two one") < 0.5);
  // The first half of a message.
  CHECK(sim("one two three four", "one two three four five six seven eight") == Approx(2.0 * 4 / 12));
  // Two words in common are weak evidence.
  CHECK(sim("STOP 0xc000021a", "STOP 0xc000021a Systems Management Server Fatal") < 0.5 * 2.0 * 2 / 8 + 1e-9);
  CHECK(sim("", "anything") == 0);
}

TEST_CASE("a matcher picks the best of an article's messages", "[similarity]") {
  kbtriage::ParsedQuery q = kbtriage::parse_query("Could not create mailslot, rc = 10048");
  kbtriage::MessageMatcher m(q, 60);
  std::string messages = std::string("Unspecified error") + '\x1e' + "Could not create mailslot, rc = 5";
  kbtriage::MessageMatch best = m.best(messages);
  CHECK(best.message == "Could not create mailslot, rc = 5");
  CHECK(best.similarity == Approx(1.0));
}

TEST_CASE("a template's coverage of a text: its best local alignment, and where it lies", "[similarity]") {
  using kbtriage::pattern_coverage;
  auto cover = [](const char* pattern, const char* text, size_t* first = nullptr, size_t* last = nullptr) {
    return pattern_coverage(message_words(pattern), message_words(text), first, last);
  };
  size_t first = 99, last = 99;
  // Whole, among other words: where it starts and ends in the text.
  CHECK(cover("disk full on drive", "at noon disk full on drive again", &first, &last) == Approx(1.0));
  CHECK(first == 2);
  CHECK(last == 5);
  // A placeholder takes any word for 0.6 of one.
  CHECK(cover("cannot open 42 now", "cannot open readme now") == Approx((10 + 10 + 6 + 10) / 40.0));
  // A word added in the text, or one missing from it, costs half a word.
  CHECK(cover("one two three four", "one two extra three four", &first, &last) == Approx(35 / 40.0));
  CHECK(first == 0);
  CHECK(last == 4);
  CHECK(cover("one two three four", "one two four") == Approx(25 / 40.0));
  // A wrong word costs half a word, unless leaving the alignment is better.
  CHECK(cover("one two three four", "one two wrong four") == Approx(25 / 40.0));
  CHECK(cover("one two three", "zero nine eight") == 0);
  CHECK(cover("", "one") == 0);
  CHECK(cover("one", "") == 0);
  // Order counts: in reverse, one word at most; the first such in the
  // pattern's order is where it lies.
  CHECK(cover("one two three", "three two one", &first, &last) == Approx(10 / 30.0));
  CHECK(first == 2);
  CHECK(last == 2);
}

TEST_CASE("a paste inside a longer message beats a short message holding part of it", "[similarity]") {
  // A technician copies the middle of a long dialog.
  const auto paste = message_words("disk quota exceeded on volume data");
  const auto longer =
      message_words("The operation could not be completed because the disk quota exceeded on volume data and the file "
                    "was not saved");
  const auto shorter = message_words("disk quota exceeded");
  // Plainly alike, the short message wins: the long one's other words count against it.
  CHECK(sequence_similarity(paste, shorter) > sequence_similarity(paste, longer));
  // All of the paste, as one stretch of the long one: 0.6 of a full match.
  CHECK(sequence_similarity(paste, longer, 0.6) == Approx(0.6));
  CHECK(sequence_similarity(paste, longer, 0.6) > sequence_similarity(paste, shorter, 0.6));
  // An exact message still beats a longer one holding it.
  CHECK(sequence_similarity(shorter, shorter, 0.6) > sequence_similarity(shorter, longer, 0.6));
  // The paste's words scattered over a long message are not a stretch of
  // it: no more alike than plainly.
  const auto scattered = message_words(
      "disk errors were logged yesterday by the service, and the quota was found exceeded on Tuesday morning, while "
      "the volume named is data");
  CHECK(sequence_similarity(paste, scattered, 0.6) == Approx(sequence_similarity(paste, scattered)));
  CHECK(sequence_similarity(paste, scattered, 0.6) < sequence_similarity(paste, longer, 0.6));

  kbtriage::ParsedQuery q = kbtriage::parse_query("disk quota exceeded on volume data");
  const std::string messages =
      std::string("disk quota exceeded") + '\x1e' +
      "The operation could not be completed because the disk quota exceeded on volume data and the file was not saved";
  CHECK(kbtriage::MessageMatcher(q, 60, 0.6).best(messages).message.starts_with("The operation"));
  CHECK(kbtriage::MessageMatcher(q, 60, 0).best(messages).message == "disk quota exceeded");
}

TEST_CASE("the bounds of a template's coverage are never below it, and are tight when words are together, and its degree alone is its degree", "[similarity]") {
  using kbtriage::pattern_coverage;
  // Random templates and texts over a few words and placeholders, so that
  // words are shared, repeated, out of order and missing.
  const std::vector<uint64_t> vocabulary = message_words("alpha beta gamma delta epsilon zeta 42 C:\\x\\y.dll");
  REQUIRE(vocabulary.size() == 8);
  REQUIRE(kbtriage::is_placeholder(vocabulary[6]));
  uint64_t state = 0x2545F4914F6CDD1Dull;
  auto next = [&](size_t n) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return static_cast<size_t>(state % n);
  };
  size_t tight = 0, pruned = 0, pruned_by_order = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint64_t> pattern(1 + next(12)), text(next(20));
    for (uint64_t& w : pattern) w = vocabulary[next(round % 2 ? 8 : 6)];
    for (uint64_t& w : text) w = vocabulary[next(8)];
    uint64_t held = 0, holes = 0;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (std::find(text.begin(), text.end(), pattern[i]) != text.end()) held |= 1ull << i;
      if (kbtriage::is_placeholder(pattern[i])) holes |= 1ull << i;
    }
    const double cover = pattern_coverage(pattern, text);
    REQUIRE(degree_alone(pattern, text) == cover);  // to the bit: one is asked for the other
    const double from_pattern = kbtriage::pattern_side_bound(pattern.size(), held, holes);
    // The text in two parts, as a window's lines.
    kbtriage::TextSideBound t(pattern.size(), holes != 0);
    const size_t cut = text.empty() ? 0 : next(text.size());
    auto in_pattern = [&](uint64_t w) { return std::find(pattern.begin(), pattern.end(), w) != pattern.end(); };
    t.add(std::vector<uint64_t>(text.begin(), text.begin() + static_cast<ptrdiff_t>(cut)), in_pattern);
    t.add(std::vector<uint64_t>(text.begin() + static_cast<ptrdiff_t>(cut), text.end()), in_pattern);
    INFO("round " << round);
    REQUIRE(from_pattern + 1e-9 >= cover);
    REQUIRE(kbtriage::held_sum_bound(pattern.size(), held, holes) >= from_pattern);  // exactly: both count tenths
    REQUIRE(t.bound() + 1e-9 >= cover);
    const double from_order = order_bound(pattern, kbtriage::DegreeProfile(pattern), text);
    REQUIRE(from_order + 1e-9 >= cover);
    pruned_by_order += std::min(from_pattern, t.bound()) + 1e-9 >= 0.6 && from_order + 1e-9 < 0.6;
    tight += std::min(from_pattern, t.bound()) <= cover + 1e-9;
    pruned += std::min(from_pattern, t.bound()) + 1e-9 < 0.6;
  }
  // Long templates against long texts: the degree alone is made in
  // vectors of eight pattern words, whose carries between vectors these
  // reach.
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint64_t> pattern(1 + next(90)), text(next(120));
    for (uint64_t& w : pattern) w = vocabulary[next(round % 2 ? 8 : 6)];
    for (uint64_t& w : text) w = vocabulary[next(8)];
    if (round % 3 == 0 && !text.empty()) {  // a stretch of the template, as in a log line
      const size_t at = next(pattern.size()), len = std::min(pattern.size() - at, text.size());
      std::copy(pattern.begin() + static_cast<ptrdiff_t>(at), pattern.begin() + static_cast<ptrdiff_t>(at + len), text.begin());
    }
    INFO("long round " << round);
    const double cover = pattern_coverage(pattern, text);
    REQUIRE(degree_alone(pattern, text) == cover);
    // The order bound over the width of its rows, 64 words, and past it.
    REQUIRE(order_bound(pattern, kbtriage::DegreeProfile(pattern), text) + 1e-9 >= cover);
  }
  // Exactly 64 pattern words, every bit of the rows in use: whole in
  // order, and every other word missing.
  {
    std::vector<uint64_t> pattern(64);
    for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = vocabulary[i % 6] + i / 6;  // distinct words
    const kbtriage::DegreeProfile profile(pattern);
    CHECK(order_bound(pattern, profile, pattern) == Approx(1.0));
    std::vector<uint64_t> halves;
    for (size_t i = 0; i < pattern.size(); i += 2) halves.push_back(pattern[i]);
    CHECK(order_bound(pattern, profile, halves) == Approx(0.5));
    CHECK(pattern_coverage(pattern, halves) <= 0.5);
  }
  // Past 3,000 pattern words the scores would not fit 16-bit lanes: the
  // plain way, the same degree.
  {
    std::vector<uint64_t> pattern(3001), text(40);
    for (uint64_t& w : pattern) w = vocabulary[next(8)];
    for (uint64_t& w : text) w = vocabulary[next(8)];
    std::copy(pattern.begin() + 100, pattern.begin() + 130, text.begin() + 5);
    CHECK(degree_alone(pattern, text) == pattern_coverage(pattern, text));
    CHECK(pattern_coverage(pattern, text) > 0);
  }
  // Not vacuous: the bounds are often exact, and often rule an alignment out.
  CHECK(tight > 2000);
  CHECK(pruned > 2000);
  CHECK(pruned_by_order > 200);
  // Every word held, none in order: only the order bound sees it.
  const std::vector<uint64_t> abcd = message_words("alpha beta gamma delta"), dcba = message_words("delta gamma beta alpha");
  CHECK(kbtriage::pattern_side_bound(4, 0b1111, 0) == Approx(1.0));
  CHECK(order_bound(abcd, kbtriage::DegreeProfile(abcd), dcba) == Approx(0.25));
  CHECK(pattern_coverage(abcd, dcba) == Approx(0.25));
  // A placeholder takes any word, in its place: "alpha <#> gamma" against
  // "alpha beta gamma" is two words the same and one taken.
  const std::vector<uint64_t> holed = message_words("alpha 42 gamma");
  CHECK(order_bound(holed, kbtriage::DegreeProfile(holed), message_words("alpha beta gamma")) == Approx(26 / 30.0));
  // A template's words held far apart: the bound counts what lies between.
  CHECK(kbtriage::pattern_side_bound(10, 0b1011000111, 0) == Approx((30 - 15 + 20 - 5 + 10) / 100.0));
  CHECK(kbtriage::pattern_side_bound(4, 0b1111, 0) == Approx(1.0));
  CHECK(kbtriage::pattern_side_bound(3, 0b001, 0b010) == Approx(16 / 30.0));
  CHECK(kbtriage::held_sum_bound(10, 0b1011000111, 0) == Approx(0.6));  // the words held far apart, added up
  CHECK(kbtriage::held_sum_bound(3, 0b001, 0b010) == Approx(16 / 30.0));
}
