// Pieces of the text-form parser shared between its translation units.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/article.h"

namespace kbtriage::detail {

// Which of a few groups of lower-case phrases occur in a lower-case text, in
// one pass over it: a bitmap of the phrases' first two characters turns down
// most positions, and a hash of the first four finds the phrases to compare.
// The parser asks this of every sentence, so one pass beats a find() per
// phrase, and phrases sharing a start ("to resolve", "to remedy", ...) are
// not compared one by one at every "to".
class PhraseSet {
 public:
  enum class At {
    kAnywhere,   // as a substring, like std::string::find
    kWordStart,  // only where a word starts; a leading space in a phrase just says so
  };
  explicit PhraseSet(At at) : at_(at) {}

  // Adds `phrases` (each of two or more characters) to group `group` (< 32).
  void add(std::span<const std::string_view> phrases, unsigned group);

  // Bit g is set when a phrase of group g occurs in `lower`.
  uint32_t find(std::string_view lower) const;

 private:
  struct Phrase {
    std::string_view text;
    uint32_t group_bit;
  };
  // Phrases of four bytes or more with one head (their first four), a range
  // of long_.
  struct Slot {
    uint32_t head = 0;
    uint16_t begin = 0, end = 0;  // empty when begin == end
  };
  static uint32_t head_of(const char* p) {
    uint32_t h;
    std::memcpy(&h, p, 4);
    return h;
  }
  static unsigned pair_of(const char* p) {
    return static_cast<unsigned>(static_cast<unsigned char>(p[0]) << 8 | static_cast<unsigned char>(p[1]));
  }
  size_t slot_of(uint32_t head) const { return (head * 0x9E3779B1u) >> 20 & (slots_.size() - 1); }
  At at_;
  uint32_t all_groups_ = 0;
  std::array<uint64_t, 1024> first_pairs_{};  // bit pair_of(): some phrase starts so
  std::vector<Phrase> long_;                   // four bytes or more, by head
  std::vector<Phrase> short_;                  // two or three bytes
  std::vector<Slot> slots_;                    // open addressing by head
};

// Splits the body (after the header block, before the trailer) into sections
// at "====" underlined headings and Q&A "Question:"/"Response:" lines.
// Fills article.sections, applies_to and question_answer.
void split_sections(const std::vector<std::string_view>& body, Article& article);

// Reads the trailer ("Additional query words:", "Keywords :", "Technology :",
// "Version :", "Issue type :") and the disclaimer off the end of `body`,
// filling the article's fields; returns the body without them.
std::vector<std::string_view> strip_trailer(std::vector<std::string_view> body, Article& article);

struct Paragraph;

// Each section of an article split into paragraphs (split_paragraphs), in
// section order: split once and read by every extractor below.
using SectionParagraphs = std::vector<std::vector<Paragraph>>;
SectionParagraphs split_all_sections(const Article& article);

// Quoted error messages of every section, with their masked patterns.
void extract_messages(Article& article, const SectionParagraphs& paragraphs);

// Symptom, cause and resolution records, from headings and from wording.
void extract_records(Article& article, const SectionParagraphs& paragraphs);

// Ids of other articles mentioned in the text (Q123456).
void extract_references(Article& article);

// Splits "a | b", "a, b", "a;b" lists; empty items dropped, order kept, no duplicates.
std::vector<std::string> split_list(std::string_view s, std::string_view separators);

// "18-APR-1999" -> "1999-04-18"; empty when unparseable.
std::string parse_kb_date(std::string_view s);

// Versions from "winnt:5.5", "MS-DOS:3.11; WINDOWS:3.1", ":4.0,4.0a", "2.20 2.30 | 2.20 2.30".
std::vector<std::string> parse_versions(std::string_view s);

// Issue type from the title's prefix (BUG:, PRB:, INFO:, HOWTO:, FIX:, DOC:), or empty.
std::string issue_type_from_title(std::string_view title);

}  // namespace kbtriage::detail

namespace kbtriage::detail {

// A run of lines of one section: prose, or a block indented beyond the prose
// (a quoted message, a log excerpt, a code listing).
struct Paragraph {
  std::vector<std::string_view> lines;  // into the section text
  std::string text;                     // the lines trimmed and joined with single spaces
  bool quoted = false;
};

// Splits a section's text at blank lines and at changes between prose and
// indented blocks. List items ("- x", "1. x") with their continuation lines
// are prose.
std::vector<Paragraph> split_paragraphs(std::string_view text);

// True when a sentence ending in ':' introduces a quoted message ("you
// receive the following error message:", "Outlook98 reports:") rather than a
// listing or steps.
bool introduces_message(std::string_view sentence);


}  // namespace kbtriage::detail
