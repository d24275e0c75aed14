// The searcher's data files: ranking knobs and synonyms. Both are built in
// (engine/data, embedded by CMake) and can be replaced by a file at run time.
#include <algorithm>
#include <charconv>
#include <string>
#include <type_traits>

#include "embedded_data.h"
#include "kbtriage/error.h"
#include "kbtriage/query.h"
#include "kbtriage/search.h"
#include "kbtriage/text.h"

namespace kbtriage {

namespace {

[[noreturn]] void bad_line(const std::string& source, size_t line, const std::string& what) {
  throw Error(source + ":" + std::to_string(line) + ": " + what);
}

// The words of a synonym entry as the query reads them, joined by spaces.
std::string normalise(std::string_view phrase) {
  ParsedQuery q = parse_query(phrase);
  std::string out;
  for (const QueryLine& l : q.lines) {
    for (const QueryWord& w : l.words) {
      if (!out.empty()) out += ' ';
      out += w.text;
    }
  }
  return out;
}

// Calls f(line_number, left, right) for each "left = right" line of `text`
// ('#' starts a comment; blank lines are skipped). `form` names the expected
// shape in the error for a line without '='.
template <typename F>
void for_each_assignment(std::string_view text, const std::string& source, std::string_view form, F&& f) {
  size_t n = 0;
  for (std::string_view raw : split_lines(text)) {
    ++n;
    std::string_view line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) bad_line(source, n, "expected \"" + std::string(form) + "\"");
    f(n, trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
  }
}

// `value` as a T of at least `min`, or the error for line n.
template <typename T>
T number(std::string_view value, T min, std::string_view name, const std::string& source, size_t n) {
  T v{};
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v < min) {
    const char* kind = std::is_integral_v<T> ? "a whole number >= " : "a number >= ";
    bad_line(source, n, std::string(name) + ": expected " + kind + std::to_string(static_cast<long long>(min)) +
                            ", got '" + std::string(value) + "'");
  }
  return v;
}

}  // namespace

RankingConfig RankingConfig::parse(std::string_view text, const std::string& source) {
  RankingConfig c;
  struct Knob {
    std::string_view name;
    double* real;
    size_t* count;
  };
  const Knob knobs[] = {{"k1", &c.k1, nullptr},
                        {"b", &c.b, nullptr},
                        {"variable_weight", &c.variable_weight, nullptr},
                        {"code_weight", &c.code_weight, nullptr},
                        {"code_word_weight", &c.code_word_weight, nullptr},
                        {"common_ratio", &c.common_ratio, nullptr},
                        {"message_weight", &c.message_weight, nullptr},
                        {"fragment_weight", &c.fragment_weight, nullptr},
                        {"title_weight", &c.title_weight, nullptr},
                        {"description_below", &c.description_below, nullptr},
                        {"product_weight", &c.product_weight, nullptr},
                        {"rerank_depth", nullptr, &c.rerank_depth},
                        {"log_lines", nullptr, &c.log_lines},
                        {"line_depth", nullptr, &c.line_depth},
                        {"error_line_boost", &c.error_line_boost, nullptr},
                        {"max_lines", nullptr, &c.max_lines},
                        {"max_line_words", nullptr, &c.max_line_words},
                        {"match_search_weight", &c.match_search_weight, nullptr},
                        {"match_search_depth", nullptr, &c.match_search_depth},
                        {"match_hand_weight", &c.match_hand_weight, nullptr},
                        {"match_template_fire", &c.match_template_fire, nullptr},
                        {"match_template_base", &c.match_template_base, nullptr},
                        {"match_template_words", &c.match_template_words, nullptr},
                        {"match_agree_power", &c.match_agree_power, nullptr},
                        {"match_routine_line", &c.match_routine_line, nullptr},
                        {"match_explained_power", &c.match_explained_power, nullptr},
                        {"match_share_penalty", &c.match_share_penalty, nullptr},
                        {"match_code_base", &c.match_code_base, nullptr},
                        {"match_phrase_base", &c.match_phrase_base, nullptr},
                        {"match_code_share_penalty", &c.match_code_share_penalty, nullptr},
                        {"match_unknown_context", &c.match_unknown_context, nullptr},
                        {"match_contradicting_context", &c.match_contradicting_context, nullptr},
                        {"match_common_anchor", nullptr, &c.match_common_anchor}};
  for_each_assignment(text, source, "name = value", [&](size_t n, std::string_view name, std::string_view value) {
    const Knob* knob = nullptr;
    for (const Knob& k : knobs) {
      if (k.name == name) knob = &k;
    }
    if (!knob) bad_line(source, n, "unknown setting '" + std::string(name) + "'");
    if (knob->real) {
      *knob->real = number<double>(value, 0, name, source, n);
    } else {
      *knob->count = number<size_t>(value, 1, name, source, n);
    }
  });
  return c;
}

RankingConfig RankingConfig::builtin() {
  static const RankingConfig c = parse(embedded::kRankingConf, "engine/data/ranking.conf");
  return c;
}

Synonyms Synonyms::parse(std::string_view text, const std::string& source) {
  Synonyms s;
  auto add = [&](const std::string& from, const std::string& to) {
    std::vector<std::string>& alts = s.map_[from];
    if (std::find(alts.begin(), alts.end(), to) == alts.end()) alts.push_back(to);
    s.max_words_ = std::max(s.max_words_, static_cast<size_t>(std::count(from.begin(), from.end(), ' ') + 1));
  };
  for_each_assignment(text, source, "word = alternative | alternative", [&](size_t n, std::string_view left,
                                                                            std::string_view rest) {
    std::string key = normalise(left);
    if (key.empty()) bad_line(source, n, "nothing before '='");
    size_t alternatives = 0;
    while (true) {
      size_t bar = rest.find('|');
      std::string alt = normalise(rest.substr(0, bar));
      if (alt.empty()) bad_line(source, n, "empty alternative");
      if (alt != key) {
        add(key, alt);
        add(alt, key);
        ++alternatives;
      }
      if (bar == std::string_view::npos) break;
      rest = rest.substr(bar + 1);
    }
    if (alternatives == 0) bad_line(source, n, "'" + key + "' has no alternative but itself");
  });
  return s;
}

const Synonyms& Synonyms::builtin() {
  static const Synonyms s = parse(embedded::kSynonyms, "engine/data/synonyms.txt");
  return s;
}

const std::vector<std::string>& Synonyms::of(std::string_view phrase) const {
  static const std::vector<std::string> kNone;
  auto it = map_.find(phrase);
  return it == map_.end() ? kNone : it->second;
}

}  // namespace kbtriage
