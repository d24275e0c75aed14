// mask_variables() gives what its first, plain version gives
// (mask_reference.cc), on the bundled corpus and on random text made of the
// pieces each form is read from.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "kbtriage/mask.h"
#include "mask_reference.h"
#include "../test_util.h"

using namespace kbtriage;

namespace {

size_t mismatches = 0;

void same(const std::string& text) {
  const std::string fast = mask_variables(text), spec = test::mask_variables_reference(text);
  if (fast == spec) return;
  if (++mismatches <= 5) {
    INFO("text: " << text << "\nfast: " << fast << "\nspec: " << spec);
    CHECK(fast == spec);
  }
}

}  // namespace

TEST_CASE("mask_variables gives what its plain version gives, on the corpus and on random text", "[mask]") {
  mismatches = 0;
  test::each_corpus_text(same);
  static const std::vector<std::string> kPieces = {
      "C:\\", "c:/", "\\\\srv\\share", "\\", "/", "/usr/lib", "%1", "%12", "%s", "%ld", "%x", "%", "<#>", "<n>",
      "<name>", "<foo bar>", "<path>", "<", ">", "'", "'quoted'", "'3043'", "'0x1F'", "0x80004005", "0x1F", "0X",
      "{12345678-1234-1234-1234-123456789abc}", "12345678-1234-1234-1234-123456789abc", "{", "}", "user@example.com",
      "@", "a.b", "file.dll", "IFSHLP.SYS", "x.tar.gz", "10:24:50 AM", "9:02 pm", "1:05:34.25", "9/16/2001",
      "2001-09-16", "16.09.2001", "1,234", "3.14", "12", "7", "80004005", "-2147467259", "error", "Error", "code",
      "ID", "stop", "status", "eventid", "errorcode", "Program Files", "#", ":", " ", "  ", "\t", "\n", "-", "é",
      "_", ".", "!", "$", "~", ",", "=", "(", ")", "a", "Z", "word", "AM", "0", "9"};
  std::mt19937 rng(20261125);
  auto below = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  for (int i = 0; i < 60000; ++i) same(test::random_pieces(rng, kPieces, 1 + below(14)));
  for (int i = 0; i < 5000; ++i) {
    std::string text(below(40), ' ');
    for (char& c : text) c = static_cast<char>(below(256));
    same(text);
  }
  CHECK(mismatches == 0);
}
