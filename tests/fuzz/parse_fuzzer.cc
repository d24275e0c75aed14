// libFuzzer target for the parser and the text primitives it shares with
// search and rules: any bytes must parse (or be refused) without a crash, a
// hang or a sanitizer report, and a parsed article must survive the XML
// round trip unchanged. Built by scripts/fuzz (clang), not by the default build.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kbtriage/article_json.h"
#include "kbtriage/article_xml.h"
#include "kbtriage/codes.h"
#include "kbtriage/mask.h"
#include "kbtriage/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  kbtriage::ParseResult r = kbtriage::parse_article(bytes);
  if (r.article) {
    kbtriage::ParseResult back = kbtriage::article_from_xml(kbtriage::articles_to_xml_document({*r.article}));
    if (!back.article || !(*back.article == *r.article)) std::abort();
    (void)kbtriage::article_to_json(*r.article);
  }
  (void)kbtriage::mask_variables(bytes);
  (void)kbtriage::extract_codes(bytes);
  return 0;
}
