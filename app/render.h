// Terminal rendering of articles for `parse` and `show`.
#pragma once

#include <ostream>

#include "kbtriage/article.h"

namespace kbtriage::cli {

struct RenderOptions {
  int width = 80;
  bool color = false;
  bool sections = false;  // also print the full sections
};

void render_article(std::ostream& out, const Article& a, const RenderOptions& opt);

}  // namespace kbtriage::cli
