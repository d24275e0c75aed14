// Terminal rendering of articles for `parse` and `show`.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "kbtriage/article.h"

namespace kbtriage::cli {

struct RenderOptions {
  int width = 80;
  bool color = false;
  bool sections = false;  // also print the full sections
};

// `s` on one line cut to `width` display columns (UTF-8 code points; the
// search layer's highlight markers take none), with "..." when cut.
std::string fit(std::string_view s, size_t width);

void render_article(std::ostream& out, const Article& a, const RenderOptions& opt);

}  // namespace kbtriage::cli
