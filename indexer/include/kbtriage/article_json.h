// JSON form of an article, as `kbtriage parse --json` and `show --json` print
// it (keys in the order of DESIGN.md), and its inverse.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kbtriage/article.h"

namespace kbtriage {

// One JSON object. `indent` < 0 writes a single line.
std::string article_to_json(const Article& article, int indent = -1);

// Reads what article_to_json wrote; nullopt on malformed JSON.
std::optional<Article> article_from_json(std::string_view json);

// JSON string literal of `s` (quotes included), for front ends that write JSON by hand.
std::string json_quote(std::string_view s);

}  // namespace kbtriage
