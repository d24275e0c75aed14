// The project's article XML: export then import is the identity, and bad XML
// is refused with the line it is on.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "../test_util.h"
#include "kbtriage/article_xml.h"
#include "kbtriage/parser.h"

namespace kbtriage {
namespace {

using test::corpus_files;

Article parse_corpus(const std::string& rel) {
  ParseResult r = parse_article(test::read_file(test::corpus_dir() + "/" + rel));
  INFO(rel << ": " << r.error);
  REQUIRE(r.article);
  return *r.article;
}

// The same XML without its <records> element, so that import derives them.
std::string without_records(std::string xml) {
  size_t b = xml.find("<records");
  size_t e = xml.find("</records>");
  if (b == std::string::npos) return xml;
  if (e == std::string::npos) {  // <records /> when there are none
    e = xml.find("/>", b);
    REQUIRE(e != std::string::npos);
    return xml.erase(b, e + 2 - b);
  }
  return xml.erase(b, e + 10 - b);
}

TEST_CASE("the corpus has articles in every form", "[xml]") {
  auto files = corpus_files();
  CHECK(files.size() == 27);
  auto count = [&](std::string_view prefix) {
    return std::count_if(files.begin(), files.end(),
                         [&](const std::string& f) { return f.starts_with(prefix); });
  };
  CHECK(count("raw/") == 11);
  CHECK(count("web/") == 10);
  CHECK(count("page/") == 3);
  CHECK(count("xml/") == 3);
}

TEST_CASE("XML round trip of every corpus article is the identity", "[xml]") {
  for (const std::string& rel : corpus_files()) {
    INFO(rel);
    Article a = parse_corpus(rel);
    const std::string xml = article_to_xml(a);
    CHECK(xml.starts_with("<article id=\"" + a.id + "\""));
    ParseResult back = article_from_xml(xml);
    INFO(back.error);
    REQUIRE(back.article);
    CHECK(*back.article == a);

    const std::string doc = articles_to_xml_document({a});
    CHECK(doc.starts_with("<?xml"));
    ParseResult from_doc = article_from_xml(doc);
    REQUIRE(from_doc.article);
    CHECK(*from_doc.article == a);

    // The document form is itself an article file.
    ParseResult parsed = parse_article(doc);
    REQUIRE(parsed.article);
    CHECK(*parsed.article == a);
  }
}

TEST_CASE("XML without <records> derives the same records from the sections", "[xml]") {
  for (const std::string& rel : corpus_files()) {
    INFO(rel);
    Article a = parse_corpus(rel);
    std::string xml = without_records(article_to_xml(a));
    REQUIRE(xml.find("<records") == std::string::npos);
    ParseResult back = article_from_xml(xml);
    INFO(back.error);
    REQUIRE(back.article);
    CHECK(back.article->symptoms == a.symptoms);
    CHECK(back.article->causes == a.causes);
    CHECK(back.article->resolutions == a.resolutions);
    CHECK(back.article->messages == a.messages);
    CHECK(back.article->codes == a.codes);
    CHECK(back.article->references == a.references);
  }
}

TEST_CASE("a document of several articles round-trips", "[xml]") {
  std::vector<Article> all;
  for (const std::string& rel : corpus_files()) all.push_back(parse_corpus(rel));
  const std::string doc = articles_to_xml_document(all);
  CHECK(doc.find("<articles>") != std::string::npos);
  std::vector<ParseResult> back = articles_from_xml(doc);
  REQUIRE(back.size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    INFO(all[i].id << ": " << back[i].error);
    REQUIRE(back[i].article);
    CHECK(*back[i].article == all[i]);
  }
  // An article file holds one article: article_from_xml refuses several.
  ParseResult one = article_from_xml(doc);
  CHECK_FALSE(one.article);
  CHECK(one.error ==
        "line 1: <articles> holds 27 articles; an article file holds one (kbtriage export --xml -o DIR/ "
        "writes one per file)");
}

TEST_CASE("one article under <articles> is read", "[xml]") {
  ParseResult r = article_from_xml(
      "<?xml version=\"1.0\"?>\n"
      "<articles>\n"
      "  <article id=\"Q900001\" format=\"raw\">\n"
      "    <title>Replication Stops</title>\n"
      "    <sections><section heading=\"SYMPTOMS\">Event ID: 1001 is logged.</section></sections>\n"
      "  </article>\n"
      "</articles>\n");
  INFO(r.error);
  REQUIRE(r.article);
  CHECK(r.article->id == "Q900001");
  CHECK(r.article->format == Format::kRaw);
  REQUIRE(r.article->symptoms.size() == 1);
  CHECK(r.article->symptoms[0].text == "Event ID: 1001 is logged.");
  REQUIRE(r.article->codes.size() == 1);
  CHECK(r.article->codes[0].code == "EVENT 1001");
}

TEST_CASE("records given in the XML are taken as they are", "[xml]") {
  ParseResult r = article_from_xml(
      "<article id=\"Q900099\">\n"
      "  <title>t</title>\n"
      "  <sections><section heading=\"SYMPTOMS\">Error 1067 occurs.</section></sections>\n"
      "  <records>\n"
      "    <cause origin=\"inferred\" section=\"MORE INFORMATION\">given cause</cause>\n"
      "    <code kind=\"error\" raw=\"1068\">ERR 1068</code>\n"
      "  </records>\n"
      "</article>\n");
  INFO(r.error);
  REQUIRE(r.article);
  CHECK(r.article->symptoms.empty());
  REQUIRE(r.article->causes.size() == 1);
  CHECK(r.article->causes[0] == Record{"given cause", Origin::kInferred, "MORE INFORMATION"});
  REQUIRE(r.article->codes.size() == 1);
  CHECK(r.article->codes[0] == ErrorCode{"ERR 1068", "error", "1068"});
}

TEST_CASE("odd text survives the round trip", "[xml]") {
  Article a;
  a.id = "Q999999";
  a.title = "A & B < C > D \"quoted\" 'single' ]]> caf\xC3\xA9";
  a.format = Format::kWeb;
  a.question_answer = true;
  a.sections = {{"", "text before the first heading"},
                {"SYMPTOMS", "  leading spaces\n\n\ttab and trailing  \n\n\nthree newlines"},
                {"Empty", ""},
                {"x", "   "}};
  a.symptoms = {{"s", Origin::kInferred, "SYMPTOMS"}};
  a.messages = {{"Error <#> at 'x'", "Error <#> at '<name>'", "SYMPTOMS"}};
  a.codes = {{"0x80004005", "hresult", "-2147467259"}};
  a.references = {"Q900001"};
  ParseResult back = article_from_xml(article_to_xml(a));
  INFO(back.error);
  REQUIRE(back.article);
  CHECK(*back.article == a);
}

TEST_CASE("bad XML is refused with its line", "[xml]") {
  ParseResult r = article_from_xml(
      "<?xml version=\"1.0\"?>\n"
      "<article id=\"Q900030\">\n"
      "  <title>Information Store Does Not Start</title>\n"
      "  <sections>\n"
      "    <section heading=\"SYMPTOMS\">text</sectoin>\n"
      "  </sections>\n"
      "</article>\n");
  CHECK_FALSE(r.article);
  CHECK(r.error == "line 5: XML error: Start-end tags mismatch");

  r = article_from_xml("<article id=\"Q1\">\n<title>x</title>\n");
  CHECK_FALSE(r.article);
  CHECK(r.error == "line 2: XML error: Start-end tags mismatch");

  r = article_from_xml("<article id=\"Q1\">\n\n<title x=>x</title>\n</article>\n");
  CHECK_FALSE(r.article);
  CHECK(r.error.starts_with("line 3: XML error: "));
}

TEST_CASE("XML errors through parse_article name the line too", "[xml]") {
  ParseResult r =
      parse_article("<?xml version=\"1.0\"?>\n\n<article id=\"Q1\">\n<title>x</titel>\n</article>\n");
  CHECK_FALSE(r.article);
  CHECK(r.error == "line 4: XML error: Start-end tags mismatch");
}

TEST_CASE("<article> without id is refused with its line", "[xml]") {
  ParseResult r =
      article_from_xml("<?xml version=\"1.0\"?>\n<article format=\"xml\">\n  <title>x</title>\n</article>\n");
  CHECK_FALSE(r.article);
  CHECK(r.error == "line 2: <article> needs an id attribute");

  std::vector<ParseResult> all = articles_from_xml(
      "<?xml version=\"1.0\"?>\n"
      "<articles>\n"
      "  <article id=\"Q900001\"><title>first</title></article>\n"
      "\n"
      "  <article><title>second</title></article>\n"
      "  <article id=\"\"><title>third</title></article>\n"
      "</articles>\n");
  REQUIRE(all.size() == 3);
  REQUIRE(all[0].article);
  CHECK(all[0].article->id == "Q900001");
  CHECK(all[0].article->title == "first");
  CHECK_FALSE(all[1].article);
  CHECK(all[1].error == "line 5: <article> needs an id attribute");
  CHECK_FALSE(all[2].article);
  CHECK(all[2].error == "line 6: <article> needs an id attribute");
}

TEST_CASE("XML that holds no article", "[xml]") {
  ParseResult r = article_from_xml("<?xml version=\"1.0\"?>\n<rules>\n</rules>\n");
  CHECK_FALSE(r.article);
  CHECK(r.error == "line 2: expected <article> or <articles>, found <rules>");

  r = article_from_xml("<article id=\"Q900001\">\n</article>\n");
  CHECK_FALSE(r.article);
  CHECK(r.error == "line 1: <article> has neither <title> nor <sections>");
}

}  // namespace
}  // namespace kbtriage
