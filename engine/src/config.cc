// The searcher's data files: ranking knobs and synonyms. Both are built in
// (engine/data, embedded by CMake) and can be replaced by a file at run time.
#include <algorithm>
#include <charconv>
#include <string>

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
                        {"common_ratio", &c.common_ratio, nullptr},
                        {"phrase_weight", &c.phrase_weight, nullptr},
                        {"message_weight", &c.message_weight, nullptr},
                        {"rerank_depth", nullptr, &c.rerank_depth},
                        {"log_lines", nullptr, &c.log_lines},
                        {"line_depth", nullptr, &c.line_depth},
                        {"max_lines", nullptr, &c.max_lines},
                        {"max_line_words", nullptr, &c.max_line_words}};
  size_t n = 0;
  for (std::string_view raw : split_lines(text)) {
    ++n;
    std::string_view line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) bad_line(source, n, "expected \"name = value\"");
    std::string_view name = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    const Knob* knob = nullptr;
    for (const Knob& k : knobs) {
      if (k.name == name) knob = &k;
    }
    if (!knob) bad_line(source, n, "unknown setting '" + std::string(name) + "'");
    if (knob->real) {
      double v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || v < 0) {
        bad_line(source, n, std::string(name) + ": expected a number >= 0, got '" + std::string(value) + "'");
      }
      *knob->real = v;
    } else {
      size_t v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || v == 0) {
        bad_line(source, n, std::string(name) + ": expected a whole number >= 1, got '" + std::string(value) + "'");
      }
      *knob->count = v;
    }
  }
  return c;
}

RankingConfig RankingConfig::builtin() {
  static const RankingConfig c = parse(embedded::kRankingConf, "engine/data/ranking.conf");
  return c;
}

Synonyms Synonyms::parse(std::string_view text, const std::string& source) {
  Synonyms s;
  size_t n = 0;
  auto add = [&](const std::string& from, const std::string& to) {
    std::vector<std::string>& alts = s.map_[from];
    if (std::find(alts.begin(), alts.end(), to) == alts.end()) alts.push_back(to);
    s.max_words_ = std::max(s.max_words_, static_cast<size_t>(std::count(from.begin(), from.end(), ' ') + 1));
  };
  for (std::string_view raw : split_lines(text)) {
    ++n;
    std::string_view line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) bad_line(source, n, "expected \"word = alternative | alternative\"");
    std::string key = normalise(line.substr(0, eq));
    if (key.empty()) bad_line(source, n, "nothing before '='");
    std::string_view rest = line.substr(eq + 1);
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
  }
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
