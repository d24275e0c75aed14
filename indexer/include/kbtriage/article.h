// The article model: what the parser makes of one knowledge-base article and
// what the store keeps. Plain values, copyable, no behaviour beyond helpers.
#pragma once

#include <string>
#include <vector>

namespace kbtriage {

// The form an article arrived in. Detected from the bytes, never passed in.
enum class Format {
  kRaw,     // DOCUMENT:/TITLE   : header, CRLF, disclaimer
  kWeb,     // front matter, "## Qnnn: title", tab-indented body
  kPage,    // the web form as a browser renders it, with site chrome
  kXml,     // the project's own article XML
};

const char* format_name(Format f);

// Where a symptom/cause/resolution record came from.
enum class Origin {
  kHeading,   // the article has a SYMPTOMS/CAUSE/RESOLUTION-style heading
  kInferred,  // found from the wording of an untitled, SUMMARY or Q&A section
};

const char* origin_name(Origin o);

struct Section {
  std::string heading;  // as written ("SYMPTOMS", "Question"); empty for text before the first
  std::string text;     // UTF-8, LF, indentation of quoted blocks kept
  friend bool operator==(const Section&, const Section&) = default;
};

struct Record {
  std::string text;
  Origin origin = Origin::kHeading;
  std::string section;  // heading of the section it came from
  friend bool operator==(const Record&, const Record&) = default;
};

// An error message quoted by the article.
struct Message {
  std::string text;      // verbatim (lines joined with '\n')
  std::string pattern;   // the text with variable parts masked (see mask.h)
  std::string section;   // heading of the section it was quoted in
  friend bool operator==(const Message&, const Message&) = default;
};

// An error code, normalised so that every notation of one code compares equal.
struct ErrorCode {
  std::string code;  // canonical form, e.g. "0x80004005", "STOP 0x0000000A", "EVENT 1001"
  std::string kind;  // "hresult", "stop", "event", "error", "tool", "name"
  std::string raw;   // first notation seen in the article
  friend bool operator==(const ErrorCode&, const ErrorCode&) = default;
};

struct Article {
  std::string id;             // "Q198657"
  std::string title;
  std::string product;        // "Microsoft Exchange"
  std::string product_tag;    // raw form's "[exchange]"
  std::vector<std::string> versions;
  std::vector<std::string> os;
  std::vector<std::string> keywords;
  std::vector<std::string> technology;
  std::string issue_type;     // "kbbug", "kbprb", "kbinfo", ... (from the trailer or the title prefix)
  std::string last_modified;  // YYYY-MM-DD, empty when unknown
  std::vector<std::string> applies_to;
  std::vector<Section> sections;
  std::vector<Record> symptoms;
  std::vector<Record> causes;
  std::vector<Record> resolutions;
  std::vector<Message> messages;
  std::vector<ErrorCode> codes;
  std::vector<std::string> references;  // other article ids, in order of first mention
  std::string additional_words;         // "Additional query words:"
  Format format = Format::kRaw;
  bool question_answer = false;         // old "Question:" / "Response:" article

  friend bool operator==(const Article&, const Article&) = default;
};

}  // namespace kbtriage
