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

#include "kbtriage/query.h"

namespace kbtriage {

struct MessageMatch {
  double similarity = 0;  // 0..1
  std::string message;    // the article's message that matched best
};

// A masked text as a sequence of word hashes.
std::vector<uint64_t> message_words(std::string_view text);

// 2 * LCS(a, b) / (|a| + |b|) over words: 1 for the same words in the same
// order, and for a paste holding the first half of a message, 2/3.
double sequence_similarity(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

class MessageMatcher {
 public:
  // Each line of the query is a unit; a query of a few lines is also one
  // unit as a whole (an error dialog pasted over several lines).
  MessageMatcher(const ParsedQuery& q, size_t max_lines);
  // One unit: a single line of a log.
  explicit MessageMatcher(std::string_view line);
  // The best match among `messages` (separated by schema::kMessageSeparator).
  MessageMatch best(std::string_view messages) const;

 private:
  std::vector<std::vector<uint64_t>> units_;
  std::vector<std::vector<uint64_t>> sorted_units_;  // the same, sorted, for overlap()
};

}  // namespace kbtriage
