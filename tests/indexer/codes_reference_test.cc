// add_codes() gives what its first, plain version gives (codes_reference.cc),
// on the bundled corpus and on random text made of the pieces codes and their
// contexts are read from.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "codes_reference.h"
#include "kbtriage/codes.h"
#include "../test_util.h"

using namespace kbtriage;

namespace {

size_t mismatches = 0;

std::string shown(const std::vector<ErrorCode>& codes) {
  std::string out;
  for (const ErrorCode& c : codes) out += c.code + "(" + c.kind + ", " + c.raw + ") ";
  return out;
}

void same(const std::string& text) {
  const std::string fast = shown(extract_codes(text)), spec = shown(test::extract_codes_reference(text));
  if (fast == spec) return;
  if (++mismatches <= 5) {
    INFO("text: " << text << "\nfast: " << fast << "\nspec: " << spec);
    CHECK(fast == spec);
  }
}

}  // namespace

TEST_CASE("add_codes gives what its plain version gives, on the corpus and on random text", "[codes]") {
  mismatches = 0;
  test::each_corpus_text(same);
  // Codes in every notation, the words that say what a number is, and the
  // bytes between them; a piece may end one token and start the next.
  static const std::vector<std::string> kPieces = {
      "0x80004005", "0X8007000E", "0x1F", "0x", "80004005", "8007000e", "C0000005", "c0000005", "deadbeef", "DEADBEEF",
      "-2147467259", "-", "--", "2147500037", "4294967295", "1234567890", "12", "7", "0", "53", "1001", "0A", "7B",
      "STOP", "stop", "Stop", "error", "Error", "ERR", "err", "errorcode", "helpmsg", "errno", "code", "return",
      "exit", "number", "Event", "event", "ID", "id", "EventID", "warning", "C2065", "LNK2001", "R6025", "U1077",
      "CVT1100", "RAS0733", "E_FAIL", "E_OUTOFMEMORY", "ERROR_ACCESS_DENIED", "WSAEINTR", "WSAE", "MAPI_E_NOT_FOUND",
      "RPC_S_SERVER_UNAVAILABLE", "_", "__", "A", "The", "word", "é", " ", "  ", "\t", "\n", ":", "#", "=", "(", ")",
      "'", ".", ",", "/", "\\", "0x0000000A", "(0xF0000000, 0x00000001)", "abcdefgh", "ABCDEF12", "a1b2c3d4"};
  std::mt19937 rng(20261125);
  auto below = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  for (int i = 0; i < 60000; ++i) same(test::random_pieces(rng, kPieces, 1 + below(14)));
  // Long texts too: the bitmap of a text over 447 bytes is on the heap, and
  // a token may cross any of its 64-byte words.
  for (int i = 0; i < 2000; ++i) same(test::random_pieces(rng, kPieces, 40 + below(120)));
  for (int i = 0; i < 5000; ++i) {
    std::string text(below(40), ' ');
    for (char& c : text) c = static_cast<char>(below(256));
    same(text);
  }
  CHECK(mismatches == 0);
}
