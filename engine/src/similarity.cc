#include "similarity.h"

#include <algorithm>

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

uint64_t hash_word(std::string_view w) {
  uint64_t h = 1469598103934665603ull;
  for (char c : w) {
    h ^= static_cast<unsigned char>(lower_ascii(c));
    h *= 1099511628211ull;
  }
  return h;
}

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

std::vector<uint64_t> message_words(std::string_view text) {
  std::string masked = mask_variables(text);
  std::vector<uint64_t> out;
  size_t i = 0;
  while (i < masked.size() && out.size() < kMaxWords) {
    char c = masked[i];
    if (c == '<') {
      // A placeholder is one word of its own, distinct from the word inside it.
      size_t gt = masked.find('>', i);
      if (gt != std::string::npos && gt - i <= 7) {
        out.push_back(hash_word(std::string_view(masked).substr(i, gt - i + 1)));
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
    out.push_back(hash_word(std::string_view(masked).substr(b, i - b)));
  }
  return out;
}

double sequence_similarity(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() || b.empty()) return 0;
  const double common = static_cast<double>(lcs(a, b));
  // A few words in common ("STOP 0xc000021a", "Unspecified error") are weak
  // evidence however short the message: many articles quote them.
  const double evidence = std::min(1.0, common / kEvidenceWords);
  return evidence * 2.0 * common / static_cast<double>(a.size() + b.size());
}

MessageMatcher::MessageMatcher(const ParsedQuery& q, size_t max_lines) {
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
  for (const std::vector<uint64_t>& u : units_) sorted_units_.push_back(sorted(u));
}

MessageMatcher::MessageMatcher(std::string_view line) {
  std::vector<uint64_t> words = message_words(line);
  if (words.empty()) return;
  sorted_units_.push_back(sorted(words));
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
      if (2.0 * static_cast<double>(overlap(sorted_units_[u], sorted_words)) / total <= best.similarity) continue;
      double s = sequence_similarity(unit, words);
      if (s > best.similarity) {
        best.similarity = s;
        best.message = std::string(message);
      }
    }
  }
  return best;
}

}  // namespace kbtriage
