// Pieces of the text-form parser shared between its translation units.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/article.h"

namespace kbtriage::detail {

// Splits the body (after the header block, before the trailer) into sections
// at "====" underlined headings and Q&A "Question:"/"Response:" lines.
// Fills article.sections, applies_to and question_answer.
void split_sections(const std::vector<std::string_view>& body, Article& article);

// Reads the trailer ("Additional query words:", "Keywords :", "Technology :",
// "Version :", "Issue type :") and the disclaimer off the end of `body`,
// filling the article's fields; returns the body without them.
std::vector<std::string_view> strip_trailer(std::vector<std::string_view> body, Article& article);

// Quoted error messages of every section, with their masked patterns.
void extract_messages(Article& article);

// Symptom, cause and resolution records, from headings and from wording.
void extract_records(Article& article);

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

// The paragraph's lines trimmed and joined with single spaces.
std::string paragraph_text(const Paragraph& p);

}  // namespace kbtriage::detail
