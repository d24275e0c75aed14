// Parsing one article file into an Article. The form (raw text, web form,
// page text, Q&A in either, project XML) is detected from the bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kbtriage/article.h"

namespace kbtriage {

// Either an article or the reason the bytes are not one ("binary file
// (contains NUL bytes)", "line 1: no article header (...)"). Callers add
// the path when they report it.
struct ParseResult {
  std::optional<Article> article;
  std::string error;
};

// Parses any byte sequence. Never throws on bad input and runs in time
// linear in the input (roughly; no backtracking).
ParseResult parse_article(std::string_view bytes);

// Derives the records (symptoms, causes, resolutions, messages, codes,
// references) from the article's sections, replacing any it had. The text
// forms and the XML form both end here, so the same sections always give the
// same records.
void finish_article(Article& article);

// The form of decoded (UTF-8, LF) text, or nullopt when it is none of them.
std::optional<Format> detect_format(std::string_view text);

}  // namespace kbtriage
