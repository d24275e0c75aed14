// What a search query says, before it meets the index. Technicians paste
// error dialogs and log excerpts far more often than they write query syntax,
// so the reading is forgiving: every input is a valid query, and syntax is
// recognised only where it cannot be ordinary pasted text.
//
//   free text        words; each line of a paste is kept apart (a log's one
//                    error line must not drown in its neighbours)
//   "a phrase"       words in this order
//   field:value      product: id: title: symptom: cause: resolution:
//                    message: code: version: year: type: (value may be
//                    "quoted"; year: takes a range 1999..2001)
//   AND OR NOT       operators, in short single-line queries only (a pasted
//                    "Access is NOT allowed" is text, not an exclusion)
//   word*            prefix wildcard (3 characters or more before the *)
//
// Variable parts of pasted text (numbers, paths, file names, user names,
// hex, timestamps) are recognised with the indexer's mask_variables() and
// weigh less; error codes in any notation are recognised with
// extract_codes() and searched in their canonical form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kbtriage {

// A word of free text, as typed, with what the query builder learnt of it.
struct QueryWord {
  std::string text;       // as typed, lower case
  bool variable = false;  // inside a masked variable part (path, number, name, ...)
  bool required = false;  // AND
  bool excluded = false;  // NOT
  bool wildcard = false;  // word*
  // The number of an error code ("0xC000021A" of "STOP 0xC000021A"): searched
  // as the code's canonical form, which every notation shares, not as a word.
  bool code = false;
};

// One line of pasted text (or the whole of a typed query).
struct QueryLine {
  std::string text;     // as typed (trimmed)
  std::string pattern;  // mask_variables(text)
  std::vector<QueryWord> words;
};

struct QueryField {
  std::string field;  // "product", "id", "title", ... (lower case)
  std::string value;  // as typed, quotes removed
};

struct ParsedQuery {
  std::vector<QueryLine> lines;
  std::vector<std::string> phrases;  // quoted phrases outside fields
  std::vector<QueryField> fields;
  std::vector<std::string> codes;    // canonical error codes found anywhere in the text
  bool operators = false;            // AND/OR/NOT were read as operators
  bool default_and = false;          // "a AND b" form: all plain words required

  // A one-line description for --explain and the query-builder tests, e.g.
  //   lines=1 words=[background synchronization error 80004005#] codes=[0x80004005]
  // (~ marks a variable part, # a code's number, + required, - excluded).
  std::string describe() const;
  bool empty() const { return lines.empty() && phrases.empty() && fields.empty() && codes.empty(); }
};

// Reads a query. Total: any byte sequence gives a ParsedQuery, never throws.
ParsedQuery parse_query(std::string_view text);

// The field names parse_query() recognises before a colon.
const std::vector<std::string_view>& query_fields();

}  // namespace kbtriage
