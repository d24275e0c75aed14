// Text primitives: decoding article bytes, refusing binary files, lines,
// trimming and whitespace.
#include "kbtriage/text.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace kbtriage {
namespace {

struct Row {
  std::string input;
  std::string expected;
};

const std::string kBom = "\xEF\xBB\xBF";

// "a|b|c": the lines joined with '|', so an empty line shows as "||".
std::string joined_lines(std::string_view text) {
  std::string out;
  bool first = true;
  for (std::string_view l : split_lines(text)) {
    if (!first) out += '|';
    out.append(l);
    first = false;
  }
  return out;
}

TEST_CASE("decode_to_utf8 reads CP1252 bytes", "[text]") {
  const std::vector<Row> rows = {
      {"It\x92s", "It\xE2\x80\x99s"},                        // 0x92 right single quote
      {"Setup \x96 Error", "Setup \xE2\x80\x93 Error"},      // 0x96 en dash
      {"\x93quoted\x94", "\xE2\x80\x9Cquoted\xE2\x80\x9D"},  // 0x93/0x94 curly double quotes
      {"\x80 5", "\xE2\x82\xAC 5"},                          // euro sign
      {"caf\xE9", "caf\xC3\xA9"},                            // Latin-1 range: é
      {"\x81", "\xEF\xBF\xBD"},                              // undefined in CP1252: U+FFFD
      // One invalid byte makes the whole file CP1252, UTF-8 look-alikes included.
      {"Caf\xC3\xA9 \x92", "Caf\xC3\x83\xC2\xA9 \xE2\x80\x99"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.input);
    CHECK(decode_to_utf8(r.input) == r.expected);
  }
}

TEST_CASE("decode_to_utf8 keeps valid UTF-8 and drops the BOM", "[text]") {
  CHECK(decode_to_utf8("Caf\xC3\xA9 Lumi\xC3\xA8re") == "Caf\xC3\xA9 Lumi\xC3\xA8re");
  CHECK(decode_to_utf8("\xE2\x80\x93 dash") == "\xE2\x80\x93 dash");
  CHECK(decode_to_utf8(kBom + "DOCUMENT:Q1") == "DOCUMENT:Q1");
  CHECK(decode_to_utf8(kBom + "caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(decode_to_utf8("plain ASCII") == "plain ASCII");
  CHECK(decode_to_utf8("").empty());
}

TEST_CASE("decode_to_utf8 turns CRLF and CR into LF", "[text]") {
  const std::vector<Row> rows = {
      {"a\r\nb\r\n", "a\nb\n"}, {"a\rb\rc", "a\nb\nc"}, {"a\r\n\r\nb", "a\n\nb"},
      {"a\r\r\nb", "a\n\nb"},   {"a\n\rb", "a\n\nb"},   {"\x92\r\n", "\xE2\x80\x99\n"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.input);
    CHECK(decode_to_utf8(r.input) == r.expected);
  }
}

TEST_CASE("decode_to_utf8 stops at the DOS end-of-file byte", "[text]") {
  CHECK(decode_to_utf8("last line\r\n\x1A\x1A\x1A junk") == "last line\n");
  CHECK(decode_to_utf8(std::string("\x1A") + "all padding") == "");
}

TEST_CASE("is_valid_utf8", "[text]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("ascii"));
  CHECK(is_valid_utf8("caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80"));
  CHECK_FALSE(is_valid_utf8("caf\xE9"));           // Latin-1 byte
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xE2\x80"));          // truncated
  CHECK_FALSE(is_valid_utf8("\x92"));              // lone continuation byte
}

TEST_CASE("why_not_text refuses empty and binary input", "[text]") {
  using namespace std::string_literals;
  const std::vector<Row> rows = {
      {"", "empty file"},
      {" \r\n\t\n", "empty file"},
      {"DOCUMENT\0Q1"s, "binary file (contains NUL bytes)"},
      {"\0"s, "binary file (contains NUL bytes)"},
      {"ab\x01\x02\x03\x04", "binary file (too many control characters)"},
      {"DOCUMENT:Q198657\r\n", ""},
      {"tabs\tand\fform feeds\r\n\x1A", ""},
      {"caf\xE9 \x92", ""},
  };
  for (const Row& r : rows) {
    CAPTURE(r.input);
    CHECK(why_not_text(r.input) == r.expected);
  }
}

TEST_CASE("split_lines", "[text]") {
  const std::vector<Row> rows = {
      {"a\nb\n", "a|b"},
      {"a\nb", "a|b"},
      {"a\n\nb\n", "a||b"},
      {"\n", ""},
      {"\n\n", "|"},
      {"", ""},
      {"  indented\n\ttab", "  indented|\ttab"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.input);
    CHECK(joined_lines(r.input) == r.expected);
  }
  CHECK(split_lines("a\nb\n").size() == 2);
  CHECK(split_lines("\n").size() == 1);
  CHECK(split_lines("").empty());
}

TEST_CASE("trim trim_left trim_right", "[text]") {
  CHECK(trim(" \t a b \r\n") == "a b");
  CHECK(trim_left(" \t a b \n") == "a b \n");
  CHECK(trim_right(" \t a b \n") == " \t a b");
  CHECK(trim("   ").empty());
  CHECK(trim("").empty());
  CHECK(trim("x") == "x");
  CHECK(trim("\xC2\xA0x\xC2\xA0") == "\xC2\xA0x\xC2\xA0");  // only ASCII whitespace
}

TEST_CASE("collapse_whitespace", "[text]") {
  const std::vector<Row> rows = {
      {"  a \n\t b  ", "a b"},
      {"Background  Synchronization\nError.", "Background Synchronization Error."},
      {"one", "one"},
      {"\r\n\t ", ""},
      {"", ""},
  };
  for (const Row& r : rows) {
    CAPTURE(r.input);
    CHECK(collapse_whitespace(r.input) == r.expected);
  }
}

TEST_CASE("indentation counts tabs to the next multiple of 8", "[text]") {
  CHECK(indentation("") == 0);
  CHECK(indentation("x") == 0);
  CHECK(indentation("   x") == 3);
  CHECK(indentation("    ") == 4);
  CHECK(indentation("\tx") == 8);
  CHECK(indentation("  \tx") == 8);
  CHECK(indentation(" \t x") == 9);
  CHECK(indentation("\t\tx") == 16);
  CHECK(indentation("\t  x\t") == 10);
}

TEST_CASE("ASCII case helpers", "[text]") {
  CHECK(to_lower_ascii("Event ID: 1001 \xC3\x89") == "event id: 1001 \xC3\x89");
  CHECK(starts_with_nocase("THE INFORMATION PROVIDED", "the information"));
  CHECK_FALSE(starts_with_nocase("THE", "the information"));
  CHECK(contains_nocase("you RECEIVE the following", "receive the"));
  CHECK(contains_nocase("anything", ""));
  CHECK_FALSE(contains_nocase("short", "longer needle"));
}

TEST_CASE("the ASCII classes hold for exactly their bytes", "[text]") {
  // They are range tests on the byte: every byte, the signed ones included.
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    INFO("byte " << b);
    CHECK(is_ascii_digit(c) == (b >= '0' && b <= '9'));
    CHECK(is_ascii_upper(c) == (b >= 'A' && b <= 'Z'));
    CHECK(is_ascii_alpha(c) == ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')));
    CHECK(is_ascii_alnum(c) == ((b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')));
    CHECK(is_ascii_space(c) == (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'));
  }
}

}  // namespace
}  // namespace kbtriage
