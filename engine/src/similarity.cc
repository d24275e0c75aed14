#include "similarity.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <unordered_set>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kbtriage/codes.h"

#include "kbtriage/mask.h"
#include "kbtriage/schema.h"
#include "kbtriage/text.h"

namespace kbtriage {

namespace {

// Units and messages longer than this are compared on their first words.
constexpr size_t kMaxWords = 80;
// Words in common from which a match counts fully.
constexpr double kEvidenceWords = 4;
// A query of up to this many lines is also compared as a whole.
constexpr size_t kMaxWholeLines = 6;

using detail::hash_word;

bool word_char(char c) { return is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80; }

std::vector<uint64_t> sorted(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Word-multiset overlap of two sorted sequences: an upper bound of the LCS,
// cheap enough to skip most pairs before the quadratic LCS.
size_t overlap(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  size_t n = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      ++n, ++i, ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return n;
}

size_t lcs(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint32_t> row(b.size() + 1, 0);
  for (uint64_t x : a) {
    uint32_t diag = 0;
    for (size_t j = 0; j < b.size(); ++j) {
      uint32_t up = row[j + 1];
      row[j + 1] = x == b[j] ? diag + 1 : std::max(up, row[j]);
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

namespace {

// Calls `take` with each word of masked text, up to kMaxWords.
template <class Take>
void each_message_word(std::string_view masked, Take take) {
  size_t i = 0, taken = 0;
  while (i < masked.size() && taken < kMaxWords) {
    char c = masked[i];
    if (c == '<') {
      // A placeholder is one word of its own, distinct from the word inside it.
      size_t gt = masked.find('>', i);
      if (gt != std::string::npos && gt - i <= 7) {
        take(masked.substr(i, gt - i + 1)), ++taken;
        i = gt + 1;
        continue;
      }
    }
    if (!word_char(c)) {
      ++i;
      continue;
    }
    size_t b = i;
    while (i < masked.size() && (word_char(masked[i]) || (masked[i] == '\'' && i + 1 < masked.size() &&
                                                          word_char(masked[i + 1])))) {
      ++i;
    }
    take(masked.substr(b, i - b)), ++taken;
  }
}

}  // namespace

std::vector<uint64_t> message_words(std::string_view text) { return masked_message_words(mask_variables(text)); }

std::vector<uint64_t> masked_message_words(std::string_view masked) {
  std::vector<uint64_t> out;
  out.reserve(16);  // a log line's words without growing four times
  each_message_word(masked, [&](std::string_view w) { out.push_back(hash_word(w)); });
  return out;
}

void append_message_words(std::vector<uint64_t>& words, const std::vector<uint64_t>& more) {
  const size_t room = words.size() < kMaxWords ? kMaxWords - words.size() : 0;
  words.insert(words.end(), more.begin(), more.begin() + static_cast<std::ptrdiff_t>(std::min(room, more.size())));
}

std::vector<std::string> message_word_texts(std::string_view text) {
  const std::string masked = mask_variables(text);
  std::vector<std::string> out;
  each_message_word(masked, [&](std::string_view w) { out.emplace_back(w); });
  return out;
}

std::vector<uint64_t> plain_words(std::string_view text) {
  std::vector<uint64_t> out;
  size_t i = 0;
  while (i < text.size() && out.size() < kMaxWords) {
    if (!word_char(text[i])) {
      ++i;
      continue;
    }
    size_t b = i;
    while (i < text.size() && (word_char(text[i]) || (text[i] == '\'' && i + 1 < text.size() && word_char(text[i + 1])))) ++i;
    out.push_back(hash_word(text.substr(b, i - b)));
  }
  return out;
}

double sequence_similarity(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b, double fragment_weight) {
  if (a.empty() || b.empty()) return 0;
  const double common = static_cast<double>(lcs(a, b));
  // A few words in common ("STOP 0xc000021a", "Unspecified error") are weak
  // evidence however short the message: many articles quote them.
  const double evidence = std::min(1.0, common / kEvidenceWords);
  const double whole = 2.0 * common / static_cast<double>(a.size() + b.size());
  // The paste as one stretch of the message (a local alignment: words
  // between its words cost), not words scattered over a long message.
  const double fragment = fragment_weight > 0 ? fragment_weight * pattern_coverage(a, b) : 0.0;
  return evidence * std::max(whole, fragment);
}

bool is_failure_word(std::string_view w) {
  static const std::unordered_set<std::string_view> kCues = {
      "error",  "errors",   "fail",      "failed",    "fails",     "failure", "cannot", "can't",   "couldn't",
      "unable", "denied",   "invalid",   "fatal",     "exception", "violation", "refused", "corrupt", "corrupted",
      "abort",  "aborted",  "terminated", "unexpected", "missing", "crash",    "crashed", "stop",    "timeout"};
  return kCues.count(w) > 0;
}

bool reports_failure(std::string_view line) {
  std::string prev;
  size_t i = 0;
  while (i < line.size()) {
    if (!word_char(line[i])) {
      ++i;
      continue;
    }
    size_t b = i;
    while (i < line.size() && (word_char(line[i]) || (line[i] == '\'' && i + 1 < line.size() && word_char(line[i + 1])))) ++i;
    std::string w = to_lower_ascii(line.substr(b, i - b));
    if (is_failure_word(w)) return true;
    if ((prev == "could" || prev == "not") && w == "not") return true;
    if (prev == "not" && w == "found") return true;
    prev = std::move(w);
  }
  return !extract_codes(line).empty();
}


// pattern_coverage()'s scores, in tenths: a word in common, a placeholder
// against any word, and a wrong, missing or added word.
namespace align {
constexpr int32_t kSame = 10, kAny = 6, kWrong = 5;
}  // namespace align

namespace {

// The stretch of `text` an alignment of `pattern` can take, [lo, hi):
// without placeholders an alignment starts and ends on words the pattern
// holds, so the text before the first and after the last is left out (its
// cells would all score less than one before them). lo == hi when there is
// nothing to align.
std::pair<size_t, size_t> alignable(const std::vector<uint64_t>& pattern, const std::vector<uint64_t>& text, bool any_hole,
                                    uint64_t sig) {
  size_t lo = 0, hi = text.size();
  if (any_hole) return {lo, hi};
  auto held = [&](uint64_t w) {
    return ((sig >> (w & 63)) & 1) && std::find(pattern.begin(), pattern.end(), w) != pattern.end();
  };
  while (lo < hi && !held(text[lo])) ++lo;
  while (hi > lo && !held(text[hi - 1])) --hi;
  return {lo, hi};
}

uint64_t signature(const std::vector<uint64_t>& words) {
  uint64_t sig = 0;
  for (uint64_t w : words) sig |= 1ull << (w & 63);
  return sig;
}

// std::popcount() inline: without -mpopcnt (the build targets every x86-64)
// it is a call into libgcc, and the bounds ask it hundreds of thousands of
// times a log.
constexpr int bits_set(uint64_t x) {
#if defined(__POPCNT__) || !defined(__x86_64__)
  return std::popcount(x);
#else
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
#endif
}
static_assert(bits_set(0) == 0 && bits_set(~0ull) == 64 && bits_set(0x8000000000000001ull) == 2 &&
              bits_set(0xf0f0f0f0f0f0f0f0ull) == 32 && bits_set(0x0123456789abcdefull) == 32);

// An alignment's score, in tenths, as a share of the pattern.
double coverage(int32_t best, size_t pattern_size) {
  return std::min(1.0, static_cast<double>(best) / (static_cast<double>(align::kSame) * static_cast<double>(pattern_size)));
}

}  // namespace

double pattern_coverage(const std::vector<uint64_t>& pattern, const std::vector<uint64_t>& text, size_t* first_match,
                        size_t* last_match) {
  if (pattern.empty() || text.empty()) return 0;
  // Smith-Waterman over words: +1 a word in common, +0.6 a placeholder
  // against any word, -0.5 a wrong, missing or added word; in tenths, so the
  // arithmetic is exact integers.
  using align::kSame, align::kAny, align::kWrong;
  constexpr int32_t kGap = align::kWrong;
  auto [lo, hi] = alignable(pattern, text, std::any_of(pattern.begin(), pattern.end(), is_placeholder), signature(pattern));
  if (lo == hi) {
    if (first_match) *first_match = 0;
    if (last_match) *last_match = 0;
    return 0;
  }
  const uint64_t* const words = text.data() + lo;
  const size_t m = hi - lo;
  // A cell: the best score of an alignment ending there, and the text word
  // it starts at. A cell scoring 0 starts at the next word, so a diagonal
  // step from it starts at the word it takes.
  struct Cell {
    int32_t score;
    uint32_t start;
  };
  // Called for every template a log line's anchors point to: the rows are
  // kept from call to call rather than allocated each time.
  thread_local std::vector<Cell> prev, cur;
  prev.resize(m + 1);
  cur.resize(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = {0, static_cast<uint32_t>(j)};
  cur[0] = {0, 0};
  int32_t best = 0;
  size_t best_end = 0, best_start = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const uint64_t p = pattern[i];
    const int32_t other = is_placeholder(p) ? kAny : -kWrong;
    const Cell* up_row = prev.data();
    Cell* row = cur.data();
    Cell left = row[0];
    for (size_t j = 1; j <= m; ++j) {
      const Cell d = up_row[j - 1], u = up_row[j];
      const int32_t diag = d.score + (p == words[j - 1] ? kSame : other);
      const int32_t up = u.score - kGap;     // a pattern word missing from the text
      const int32_t added = left.score - kGap;  // a word added in the text
      // Ties go to the diagonal, then up, then left; the selects compile to
      // conditional moves.
      int32_t h = 0;
      uint32_t start = static_cast<uint32_t>(j);
      start = diag > h ? d.start : start;
      h = diag > h ? diag : h;
      start = up > h ? u.start : start;
      h = up > h ? up : h;
      start = added > h ? left.start : start;
      h = added > h ? added : h;
      left = row[j] = Cell{h, start};
      if (h > best) best = h, best_end = j - 1, best_start = start;
    }
    std::swap(prev, cur);
  }
  if (best == 0) lo = 0;  // no alignment: 0, 0 as when nothing is left out
  if (first_match) *first_match = lo + best_start;
  if (last_match) *last_match = lo + best_end;
  return coverage(best, pattern.size());
}

namespace {
// Pattern word i is in lane i / stripe of vector i % stripe.
size_t striped(size_t i, size_t stripe) { return (i % stripe) * 8 + i / stripe; }
}  // namespace

DegreeProfile::DegreeProfile(const std::vector<uint64_t>& pattern) : stripe((pattern.size() + 7) / 8) {
  other.assign(stripe * 8, -10000);  // lanes past the pattern score far below zero
  for (size_t i = 0; i < pattern.size(); ++i) {
    const bool hole = is_placeholder(pattern[i]);
    other[striped(i, stripe)] = static_cast<int16_t>(hole ? align::kAny : -align::kWrong);
    if (hole && i < 64) holes |= 1ull << i;
    hole_count += hole;
  }
  sig = signature(pattern);
}

double pattern_coverage_degree(const std::vector<uint64_t>& pattern, const DegreeProfile& profile,
                               const std::vector<uint64_t>& text) {
  if (pattern.empty() || text.empty()) return 0;
#if defined(__SSE2__)
  using align::kSame, align::kWrong;
  const uint64_t sig = profile.sig;
  const auto [lo, hi] = alignable(pattern, text, profile.hole_count > 0, sig);
  if (lo == hi) return 0;
  const uint64_t* const words = text.data() + lo;
  const size_t m = hi - lo, n = pattern.size();
  // Farrar's striped Smith-Waterman: a column of the table (one text word,
  // every pattern word) in vectors of eight 16-bit scores. A score is at
  // most 10 * n, which 16 bits hold for up to 3,000 pattern words (a
  // template has at most a few dozen); longer ones go the plain way.
  if (n <= 3000 && profile.stripe == (n + 7) / 8) {
    const size_t seg = profile.stripe;
    const int16_t* const other = profile.other.data();
    // The scores of the pattern's own words, made when first met.
    thread_local std::vector<int16_t> own, h_load, h_store;
    thread_local std::vector<std::pair<uint64_t, uint32_t>> known;  // word -> its scores in `own`, or kOther
    constexpr uint32_t kOther = UINT32_MAX;
    own.clear();
    known.clear();
    auto scores_of = [&](uint64_t w) -> const int16_t* {
      for (const auto& [x, at] : known) {
        if (x == w) return at == kOther ? other : own.data() + at;
      }
      uint32_t at = kOther;
      for (size_t i = 0; i < n; ++i) {
        if (pattern[i] != w) continue;
        if (at == kOther) {
          at = static_cast<uint32_t>(own.size());
          own.insert(own.end(), other, other + seg * 8);
        }
        own[at + striped(i, seg)] = kSame;
      }
      known.emplace_back(w, at);
      return at == kOther ? other : own.data() + at;
    };
    h_load.assign(seg * 8, 0);
    h_store.assign(seg * 8, 0);
    auto* load = reinterpret_cast<__m128i*>(h_load.data());
    auto* store = reinterpret_cast<__m128i*>(h_store.data());
    const __m128i gap = _mm_set1_epi16(static_cast<int16_t>(kWrong)), zero = _mm_setzero_si128();
    __m128i top = zero;
    for (size_t j = 0; j < m; ++j) {
      const uint64_t w = words[j];
      // A word the pattern cannot hold (its signature says so) scores `other` at once.
      const auto* score = reinterpret_cast<const __m128i*>(((sig >> (w & 63)) & 1) ? scores_of(w) : other);
      // The diagonal into pattern word 0 of each lane: the last vector of
      // the column before, a lane along.
      __m128i h = _mm_slli_si128(_mm_loadu_si128(store + seg - 1), 2);
      std::swap(load, store);
      __m128i f = zero;  // a pattern word missing: the cell above, less a gap
      for (size_t k = 0; k < seg; ++k) {
        h = _mm_adds_epi16(h, _mm_loadu_si128(score + k));
        h = _mm_max_epi16(h, _mm_subs_epi16(_mm_loadu_si128(load + k), gap));  // a word added in the text
        h = _mm_max_epi16(h, f);
        h = _mm_max_epi16(h, zero);
        top = _mm_max_epi16(top, h);
        _mm_storeu_si128(store + k, h);
        f = _mm_subs_epi16(h, gap);
        h = _mm_loadu_si128(load + k);
      }
      // The cell above the first of each lane is the last of the lane
      // before: carry `f` over while it raises a cell. Once it raises none,
      // the cells after it were made from what they are.
      for (size_t lane = 0, k = seg; lane < 8 && k == seg; ++lane) {
        f = _mm_slli_si128(f, 2);
        for (k = 0; k < seg; ++k) {
          const __m128i cell = _mm_loadu_si128(store + k);
          if (_mm_movemask_epi8(_mm_cmpgt_epi16(f, cell)) == 0) break;
          const __m128i up = _mm_max_epi16(cell, f);
          _mm_storeu_si128(store + k, up);
          top = _mm_max_epi16(top, up);
          f = _mm_subs_epi16(up, gap);
        }
      }
    }
    alignas(16) int16_t lanes[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes), top);
    return coverage(*std::max_element(lanes, lanes + 8), n);
  }
#endif
  return pattern_coverage(pattern, text);  // without SSE2, or past what 16-bit lanes hold
}

double pattern_side_bound(size_t pattern_size, uint64_t held, uint64_t holes) {
  if (pattern_size == 0) return 0;
  int32_t run = 0, best = 0;
  for (size_t i = 0; i < pattern_size; ++i) {
    const bool h = i >= 64 || ((held >> i) & 1);
    run += h ? align::kSame : i < 64 && ((holes >> i) & 1) ? align::kAny : -align::kWrong;
    run = std::max(run, 0);
    best = std::max(best, run);
  }
  return coverage(best, pattern_size);
}

double held_sum_bound(size_t pattern_size, uint64_t held, uint64_t holes) {
  if (pattern_size == 0) return 0;
  const int32_t beyond = pattern_size > 64 ? static_cast<int32_t>(pattern_size - 64) : 0;  // counted as held
  return coverage(align::kSame * (bits_set(held) + beyond) + align::kAny * bits_set(holes & ~held), pattern_size);
}

double OrderBound::bound() const {
  if (n_ == 0) return 0;
  if (n_ > 64) return 1;
  const uint64_t rows = n_ == 64 ? ~0ull : (1ull << n_) - 1;
  const int32_t common = bits_set(~same_ & rows), with_holes = bits_set(~any_ & rows);
  // At most `common` words the same, and the rest of the longest with
  // placeholders, up to their number, taken for placeholders.
  const int32_t taken = std::min<int32_t>(static_cast<int32_t>(hole_count_), with_holes - common);
  return coverage(align::kSame * common + align::kAny * taken, n_);
}

double TextSideBound::bound() const {
  static_assert(align::kSame == 10 && align::kAny == 6 && align::kWrong == 5, "TextSideBound::add() scores as pattern_coverage()");
  if (n_ == 0) return 0;
  return coverage(best_, n_);
}

MessageMatcher::MessageMatcher(const ParsedQuery& q, size_t max_lines, double fragment_weight)
    : fragment_weight_(fragment_weight) {
  const size_t n = std::min(q.lines.size(), max_lines);
  std::string whole;
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint64_t> words = message_words(q.lines[i].text);
    if (!words.empty()) units_.push_back(std::move(words));
    if (n <= kMaxWholeLines) {
      if (!whole.empty()) whole += ' ';
      whole += q.lines[i].text;
    }
  }
  if (n > 1 && n <= kMaxWholeLines) units_.push_back(message_words(whole));
  for (const std::vector<uint64_t>& u : units_) {
    sorted_units_.push_back(sorted(u));
    holes_.push_back(static_cast<size_t>(std::count_if(u.begin(), u.end(), is_placeholder)));
  }
}

MessageMatcher::MessageMatcher(std::string_view line, double fragment_weight) : fragment_weight_(fragment_weight) {
  std::vector<uint64_t> words = message_words(line);
  if (words.empty()) return;
  sorted_units_.push_back(sorted(words));
  holes_.push_back(static_cast<size_t>(std::count_if(words.begin(), words.end(), is_placeholder)));
  units_.push_back(std::move(words));
}

MessageMatch MessageMatcher::best(std::string_view messages) const {
  MessageMatch best;
  size_t pos = 0;
  while (pos < messages.size()) {
    size_t end = messages.find(schema::kMessageSeparator, pos);
    if (end == std::string_view::npos) end = messages.size();
    std::string_view message = messages.substr(pos, end - pos);
    pos = end + 1;
    std::vector<uint64_t> words = message_words(message);
    if (words.empty()) continue;
    const std::vector<uint64_t> sorted_words = sorted(words);
    for (size_t u = 0; u < units_.size(); ++u) {
      const std::vector<uint64_t>& unit = units_[u];
      const double total = static_cast<double>(unit.size() + words.size());
      const double common = static_cast<double>(overlap(sorted_units_[u], sorted_words));  // at least the LCS
      const double whole_bound = 2.0 * common / total;
      // pattern_coverage() counts the unit's placeholders 0.6 against any word.
      const double fragment_bound =
          fragment_weight_ * std::min(1.0, (common + 0.6 * static_cast<double>(holes_[u])) / static_cast<double>(unit.size()));
      if (std::max(whole_bound, fragment_bound) <= best.similarity) continue;
      double s = sequence_similarity(unit, words, fragment_weight_);
      if (s > best.similarity) {
        best.similarity = s;
        best.message = std::string(message);
      }
    }
  }
  return best;
}

}  // namespace kbtriage
