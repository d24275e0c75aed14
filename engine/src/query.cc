#include "kbtriage/query.h"

#include <xapian.h>

#include <algorithm>
#include <unordered_map>

#include "kbtriage/codes.h"
#include "kbtriage/mask.h"
#include "kbtriage/text.h"

namespace kbtriage {

namespace {

// Operators are read as operators only in short one-line queries: in a
// longer paste, "NOT" and "OR" are words of the message.
constexpr size_t kMaxOperatorQueryWords = 8;
constexpr size_t kMinWildcardChars = 3;

const std::vector<std::string_view> kFields = {"product", "id",      "title", "symptom", "cause", "resolution",
                                               "message", "code",    "version", "year",  "type"};

// The words of `text` as the indexer's TermGenerator cuts them (lower case,
// unstemmed), so that query words and indexed terms agree on "C++",
// "Oleaut32.dll", "can't" or "E_FAIL".
std::vector<std::string> index_words(std::string_view text) {
  thread_local Xapian::TermGenerator tg = [] {
    Xapian::TermGenerator t;
    t.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);
    return t;
  }();
  Xapian::Document doc;
  tg.set_document(doc);
  tg.set_termpos(0);
  tg.index_text(std::string(text));
  std::vector<std::pair<Xapian::termpos, std::string>> at;
  for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
    for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) at.emplace_back(*p, *t);
  }
  std::sort(at.begin(), at.end());
  std::vector<std::string> words;
  words.reserve(at.size());
  for (auto& [pos, word] : at) words.push_back(std::move(word));
  return words;
}

// The pattern with its placeholders blanked, so that "<name>" does not count
// as the word "name".
std::string without_placeholders(std::string pattern) {
  for (size_t lt = pattern.find('<'); lt != std::string::npos; lt = pattern.find('<', lt + 1)) {
    size_t gt = pattern.find('>', lt);
    if (gt == std::string::npos || gt - lt > 8) continue;
    std::string_view inner(pattern.data() + lt + 1, gt - lt - 1);
    if (inner == "#" || std::all_of(inner.begin(), inner.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
      std::fill(pattern.begin() + static_cast<long>(lt), pattern.begin() + static_cast<long>(gt) + 1, ' ');
    }
  }
  return pattern;
}

bool is_operator(std::string_view token) { return token == "AND" || token == "OR" || token == "NOT"; }

// "field:value" with a known field and a value; the field's index in kFields.
int field_of(std::string_view token) {
  size_t colon = token.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= token.size()) return -1;
  std::string name = to_lower_ascii(token.substr(0, colon));
  for (size_t i = 0; i < kFields.size(); ++i) {
    if (name == kFields[i]) return static_cast<int>(i);
  }
  return -1;
}

struct Token {
  std::string_view text;
  bool quoted = false;  // "..." (quotes removed)
};

// Whitespace-separated tokens; a double-quoted run is one token when it is
// closed on the same line. `field:"a b"` is one token with the quotes kept
// after the colon.
std::vector<Token> tokens_of(std::string_view line) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_ascii_space(line[i])) ++i;
    if (i >= line.size()) break;
    size_t b = i;
    if (line[i] == '"') {
      size_t close = line.find('"', i + 1);
      if (close != std::string_view::npos && close > i + 1) {
        out.push_back({line.substr(i + 1, close - i - 1), true});
        i = close + 1;
        continue;
      }
    }
    while (i < line.size() && !is_ascii_space(line[i])) {
      if (line[i] == ':' && i + 1 < line.size() && line[i + 1] == '"') {
        size_t close = line.find('"', i + 2);
        if (close != std::string_view::npos) {
          i = close + 1;
          break;
        }
      }
      ++i;
    }
    out.push_back({line.substr(b, i - b), false});
  }
  return out;
}

// Words holding a digit in the notation of one of the line's codes.
void mark_codes(QueryLine& line) {
  std::unordered_map<std::string, int> numbers;
  for (const ErrorCode& c : extract_codes(line.text)) {
    for (std::string& w : index_words(c.raw)) {
      if (std::any_of(w.begin(), w.end(), is_ascii_digit)) ++numbers[w];
    }
  }
  for (QueryWord& w : line.words) {
    auto it = numbers.find(w.text);
    if (it != numbers.end() && it->second > 0) {
      --it->second;
      w.code = true;
      w.variable = false;
    }
  }
}

void mark_variables(QueryLine& line) {
  std::unordered_map<std::string, int> kept;
  for (std::string& w : index_words(without_placeholders(line.pattern))) ++kept[w];
  for (QueryWord& w : line.words) {
    auto it = kept.find(w.text);
    if (it != kept.end() && it->second > 0) {
      --it->second;
    } else {
      w.variable = true;
    }
  }
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string s;
  for (const std::string& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

}  // namespace

const std::vector<std::string_view>& query_fields() { return kFields; }

ParsedQuery parse_query(std::string_view raw) {
  ParsedQuery q;
  std::string text = is_valid_utf8(raw) ? std::string(raw) : decode_to_utf8(raw);
  std::vector<std::string_view> lines;
  for (std::string_view l : split_lines(text)) {
    l = trim(l);
    if (!l.empty()) lines.push_back(l);
  }
  for (const ErrorCode& c : extract_codes(text)) q.codes.push_back(c.code);

  // Operators only in a short single-line query.
  if (lines.size() == 1) {
    std::vector<Token> toks = tokens_of(lines[0]);
    size_t ops = 0;
    for (const Token& t : toks) ops += !t.quoted && is_operator(t.text);
    q.operators = ops > 0 && toks.size() - ops <= kMaxOperatorQueryWords && !is_operator(toks.front().text) &&
                  !(toks.back().text == "AND" || toks.back().text == "OR");
    // An operator first, or AND/OR last, reads as text: "NOT RESPONDING".
  }

  for (std::string_view l : lines) {
    std::vector<Token> toks = tokens_of(l);
    QueryLine line;
    line.text = std::string(l);
    line.pattern = mask_variables(l);
    bool next_required = false, next_excluded = false;
    std::string plain;  // a run of plain tokens, cut into words together
    auto flush_plain = [&] {
      if (plain.empty()) return;
      for (std::string& w : index_words(plain)) line.words.push_back({std::move(w)});
      plain.clear();
    };
    for (size_t i = 0; i < toks.size(); ++i) {
      const Token& t = toks[i];
      if (q.operators && !t.quoted && is_operator(t.text)) {
        flush_plain();
        if (t.text == "AND") {
          q.default_and = true;
          if (!line.words.empty()) line.words.back().required = true;
          next_required = true;
        } else if (t.text == "NOT") {
          next_excluded = true;
        }
        continue;
      }
      if (t.quoted) {
        flush_plain();
        if (next_excluded) {
          for (std::string& w : index_words(t.text)) line.words.push_back({std::move(w), false, false, true});
        } else {
          q.phrases.emplace_back(t.text);
        }
        next_required = next_excluded = false;
        continue;
      }
      if (int f = field_of(t.text); f >= 0) {
        flush_plain();
        std::string_view value = t.text.substr(t.text.find(':') + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (!trim(value).empty()) q.fields.push_back({std::string(kFields[static_cast<size_t>(f)]), std::string(value)});
        next_required = next_excluded = false;
        continue;
      }
      bool wildcard = t.text.size() > kMinWildcardChars && t.text.back() == '*' &&
                      std::all_of(t.text.begin(), t.text.end() - 1, [](char c) { return is_ascii_alnum(c); });
      if (wildcard || next_required || next_excluded) {
        flush_plain();
        std::string_view body = wildcard ? t.text.substr(0, t.text.size() - 1) : t.text;
        for (std::string& w : index_words(body)) {
          QueryWord word{std::move(w)};
          word.required = next_required;
          word.excluded = next_excluded;
          word.wildcard = wildcard;
          line.words.push_back(std::move(word));
        }
        next_required = next_excluded = false;
        continue;
      }
      if (!plain.empty()) plain += ' ';
      plain += t.text;
    }
    flush_plain();
    mark_variables(line);
    mark_codes(line);
    for (QueryWord& w : line.words) {
      if (w.wildcard || w.required || w.excluded) w.variable = false;
    }
    if (!line.words.empty()) q.lines.push_back(std::move(line));
  }
  if (q.default_and) {
    for (QueryLine& l : q.lines) {
      for (QueryWord& w : l.words) {
        if (!w.excluded) w.required = true;
      }
    }
  }
  return q;
}

std::string ParsedQuery::describe() const {
  std::string s = "lines=" + std::to_string(lines.size());
  std::vector<std::string> words;
  for (const QueryLine& l : lines) {
    for (const QueryWord& w : l.words) {
      std::string d = w.excluded ? "-" : (w.required ? "+" : "");
      d += w.text;
      if (w.wildcard) d += '*';
      if (w.variable) d += "~";
      if (w.code) d += "#";
      words.push_back(std::move(d));
    }
  }
  s += " words=[" + join(words, " ") + "]";
  if (!phrases.empty()) s += " phrases=[\"" + join(phrases, "\" \"") + "\"]";
  if (!codes.empty()) s += " codes=[" + join(codes, ", ") + "]";
  if (!fields.empty()) {
    std::vector<std::string> f;
    for (const QueryField& x : fields) f.push_back(x.field + ":" + x.value);
    s += " fields=[" + join(f, " ") + "]";
  }
  return s;
}

}  // namespace kbtriage
