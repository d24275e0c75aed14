// The Matcher over a store of the bundled corpus: derived and hand-written
// rules, each condition kind, chaining, salience, context, evidence and "why
// not", the golden cases of each shipped rule file, random input, and rules
// swapped while matches run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "kbtriage/error.h"
#include "kbtriage/indexer.h"
#include "kbtriage/match.h"
#include "kbtriage/store.h"
#include "../test_util.h"

using namespace kbtriage;
using kbtriage::test::TempDir;
using kbtriage::test::corpus_store;

namespace {

std::string rules_dir() { return test::source_dir() + "/rules"; }

const Matcher& shipped() {
  static Matcher m(corpus_store(), MatcherConfig{{rules_dir()}, true, {}});
  return m;
}

// A Matcher with one rule file holding `rules_xml` (facts f, g, h declared).
struct Fixture {
  TempDir dir;
  std::unique_ptr<Matcher> matcher;
  explicit Fixture(const std::string& rules_xml, bool derived = false) {
    test::write_file(dir / "r.xml", "<rules>\n<fact name=\"f\"/><fact name=\"g\"/><fact name=\"h\"/>\n" + rules_xml + "</rules>\n");
    matcher = std::make_unique<Matcher>(corpus_store(), MatcherConfig{{dir / "r.xml"}, derived, {}});
  }
};

std::string rule(const std::string& id, const std::string& when, const std::string& then, int salience = 0) {
  return "<rule id=\"" + id + "\" salience=\"" + std::to_string(salience) + "\"><when>" + when + "</when><then>" + then +
         "</then></rule>\n";
}

bool names(const MatchResult& r, std::string_view id) {
  return std::any_of(r.hits.begin(), r.hits.end(), [&](const MatchHit& h) { return h.id == id && h.confidence > 0; });
}

const MatchHit* hit(const MatchResult& r, std::string_view id) {
  for (const MatchHit& h : r.hits) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

bool fired(const MatchResult& r, std::string_view rule) {
  for (const MatchHit& h : r.hits) {
    for (const Evidence& e : h.evidence) {
      if (e.rule == rule) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("the seed's error text gives the seed first, with cause, resolution and evidence", "[match]") {
  MatchResult r = shipped().match("Background Synchronization Error. See detailed logs in Deleted Items folder.\n");
  REQUIRE_FALSE(r.hits.empty());
  const MatchHit& h = r.hits[0];
  CHECK(h.id == "Q198657");
  CHECK(h.confidence > 0.9);
  REQUIRE(h.cause);
  CHECK(h.cause->text.find("Move Server") != std::string::npos);
  CHECK(h.cause->text.find("OST") != std::string::npos);
  REQUIRE(h.resolution);
  CHECK(h.resolution->text.find("delete") != std::string::npos);
  REQUIRE_FALSE(h.evidence.empty());
  CHECK(h.evidence[0].line == 1);
  CHECK(h.evidence[0].text.starts_with("Background Synchronization Error"));
  CHECK(fired(r, "Q198657/message-1"));
  CHECK(fired(r, "exchange.stale-ost.background-sync"));
  CHECK(r.facts == std::vector<std::string>{"stale-ost"});
  REQUIRE(r.why_not);
  CHECK(r.why_not->id == r.hits[1].id);
  CHECK_FALSE(r.why_not->reason.empty());
}

TEST_CASE("a NUL in the input reads as a space", "[match]") {
  std::string text = "Background Synchronization Error. See detailed logs in Deleted Items folder.\n";
  std::replace(text.begin(), text.end(), ' ', '\0');
  MatchResult r = shipped().match(text);
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q198657");
  REQUIRE_FALSE(r.hits[0].evidence.empty());
  CHECK(r.hits[0].evidence[0].text.starts_with("Background Synchronization Error. See"));
}

TEST_CASE("a message buried in a log is found on its line", "[match]") {
  std::string log;
  for (int i = 0; i < 40; ++i) log += "2026-11-24 10:00:" + std::to_string(10 + i) + " INFO worker " + std::to_string(i) + " idle\n";
  log += "2026-11-24 10:01:00 ERROR Background Synchronization Error. See detailed logs in Deleted Items folder.\n";
  for (int i = 0; i < 10; ++i) log += "2026-11-24 10:02:" + std::to_string(10 + i) + " INFO heartbeat ok\n";
  MatchResult r = shipped().match(log);
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q198657");
  CHECK(r.lines == 51);
  REQUIRE_FALSE(r.hits[0].evidence.empty());
  CHECK(r.hits[0].evidence[0].line == 41);
}

TEST_CASE("a log's line repeated with other numbers is the same evidence, shown at its first line", "[match]") {
  std::string log;
  for (int i = 0; i < 300; ++i) {
    log += "2026-11-24 10:" + std::to_string(10 + i % 50) + ":" + std::to_string(10 + i % 40) + " INFO worker " +
           std::to_string(i) + " idle\n";
    if (i % 100 == 7) {
      log += "2026-11-24 10:01:" + std::to_string(i % 60) + " ERROR Background Synchronization Error. See detailed logs "
             "in Deleted Items folder.\n";
    }
  }
  MatchResult r = shipped().match(log);
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q198657");
  REQUIRE_FALSE(r.hits[0].evidence.empty());
  CHECK(r.hits[0].evidence[0].line == 9);  // the first of its three lines
  CHECK(r.hits[0].evidence[0].degree == Approx(1.0));
  // A line repeated, the message wrapped from it only at the repeat: found
  // there, with the lines it is on.
  {
    std::string rep;
    for (int i = 0; i < 60; ++i) {
      if (i == 3 || i == 40) rep += "10:00:" + std::to_string(10 + i) + " Background Synchronization Error. See detailed\n";
      else if (i == 41) rep += "logs in Deleted Items folder.\n";
      else rep += "10:00:" + std::to_string(10 + i) + " worker " + std::to_string(i) + " idle\n";
    }
    MatchResult m = shipped().match(rep);
    REQUIRE_FALSE(m.hits.empty());
    CHECK(m.hits[0].id == "Q198657");
    const Evidence* wrapped = nullptr;
    for (const Evidence& e : m.hits[0].evidence) {
      if (e.rule == "Q198657/message-1" && e.line == 42) wrapped = &e;
    }
    REQUIRE(wrapped);
    CHECK(wrapped->degree == Approx(1.0));
  }
  // A message wrapped over two lines of a long input is still found whole.
  std::string wrapped = log.substr(0, 2000) + "Background Synchronization Error. See detailed\nlogs in Deleted Items folder.\n";
  MatchResult w = shipped().match(wrapped);
  REQUIRE_FALSE(w.hits.empty());
  CHECK(w.hits[0].id == "Q198657");
}

TEST_CASE("a code on a line repeated with other numbers is read at its own line", "[match]") {
  // The lines differ only in a number, as a log's do, but the last number
  // is a code: 2147500037 is 0x80004005, and "Event ID" 1120 an event.
  auto code_line = [](const MatchResult& r, std::string_view article) -> int {
    for (const MatchHit& h : r.hits) {
      for (const Evidence& e : h.evidence) {
        if (h.id == article && e.rule.find("/code-") != std::string::npos) return static_cast<int>(e.line);
      }
    }
    return -1;
  };
  std::string log;
  for (int i = 0; i < 30; ++i) log += "10:00:" + std::to_string(10 + i) + " task " + std::to_string(i) + " returned " + std::to_string(1000 + i) + "\n";
  log += "10:01:00 task 7 returned 2147500037\n";
  CHECK(code_line(shipped().match(log), "Q900014") == 31);
  std::string events;
  for (int i = 0; i < 30; ++i) events += "Source: Service Control Manager\nEvent ID:\t" + std::to_string(3 + i) + "\n";
  events += "Source: Service Control Manager\nEvent ID:\t1120\n";
  CHECK(code_line(shipped().match(events), "Q900030") == 62);
}

TEST_CASE("a message and codes under stamps of other widths are read once, and shown at their first line", "[match]") {
  // The stamps' digits vary in width, as a renumbered log's do: each line
  // a new skeleton, keyed as its stamp and its message.
  std::string log;
  size_t lines = 0;
  auto add = [&](const std::string& l) {
    log += l + "\n";
    return ++lines;
  };
  for (int i = 0; i < 20; ++i) add(std::string(i % 2 ? "1:0:" : "10:00:") + std::to_string(10 + i) + " worker " + std::to_string(i) + " idle");
  const size_t message = add("2026-11-24 10:01:00 Background Synchronization Error. See detailed logs in Deleted Items folder.");
  add("7-1-2 1:1 Background Synchronization Error. See detailed logs in Deleted Items folder.");
  const size_t in_stamp = add("2147500037 10:01:02 task returned");  // 0x80004005, in the stamp
  add("2147500037 1:1 task returned");
  const size_t in_message = add("10:01:03 Event ID: 1120");  // in the message
  add("1:1:3 Event ID: 1120");
  add("1:1:3 task 7 returned 2147500037");  // the stamp's code again, in a message
  const MatchResult r = shipped().match(log);
  // The line of `article`'s evidence of this kind whose condition names `what`.
  auto evidence_line = [&](std::string_view article, std::string_view kind, std::string_view what) -> size_t {
    for (const MatchHit& h : r.hits) {
      for (const Evidence& e : h.evidence) {
        if (h.id == article && e.rule.find(kind) != std::string::npos && e.pattern.find(what) != std::string::npos) {
          return e.line;
        }
      }
    }
    return 0;
  };
  CHECK(evidence_line("Q198657", "/message-", "") == message);
  CHECK(evidence_line("Q900014", "/code-", "0x80004005") == in_stamp);
  CHECK(evidence_line("Q900030", "/code-", "1120") == in_message);
}

TEST_CASE("derived rules: a message with typos and another user name, and a code in another notation", "[match]") {
  // The article quotes "Synchronizing Mailbox 'testuser'" style lines; a typo costs a little.
  MatchResult r = shipped().match("Backgrond Synchronization Error. See detailed logs in Deleted Items folder.");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q198657");
  CHECK(r.hits[0].evidence[0].degree < 1.0);
  CHECK(r.hits[0].evidence[0].degree > 0.8);

  MatchResult c = shipped().match("Run-time error -2147467259 (80004005)");
  CHECK(fired(c, "Q900014/code-1"));
}

TEST_CASE("each condition kind", "[match]") {
  Fixture f(rule("lit", "<message literal=\"xyzzy   plugh\"/>", "<article id=\"Q900012\"/>") +
            rule("tpl", "<message template=\"Cannot open file {file} for user {name}\"/>", "<article id=\"Q900020\"/>") +
            rule("rx", "<message regex=\"^frob[0-9]+ failed$\"/>", "<article id=\"Q900021\"/>") +
            rule("code", "<code value=\"0x80004005\"/>", "<article id=\"Q900003\"/>") +
            rule("ctx", "<message literal=\"quux\"/><product name=\"SQL Server\"/><version range=\"&gt;=7 &lt;8\"/><os name=\"Windows NT\"/>",
                 "<article id=\"Q900032\" confidence=\"0.9\"/>"));
  const Matcher& m = *f.matcher;
  CHECK(names(m.match("a XYZZY plugh b"), "Q900012"));  // any case, any whitespace
  CHECK_FALSE(names(m.match("xyzzy-plugh"), "Q900012"));
  CHECK(names(m.match("Cannot open file C:\\data\\a.txt for user 'jsmith'"), "Q900020"));
  CHECK_FALSE(names(m.match("Cannot open file a.txt"), "Q900020"));
  CHECK(names(m.match("FROB12 failed"), "Q900021"));
  CHECK_FALSE(names(m.match("frob12 failed twice"), "Q900021"));
  CHECK(names(m.match("something -2147467259 happened"), "Q900003"));
  CHECK_FALSE(names(m.match("something 0x80004006 happened"), "Q900003"));

  MatchOptions all;
  all.product = "Microsoft SQL Server";
  all.version = "7.0";
  all.os = "Windows NT 4.0";
  MatchResult yes = m.match("quux", all);
  REQUIRE(hit(yes, "Q900032"));
  CHECK(hit(yes, "Q900032")->confidence == Approx(0.9));
  CHECK(hit(yes, "Q900032")->context.empty());

  // Context not given: the rule may apply, at a lower confidence, and says so.
  MatchResult unknown = m.match("quux");
  REQUIRE(hit(unknown, "Q900032"));
  CHECK(hit(unknown, "Q900032")->confidence == Approx(0.9 * 0.6));
  CHECK_FALSE(hit(unknown, "Q900032")->context.empty());

  // A restriction written as <not> holds unless the context contradicts it.
  Fixture g(rule("restricted", "<message literal=\"quux\"/><not><product name=\"Outlook Express\"/></not>",
                 "<article id=\"Q900012\" confidence=\"0.9\"/>"));
  REQUIRE(hit(g.matcher->match("quux"), "Q900012"));
  CHECK(hit(g.matcher->match("quux"), "Q900012")->confidence == Approx(0.9));
  MatchOptions express;
  express.product = "Microsoft Outlook Express 5";
  CHECK_FALSE(names(g.matcher->match("quux", express), "Q900012"));

  for (auto [field, value] : {std::pair{&MatchOptions::product, "Access"}, std::pair{&MatchOptions::version, "6.5"},
                              std::pair{&MatchOptions::os, "Windows 95"}}) {
    MatchOptions wrong = all;
    wrong.*field = value;
    INFO(value);
    CHECK_FALSE(names(m.match("quux", wrong), "Q900032"));
  }
}

TEST_CASE("facts chain rules until nothing new fires, and cycles end", "[match]") {
  Fixture f(rule("a", "<message literal=\"alpha\"/>", "<assert fact=\"f\"/>") +
            rule("b", "<fact name=\"f\"/>", "<assert fact=\"g\"/>") +
            rule("c", "<fact name=\"g\"/>", "<assert fact=\"f\"/><article id=\"Q900012\"/>") +
            rule("d", "<all><fact name=\"f\"/><fact name=\"g\"/></all>", "<article id=\"Q900020\"/>"));
  MatchResult r = f.matcher->match("alpha");
  CHECK(std::set<std::string>(r.facts.begin(), r.facts.end()) == std::set<std::string>{"f", "g"});
  CHECK(names(r, "Q900012"));
  CHECK(names(r, "Q900020"));
  CHECK(r.rules_fired == 4);  // each rule once, though c re-asserts f
  MatchResult none = f.matcher->match("beta");
  CHECK(none.facts.empty());
  CHECK_FALSE(names(none, "Q900012"));
}

TEST_CASE("salience orders firing: a higher rule's fact can stop a lower one", "[match]") {
  const std::string first = rule("specific", "<message literal=\"gamma delta\"/>", "<assert fact=\"h\"/><article id=\"Q900012\"/>", 10);
  const std::string general = rule("general", "<message literal=\"gamma\"/><not><fact name=\"h\"/></not>", "<article id=\"Q900020\"/>", 1);
  {
    Fixture f(first + general);
    MatchResult r = f.matcher->match("gamma delta");
    CHECK(names(r, "Q900012"));
    CHECK_FALSE(names(r, "Q900020"));
    CHECK(names(f.matcher->match("gamma"), "Q900020"));
  }
  {
    // With the salience the other way round, the general rule fires first.
    std::string swapped = first, low = general;
    swapped.replace(swapped.find("salience=\"10\""), 13, "salience=\"0\"");
    low.replace(low.find("salience=\"1\""), 12, "salience=\"5\"");
    Fixture f(swapped + low);
    MatchResult r = f.matcher->match("gamma delta");
    CHECK(names(r, "Q900012"));
    CHECK(names(r, "Q900020"));
  }
}

TEST_CASE("hand-written rules outrank derived ones and text similarity, and context contradicting an article lowers it", "[match]") {
  const std::string proxy =
      "Could not start the World Wide Web Publishing Service service on \\\\PROXY01.\n"
      "Error 1067: The process terminated unexpectedly.";
  const std::string sql = "Could not start the MSSQLServer service on Local Computer.\nError 1067: The process terminated unexpectedly.";
  CHECK(shipped().match(proxy).hits.at(0).id == "Q900006");
  MatchResult r = shipped().match(sql);
  CHECK(r.hits.at(0).id == "Q900032");
  CHECK(fired(r, "services.1067.sql-master-moved"));
  REQUIRE(r.why_not);
  CHECK(r.why_not->id == "Q900006");

  MatchOptions o;
  o.product = "SQL Server";
  MatchResult plain = shipped().match("Error 1067: The process terminated unexpectedly.");
  MatchResult ctx = shipped().match("Error 1067: The process terminated unexpectedly.", o);
  const MatchHit* before = hit(plain, "Q900006");
  const MatchHit* after = hit(ctx, "Q900006");
  REQUIRE(before);
  REQUIRE(after);
  CHECK(after->score < before->score);
  REQUIRE_FALSE(after->context.empty());
  CHECK(after->context[0] == "product SQL Server given, the article is about Microsoft Proxy Server");
}

TEST_CASE("golden cases of each shipped rule file", "[match][golden]") {
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(rules_dir())) {
    if (e.path().extension() != ".xml") continue;
    ++files;
    const std::string golden = test::source_dir() + "/tests/golden/match/" + e.path().stem().string() + ".jsonl";
    INFO("rule file " << e.path() << ", golden " << golden);
    REQUIRE(fs::exists(golden));
    size_t cases = 0;
    std::set<std::string> rules_seen;
    std::istringstream in(test::read_file(golden));
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      ++cases;
      nlohmann::json c = nlohmann::json::parse(line);
      MatchOptions o;
      o.product = c.value("product", "");
      o.version = c.value("version", "");
      o.os = c.value("os", "");
      MatchResult r = shipped().match(c["input"].get<std::string>(), o);
      INFO(c.dump());
      REQUIRE_FALSE(r.hits.empty());
      CHECK(r.hits[0].id == c["top"].get<std::string>());
      for (const auto& want : c.value("rules", nlohmann::json::array())) {
        CHECK(fired(r, want.get<std::string>()));
        rules_seen.insert(want.get<std::string>());
      }
      for (const auto& not_want : c.value("not_rules", nlohmann::json::array())) {
        CHECK_FALSE(fired(r, not_want.get<std::string>()));
      }
      std::set<std::string> facts(r.facts.begin(), r.facts.end());
      for (const auto& fact : c.value("facts", nlohmann::json::array())) CHECK(facts.count(fact.get<std::string>()));
    }
    // Every rule of the file that names an article is shown firing by a case.
    std::vector<RuleDiagnostic> d;
    RuleSet set = load_rule_files({e.path().string()}, {}, d);
    for (const Rule& rl : set.rules) {
      if (!rl.conclusions.empty()) CHECK(rules_seen.count(rl.id));
    }
    CHECK(cases >= 3);
  }
  CHECK(files >= 3);
}

TEST_CASE("a long log read ahead on a second thread gives the result it gives on one", "[match][property]") {
  // Thousands of lines (read ahead from 4,096): log noise with numbers, a
  // message whole and wrapped over two lines, repeated with other numbers
  // and neighbours, codes and events, in a random order.
  std::mt19937 rng(20261125);
  auto num = [&](int lo, int hi) { return std::to_string(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  std::string log;
  size_t lines = 0, first_whole = 0, first_wrapped = 0;
  while (lines < 12000) {
    const std::string t = "2026-11-" + num(10, 28) + " 10:" + num(10, 59) + ":" + num(10, 59) + " ";
    switch (std::uniform_int_distribution<int>(0, 40)(rng)) {
      case 0:
        log += t + "ERROR Background Synchronization Error. See detailed logs in Deleted Items folder.\n";
        if (first_whole == 0) first_whole = lines + 1;
        break;
      case 1:
        log += t + "Background Synchronization Error. See detailed\nlogs in Deleted Items folder.\n", ++lines;
        if (first_wrapped == 0) first_wrapped = lines;
        break;
      case 2: log += t + "task " + num(1, 99) + " returned " + (num(0, 3) == "0" ? "2147500037" : num(1000, 9999)) + "\n"; break;
      case 3: log += "Event ID:\t" + (num(0, 3) == "0" ? std::string("1120") : num(1, 2000)) + "\n"; break;
      case 4: log += t + "Copying report" + num(1, 9) + ".doc to C:\\Temp\\" + num(100, 999) + "\n"; break;
      default: log += t + "INFO worker " + num(1, 500) + " idle on WEB" + num(1, 9) + "\n"; break;
    }
    ++lines;
  }
  MatchOptions ahead, here;
  here.read_ahead = false;
  const MatchResult a = shipped().match(log, ahead), b = shipped().match(log, here);
  CHECK(a.lines == lines);
  REQUIRE_FALSE(a.hits.empty());
  CHECK(a.hits[0].id == "Q198657");
  REQUIRE_FALSE(a.hits[0].evidence.empty());
  CHECK(a.hits[0].evidence[0].line == std::min(first_whole, first_wrapped));
  CHECK(a.facts == b.facts);
  REQUIRE(a.hits.size() == b.hits.size());
  for (size_t i = 0; i < a.hits.size(); ++i) {
    INFO(a.hits[i].id);
    CHECK(a.hits[i].id == b.hits[i].id);
    CHECK(a.hits[i].score == b.hits[i].score);
    CHECK(a.hits[i].confidence == b.hits[i].confidence);
    REQUIRE(a.hits[i].evidence.size() == b.hits[i].evidence.size());
    for (size_t e = 0; e < a.hits[i].evidence.size(); ++e) {
      CHECK(a.hits[i].evidence[e].line == b.hits[i].evidence[e].line);
      CHECK(a.hits[i].evidence[e].rule == b.hits[i].evidence[e].rule);
      CHECK(a.hits[i].evidence[e].degree == b.hits[i].evidence[e].degree);
    }
  }
  // Codes and events read ahead are found too.
  CHECK(names(a, "Q900014"));
  CHECK(names(a, "Q900030"));
}

TEST_CASE("random input never throws, and the same input gives the same result", "[match][property]") {
  std::mt19937 rng(Catch::rngSeed());
  const std::vector<std::string> pieces = {"Error", "0x80004005", "STOP 0xA", "Background", "Synchronization",
                                           "\\\\server\\share", "'jsmith'", "C:\\x.dll", "<#>", "{", "}", "\"",
                                           "Event ID: 1001", "\t", "(", "[", "*", "?", "\xff\xfe", "é", "\n"};
  for (int i = 0; i < 300; ++i) {
    std::string text = i % 3 == 0 ? test::random_text(rng, "abc XYZ:'\"\\/.-0123456789\n\t<>", 200, 7) : "";
    std::uniform_int_distribution<size_t> n(1, 30), pick(0, pieces.size() - 1);
    for (size_t k = n(rng); k > 0; --k) text += pieces[pick(rng)] + " ";
    MatchResult a, b;
    REQUIRE_NOTHROW(a = shipped().match(text));
    REQUIRE_NOTHROW(b = shipped().match(text));
    REQUIRE(a.hits.size() == b.hits.size());
    for (size_t j = 0; j < a.hits.size(); ++j) {
      CHECK(a.hits[j].id == b.hits[j].id);
      CHECK(a.hits[j].score == b.hits[j].score);
    }
  }
  CHECK_NOTHROW(shipped().match(""));
  CHECK_NOTHROW(shipped().match(std::string(1, '\0') + "Error 1067"));
}

TEST_CASE("rules reload while matches run: each match sees the old set or the new one", "[match][reload]") {
  TempDir dir;
  const std::string a = "<rules>" + rule("x", "<message literal=\"xyzzy\"/>", "<article id=\"Q900012\" confidence=\"1\"/>") + "</rules>";
  const std::string b = "<rules>" + rule("x", "<message literal=\"xyzzy\"/>", "<article id=\"Q900020\" confidence=\"1\"/>") + "</rules>";
  test::write_file(dir / "r.xml", a);
  Matcher m(corpus_store(), MatcherConfig{{dir / "r.xml"}, false, {}});
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, seen_a{0}, seen_b{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!stop) {
        MatchResult r = m.match("xyzzy");
        const bool has_a = names(r, "Q900012"), has_b = names(r, "Q900020");
        if (has_a == has_b) ++bad;
        (has_a ? seen_a : seen_b)++;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    test::write_file(dir / "r.xml", i % 2 ? a : b);
    CHECK(m.reload().empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // A broken file is refused; the set in use stays.
  test::write_file(dir / "r.xml", "<rules><rule id=\"x\">");
  std::vector<RuleDiagnostic> d = m.reload();
  REQUIRE(d.size() == 1);
  CHECK(d[0].message.starts_with("not well-formed XML"));
  stop = true;
  for (std::thread& t : threads) t.join();
  CHECK(bad == 0);
  CHECK(seen_a > 0);
  CHECK(seen_b > 0);
  CHECK(names(m.match("xyzzy"), "Q900012"));  // the last good file (i = 19 wrote a)
}

TEST_CASE("a broken rule file stops the Matcher with every diagnostic", "[match]") {
  TempDir dir;
  test::write_file(dir / "r.xml", "<rules>\n<rule id=\"x\"><when><code value=\"nope\"/></when><then><article id=\"Q0\"/></then></rule>\n</rules>");
  try {
    Matcher m(corpus_store(), MatcherConfig{{dir / "r.xml"}, false, {}});
    FAIL("loaded a broken rule file");
  } catch (const Error& e) {
    const std::string file = dir / "r.xml";
    CHECK(std::string(e.what()) == file + ":2: no error code in \"nope\"");
  }
}

TEST_CASE("derived rules follow the store: an article indexed later is matched", "[match]") {
  TempDir dir;
  IndexOptions o;
  o.db_dir = dir / "store";
  o.paths = {test::corpus_dir() + "/xml"};
  index_paths(o);
  Matcher m(dir / "store");
  const std::string message = "The frobnicator quantum flux capacitor overheated during calibration";
  CHECK_FALSE(names(m.match(message), "Q990001"));
  std::string xml = test::read_file(test::corpus_dir() + "/xml/Q900030.xml");
  xml.replace(xml.find("Q900030"), 7, "Q990001");
  const std::string quote = "you receive the following error message:\n\n   " + message + "\n\n";
  xml.insert(xml.find("<section heading=\"SYMPTOMS\">") + 28, "When you calibrate, " + quote);
  test::write_file(dir / "new/Q990001.xml", xml);
  o.paths = {dir / "new"};
  index_paths(o);
  MatchResult r = m.match(message);
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q990001");
  CHECK(fired(r, "Q990001/message-1"));
}

TEST_CASE("a message several articles quote weighs less for each, in whatever case or punctuation", "[match]") {
  TempDir dir;
  IndexOptions o;
  o.db_dir = dir / "store";
  o.paths = {test::corpus_dir() + "/xml"};
  const std::string shared = "The frobnicator quantum flux capacitor overheated during calibration.";
  const std::string variant = "the Frobnicator quantum flux capacitor overheated during calibration";
  const std::string own = "The gyroscopic widget manifold lost alignment after the firmware update.";
  const std::string base = test::read_file(test::corpus_dir() + "/xml/Q900030.xml");
  auto article = [&](const std::string& id, const std::string& message) {
    std::string xml = base;
    xml.replace(xml.find("Q900030"), 7, id);
    xml.insert(xml.find("<section heading=\"SYMPTOMS\">") + 28,
               "When you calibrate, you receive the following error message:\n\n   " + message + "\n\n");
    test::write_file(dir / ("new/" + id + ".xml"), xml);
  };
  article("Q990001", shared);
  article("Q990002", variant);
  article("Q990003", own);
  o.paths.push_back(dir / "new");
  index_paths(o);
  Matcher m(dir / "store");

  MatchResult a = m.match(shared), b = m.match(own);
  const MatchHit *one = hit(a, "Q990001"), *two = hit(a, "Q990002"), *alone = hit(b, "Q990003");
  REQUIRE(one);
  REQUIRE(two);
  REQUIRE(alone);
  CHECK(one->confidence == Approx(two->confidence));
  CHECK(one->confidence < 0.8 * alone->confidence);
}

TEST_CASE("quick: an article's own message ranks only the articles the rules name, and anything else is searched in full", "[match]") {
  MatchOptions quick;
  quick.quick = true;
  const std::string seed = "Background Synchronization Error. See detailed logs in Deleted Items folder.";
  MatchResult q = shipped().match(seed, quick), full = shipped().match(seed);
  REQUIRE_FALSE(q.hits.empty());
  CHECK(q.hits[0].id == "Q198657");
  CHECK(q.hits[0].id == full.hits[0].id);
  CHECK(q.hits.size() < full.hits.size());
  for (const MatchHit& h : q.hits) CHECK(h.confidence > 0);
  // Another line beside the message (it could name other articles): the
  // full ranking too.
  const std::string two = seed + "\nRun-time error -2147467259 (80004005)";
  MatchResult q2 = shipped().match(two, quick), f2 = shipped().match(two);
  REQUIRE(q2.hits.size() == f2.hits.size());
  for (size_t i = 0; i < q2.hits.size(); ++i) CHECK(q2.hits[i].id == f2.hits[i].id);
  // A typo: not the message word for word, so the full ranking.
  const std::string typo = "Backgrond Synchronization Error. See detailed logs in Deleted Items folder.";
  MatchResult tq = shipped().match(typo, quick), tf = shipped().match(typo);
  REQUIRE(tq.hits.size() == tf.hits.size());
  for (size_t i = 0; i < tq.hits.size(); ++i) CHECK(tq.hits[i].id == tf.hits[i].id);
}

TEST_CASE("a template longer than 64 words, its placeholders past the 64th, is found", "[match]") {
  // The scan's bit sets hold a template's first 64 words; what lies beyond
  // must still count, placeholders included, in every bound.
  std::string words;
  for (int i = 0; i < 64; ++i) words += std::string(words.empty() ? "" : " ") + "zq" + char('a' + i / 26) + char('a' + i % 26);
  Fixture f(rule("long", "<message template=\"" + words + " {name} {name}\"/>", "<article id=\"Q198657\" confidence=\"0.9\"/>"));
  CHECK(fired(f.matcher->match(words + " jsmith here"), "long"));
  CHECK_FALSE(fired(f.matcher->match(words.substr(0, words.size() - 5)), "long"));
}

TEST_CASE("a template's anchors are whole words of a line, in any case, bytes past ASCII as they are", "[match]") {
  // Anchors: the three rarest words of each template ("quuxinator",
  // "frobnicated", "journal"; "öffnen", "datei", ...), looked up word by word.
  Fixture f(rule("quux", "<message template=\"The quuxinator frobnicated the {name} journal\"/>",
                 "<article id=\"Q198657\" confidence=\"0.9\"/>") +
            rule("umlaut", "<message template=\"Fehler beim Öffnen der Datei {name}\"/>",
                 "<article id=\"Q900014\" confidence=\"0.9\"/>") +
            // Anchors "1067" (digits alone, found where masking keeps the
            // number) and "quuxinated".
            rule("digits", "<message template=\"Error 1067 quuxinated\"/>", "<article id=\"Q900030\" confidence=\"0.9\"/>"));
  const Matcher& m = *f.matcher;
  CHECK(fired(m.match("The quuxinator frobnicated the 'widget7' journal"), "quux"));
  CHECK(fired(m.match("THE QUUXINATOR FROBNICATED THE 'WIDGET7' JOURNAL"), "quux"));
  CHECK(fired(m.match("12:00:01 [svc] the quuxinator frobnicated the 'w' journal."), "quux"));
  // "quuxinator" inside a longer word is not the anchor, and the rest of
  // the message is not enough on its own.
  CHECK_FALSE(fired(m.match("The quuxinators frobnicated the 'widget7' journal"), "quux"));
  CHECK_FALSE(fired(m.match("quuxinator frobnicated"), "quux"));
  // ASCII letters in any case; "Ö" is the same bytes either way.
  CHECK(fired(m.match("FEHLER BEIM ÖFFNEN DER DATEI 'boot.ini'"), "umlaut"));
  CHECK(fired(m.match("Fehler beim Öffnen der Datei 'boot.ini'"), "umlaut"));
  CHECK(fired(m.match("10:00:01 ERROR 1067 quuxinated"), "digits"));
  CHECK_FALSE(fired(m.match("10:00:01 ERROR 1068 quuxinated"), "digits"));
  CHECK(fired(m.match("10:00:01 port 1067 up\n10:00:02 Error 1067 quuxinated"), "digits"));
  // In a log the first line holding the message is the evidence, however
  // many lines come between or repeat.
  std::string log;
  for (int i = 0; i < 500; ++i) log += "10:00:" + std::to_string(10 + i % 50) + " worker " + std::to_string(i) + " idle\n";
  log += "10:09:00 The quuxinator frobnicated the 'a' journal\n";
  log += "10:09:01 The quuxinator frobnicated the 'b' journal\n";
  MatchResult r = m.match(log);
  REQUIRE(fired(r, "quux"));
  CHECK(hit(r, "Q198657")->evidence.at(0).line == 501);
}

TEST_CASE("an article quoting no message is matched by the most distinctive phrase of its symptom", "[match]") {
  TempDir dir;
  IndexOptions o;
  o.db_dir = dir / "store";
  o.paths = {test::corpus_dir() + "/xml"};
  test::write_file(dir / "new/Q990004.xml", R"(<?xml version="1.0" encoding="UTF-8"?>
<article id="Q990004" format="xml">
  <title>Widget Server Stops After the Nightly Job</title>
  <product>Microsoft Widget Server</product>
  <sections>
    <section heading="SYMPTOMS">After the nightly job runs, the server stops answering. The spindle
telemetry collector leaves orphaned gyroscope calibration journals behind, and the
service does not start again until you restart the computer.</section>
    <section heading="RESOLUTION">Delete the calibration journals, then start the service.</section>
  </sections>
</article>
)");
  o.paths.push_back(dir / "new");
  index_paths(o);
  Matcher m(dir / "store");
  // The technician retypes the symptom in other case and punctuation.
  MatchResult r = m.match("spindle telemetry collector leaves orphaned gyroscope calibration journals");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].id == "Q990004");
  REQUIRE(fired(r, "Q990004/phrase-1"));
  // Its words are the symptom's rare ones, not "the server stops".
  const Evidence* e = nullptr;
  for (const Evidence& ev : r.hits[0].evidence) {
    if (ev.rule == "Q990004/phrase-1") e = &ev;
  }
  REQUIRE(e);
  CHECK(e->pattern.find("gyroscope") != std::string::npos);
  // An article that quotes messages gets no phrase rule.
  CHECK_FALSE(fired(m.match("The MSExchangeIS service terminated unexpectedly"), "Q900030/phrase-1"));
}
