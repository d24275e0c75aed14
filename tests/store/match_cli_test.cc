// kbtriage match and kbtriage rules check end to end: text, --json, --batch,
// context options, exit codes and the FILE:LINE errors of broken rule files.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sstream>

#include "../test_util.h"

using kbtriage::test::quote;
using kbtriage::test::run_cli;
using kbtriage::test::TempDir;
using Json = nlohmann::json;

namespace {

const std::string& store() { return kbtriage::test::corpus_store(); }

std::string rules() { return quote(kbtriage::test::source_dir() + "/rules"); }

}  // namespace

TEST_CASE("cli: match gives the seed with cause, resolution and the evidence line", "[cli][match]") {
  auto r = run_cli("match --db " + quote(store()) + " --rules " + rules() + " -",
                   "Background Synchronization Error. See detailed logs in Deleted Items folder.\n");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::StartsWith("1. Q198657  XADM: Outlook 98 Shows Bckgrd Sync error after Move Server"));
  CHECK_THAT(r.out, Catch::Contains("line 1: Background Synchronization Error."));
  CHECK_THAT(r.out, Catch::Contains("matched exchange.stale-ost.background-sync"));
  CHECK_THAT(r.out, Catch::Contains("cause: "));
  CHECK_THAT(r.out, Catch::Contains("resolution: "));
  CHECK_THAT(r.out, Catch::Contains("why not "));
  CHECK(r.out.find('\033') == std::string::npos);
}

TEST_CASE("cli: match on a terminal highlights the matched input line", "[cli][match]") {
  // script(1) gives kbtriage a terminal for its standard output.
  TempDir tmp;
  kbtriage::test::write_file(tmp / "in", "Background Synchronization Error. See detailed logs in Deleted Items folder.\n");
  const std::string inner = std::string(KBTRIAGE_BIN) + " match --db " + quote(store()) + " --rules " + rules() +
                            " - < " + quote(tmp / "in");
  const std::string cmd = "script -qec " + quote(inner) + " /dev/null > " + quote(tmp / "out") + " 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string out = kbtriage::test::read_file(tmp / "out");
  CHECK_THAT(out, Catch::Contains("\033[1;33mBackground Synchronization Error."));  // the line, marked
  CHECK_THAT(out, Catch::Contains("\033[1m1. Q198657"));                          // the first result, bold
}

TEST_CASE("cli: match --json carries records, evidence, facts and why_not", "[cli][match]") {
  auto r = run_cli("match --json --db " + quote(store()) + " --rules " + rules() + " --product 'SQL Server' " +
                   quote("Could not start the MSSQLServer service on Local Computer.") + " " +
                   quote("Error 1067: The process terminated unexpectedly."));
  REQUIRE(r.status == 0);
  Json j = Json::parse(r.out);
  CHECK(j["lines"] == 2);
  const Json& h = j["results"][0];
  CHECK(h["id"] == "Q900032");
  CHECK(h["cause"]["text"].get<std::string>().find("startup") != std::string::npos);
  CHECK(h["resolution"]["origin"] == "heading");
  bool line1 = false;
  for (const Json& e : h["evidence"]) line1 = line1 || (e["line"] == 1 && e["rule"] == "services.1067.sql-master-moved");
  CHECK(line1);
  CHECK(j["facts"] == Json::array({"service-died-1067"}));
  CHECK(j["why_not"]["id"] == j["results"][1]["id"]);
  CHECK(j["rules"]["hand_written"].get<int>() >= 10);
  CHECK(j["rules"]["derived"].get<int>() > 30);
}

TEST_CASE("cli: match --batch answers one line per query, with context fields", "[cli][match]") {
  TempDir dir;
  kbtriage::test::write_file(dir / "q.jsonl",
                             "{\"qid\": \"a\", \"query\": \"Background Synchronization Error. See detailed logs in Deleted Items folder.\"}\n"
                             "\n"
                             "{\"qid\": \"b\", \"query\": \"Run-time error '3043': Disk or network error.\", \"product\": \"Access\", \"version\": \"8.0\"}\n"
                             "not json\n");
  auto r = run_cli("match --db " + quote(store()) + " --rules " + rules() + " --batch " + quote(dir / "q.jsonl"));
  CHECK(r.status == 2);  // the bad line
  CHECK_THAT(r.err, Catch::Contains("q.jsonl:4: expected a JSON object with a \"query\" string"));
  std::istringstream out(r.out);
  std::string a, b;
  std::getline(out, a);
  std::getline(out, b);
  Json ja = Json::parse(a), jb = Json::parse(b);
  CHECK(ja["qid"] == "a");
  CHECK(ja["results"][0]["id"] == "Q198657");
  CHECK(ja["results"][0].contains("confidence"));
  CHECK(ja["took_ms"].is_number());
  CHECK(jb["results"][0]["id"] == "Q900031");
}

TEST_CASE("cli: match with a broken rule file says FILE:LINE and exits 2", "[cli][match]") {
  TempDir dir;
  kbtriage::test::write_file(dir / "bad.xml", "<rules>\n<rule id=\"x\">\n<when><message regex=\"(\"/></when>\n"
                                             "<then><article id=\"Q1\"/></then></rule>\n</rules>\n");
  auto r = run_cli("match --db " + quote(store()) + " --rules " + quote(dir / "bad.xml") + " 'anything'");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains(dir / "bad.xml" + ":3: bad regex \"(\": Missing close parenthesis for group started at index 0."));
}

TEST_CASE("cli: rules check passes the shipped rules and reports every problem of a bad file", "[cli][rules]") {
  auto ok = run_cli("rules check --db " + quote(store()) + " " + rules());
  CHECK(ok.status == 0);
  CHECK_THAT(ok.out, Catch::Contains("rules, 3 facts: ok"));

  TempDir dir;
  const std::string bad = dir / "bad.xml";
  kbtriage::test::write_file(bad,
                             "<rules>\n"
                             "<rule id=\"a\"><when><message literal=\"x\"/></when><then><article id=\"Q424242\"/></then></rule>\n"
                             "<rule id=\"a\"><when><fact name=\"ghost\"/></when><then><article id=\"Q198657\"/></then></rule>\n"
                             "</rules>\n");
  auto r = run_cli("rules check --db " + quote(store()) + " " + quote(bad));
  CHECK(r.status == 2);
  CHECK(r.err == bad + ":2: rule \"a\" names unknown article \"Q424242\"\n" +
                     bad + ":3: duplicate rule id \"a\" (first at " + bad + ":2)\n" +
                     bad + ":3: unknown fact \"ghost\" (declare it with <fact name=\"ghost\"/>)\n");
  auto j = run_cli("rules check --json --db " + quote(store()) + " " + quote(bad));
  CHECK(j.status == 2);
  CHECK(Json::parse(j.out)["diagnostics"].size() == 3);
}

TEST_CASE("cli: match --file reads the input lines from a file, and a missing file exits 2", "[cli][match]") {
  TempDir dir;
  const std::string log = dir / "app.log";
  kbtriage::test::write_file(log,
                             "10:01:02 INFO worker 7 idle\n"
                             "10:01:03 ERROR Background Synchronization Error. See detailed logs in Deleted Items folder.\n");
  auto r = run_cli("match --db " + quote(store()) + " --json --file " + quote(log));
  REQUIRE(r.status == 0);
  Json j = Json::parse(r.out);
  CHECK(j["lines"] == 2);
  CHECK(j["results"][0]["id"] == "Q198657");
  CHECK(j["results"][0]["evidence"][0]["line"] == 2);
  auto missing = run_cli("match --db " + quote(store()) + " --file " + quote(dir / "none.log"));
  CHECK(missing.status == 2);
  CHECK_THAT(missing.err, Catch::Contains("none.log: cannot read"));
}

TEST_CASE("cli: match --one-thread gives what the default gives on a log long enough to be read ahead", "[cli][match]") {
  // 5,000 lines: past the 4,096 from which a second thread reads ahead.
  std::string log;
  for (int i = 0; i < 2500; ++i) {
    log += "10:01:" + std::to_string(10 + i % 50) + " INFO worker " + std::to_string(i % 7) + " idle\n";
    log += i == 1777 ? "10:02:03 ERROR Background Synchronization Error. See detailed logs in Deleted Items folder.\n"
                     : "10:02:03 INFO session " + std::to_string(i) + " closed\n";
  }
  auto by_default = run_cli("match --db " + quote(store()) + " --json -", log);
  auto one = run_cli("match --db " + quote(store()) + " --json --one-thread -", log);
  REQUIRE(by_default.status == 0);
  REQUIRE(one.status == 0);
  Json a = Json::parse(by_default.out), b = Json::parse(one.out);
  CHECK(b["lines"] == 5000);
  CHECK(b["results"][0]["id"] == "Q198657");
  CHECK(b["results"][0]["evidence"][0]["line"] == 3556);
  for (Json* j : {&a, &b}) j->erase("took_ms"), j->erase("scan_ms"), j->erase("search_ms"), (*j)["rules"].erase("compile_ms");
  CHECK(a == b);
}

TEST_CASE("cli: match without input is a usage error", "[cli][match]") {
  auto r = run_cli("match --db " + quote(store()));
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("no input given"));
}
