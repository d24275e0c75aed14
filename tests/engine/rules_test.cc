// The rule language without a store: reading rule files, every diagnostic
// of `rules check` (asserted word for word), version ranges.
#include <catch2/catch.hpp>

#include "kbtriage/rules.h"

using namespace kbtriage;

namespace {

std::vector<std::string> diagnose(const std::string& xml, const ArticleExists& exists = {}) {
  RuleSet set;
  std::vector<RuleDiagnostic> d;
  parse_rule_file(xml, "r.xml", set, d);
  check_rule_set(set, exists, d);
  std::vector<std::string> out;
  for (const RuleDiagnostic& x : d) out.push_back(x.str());
  return out;
}

// One rule around `when`, concluding Q1; facts f and g declared.
std::string rule(const std::string& when, const std::string& then = "<article id=\"Q1\"/>") {
  return "<rules>\n<fact name=\"f\"/>\n<fact name=\"g\"/>\n<rule id=\"r\">\n<when>\n" + when + "\n</when>\n<then>" + then +
         "</then>\n</rule>\n</rules>\n";
}

}  // namespace

TEST_CASE("a sound rule file reads into rules with every condition kind", "[rules]") {
  const std::string xml = R"(<?xml version="1.0"?>
<rules>
  <fact name="ost" description="an old OST"/>
  <rule id="a" salience="7">
    <description>  two
      lines </description>
    <when>
      <message literal="Access is denied"/>
      <any>
        <message template="Synchronizing Mailbox '{name}'"/>
        <message regex="sync(hroni[sz]ing)? error" case="sensitive"/>
      </any>
      <not><code value="-2147467259"/></not>
      <product name="Outlook"/>
      <version range="&gt;=5.0 &lt;5.5"/>
      <os name="Windows NT"/>
    </when>
    <then><assert fact="ost"/><article id="Q198657" confidence="0.95"/></then>
  </rule>
  <rule id="b"><when><fact name="ost"/></when><then><article id="Q1"/></then></rule>
</rules>)";
  RuleSet set;
  std::vector<RuleDiagnostic> d;
  parse_rule_file(xml, "x.xml", set, d);
  check_rule_set(set, {}, d);
  REQUIRE(d.empty());
  REQUIRE(set.rules.size() == 2);
  const Rule& a = set.rules[0];
  CHECK(a.id == "a");
  CHECK(a.salience == 7);
  CHECK(a.line == 4);
  CHECK(a.description == "two lines");
  REQUIRE(a.when.children.size() == 6);
  CHECK(a.when.children[0].describe() == "message literal \"Access is denied\"");
  CHECK(a.when.children[1].children[0].text == "Synchronizing Mailbox '<name>'");
  CHECK(a.when.children[1].children[1].case_sensitive);
  CHECK(a.when.children[2].children[0].text == "0x80004005");  // the canonical form
  CHECK(a.when.children[4].range.contains("5.0"));
  CHECK_FALSE(a.when.children[4].range.contains("5.5"));
  CHECK(a.conclusions[0].article == "Q198657");
  CHECK(a.conclusions[0].confidence == Approx(0.95));
  CHECK(a.asserts == std::vector<std::string>{"ost"});
  CHECK(set.rules[1].conclusions[0].confidence == Approx(0.8));  // the default
}

TEST_CASE("codes in rules are read in every notation", "[rules]") {
  for (const char* v : {"0x80004005", "80004005", "-2147467259"}) {
    RuleSet set;
    std::vector<RuleDiagnostic> d;
    parse_rule_file(rule("<code value=\"" + std::string(v) + "\"/>"), "r.xml", set, d);
    REQUIRE(d.empty());
    CHECK(set.rules[0].when.children[0].text == "0x80004005");
  }
  for (auto [v, canonical] : {std::pair{"EVENT 1001", "EVENT 1001"}, std::pair{"Event ID 1001", "EVENT 1001"},
                              std::pair{"ERR 1067", "ERR 1067"}, std::pair{"1067", "ERR 1067"},
                              std::pair{"STOP 0xA", "STOP 0x0000000A"}}) {
    RuleSet set;
    std::vector<RuleDiagnostic> d;
    parse_rule_file(rule("<code value=\"" + std::string(v) + "\"/>"), "r.xml", set, d);
    REQUIRE(d.empty());
    CHECK(set.rules[0].when.children[0].text == canonical);
  }
}

TEST_CASE("rules check reports each problem as FILE:LINE: message", "[rules]") {
  struct Case {
    std::string xml;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"<rules><rule id=\"r\">", {"r.xml:1: not well-formed XML: Start-end tags mismatch"}},
      {"<ruleset/>", {"r.xml:1: the root element is <ruleset>, expected <rules>"}},
      {"<rules>\n<rul id=\"x\"/>\n</rules>", {"r.xml:2: unknown element <rul> in <rules> (expected <rule> or <fact>)"}},
      {rule("<message literal=\"a b\" regex=\"c\"/>"), {"r.xml:6: <message> needs exactly one of literal, template or regex"}},
      {rule("<message regex=\"(unclosed\"/>"), {"r.xml:6: bad regex \"(unclosed\": Missing close parenthesis for group started at index 0."}},
      {rule("<message regex=\"a|\"/>"), {"r.xml:6: bad regex \"a|\": it matches the empty string, so it would match every line"}},
      {rule("<message regex=\"(a)\\1\"/>"), {"r.xml:6: bad regex \"(a)\\1\": Back-references are unsupported."}},
      {rule("<message literal=\"x\"/><version range=\"&gt;=5.5 &lt;5.0\"/>"),
       {"r.xml:6: version range \">=5.5 <5.0\" holds for no version: the rule can never fire"}},
      {rule("<message literal=\"x\"/><version range=\"&gt;=five\"/>"),
       {"r.xml:6: version range \">=five\": expected a version such as 5.5 after >=, found \"five\""}},
      {rule("<code value=\"hello\"/>"), {"r.xml:6: no error code in \"hello\""}},
      {rule("<fact name=\"nobody\"/>"),
       {"r.xml:6: unknown fact \"nobody\" (declare it with <fact name=\"nobody\"/>)"}},
      {rule("<message literal=\"x\"/>", "<assert fact=\"h\"/>"),
       {"r.xml:4: rule \"r\" asserts unknown fact \"h\" (declare it with <fact name=\"h\"/>)"}},
      {rule("<fact name=\"f\"/>"), {"r.xml:6: rule \"r\" can never fire: no rule that can fire asserts fact \"f\""}},
      {rule("<code value=\"0x80004005\"/><not><code value=\"80004005\"/></not>"),
       {"r.xml:6: rule \"r\" can never fire: it requires code \"0x80004005\" and its negation"}},
      {rule("<product name=\"Outlook\"/>"),
       {"r.xml:4: rule \"r\" has no message, code or fact condition outside <not>: it would fire on any input"}},
      {rule("<not></not>"), {"r.xml:6: <not> takes exactly one condition, found 0"}},
      {rule("<any/>"), {"r.xml:6: <any> has no condition"}},
      {rule("<message literal=\"x\"/>", ""), {"r.xml:8: <then> names no <article> and asserts no fact"}},
      {rule("<message literal=\"x\"/>", "<article id=\"Q1\" confidence=\"1.5\"/>"),
       {"r.xml:8: confidence \"1.5\" is not a number in (0, 1]"}},
      {rule("<message litteral=\"x\"/>"), {"r.xml:6: unknown attribute litteral on <message>"}},
      {rule("<mesage literal=\"x\"/>"),
       {"r.xml:6: unknown condition <mesage> (expected all, any, not, message, code, product, version, os or fact)"}},
      {"<rules>\n<rule id=\"a\"><when><message literal=\"x\"/></when><then><article id=\"Q1\"/></then></rule>\n"
       "<rule id=\"a\"><when><message literal=\"y\"/></when><then><article id=\"Q1\"/></then></rule>\n</rules>",
       {"r.xml:3: duplicate rule id \"a\" (first at r.xml:2)"}},
      {"<rules>\n<fact name=\"f\"/>\n<fact name=\"f\"/>\n</rules>", {"r.xml:3: fact \"f\" is declared twice (first at r.xml:2)"}},
      {"<rules>\n<rule id=\"r\"><then><article id=\"Q1\"/></then></rule>\n</rules>", {"r.xml:2: rule \"r\" has no <when>"}},
  };
  for (const Case& c : cases) {
    INFO(c.xml);
    CHECK(diagnose(c.xml) == c.expected);
  }
}

TEST_CASE("rules check names articles the store does not have", "[rules]") {
  ArticleExists exists = [](std::string_view id) { return id == "Q1"; };
  CHECK(diagnose(rule("<message literal=\"x\"/>", "<article id=\"Q2\"/>"), exists) ==
        std::vector<std::string>{"r.xml:4: rule \"r\" names unknown article \"Q2\""});
  CHECK(diagnose(rule("<message literal=\"x\"/>", "<article id=\"Q1\"/>"), exists).empty());
}

TEST_CASE("a fact cycle with no way in can never fire, and with a way in it can", "[rules]") {
  const std::string cycle =
      "<rules>\n<fact name=\"f\"/>\n<fact name=\"g\"/>\n"
      "<rule id=\"a\"><when><fact name=\"f\"/></when><then><assert fact=\"g\"/></then></rule>\n"
      "<rule id=\"b\"><when><fact name=\"g\"/></when><then><assert fact=\"f\"/></then></rule>\n</rules>";
  CHECK(diagnose(cycle) == std::vector<std::string>{
                               "r.xml:4: rule \"a\" can never fire: no rule that can fire asserts fact \"f\"",
                               "r.xml:5: rule \"b\" can never fire: no rule that can fire asserts fact \"g\""});
  std::string entered = cycle;
  entered.insert(entered.rfind("</rules>"),
                 "<rule id=\"c\"><when><message literal=\"x\"/></when><then><assert fact=\"f\"/></then></rule>\n");
  CHECK(diagnose(entered).empty());
}

TEST_CASE("version ranges", "[rules]") {
  std::string error;
  auto range = [&](std::string_view text) {
    std::optional<VersionRange> r = VersionRange::parse(text, &error);
    REQUIRE(r);
    return *r;
  };
  VersionRange r = range(">=5.0 <5.5");
  CHECK(r.contains("5.0"));
  CHECK(r.contains("5.0 SP2"));
  CHECK(r.contains("winnt:5.0"));
  CHECK_FALSE(r.contains("5.5"));
  CHECK_FALSE(r.contains("4.0"));
  CHECK_FALSE(r.contains("six"));
  CHECK(range("5").contains("5.5"));  // =5 compares the major version only
  CHECK(range("=5.5").contains("5.5"));
  CHECK_FALSE(range("=5.5").contains("5.0"));
  CHECK(range(">= 97").contains("2000"));
  CHECK(range("<=4.0").contains("4"));
  CHECK(range(">=4.0 <4.1").contains("4.0.1"));
  CHECK(range(">4").contains("5.0"));
  CHECK_FALSE(range(">4").contains("4.5"));  // >4 is a major version above 4
  CHECK(range(">4 <4.1").is_empty());
  CHECK(range(">=5.5 <5.0").is_empty());
  CHECK(range(">5 <5").is_empty());
  CHECK(range("=5 =6").is_empty());
  CHECK_FALSE(range(">=5 <=5").is_empty());
  CHECK_FALSE(VersionRange::parse("", &error));
  CHECK_FALSE(VersionRange::parse(">=", &error));
  CHECK_FALSE(VersionRange::parse("5..5", &error));
  CHECK(parse_version("Outlook 98") == std::vector<int>{98});
  CHECK(parse_version("4.0 SP6a") == std::vector<int>{4, 0});
  CHECK(parse_version("none").empty());
}

TEST_CASE("the shipped rule files are sound", "[rules]") {
  std::vector<RuleDiagnostic> d;
  RuleSet set = load_rule_files({std::string(KBTRIAGE_SOURCE_DIR) + "/rules"}, {}, d);
  for (const RuleDiagnostic& x : d) INFO(x.str());
  CHECK(d.empty());
  CHECK(set.rules.size() >= 10);
}

TEST_CASE("an unreadable rule file is a diagnostic", "[rules]") {
  std::vector<RuleDiagnostic> d;
  load_rule_files({"/nonexistent/rules.xml"}, {}, d);
  REQUIRE(d.size() == 1);
  CHECK(d[0].str() == "/nonexistent/rules.xml:0: cannot read");
}
