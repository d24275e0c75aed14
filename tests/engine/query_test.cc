// The query builder: what a typed or pasted query is read as.
#include <catch2/catch.hpp>

#include <random>

#include "kbtriage/query.h"
#include "../test_util.h"

using kbtriage::parse_query;

TEST_CASE("query builder reads typed and pasted queries", "[query]") {
  struct Case {
    const char* input;
    const char* described;
  };
  const Case cases[] = {
      {"Background Synchronization Error", "lines=1 words=[background synchronization error]"},
      // Punctuation and quotes of a pasted message are not syntax.
      {"Background Synchronization Error. See detailed logs in Deleted Items folder.",
       "lines=1 words=[background synchronization error see detailed logs in deleted items folder]"},
      {"Error: file not found", "lines=1 words=[error file not found]"},
      // Variable parts are marked (~) and codes recognised in any notation.
      {"Synchronizing Mailbox 'jsmith'", "lines=1 words=[synchronizing mailbox jsmith~]"},
      {"Run-time error '-2147467259'", "lines=1 words=[run time error 2147467259#] codes=[0x80004005]"},
      {"STOP 0xA", "lines=1 words=[stop 0xa#] codes=[STOP 0x0000000A]"},
      {"Cannot open C:\\Winnt\\Sys32x86\\Oleaut32.dll now",
       "lines=1 words=[cannot open c~ winnt~ sys32x86~ oleaut32~ dll~ now]"},
      // Fields, phrases, operators, wildcards.
      {"product:exchange sync error", "lines=1 words=[sync error] fields=[product:exchange]"},
      {"title:\"move server\" ost", "lines=1 words=[ost] fields=[title:move server]"},
      {"id:Q198657", "lines=0 words=[] fields=[id:Q198657]"},
      {"year:1999..2001 outlook", "lines=1 words=[outlook] fields=[year:1999..2001]"},
      {"\"deleted items\" outlook", "lines=1 words=[outlook] phrases=[\"deleted items\"]"},
      {"outlook AND sync", "lines=1 words=[+outlook +sync]"},
      {"exchange NOT outlook", "lines=1 words=[exchange -outlook]"},
      {"synchro* error", "lines=1 words=[synchro* error]"},
      // In a long paste NOT is a word, not an exclusion.
      {"The requested operation could NOT be completed because the disk is full today",
       "lines=1 words=[the requested operation could not be completed because the disk is full today]"},
      // An operator first or last is text.
      {"NOT RESPONDING", "lines=1 words=[not responding]"},
      // Unknown names before a colon are text.
      {"Source: MSExchangeIS", "lines=1 words=[source msexchangeis]"},
      {"a\nb c\n\n  \nd", "lines=3 words=[a b c d]"},
      {"", "lines=0 words=[]"},
      {"\"unclosed quote here", "lines=1 words=[unclosed quote here]"},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(parse_query(c.input).describe() == c.described);
  }
}

TEST_CASE("query builder keeps each line of a paste apart", "[query]") {
  kbtriage::ParsedQuery q = parse_query("06:47:45 - Worker thread 1203 started.\r\n06:48:49 - Error 0x80004005\n");
  REQUIRE(q.lines.size() == 2);
  CHECK(q.lines[0].pattern == "<time> - Worker thread <#> started.");
  CHECK(q.codes == std::vector<std::string>{"0x80004005"});
  CHECK_FALSE(q.operators);
}

TEST_CASE("query builder never throws on random bytes and punctuation", "[query][property]") {
  std::mt19937 rng(20261124);
  const std::string alphabet = "aZ0 :\"'\\/*-+()[]{}<>#%&|.,;!?\n\r\t\x01\xff\xc3\xa9 ANDORNOT product:id:year:..";
  for (int i = 0; i < 3000; ++i) {
    const std::string s = kbtriage::test::random_text(rng, alphabet, 200, 4);
    INFO(s);
    REQUIRE_NOTHROW(parse_query(s).describe());
  }
}
