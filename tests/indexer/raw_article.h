// Test articles built around a body: the raw form's header, trailer and
// disclaimer, with CRLF, so extractor tests can state only the text that matters.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "kbtriage/article.h"
#include "kbtriage/parser.h"

namespace kbtriage::test {

// A raw-form article (header, trailer, disclaimer, CRLF) around `body`,
// which is written with LF.
inline std::string raw_article(std::string_view body) {
  std::string text =
      "DOCUMENT:Q910001  12-MAR-2000  [winnt]\n"
      "TITLE   :Test Article\n"
      "PRODUCT :Microsoft Windows NT\n"
      "PROD/VER:winnt:4.0\n"
      "OPER/SYS:\n"
      "KEYWORDS:kbtest\n"
      "\n" +
      std::string(70, '=') + "\n" + std::string(body) + "\nAdditional query words:\n\n" +
      std::string(70, '=') +
      "\nKeywords          : kbtest \n"
      "Issue type        : kbprb\n\n" +
      std::string(77, '=') +
      "\n\nTHE INFORMATION PROVIDED IN THE MICROSOFT KNOWLEDGE BASE IS\n"
      "PROVIDED \"AS IS\" WITHOUT WARRANTY OF ANY KIND.\n\n"
      "Copyright Microsoft Corporation 2000.";
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  return crlf;
}

inline Article parse_raw_body(std::string_view body) {
  ParseResult r = parse_article(raw_article(body));
  INFO(r.error);
  REQUIRE(r.article);
  return *r.article;
}

}  // namespace kbtriage::test
