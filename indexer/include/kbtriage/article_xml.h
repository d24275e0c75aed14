// The project's article XML: the form other knowledge-base sources are fed in
// with, and what `kbtriage export --xml` writes. Exporting and importing an
// article gives back the same Article (tests/xml_test.cc holds us to it).
//
//   <article id="Q900030" format="raw">
//     <title/> <product/> <product_tag/> <versions><version/>...</versions>
//     <os><name/>...</os> <keywords><keyword/>...</keywords>
//     <technology><tag/>...</technology> <issue_type/> <last_modified/>
//     <applies_to><item/>...</applies_to> <additional_words/>
//     <sections><section heading="SYMPTOMS">text</section>...</sections>
//     <records> (optional; derived from the sections when absent)
//       <symptom origin="heading" section="SYMPTOMS">text</symptom> <cause/> <resolution/>
//       <message section="..."><text/><pattern/></message>
//       <code kind="hresult" raw="80004005">0x80004005</code> <reference>Q123456</reference>
//     </records>
//   </article>
//
// A file may also hold several articles under a <articles> root.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/article.h"
#include "kbtriage/parser.h"

namespace kbtriage {

// One <article> element, indented, without the XML declaration.
std::string article_to_xml(const Article& article);

// A whole document: declaration, and <articles> around several.
std::string articles_to_xml_document(const std::vector<Article>& articles);

// Parses a document holding one <article> (also under <articles>). A
// document with several articles is refused: an article file is one article.
// Errors name the line: "line 7: <article> needs an id attribute".
ParseResult article_from_xml(std::string_view text);

// Every <article> of a document; on error, the error and no articles.
std::vector<ParseResult> articles_from_xml(std::string_view text);

}  // namespace kbtriage
