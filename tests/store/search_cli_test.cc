// kbtriage search end to end: text, --json, --batch, exit codes and errors.
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

}  // namespace

TEST_CASE("cli: search prints the seed first for its error text read from standard input", "[cli][search]") {
  auto r = run_cli("search --db " + quote(store()) + " -",
                   "Background Synchronization Error. See detailed logs in Deleted Items folder.\n");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::StartsWith("1. Q198657  XADM: Outlook 98 Shows Bckgrd Sync error after Move Server"));
  CHECK_THAT(r.out, Catch::Contains("why: quoted message 100% alike; title, symptom, message"));
  CHECK(r.out.find('\033') == std::string::npos);  // no colours into a file
}

TEST_CASE("cli: search --json has results with snippet symptom and why plus facets", "[cli][search]") {
  auto r = run_cli("search --json --facets --explain --limit 2 --db " + quote(store()) +
                   " 'Synchronizing Mailbox '\\''jsmith'\\'''");
  REQUIRE(r.status == 0);
  Json j = Json::parse(r.out);
  REQUIRE(j["results"].size() == 2);
  const Json& h = j["results"][0];
  CHECK(h["id"] == "Q198657");
  CHECK(h["snippet"].get<std::string>().find("<mark>") != std::string::npos);
  CHECK_FALSE(h["symptom"].get<std::string>().empty());
  CHECK(h["why"]["fields"].size() > 0);
  CHECK(j["facets"]["product"].size() > 0);
  CHECK(j["explain"]["parsed"] == "lines=1 words=[synchronizing mailbox jsmith~]");
  CHECK(j["took_ms"].get<double>() > 0);
}

TEST_CASE("cli: search --batch writes one line per query in order", "[cli][search]") {
  TempDir tmp;
  kbtriage::test::write_file(tmp / "q.jsonl",
                             "{\"qid\": \"a\", \"query\": \"Background Synchronization Error\"}\n"
                             "\n"
                             "{\"qid\": \"b\", \"query\": \"-2147467259 jet\"}\n"
                             "not json\n"
                             "{\"qid\": \"c\", \"query\": \"zzzqqq\"}\n");
  auto r = run_cli("search --batch " + quote(tmp / "q.jsonl") + " --db " + quote(store()));
  CHECK(r.status == 2);  // one bad line
  CHECK(r.err == tmp / "q.jsonl" + ":4: expected a JSON object with a \"query\" string\n");
  std::istringstream lines(r.out);
  std::vector<Json> out;
  for (std::string l; std::getline(lines, l);) out.push_back(Json::parse(l));
  REQUIRE(out.size() == 3);
  CHECK(out[0]["qid"] == "a");
  CHECK(out[0]["results"][0]["id"] == "Q198657");
  CHECK(out[1]["results"][0]["id"] == "Q900014");
  CHECK(out[2]["results"].empty());
  CHECK(out[0].contains("took_ms"));
}

TEST_CASE("cli: search exits 1 when nothing matches and 2 on bad usage", "[cli][search]") {
  auto none = run_cli("search --db " + quote(store()) + " zzzqqqxxy");
  CHECK(none.status == 1);
  CHECK_THAT(none.out, Catch::Contains("0 of about 0 matches"));
  auto usage = run_cli("search --db " + quote(store()));
  CHECK(usage.status == 2);
  CHECK_THAT(usage.err, Catch::Contains("no query given"));
  auto limit = run_cli("search --limit x --db " + quote(store()) + " error");
  CHECK(limit.status == 2);
  CHECK_THAT(limit.err, Catch::Contains("--limit: expected a whole number, got 'x'"));
  TempDir tmp;
  kbtriage::test::write_file(tmp / "r.conf", "k1 = 1.2\nbogus = 1\n");
  auto ranking = run_cli("search --ranking " + quote(tmp / "r.conf") + " --db " + quote(store()) + " error");
  CHECK(ranking.status == 2);
  CHECK_THAT(ranking.err, Catch::Contains(tmp / "r.conf" + ":2: unknown setting 'bogus'"));
  auto nostore = run_cli("search --db " + quote(tmp / "nothing") + " error");
  CHECK(nostore.status == 2);
  CHECK_THAT(nostore.err, Catch::Contains("not a kbtriage store"));
}

TEST_CASE("cli: search --product and --type filter the results", "[cli][search]") {
  auto r = run_cli("search --json --product 'Microsoft Exchange' --type kbprb --db " + quote(store()) + " error");
  REQUIRE(r.status == 0);
  Json j = Json::parse(r.out);
  REQUIRE_FALSE(j["results"].empty());
  for (const Json& h : j["results"]) {
    CHECK(h["product"] == "Microsoft Exchange");
    CHECK(h["issue_type"] == "kbprb");
  }
}
