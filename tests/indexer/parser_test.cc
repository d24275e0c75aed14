// parse_article over every article form, from the corpus fixtures; the seed
// article Q198657 in its three renderings; and inputs that are not articles.
#include "kbtriage/parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "../test_util.h"
#include "kbtriage/text.h"
#include "parse_internal.h"

namespace kbtriage {
namespace {

std::string words(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : "|") + s;
  return out;
}

std::string headings(const Article& a) {
  std::vector<std::string> h;
  for (const Section& s : a.sections) h.push_back(s.heading);
  return words(h);
}

std::string codes(const Article& a) {
  std::string out;
  for (const ErrorCode& c : a.codes) out += (out.empty() ? "" : " ") + c.code + "(" + c.kind + ")";
  return out;
}

std::string origins(const std::vector<Record>& rs) {
  std::string out;
  for (const Record& r : rs) out += (out.empty() ? "" : " ") + r.section + "(" + origin_name(r.origin) + ")";
  return out;
}

bool any_record_has(const std::vector<Record>& rs, std::initializer_list<std::string_view> parts) {
  for (const Record& r : rs) {
    bool all = true;
    for (std::string_view p : parts) all &= r.text.find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

Article parse_corpus(const std::string& relative) {
  std::string bytes = test::read_file(test::corpus_dir() + "/" + relative);
  REQUIRE_FALSE(bytes.empty());
  ParseResult r = parse_article(bytes);
  INFO(relative << ": " << r.error);
  REQUIRE(r.article);
  CHECK(r.error.empty());
  return *r.article;
}

TEST_CASE("raw form: corpus/raw/Q900001.TXT", "[parser]") {
  Article a = parse_corpus("raw/Q900001.TXT");
  CHECK(a.format == Format::kRaw);
  CHECK(a.id == "Q900001");
  CHECK(a.title == "XADM: Public Folder Replication Stops; Event 1001 with 0x80040115");
  CHECK(a.product == "Microsoft Exchange");
  CHECK(a.product_tag == "exchange");
  CHECK(words(a.versions) == "winnt:5.5");
  CHECK(words(a.os) == "");
  CHECK(words(a.keywords) == "exc55|kberrmsg");
  CHECK(words(a.technology) == "kbExchangeSearch|kbExchange550|kbZNotKeyword2");
  CHECK(a.issue_type == "kbprb");
  CHECK(a.last_modified == "2000-03-12");
  CHECK(words(a.applies_to) == "Microsoft Exchange Server, version 5.5");
  CHECK(headings(a) == "SYMPTOMS|CAUSE|RESOLUTION|MORE INFORMATION");
  CHECK(words(a.references) == "Q900007");
  CHECK(codes(a) == "0x80040115(hresult) EVENT 1001(event) MAPI_E_NETWORK_ERROR(name) EVENT 3018(event)");
  CHECK(a.additional_words == "pf rep replication backfill slow link WAN timeout 1001 3018 RPC");
  CHECK_FALSE(a.question_answer);
  CHECK(origins(a.symptoms) == "SYMPTOMS(heading)");
  CHECK(origins(a.causes) == "CAUSE(heading)");
  CHECK(origins(a.resolutions) == "RESOLUTION(heading)");
  // The body ends before the trailer: no disclaimer or trailer text in a section.
  for (const Section& s : a.sections) {
    CHECK(s.text.find("THE INFORMATION PROVIDED") == std::string::npos);
    CHECK(s.text.find("Additional query words") == std::string::npos);
    CHECK(s.text.find('\r') == std::string::npos);
  }
}

TEST_CASE("raw form: versions with service packs and STOP codes", "[parser]") {
  Article a = parse_corpus("raw/Q900002.TXT");
  CHECK(a.id == "Q900002");
  CHECK(a.title == "STOP 0x0000001E in Mpxlink.sys When RAS Multilink Is Enabled");
  CHECK(a.product_tag == "winnt");
  CHECK(a.issue_type == "kbbug");
  CHECK(a.last_modified == "2001-09-21");
  CHECK(headings(a) == "SYMPTOMS|CAUSE|RESOLUTION|WORKAROUND|STATUS|MORE INFORMATION");
  CHECK(origins(a.resolutions) == "RESOLUTION(heading) WORKAROUND(heading) STATUS(heading)");
  CHECK(codes(a).starts_with("STOP 0x0000001E(stop) "));
  CHECK(codes(a).find("STOP 0x0000000A(stop)") != std::string::npos);
}

TEST_CASE("raw form: the first issue type of the trailer wins", "[parser]") {
  Article a = parse_corpus("raw/Q900008.TXT");
  CHECK(a.title == "INF: Reading Distribution Agent History When Subscriber Login Fa");
  CHECK(a.issue_type == "kbhowto");
  CHECK(words(a.keywords) == "kbinfo|kbReplication");
  CHECK(headings(a).starts_with("SUMMARY|MORE INFORMATION"));
}

TEST_CASE("web form: corpus/web/Q900007/README.md", "[parser]") {
  Article a = parse_corpus("web/Q900007/README.md");
  CHECK(a.format == Format::kWeb);
  CHECK(a.id == "Q900007");
  CHECK(a.title == "XCLN: Outlook Reports MAPI_E_NETWORK_ERROR over Slow VPN Links");  // &#95; decoded
  CHECK(a.product == "Microsoft Exchange");
  CHECK(a.product_tag == "");
  CHECK(words(a.versions) == "WINDOWS:2000|WINDOWS:98|winnt:5.5");
  CHECK(words(a.os) == "");
  CHECK(words(a.keywords) == "kberrmsg|kbnetwork");
  CHECK(words(a.technology) == "kbExchangeSearch|kbExchange550|kbOutlookSearch|kbOutlook98|kbOutlook2000");
  CHECK(a.issue_type == "kbprb");
  CHECK(a.last_modified == "2000-12-14");
  CHECK(words(a.applies_to) ==
        "Microsoft Outlook 98|Microsoft Outlook 2000|Microsoft Exchange Server, version 5.5");
  CHECK(headings(a) == "SYMPTOMS|CAUSE|RESOLUTION|MORE INFORMATION");
  CHECK(words(a.references) == "Q900001");
  CHECK(codes(a) == "MAPI_E_NETWORK_ERROR(name) 0x80040115(hresult)");
  // The web form's leading tab is gone, the body's own indentation is kept.
  for (const Section& s : a.sections) {
    CHECK(s.text.find('\t') == std::string::npos);
    CHECK(s.text.find("{% endraw %}") == std::string::npos);
  }
}

TEST_CASE("web form: negative decimal HRESULT only", "[parser]") {
  Article a = parse_corpus("web/Q900014/README.md");
  CHECK(a.title == "PRB: Error -2147467259 Opening Jet Database on Read-Only Share");
  CHECK(a.last_modified == "2000-08-09");
  REQUIRE_FALSE(a.codes.empty());
  CHECK(a.codes[0].code == "0x80004005");
  CHECK(a.codes[0].raw == "-2147467259");
}

TEST_CASE("page form: corpus/page/Q900025.txt", "[parser]") {
  Article a = parse_corpus("page/Q900025.txt");
  CHECK(a.format == Format::kPage);
  CHECK(a.id == "Q900025");
  CHECK(a.title == "XCLN: Offline Address Book Download Fails with Error 0x8004010F");
  CHECK(a.product == "Microsoft Exchange");
  CHECK(words(a.versions) == "winnt:5.5");
  CHECK(a.issue_type == "kbinfo");
  CHECK(a.last_modified == "2000-06-27");
  CHECK(words(a.applies_to) == "Microsoft Exchange Server, version 5.5|Microsoft Outlook 2000");
  CHECK(headings(a) == "SUMMARY");
  CHECK(codes(a) == "0x8004010f(hresult)");
  for (const Section& s : a.sections) {
    CHECK(s.text.find("KnowledgeBase Archive") == std::string::npos);  // site chrome
    CHECK(s.text.find("Copyright Microsoft") == std::string::npos);
  }
}

TEST_CASE("Q&A in raw form: corpus/raw/Q900012.TXT", "[parser]") {
  Article a = parse_corpus("raw/Q900012.TXT");
  CHECK(a.format == Format::kRaw);
  CHECK(a.id == "Q900012");
  CHECK(a.title == "\"String Space Corrupt\" When CHAINing with Mismatched COMMON");
  CHECK(a.product == "Microsoft QuickBASIC");
  CHECK(a.product_tag == "basic");
  CHECK(words(a.versions) == "4.00|4.00b|4.50");
  CHECK(words(a.os) == "MS-DOS");
  CHECK(words(a.keywords) == "ENDUSER|mspl13_basic");
  CHECK(a.last_modified == "1990-08-22");
  CHECK(words(a.applies_to) == "");
  CHECK(a.question_answer);
  CHECK(headings(a) == "SUMMARY|Question|Response");
  REQUIRE_FALSE(a.symptoms.empty());
  CHECK(a.symptoms[0].section == "Question");
  CHECK(a.symptoms[0].origin == Origin::kInferred);
  CHECK(any_record_has(a.causes, {"The errors occur because the COMMON statements"}));
  CHECK(any_record_has(a.resolutions, {"To correct the problem, you must put the COMMON statements"}));
  REQUIRE(a.messages.size() >= 2);
  CHECK(a.messages[0].text == "String space corrupt");
  CHECK(a.messages[1].text == "Far heap corrupt");
}

TEST_CASE("Q&A in web form: corpus/web/Q900020/README.md", "[parser]") {
  Article a = parse_corpus("web/Q900020/README.md");
  CHECK(a.format == Format::kWeb);
  CHECK(a.id == "Q900020");
  CHECK(a.title == "Error L2025 When Linking Function from Own Library");
  CHECK(a.product == "");  // "See article"
  CHECK(words(a.versions) == "6.00|6.00a");
  CHECK(words(a.os) == "MS-DOS|OS/2");
  CHECK(words(a.keywords) == "ENDUSER|mspl13_c");
  CHECK(a.last_modified == "1990-10-17");
  CHECK(a.question_answer);
  CHECK(headings(a) == "Question|Response");
  CHECK(codes(a) == "L2025(tool)");
  REQUIRE_FALSE(a.symptoms.empty());
  CHECK(a.symptoms[0].section == "Question");
  CHECK(any_record_has(a.symptoms, {"error L2025: _ReadConfig"}));
}

TEST_CASE("Q&A in web form: an unpadded day in Last Modified", "[parser]") {
  Article a = parse_corpus("web/Q900021/README.md");
  CHECK(a.last_modified == "1991-04-03");
  CHECK(words(a.versions) == "5.10");
  CHECK(codes(a) == "A2006(tool)");
  CHECK(a.question_answer);
}

TEST_CASE("XML form: corpus/xml/Q900030.xml", "[parser]") {
  Article a = parse_corpus("xml/Q900030.xml");
  CHECK(a.format == Format::kXml);
  CHECK(a.id == "Q900030");
  CHECK(a.title == "XADM: Information Store Does Not Start After Offline Restore");
  CHECK(a.product == "Microsoft Exchange");
  CHECK(words(a.versions) == "winnt:5.5");
  CHECK(words(a.os) == "WINDOWS NT");
  CHECK(words(a.keywords) == "kbExchange550|exc55|kbBackup");
  CHECK(words(a.technology) == "kbExchangeSearch|kbExchange550");
  CHECK(a.issue_type == "kbprb");
  CHECK(a.last_modified == "2001-05-17");
  CHECK(words(a.applies_to) == "Microsoft Exchange Server, version 5.5");
  CHECK(headings(a) == "SYMPTOMS|CAUSE|RESOLUTION");
  CHECK(codes(a) == "0x80004005(hresult) EVENT 1120(event)");
  // Records are derived from the sections when the XML has none.
  CHECK(origins(a.symptoms) == "SYMPTOMS(heading)");
  CHECK(origins(a.causes) == "CAUSE(heading)");
  CHECK(origins(a.resolutions) == "RESOLUTION(heading)");
  REQUIRE_FALSE(a.sections.empty());
  CHECK(
      a.sections[0].text.find("\n   Could not start the Microsoft Exchange Information Store service on\n") !=
      std::string::npos);  // newlines and indentation kept
}

TEST_CASE("XML form: escaped text and a reference", "[parser]") {
  Article a = parse_corpus("xml/Q900031.xml");
  CHECK(a.id == "Q900031");
  CHECK(words(a.references) == "Q900014");
  CHECK(codes(a).find("ERR 3043(error)") != std::string::npos);
}

TEST_CASE("CP1252 file: corpus/raw/Q900009.TXT", "[parser]") {
  Article a = parse_corpus("raw/Q900009.TXT");
  CHECK(a.id == "Q900009");
  CHECK(a.title == "OFF2000: Setup Error 1335 \xE2\x80\x93 Cabinet File Reported as Corrupt");  // 0x96
  CHECK(a.last_modified == "2001-07-27");
  CHECK(codes(a) == "ERR 1335(error)");
  CHECK(words(a.references) == "Q900026");
  bool right_quote = false, curly_quotes = false;
  for (const Section& s : a.sections) {
    CHECK(is_valid_utf8(s.text));
    right_quote |= s.text.find("\xE2\x80\x99") != std::string::npos;  // 0x92
    curly_quotes |= s.text.find("\xE2\x80\x9C") != std::string::npos &&
                    s.text.find("\xE2\x80\x9D") != std::string::npos;  // 0x93 0x94
  }
  CHECK(right_quote);
  CHECK(curly_quotes);
}

TEST_CASE("UTF-8 file: corpus/web/Q900016/README.md", "[parser]") {
  Article a = parse_corpus("web/Q900016/README.md");
  CHECK(a.id == "Q900016");
  CHECK(a.title == "XWEB: Display Name 'Caf\xC3\xA9' Shown as 'Caf\xC3\x83\xC2\xA9' in OWA Find Names");
  CHECK(a.issue_type == "kbbug");
  CHECK(a.last_modified == "2001-02-05");
  CHECK(headings(a) == "SYMPTOMS|CAUSE|RESOLUTION|WORKAROUND|STATUS|MORE INFORMATION");
  REQUIRE_FALSE(a.messages.empty());
  CHECK(a.messages[0].text == "Caf\xC3\xA9 Lumi\xC3\xA8re - Lyon");
}

// ---------------------------------------------------------------------------
// The seed, Q198657.

constexpr std::string_view kSeedPath = "page/Q198657.txt";

TEST_CASE("seed Q198657: header fields", "[parser][seed]") {
  Article a = parse_corpus(std::string(kSeedPath));
  CHECK(a.format == Format::kPage);
  CHECK(a.id == "Q198657");
  CHECK(a.title == "XADM: Outlook 98 Shows Bckgrd Sync error after Move Server");
  CHECK(a.product == "Microsoft Exchange");
  CHECK(words(a.versions) == "winnt:5.5");
  CHECK(words(a.os) == "");
  CHECK(words(a.keywords) == "");
  CHECK(words(a.technology) == "kbExchangeSearch|kbExchange550|kbZNotKeyword2");
  CHECK(a.issue_type == "kbinfo");
  CHECK(a.last_modified == "1999-04-18");
  CHECK(words(a.applies_to) == "Microsoft Exchange Server, version 5.5");
  CHECK(headings(a) == "SUMMARY");
  CHECK(words(a.references) == "");
  CHECK(codes(a) == "");
}

TEST_CASE("seed Q198657: inferred symptom and cause and resolution", "[parser][seed]") {
  Article a = parse_corpus(std::string(kSeedPath));
  REQUIRE_FALSE(a.symptoms.empty());
  REQUIRE_FALSE(a.causes.empty());
  REQUIRE_FALSE(a.resolutions.empty());
  CHECK(any_record_has(a.symptoms, {"Background Synchronization Error"}));
  CHECK(any_record_has(a.causes, {"Failure to do so", "Move Server"}));
  CHECK(any_record_has(a.causes, {"delete the old OST", "Failure to do so"}));
  CHECK(any_record_has(a.resolutions, {"manually delete the old OST"}));
  for (const auto* rs : {&a.symptoms, &a.causes, &a.resolutions}) {
    for (const Record& r : *rs) {
      CHECK(r.origin == Origin::kInferred);
      CHECK(r.section == "SUMMARY");
    }
  }
}

TEST_CASE("seed Q198657: messages and patterns", "[parser][seed]") {
  Article a = parse_corpus(std::string(kSeedPath));
  std::vector<std::string> texts, patterns;
  for (const Message& m : a.messages) {
    texts.push_back(m.text);
    patterns.push_back(m.pattern);
    CHECK(m.section == "SUMMARY");
  }
  CHECK(words(texts) ==
        "Background Synchronization Error. See detailed logs in Deleted Items folder.|"
        "1:05:34 Synchronizing Mailbox 'testuser'|"
        "1:05:34 Synchronizing Hierarchy|"
        "1:05:34       <#> folder(s) added to offline store|"
        "1:05:34       <#> folder(s) updated in offline store|"
        "1:05:34 Done");
  CHECK(words(patterns) ==
        "Background Synchronization Error. See detailed logs in Deleted Items folder.|"
        "<time> Synchronizing Mailbox '<name>'|"
        "<time> Synchronizing Hierarchy|"
        "<time> <#> folder(s) added to offline store|"
        "<time> <#> folder(s) updated in offline store|"
        "<time> Done");
}

// The seed's page text, rendered back into the raw form and the web form the
// archive holds it in: raw keeps one more space of indentation, CRLF, the
// wrapped disclaimer and no final line end; web is the page body behind a TAB
// between {% raw %} markers. (Checked once against the archive's
// txt/198/Q198657.TXT and kb/198/Q198657/README.md: identical bytes.)
struct SeedRenderings {
  std::string raw, web;
};

SeedRenderings render_seed() {
  const std::string page = test::read_file(test::corpus_dir() + "/" + std::string(kSeedPath));
  const std::vector<std::string_view> lines = split_lines(page);
  std::string title, product, versions, date;
  size_t header = 0, body = 0, end = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (l.starts_with("Q198657: ")) title = std::string(l.substr(9));
    if (l.starts_with("Article: ")) header = i;
    if (l.starts_with("Product(s): ")) product = std::string(trim(l.substr(12)));
    if (l.starts_with("Version(s): ")) versions = std::string(trim(l.substr(12)));
    if (l.starts_with("Last Modified: ")) date = std::string(trim(l.substr(15))), body = i + 2;
    if (l == std::string(77, '=')) end = i;
  }
  REQUIRE(title == "XADM: Outlook 98 Shows Bckgrd Sync error after Move Server");
  REQUIRE(date == "18-APR-1999");
  REQUIRE((header > 0 && body > header && end > body));

  SeedRenderings r;
  r.raw = "DOCUMENT:Q198657  " + date + "  [exchange]\r\n" + "TITLE   :" + title + "\r\n" +
          "PRODUCT :" + product + "\r\n" + "PROD/VER:" + versions + "\r\n" + "OPER/SYS:\r\n" +
          "KEYWORDS:\r\n" + "\r\n" + std::string(70, '=') + "\r\n";
  for (size_t i = body; i <= end; ++i) {
    std::string_view l = lines[i];
    const bool stripped = l.starts_with(" ") || l.starts_with("- ");  // page text lost one space
    r.raw += (stripped ? " " : "") + std::string(l) + "\r\n";
  }
  for (std::string_view l : {
           "",
           "THE INFORMATION PROVIDED IN THE MICROSOFT KNOWLEDGE BASE IS",
           "PROVIDED \"AS IS\" WITHOUT WARRANTY OF ANY KIND.  MICROSOFT DISCLAIMS",
           "ALL WARRANTIES, EITHER EXPRESS OR IMPLIED, INCLUDING THE WARRANTIES",
           "OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE.  IN NO",
           "EVENT SHALL MICROSOFT CORPORATION OR ITS SUPPLIERS BE LIABLE FOR",
           "ANY DAMAGES WHATSOEVER INCLUDING DIRECT, INDIRECT, INCIDENTAL,",
           "CONSEQUENTIAL, LOSS OF BUSINESS PROFITS OR SPECIAL DAMAGES, EVEN IF",
           "MICROSOFT CORPORATION OR ITS SUPPLIERS HAVE BEEN ADVISED OF THE",
           "POSSIBILITY OF SUCH DAMAGES.  SOME STATES DO NOT ALLOW THE EXCLUSION",
           "OR LIMITATION OF LIABILITY FOR CONSEQUENTIAL OR INCIDENTAL DAMAGES",
           "SO THE FOREGOING LIMITATION MAY NOT APPLY.",
           "",
       }) {
    r.raw += std::string(l) + "\r\n";
  }
  r.raw += "Copyright Microsoft Corporation 1999.";  // no final line end

  const std::string heading = "Q198657: " + title;
  r.web = "---\nlayout: page\ntitle: \"" + heading + "\"\npermalink: /kb/198/Q198657/\n---\n\n## " + heading +
          "\n\n{% raw %}\n\n";
  for (size_t i = header; i <= end; ++i) r.web += "\t" + std::string(lines[i]) + "\n";
  r.web += "\t\n\n{% endraw %}\n";
  return r;
}

void check_same_article(const Article& a, const Article& b) {
  CHECK(a.id == b.id);
  CHECK(a.title == b.title);
  CHECK(a.product == b.product);
  CHECK(a.versions == b.versions);
  CHECK(a.os == b.os);
  CHECK(a.keywords == b.keywords);
  CHECK(a.technology == b.technology);
  CHECK(a.issue_type == b.issue_type);
  CHECK(a.last_modified == b.last_modified);
  CHECK(a.applies_to == b.applies_to);
  CHECK(headings(a) == headings(b));
  CHECK(a.symptoms == b.symptoms);
  CHECK(a.causes == b.causes);
  CHECK(a.resolutions == b.resolutions);
  CHECK(a.messages == b.messages);
  CHECK(a.codes == b.codes);
  CHECK(a.references == b.references);
  CHECK(a.question_answer == b.question_answer);
}

TEST_CASE("seed Q198657: the raw and web and page renderings give the same records", "[parser][seed]") {
  const SeedRenderings r = render_seed();
  ParseResult raw = parse_article(r.raw);
  ParseResult web = parse_article(r.web);
  ParseResult page = parse_article(test::read_file(test::corpus_dir() + "/" + std::string(kSeedPath)));
  INFO(raw.error << " / " << web.error << " / " << page.error);
  REQUIRE(raw.article);
  REQUIRE(web.article);
  REQUIRE(page.article);
  CHECK(raw.article->format == Format::kRaw);
  CHECK(web.article->format == Format::kWeb);
  CHECK(raw.article->product_tag == "exchange");
  CHECK(detect_format(decode_to_utf8(r.raw)) == Format::kRaw);
  CHECK(detect_format(r.web) == Format::kWeb);
  {
    INFO("raw vs page");
    check_same_article(*raw.article, *page.article);
  }
  {
    INFO("web vs page");
    check_same_article(*web.article, *page.article);
    CHECK(web.article->sections == page.article->sections);  // same one-space strip
  }
  // The raw body has one more space of indentation in its quoted blocks.
  REQUIRE(raw.article->sections.size() == 1);
  CHECK(raw.article->sections[0].text.find("\n   Background Synchronization Error.") != std::string::npos);
}

std::string with_line_ends(std::string_view text, std::string_view eol) {
  const std::string decoded = decode_to_utf8(text);
  std::string out;
  for (std::string_view l : split_lines(decoded)) out += std::string(l) + std::string(eol);
  return out;
}

TEST_CASE("seed Q198657: line ends and a BOM do not change the article", "[parser][seed]") {
  const SeedRenderings r = render_seed();
  ParseResult raw = parse_article(r.raw);
  REQUIRE(raw.article);
  for (const std::string& variant : {with_line_ends(r.raw, "\n"), with_line_ends(r.raw, "\r"),
                                     "\xEF\xBB\xBF" + r.raw, r.raw + "\r\n\x1A\x1A"}) {
    ParseResult v = parse_article(variant);
    INFO(v.error);
    REQUIRE(v.article);
    CHECK(*v.article == *raw.article);
  }
  ParseResult web = parse_article(r.web);
  REQUIRE(web.article);
  for (const std::string& variant : {with_line_ends(r.web, "\r\n"), "\xEF\xBB\xBF" + r.web}) {
    ParseResult v = parse_article(variant);
    INFO(v.error);
    REQUIRE(v.article);
    CHECK(*v.article == *web.article);
  }
}

// ---------------------------------------------------------------------------
// Inputs that are not articles: no article and the exact reason.

constexpr std::string_view kNotAnArticle =
    "line 1: not a knowledge-base article (no DOCUMENT: line, front matter with an Article: header, page "
    "text or <article> element)";

TEST_CASE("not articles: no article and the reason", "[parser]") {
  using namespace std::string_literals;
  struct Row {
    std::string input;
    std::string reason;
  };
  const std::vector<Row> rows = {
      {"", "empty file"},
      {"\r\n  \r\n", "empty file"},
      {"MZ\x90\0\x03\0\0\0\x04\0"s, "binary file (contains NUL bytes)"},
      {"\x01\x02\x03\x04\x05\x06\x07\x08 ab", "binary file (too many control characters)"},
      {"Shopping list\n\n- milk\n- bread\n", std::string(kNotAnArticle)},
      {"#include <stdio.h>\nint main() { return 0; }\n", std::string(kNotAnArticle)},
      {"DOCUMENT:", "line 1: DOCUMENT: header has no article id"},
      {"DOCUMENT:\r\nTITLE   :x\r\n", "line 1: DOCUMENT: header has no article id"},
      {"\r\n\r\nDOCUMENT:  18-APR-1999  [exchange]\r\n", "line 3: DOCUMENT: header has no article id"},
      {"DOCUMENT:Q12  18-APR-1999\r\n", "line 1: DOCUMENT: header has no article id"},
      {"DOCUMENT:Q198657  18-APR-1999  [exchange]\r\n", "article has neither a title nor a body"},
      {"---\nlayout: page\npermalink: /kb/198/Q198657/\n---\n",
       "line 1: web form without an Article: line or ## Qnnn title"},
      {"Article: Q12\nProduct(s): x\n", "line 1: article id \"Q12\" is not of the form Qnnnnn"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.input);
    ParseResult result = parse_article(r.input);
    CHECK_FALSE(result.article);
    CHECK(result.error == r.reason);
  }
}

TEST_CASE("not articles: a truncated header", "[parser]") {
  const std::string bytes = test::read_file(test::corpus_dir() + "/raw/Q900001.TXT");
  ParseResult r = parse_article(bytes.substr(0, bytes.find("Q900001") - 1));  // "DOCUMENT"
  CHECK_FALSE(r.article);
  CHECK(r.error == std::string(kNotAnArticle));
  r = parse_article(bytes.substr(0, bytes.find("Q900001")));  // "DOCUMENT:"
  CHECK_FALSE(r.article);
  CHECK(r.error == "line 1: DOCUMENT: header has no article id");
  r = parse_article(bytes.substr(0, bytes.find("Q900001") + 4));  // "DOCUMENT:Q900"
  CHECK_FALSE(r.article);
  CHECK(r.error == "line 1: DOCUMENT: header has no article id");
  r = parse_article(bytes.substr(0, bytes.find("\r\n")));  // the DOCUMENT: line alone
  CHECK_FALSE(r.article);
  CHECK(r.error == "article has neither a title nor a body");
}

TEST_CASE("detect_format", "[parser]") {
  CHECK(detect_format("DOCUMENT:Q1") == Format::kRaw);
  CHECK(detect_format("\n\n  DOCUMENT:Q198657  18-APR-1999") == Format::kRaw);
  CHECK(detect_format("<?xml version=\"1.0\"?>\n<article id=\"Q1\"/>") == Format::kXml);
  CHECK(detect_format("<article id=\"Q1\"/>") == Format::kXml);
  CHECK(detect_format("---\ntitle: x\npermalink: /kb/1/Q1/\n---\n") == Format::kWeb);
  CHECK(detect_format("{% raw %}\n\tArticle: Q198657\n") == Format::kWeb);
  CHECK(detect_format("Site\n\nQ198657: title\n\nArticle: Q198657\n") == Format::kPage);
  CHECK(detect_format("hello") == std::nullopt);
  CHECK(detect_format("") == std::nullopt);
}

TEST_CASE("header helpers: dates and versions and lists and issue types", "[parser]") {
  using detail::issue_type_from_title;
  using detail::parse_kb_date;
  using detail::parse_versions;
  using detail::split_list;
  CHECK(parse_kb_date("18-APR-1999") == "1999-04-18");
  CHECK(parse_kb_date("3-APR-1991") == "1991-04-03");
  CHECK(parse_kb_date(" 05-feb-2001 ") == "2001-02-05");
  CHECK(parse_kb_date("18-XYZ-1999") == "");
  CHECK(parse_kb_date("1999-04-18") == "");
  CHECK(parse_kb_date("18-APR-99") == "");
  CHECK(parse_kb_date("") == "");

  CHECK(words(parse_versions("winnt:5.5")) == "winnt:5.5");
  CHECK(words(parse_versions("MS-DOS:3.11; WINDOWS:3.1")) == "MS-DOS:3.11|WINDOWS:3.1");
  CHECK(words(parse_versions(":4.0,4.0a")) == "4.0|4.0a");
  CHECK(words(parse_versions("2.20 2.30 | 2.20 2.30")) == "2.20|2.30");
  CHECK(words(parse_versions("WINDOWS:2000,98; winnt:5.5")) == "WINDOWS:2000|WINDOWS:98|winnt:5.5");
  CHECK(words(parse_versions("")) == "");

  CHECK(words(split_list("ENDUSER | | mspl13_basic", " ,|\t")) == "ENDUSER|mspl13_basic");
  CHECK(words(split_list("a, b;a ,c", ",;")) == "a|b|c");

  CHECK(issue_type_from_title("PRB: ASP Query Pages Return Error") == "kbprb");
  CHECK(issue_type_from_title("XADM: BUG: Store Stops") == "kbbug");
  CHECK(issue_type_from_title("HOWTO: Read the Log") == "kbhowto");
  CHECK(issue_type_from_title("Spooler Service Stops") == "");
}

// "winnt:4.0 SP5,4.0 SP6a" lists two versions by commas, "4.0 SP5" and
// "4.0 SP6a", not "winnt:SP5" (corpus Q900002 and Q900018).
TEST_CASE("versions with service packs stay whole", "[parser]") {
  CHECK(words(detail::parse_versions("winnt:4.0 SP5,4.0 SP6a")) == "winnt:4.0 SP5|winnt:4.0 SP6a");
  CHECK(words(detail::parse_versions("winnt:4.0,4.0 SP1,4.0 SP2")) ==
        "winnt:4.0|winnt:4.0 SP1|winnt:4.0 SP2");
}

}  // namespace
}  // namespace kbtriage

namespace kbtriage {

TEST_CASE("a phrase set finds each group's phrases anywhere, or only where a word starts", "[parser]") {
  constexpr std::string_view kErrors[] = {"error message", "fails"};
  constexpr std::string_view kFixes[] = {" fix", "to resolve"};
  detail::PhraseSet anywhere(detail::PhraseSet::At::kAnywhere);
  anywhere.add(kErrors, 0);
  anywhere.add(kFixes, 3);
  CHECK(anywhere.find("you receive an error message") == 0b0001);
  CHECK(anywhere.find("to resolve this, setup fails") == 0b1001);
  CHECK(anywhere.find("it refails") == 0b0001);  // a substring, like find()
  CHECK(anywhere.find("a quick fix") == 0b1000);
  CHECK(anywhere.find("the prefix matters") == 0);  // " fix" with its space
  CHECK(anywhere.find("nothing here") == 0);
  CHECK(anywhere.find("") == 0);
  CHECK(anywhere.find("f") == 0);

  detail::PhraseSet words(detail::PhraseSet::At::kWordStart);
  words.add(kErrors, 0);
  words.add(kFixes, 3);
  CHECK(words.find("it fails") == 0b0001);
  CHECK(words.find("it refails") == 0);          // inside a word
  CHECK(words.find("fix it, then it fails") == 0b1001);  // the leading space only says "a word start"
  CHECK(words.find("the prefix matters") == 0);

  // Phrases sharing their first four bytes, short phrases, and phrases the
  // text ends inside of.
  constexpr std::string_view kSame[] = {"to remedy", "to resolve it", "to r", "to"};
  constexpr std::string_view kShort[] = {"ok", "abc"};
  detail::PhraseSet heads(detail::PhraseSet::At::kWordStart);
  heads.add(kSame, 1);
  heads.add(kShort, 2);
  CHECK(heads.find("how to resolve it") == 0b010);
  CHECK(heads.find("how to resolve") == 0b010);  // "to r" and "to"
  CHECK(heads.find("tomorrow") == 0b010);  // a phrase starts a word; it need not end one
  CHECK(heads.find("atom") == 0);
  CHECK(heads.find("it is ok") == 0b100);
  CHECK(heads.find("abc") == 0b100);
  CHECK(heads.find("ab") == 0);
  CHECK(heads.find("xab") == 0);
  CHECK(heads.find("ok to") == 0b110);
  detail::PhraseSet tail(detail::PhraseSet::At::kAnywhere);
  constexpr std::string_view kLong[] = {"to remedy"};
  tail.add(kLong, 4);
  CHECK(tail.find("how to remed") == 0);  // the text ends inside the phrase
  CHECK(tail.find("how to remedy") == 0b10000);
  CHECK(tail.find("xto remedyx") == 0b10000);
}

}  // namespace kbtriage
