// The kbtriage binary end to end: exit codes, messages and JSON.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "kbtriage/article_xml.h"
#include "kbtriage/parser.h"
#include "../test_util.h"

using kbtriage::test::quote;
using kbtriage::test::run_cli;
using kbtriage::test::TempDir;
using Json = nlohmann::json;

namespace {

std::string seed() { return kbtriage::test::corpus_dir() + "/page/Q198657.txt"; }

}  // namespace

TEST_CASE("cli: help lists the commands and each command has its own", "[cli]") {
  auto r = run_cli("--help");
  CHECK(r.status == 0);
  for (const char* c : {"index", "search", "parse", "show", "export", "check"}) CHECK_THAT(r.out, Catch::Contains(c));
  auto p = run_cli("parse --help");
  CHECK(p.status == 0);
  CHECK_THAT(p.out, Catch::StartsWith("usage: kbtriage parse [--json] [--sections] FILE..."));
  auto none = run_cli("");
  CHECK(none.status == 2);
  auto bad = run_cli("frobnicate");
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::StartsWith("kbtriage: no command 'frobnicate'"));
}

TEST_CASE("cli: parse --json prints the seed's records", "[cli]") {
  auto r = run_cli("parse --json " + quote(seed()));
  REQUIRE(r.status == 0);
  Json j = Json::parse(r.out);
  CHECK(j["id"] == "Q198657");
  CHECK(j["last_modified"] == "1999-04-18");
  CHECK(j["format"] == "page");
  for (const char* key : {"id", "title", "product", "versions", "os", "keywords", "last_modified", "applies_to",
                          "sections", "symptoms", "causes", "resolutions", "messages", "codes", "references",
                          "format"}) {
    CHECK(j.contains(key));
  }
  REQUIRE_FALSE(j["symptoms"].empty());
  CHECK(j["symptoms"][0]["origin"] == "inferred");
  CHECK_THAT(j["symptoms"][0]["text"].get<std::string>(), Catch::Contains("Background Synchronization Error"));
}

TEST_CASE("cli: parse reports files that are not articles with path and line", "[cli]") {
  TempDir tmp;
  kbtriage::test::write_file(tmp / "notes.txt", "just some notes\nabout nothing\n");
  kbtriage::test::write_file(tmp / "empty.txt", "");
  auto r = run_cli("parse " + quote(tmp / "notes.txt") + " " + quote(tmp / "empty.txt") + " " + quote(seed()));
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains(tmp / "notes.txt" + ":1: not a knowledge-base article"));
  CHECK_THAT(r.err, Catch::Contains(tmp / "empty.txt" + ": empty file"));
  CHECK_THAT(r.out, Catch::Contains("Q198657"));  // the good file is still printed
  auto missing = run_cli("parse /nonexistent/file.txt");
  CHECK(missing.status == 2);
  CHECK(missing.err == "/nonexistent/file.txt: cannot open\n");
}

TEST_CASE("cli: index show check and export work on the corpus", "[cli]") {
  TempDir tmp;
  const std::string db = quote(tmp / "db");
  auto idx = run_cli("index --json --db " + db + " " + quote(kbtriage::test::corpus_dir()));
  REQUIRE(idx.status == 0);
  Json s = Json::parse(idx.out);
  CHECK(s["articles"].get<int>() >= 26);
  CHECK(s["skipped"] == 1);
  CHECK(s["skipped_files"][0]["reason"].get<std::string>().find("not a knowledge-base article") != std::string::npos);

  auto again = run_cli("index --db " + db + " " + quote(kbtriage::test::corpus_dir()));
  CHECK(again.status == 0);
  CHECK_THAT(again.out, Catch::Contains("0 indexed, 0 replaced"));

  auto show = run_cli("show --db " + db + " q198657");
  CHECK(show.status == 0);
  CHECK_THAT(show.out, Catch::StartsWith("Q198657: XADM: Outlook 98 Shows Bckgrd Sync error after Move Server"));
  CHECK_THAT(show.out, Catch::Contains("SYMPTOM (inferred"));
  CHECK_THAT(show.out, Catch::Contains("RESOLUTION (inferred"));

  auto json = run_cli("show --json --db " + db + " Q900001");
  CHECK(json.status == 0);
  CHECK(Json::parse(json.out)["id"] == "Q900001");

  auto missing = run_cli("show --db " + db + " Q123");
  CHECK(missing.status == 1);
  CHECK(missing.err == "kbtriage show: no article Q123 in " + tmp / "db" + "\n");

  auto check = run_cli("check --db " + db);
  CHECK(check.status == 0);
  CHECK_THAT(check.out, Catch::EndsWith("ok\n"));

  // Export as XML, import that into a new store: the same records.
  auto xml = run_cli("export --xml --db " + db + " -o " + quote(tmp / "all.xml"));
  CHECK(xml.status == 0);
  auto parsed = kbtriage::articles_from_xml(kbtriage::test::read_file(tmp / "all.xml"));
  CHECK(parsed.size() == s["articles"].get<size_t>());
  // The indexer reads one article per file: export into a folder for that.
  auto one_each = run_cli("export --xml --db " + db + " -o " + quote(tmp / "xml/"));
  CHECK(one_each.status == 0);
  auto reimport = run_cli("index --json --db " + quote(tmp / "db2") + " " + quote(tmp / "xml"));
  CHECK(Json::parse(reimport.out)["articles"] == s["articles"]);
  CHECK(reimport.status == 0);
  auto a = run_cli("show --json --db " + db + " Q900014");
  auto b = run_cli("show --json --db " + quote(tmp / "db2") + " Q900014");
  Json ja = Json::parse(a.out), jb = Json::parse(b.out);
  for (const char* key : {"symptoms", "causes", "resolutions", "messages", "codes", "references", "sections"}) {
    CHECK(ja[key] == jb[key]);
  }
}

TEST_CASE("cli: bad usage exits 2 with the usage line", "[cli]") {
  auto r = run_cli("index --db");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--db needs a value"));
  auto u = run_cli("show --frob Q1");
  CHECK(u.status == 2);
  CHECK_THAT(u.err, Catch::StartsWith("kbtriage show: unknown option --frob\nusage: kbtriage show"));
  auto j = run_cli("index --jobs zero corpus");
  CHECK(j.status == 2);
  auto p = run_cli("index --db /tmp/x /no/such/path");
  CHECK(p.status == 2);
  CHECK(p.err == "kbtriage index: /no/such/path: no such file or directory\n");
  auto s = run_cli("show --db /no/such/store Q1");
  CHECK(s.status == 2);
  CHECK_THAT(s.err, Catch::Contains("not a kbtriage store"));
}
