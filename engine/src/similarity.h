// How closely pasted text resembles an article's quoted messages (internal to
// the engine). Both sides are masked with mask_variables() first, so another
// file name, path, number or user name costs nothing; what is compared is the
// sequence of words, so lost punctuation and case cost nothing either, while
// word order still counts (a bag of the same words in another order is a
// different message).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/mask.h"
#include "kbtriage/query.h"
#include "kbtriage/text.h"

namespace kbtriage {

struct MessageMatch {
  double similarity = 0;  // 0..1
  std::string message;    // the article's message that matched best
};

// A masked text as a sequence of word hashes.
std::vector<uint64_t> message_words(std::string_view text);
// The same of a text mask_variables() has masked already.
std::vector<uint64_t> masked_message_words(std::string_view masked);
// Appends `more` to `words`, message_words() of a text, up to the words
// message_words() takes of one text: the words of two texts masking reads
// one after the other, as one.
void append_message_words(std::vector<uint64_t>& words, const std::vector<uint64_t>& more);

// The same words as text, as masking left them.
std::vector<std::string> message_word_texts(std::string_view text);

// The same without masking: the words as written, so that another file name
// or number is another word.
std::vector<uint64_t> plain_words(std::string_view text);

// 2 * LCS(a, b) / (|a| + |b|) over words: 1 for the same words in the same
// order, and for a paste holding the first half of a message, 2/3.
//
// With `fragment_weight` above 0, it is at least that weight times the
// paste `a`'s coverage by one stretch of `b` (pattern_coverage): a technician
// pastes part of a long message, and the long message's other words should
// not count against it.
double sequence_similarity(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
                           double fragment_weight = 0);

// How much of `pattern` occurs in `text` as one stretch, allowing for a few
// words mistyped, missing or added (a local alignment): 1 when the pattern's
// words are all there in order and together, less for each word missing or
// wrong, and for words inserted. A placeholder of the pattern (<#>, <name>,
// ...) stands for any one word of the text. `first_match`/`last_match`, when
// given, receive the span of `text` the alignment covers.
double pattern_coverage(const std::vector<uint64_t>& pattern, const std::vector<uint64_t>& text,
                        size_t* first_match = nullptr, size_t* last_match = nullptr);
// What pattern_coverage_degree() makes of the pattern before it looks at
// the text: made once per template, the rule engine aligns against it
// without that setup each time.
struct DegreeProfile {
  explicit DegreeProfile(const std::vector<uint64_t>& pattern = {});
  size_t stripe = 0;           // vectors of eight pattern words
  std::vector<int16_t> other;  // each pattern word's score against a word it does not hold, striped
  uint64_t sig = 0;            // a bit per word hash
  uint64_t holes = 0;          // which of the first 64 pattern words are placeholders
  uint32_t hole_count = 0;     // of all the pattern's words
};
// pattern_coverage()'s coverage alone, without the span: no start to carry,
// and eight pattern words at a time where SSE2 is there. The rule engine
// asks it first, and makes the whole alignment only when the coverage is
// worth keeping. Like pattern_coverage(), it reads of the text only which
// pattern words each text word is (none, or which), in order: the rule
// engine remembers it by that. `profile` must be the pattern's own.
double pattern_coverage_degree(const std::vector<uint64_t>& pattern, const DegreeProfile& profile,
                               const std::vector<uint64_t>& text);

// Upper bounds of pattern_coverage(), cheap enough to decide whether an
// alignment is worth making. A local alignment spans a stretch of the
// pattern and a stretch of the text, and scores each word of either stretch
// at most: 1 for a word the other side holds, 0.6 for a placeholder (on the
// text's side, any word when the pattern has one), and -0.5 for any other
// word, which can only be missing, wrong or added. The best stretch of
// either side bounds the alignment.
//
// From the pattern's side: `held` has bit i when the text holds pattern
// word i, `holes` when pattern word i is a placeholder; words from the 64th
// on count as held.
double pattern_side_bound(size_t pattern_size, uint64_t held, uint64_t holes);
// The same before its best stretch: every word held and every placeholder
// added up. Never below pattern_side_bound(), and a few instructions.
double held_sum_bound(size_t pattern_size, uint64_t held, uint64_t holes);
// From the order of the words: those an alignment finds the same, and
// those it takes for placeholders, come in the same order on both sides (a
// common subsequence, of which the longest is counted bit-parallel, a few
// instructions per text word). The bounds above count words the text holds
// in another order than the pattern; this one does not. Fed each text word
// in order, as the bits of the pattern words it is: every i below 64 with
// pattern[i] equal to it, or the bound may be too low. `profile` must be
// the pattern's own. 1 for patterns of more than 64 words.
class OrderBound {
 public:
  OrderBound(size_t pattern_size, const DegreeProfile& profile)
      : n_(pattern_size), holes_(profile.holes), hole_count_(profile.hole_count) {}
  void add(uint64_t is_pattern_word) {
    uint64_t u = same_ & is_pattern_word;
    same_ = (same_ + u) | (same_ - u);
    u = any_ & (is_pattern_word | holes_);
    any_ = (any_ + u) | (any_ - u);
  }
  double bound() const;

 private:
  size_t n_;
  uint64_t holes_;
  uint32_t hole_count_;
  // Hyyrö's rows: a 0 at bit i where a longest common subsequence so far
  // takes one more pattern word at i; `any_` with placeholders matching
  // any word.
  uint64_t same_ = ~0ull, any_ = ~0ull;  // with no word added, no subsequence: a bound of 0
};
// From the text's side: `in_pattern(w)` says whether the pattern holds word
// `w`; `has_holes` whether the pattern has a placeholder. The text may come
// in parts (the lines of a window): call add() for each in order.
class TextSideBound {
 public:
  TextSideBound(size_t pattern_size, bool has_holes) : n_(pattern_size), other_(has_holes ? 6 : -5) {}
  template <class InPattern>
  void add(const std::vector<uint64_t>& text, InPattern in_pattern) {
    for (uint64_t w : text) add_word(in_pattern(w));
  }
  void add_word(bool in_pattern) {
    run_ += in_pattern ? 10 : other_;
    run_ = run_ > 0 ? run_ : 0;
    best_ = run_ > best_ ? run_ : best_;
  }
  double bound() const;

 private:
  size_t n_;
  int32_t other_;
  int32_t run_ = 0, best_ = 0;
};

namespace detail {
// message_words()'s hash of one word.
constexpr uint64_t hash_word(std::string_view w) {
  uint64_t h = 1469598103934665603ull;
  for (char c : w) {
    h ^= static_cast<unsigned char>(lower_ascii(c));
    h *= 1099511628211ull;
  }
  return h;
}
inline constexpr uint64_t kPlaceholderHashes[] = {
    hash_word(kMaskNumber), hash_word(kMaskHex),  hash_word(kMaskPath), hash_word(kMaskFile),
    hash_word(kMaskName),   hash_word(kMaskTime), hash_word(kMaskDate), hash_word(kMaskVar),
    hash_word(kMaskGuid),   hash_word(kMaskEmail)};
// A bit per placeholder hash's low six bits: most words are told apart at a look.
inline constexpr uint64_t kPlaceholderBits = [] {
  uint64_t bits = 0;
  for (uint64_t p : kPlaceholderHashes) bits |= 1ull << (p & 63);
  return bits;
}();
}  // namespace detail

// Whether a word hash of message_words() is one of mask.h's placeholders.
// Inline: it is asked of every word of every alignment.
inline bool is_placeholder(uint64_t word) {
  if (!((detail::kPlaceholderBits >> (word & 63)) & 1)) return false;
  bool found = false;
  for (uint64_t p : detail::kPlaceholderHashes) found |= p == word;
  return found;
}

// Whether a lower-case word is one a line reporting a failure uses ("error",
// "failed", "denied", ...).
bool is_failure_word(std::string_view word);
// Whether a line of a log reports a failure rather than routine work: a
// failure word, "could not", "not found", or an error code.
bool reports_failure(std::string_view line);

class MessageMatcher {
 public:
  // Each line of the query is a unit; a query of a few lines is also one
  // unit as a whole (an error dialog pasted over several lines).
  // `fragment_weight`: see sequence_similarity().
  MessageMatcher(const ParsedQuery& q, size_t max_lines, double fragment_weight = 0);
  // One unit: a single line of a log.
  explicit MessageMatcher(std::string_view line, double fragment_weight = 0);
  // The best match among `messages` (separated by schema::kMessageSeparator).
  MessageMatch best(std::string_view messages) const;

 private:
  std::vector<std::vector<uint64_t>> units_;
  std::vector<std::vector<uint64_t>> sorted_units_;  // the same, sorted, for overlap()
  std::vector<size_t> holes_;  // the placeholders of each unit
  double fragment_weight_ = 0;
};

}  // namespace kbtriage
