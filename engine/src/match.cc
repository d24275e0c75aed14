#include "kbtriage/match.h"

#include <hs/hs.h>
#if defined(__linux__)
#include <sched.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iterator>
#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <stop_token>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "kbtriage/codes.h"
#include "kbtriage/error.h"
#include "kbtriage/mask.h"
#include "kbtriage/store.h"
#include "kbtriage/text.h"
#include "flat_map.h"
#include "line_key.h"
#include "similarity.h"

namespace kbtriage {

namespace {

using Kind = Condition::Kind;
enum class Truth { kFalse, kUnknown, kTrue };

// How much of a hand-written template must be found: every word, with its
// placeholders standing for any word.
constexpr double kExact = 0.999;
// A paste that is an article's message, word for word and with the
// article's own file names and numbers, holds each to this degree.
constexpr double kWhole = 0.95;
// The share of a template a line must hold for the message to be looked
// for again, wrapped onto other neighbours, where the line repeats.
constexpr double kWrapShare = 0.25;
// Lines on either side of an anchor's line that a message may continue on.
constexpr size_t kWindowLines = 2;
// A rule firing without end is a bug in a rule file; this stops it.
constexpr size_t kMaxFirings = 10000;
// Evidence that stands for a fact: the evidence of the rule that asserted it.
constexpr uint32_t kFactLine = UINT32_MAX;
// The lines of a long input the search layer is given.
constexpr size_t kSearchLines = 24;

// A message condition, compiled for the scan.
struct MessageLeaf {
  const Condition* cond = nullptr;
  uint32_t rule = 0;
  std::vector<uint64_t> words;  // templates: the masked words checked after an anchor hit
  std::vector<uint64_t> example;  // derived: the message's words as the article quotes it
  double min_degree = 1;        // the coverage from which it holds
  DegreeProfile profile;        // templates: for pattern_coverage_degree(); its signature and placeholders
  // Whether the template holds word `w`.
  bool holds(uint64_t w) const {
    return ((profile.sig >> (w & 63)) & 1) && std::find(words.begin(), words.end(), w) != words.end();
  }
};

// The words of a line or of a few, as 512 bits: whether a word may be
// among them, at a look. A window's lines hold about 50 words, so about one
// word in ten that is not there looks as if it may be.
struct WordBloom {
  uint64_t bits[8] = {};
  static size_t bit(uint64_t w) { return static_cast<size_t>((w * 0x9E3779B97F4A7C15ull) >> 55); }
  void add(uint64_t w) { bits[bit(w) >> 6] |= 1ull << (bit(w) & 63); }
  bool may_hold(uint64_t w) const { return (bits[bit(w) >> 6] >> (bit(w) & 63)) & 1; }
  void merge(const WordBloom& o) {
    for (size_t i = 0; i < 8; ++i) bits[i] |= o.bits[i];
  }
};

// A hit of the scan or of the code lookup: this leaf holds to this degree on these lines.
struct LeafHit {
  double degree = 0;
  uint32_t first_line = 0, last_line = 0;
  double explained = 1;  // share of the input's words (on those lines) the pattern accounts for
  double agree = 1;      // how far the variable parts agree with the article's own example
  double spanned = 1;    // share of all the input's words (on those lines), variable parts too, inside the match
};

// Words of `w[first..last]` and of all `w` that are not placeholders: how
// much of a line a match accounts for.
double explained_share(const std::vector<uint64_t>& w, size_t first, size_t last) {
  size_t all = 0, inside = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (is_placeholder(w[i])) continue;
    ++all;
    if (i >= first && i <= last) ++inside;
  }
  return all ? static_cast<double>(inside) / static_cast<double>(all) : 1.0;
}

double spanned_share(const std::vector<uint64_t>& w, size_t first, size_t last) {
  return w.empty() || last < first ? 1.0 : static_cast<double>(last - first + 1) / static_cast<double>(w.size());
}

// The words of a template the scan looks for: its rarest. Any two of them
// on a line start a check, so one mistyped word does not hide a message.
constexpr size_t kAnchors = 3;

// Distinct anchors on one line beyond which pairs are not looked up.
constexpr size_t kMaxPairedAnchors = 128;

uint64_t pair_key(uint32_t a, uint32_t b) {
  return a < b ? (static_cast<uint64_t>(a) << 32) | b : (static_cast<uint64_t>(b) << 32) | a;
}

// Word hashes (detail::hash_word, so any case) to anchor ids: an open-addressed
// table, as each distinct line of a log looks up every one of its words.
class AnchorTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  // The id of `word` (lower case), a new one if it has none yet.
  uint32_t add(std::string_view word) {
    if (2 * (count_ + 1) > slots_.size()) grow();
    const uint64_t h = detail::hash_word(word);
    Slot& s = find(h);
    if (s.id == kNone) s = {h, count_++};
    return s.id;
  }
  uint32_t size() const { return count_; }
  // The anchor id of a word of a line, or kNone.
  uint32_t lookup(uint64_t word_hash) const {
    if (slots_.empty()) return kNone;
    for (size_t i = slot_of(word_hash);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.id == kNone || s.hash == word_hash) return s.id;
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kNone;
  };
  size_t slot_of(uint64_t h) const { return static_cast<size_t>((h * 0x9E3779B97F4A7C15ull) >> 32) & (slots_.size() - 1); }
  Slot& find(uint64_t h) {
    for (size_t i = slot_of(h);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].id == kNone || slots_[i].hash == h) return slots_[i];
    }
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{});
    for (const Slot& s : old) {
      if (s.id != kNone) find(s.hash) = s;
    }
  }
  std::vector<Slot> slots_;
  uint32_t count_ = 0;
};

struct Compiled {
  std::vector<Rule> rules;  // hand-written first, then derived
  size_t hand = 0;
  std::vector<uint32_t> agenda;  // hand-written rules by salience, then file order
  std::vector<MessageLeaf> leaves;
  struct ConditionHash {
    uint64_t operator()(const Condition* c) const { return reinterpret_cast<uintptr_t>(c) * 0x9E3779B97F4A7C15ull; }
  };
  // Each message condition's leaf: asked for each rule a match evaluates
  // (thousands for a log), open-addressed rather than node by node.
  FlatMap<const Condition*, uint32_t, ConditionHash> leaf_of;
  std::unordered_map<std::string, std::vector<std::pair<const Condition*, uint32_t>>> codes;  // code -> (leaf, rule)
  // detail::hash_word() of each code of `codes`: most codes a log holds are
  // in no rule, and a probe of this open-addressed set tells so, where the
  // node-based map took std::hash of the text and a node or two.
  KeySet code_hashes;
  std::unordered_map<std::string, std::vector<uint32_t>> by_article;
  // Hand-written literals and regular expressions are scanned for over the
  // whole input (they may span lines): their leaf per pattern id.
  std::vector<std::vector<uint32_t>> text_targets;
  // The templates' anchor words, looked up word by word in each distinct
  // line: the templates a word starts a check for on its own (a rare word),
  // and those two words together do.
  AnchorTable anchors;
  // Each list of templates below is sorted (a template is added to its
  // lists in the order of the templates): a check merges those it touches.
  std::vector<std::vector<uint32_t>> rare_targets;  // per anchor id
  struct PairHash {
    uint64_t operator()(uint64_t key) const { return key * 0x9E3779B97F4A7C15ull; }
  };
  FlatMap<uint64_t, uint32_t, PairHash> pair_index;  // pair_key() -> in pair_targets
  std::vector<std::vector<uint32_t>> pair_targets;
  // Per anchor id, a bit for each anchor it is paired with (partner_bit()):
  // most pairs of a line's anchors are no pair, told at a look, not by a
  // miss in pair_index, a table too big for the cache.
  std::vector<uint64_t> partners;
  static uint64_t partner_bit(uint32_t anchor) { return 1ull << ((anchor * 0x9E3779B9u) >> 26); }
  bool may_pair(uint32_t a, uint32_t b) const { return (partners[a] & partner_bit(b)) && (partners[b] & partner_bit(a)); }
  // Per anchor id: whether it is digits alone ("53"), found only where
  // masking keeps the number ("error 53"), among a line's masked words.
  std::vector<char> number_anchor;
  KeySet number_anchor_words;  // their word hashes: few, looked up for every masked word of a line

  // Every word of every template: a line's other words all count the same
  // against any template (as a wrong word), so two lines that differ only
  // in them measure the same.
  KeySet vocabulary;
  // The same, and the anchor words: a line's other words may stand for
  // each other in its key (line_key()).
  RuleWords rule_words;
  hs_database_t* text_db = nullptr;
  hs_scratch_t* prototype = nullptr;
  mutable std::mutex scratch_mu;
  mutable std::vector<hs_scratch_t*> scratch;
  RuleStats stats;

  ~Compiled() {
    for (hs_scratch_t* s : scratch) hs_free_scratch(s);
    if (prototype) hs_free_scratch(prototype);
    if (text_db) hs_free_database(text_db);
  }

  hs_scratch_t* take_scratch() const {
    {
      std::lock_guard<std::mutex> lock(scratch_mu);
      if (!scratch.empty()) {
        hs_scratch_t* s = scratch.back();
        scratch.pop_back();
        return s;
      }
    }
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(prototype, &s) != HS_SUCCESS) throw Error("rule engine: out of memory for scan scratch");
    return s;
  }
  void give_scratch(hs_scratch_t* s) const {
    std::lock_guard<std::mutex> lock(scratch_mu);
    scratch.push_back(s);
  }
};

// The next word of a pattern a scan can look for, from `i` on: a run of
// letters, digits and bytes >= 0x80 outside placeholders ("<#>", "<path>").
// Empty at the end.
std::string_view next_anchor_word(std::string_view pattern, size_t& i) {
  auto word_char = [](char c) { return is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80; };
  while (i < pattern.size()) {
    if (pattern[i] == '<') {
      const size_t gt = pattern.find('>', i);
      if (gt != std::string_view::npos && gt - i <= 7) {
        i = gt + 1;
        continue;
      }
    }
    if (!word_char(pattern[i])) {
      ++i;
      continue;
    }
    const size_t b = i;
    while (i < pattern.size() && word_char(pattern[i])) ++i;
    return pattern.substr(b, i - b);
  }
  return {};
}

// The words of a pattern a scan can look for: lower-case, each once.
std::vector<std::string> anchor_words(std::string_view pattern) {
  std::vector<std::string> out;
  size_t i = 0;
  for (std::string_view w = next_anchor_word(pattern, i); !w.empty(); w = next_anchor_word(pattern, i)) {
    std::string lower = to_lower_ascii(w);
    if (std::find(out.begin(), out.end(), lower) == out.end()) out.push_back(std::move(lower));
  }
  return out;
}

// Whether anchor_words(pattern) has any, without building them: asked at
// start-up of every derived template.
bool has_anchor_word(std::string_view pattern) {
  size_t i = 0;
  return !next_anchor_word(pattern, i).empty();
}

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!is_ascii_alnum(c) && static_cast<unsigned char>(c) < 0x80 && c != ' ') out += '\\';
    out += c;
  }
  return out;
}

// A literal: its words as written, any run of whitespace between them.
std::string literal_regex(std::string_view text) {
  std::string out;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    if (!out.empty()) out += "\\s+";
    out += regex_escape(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  return out;
}

double log2_share(size_t n) { return std::log2(static_cast<double>(std::max<size_t>(n, 1))); }

// A symptom record's words for choosing a phrase: each whitespace-separated
// token of the masked text, and its letters and digits in lower case.
struct PhraseToken {
  std::string_view text;  // as masked
  uint64_t key = 0;       // hash of the letters and digits; 0 for a placeholder or punctuation
  bool ends_sentence = false;
};

std::vector<PhraseToken> phrase_tokens(std::string_view masked) {
  std::vector<PhraseToken> out;
  size_t i = 0;
  while (i < masked.size()) {
    while (i < masked.size() && is_ascii_space(masked[i])) ++i;
    const size_t b = i;
    while (i < masked.size() && !is_ascii_space(masked[i])) ++i;
    if (i == b) break;
    PhraseToken t;
    t.text = masked.substr(b, i - b);
    if (t.text[0] != '<') {
      uint64_t h = 14695981039346656037ull;  // FNV-1a
      bool any = false;
      for (char c : t.text) {
        if (!is_ascii_alnum(c)) continue;
        h = (h ^ static_cast<unsigned char>(lower_ascii(c))) * 1099511628211ull;
        any = true;
      }
      t.key = any ? h | 1 : 0;
    }
    const char last = t.text.back();
    t.ends_sentence = last == '.' || last == '?' || last == '!' || last == ':' || last == ';';
    out.push_back(std::move(t));
  }
  return out;
}

// Words per derived phrase, and how rare (in at most this share of the
// symptom records, or in one alone) kRarePhraseWords of them must be for it
// to tell its article apart.
constexpr size_t kPhraseWords = 6;
constexpr size_t kRarePhraseWords = 3;
constexpr double kRareShare = 0.002;
constexpr size_t kPhraseScanChars = 1500;

// The run of kPhraseWords words of one sentence of `symptom` whose words are
// rarest across the symptom records (sum of log inverse document frequency),
// or empty when no run holds kRarePhraseWords rare words. Variable parts
// (paths, numbers, names) are never in it: they differ from one case to the
// next.
std::string distinctive_phrase(std::string_view symptom, const std::unordered_map<uint64_t, uint32_t>& df,
                               size_t records) {
  const std::string masked = mask_variables(symptom.substr(0, kPhraseScanChars));
  const std::vector<PhraseToken> tokens = phrase_tokens(masked);
  const double n = static_cast<double>(std::max<size_t>(records, 1));
  std::vector<double> idf(tokens.size(), 0);
  std::vector<char> rare(tokens.size(), 0);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!tokens[i].key) continue;
    auto it = df.find(tokens[i].key);
    const double d = it == df.end() ? 1.0 : static_cast<double>(it->second);
    idf[i] = std::log(n / d);
    rare[i] = d <= std::max(1.0, kRareShare * n);
  }
  double best = 0;
  size_t best_at = tokens.size();
  for (size_t b = 0; b + kPhraseWords <= tokens.size(); ++b) {
    double score = 0;
    size_t rare_words = 0;
    bool whole = true;
    for (size_t i = b; i < b + kPhraseWords; ++i) {
      // One sentence, no variable part or bare punctuation inside.
      if (!tokens[i].key || (tokens[i].ends_sentence && i + 1 < b + kPhraseWords)) {
        whole = false;
        break;
      }
      score += idf[i];
      rare_words += rare[i];
    }
    if (whole && rare_words >= kRarePhraseWords && score > best) {
      best = score;
      best_at = b;
    }
  }
  if (best_at == tokens.size()) return {};
  std::string phrase;
  for (size_t i = best_at; i < best_at + kPhraseWords; ++i) {
    if (!phrase.empty()) phrase += ' ';
    phrase += tokens[i].text;
  }
  return phrase;
}

// Rules derived from the articles: one per quoted message template with two
// words or more, one per code, and for an article that quotes no message,
// one for the most distinctive phrase of its symptom record.
void derive_rules(const std::vector<RuleSource>& sources, const RankingConfig& cfg, std::vector<Rule>& out) {
  // How many articles name each code: a code many articles name tells them
  // apart less.
  std::unordered_map<std::string, size_t> code_share;
  for (const RuleSource& s : sources) {
    for (const std::string& c : std::set<std::string>(s.codes.begin(), s.codes.end())) ++code_share[c];
  }
  // In how many symptom records each word is: what makes a phrase distinctive.
  std::unordered_map<uint64_t, uint32_t> symptom_df;
  size_t symptom_records = 0;
  if (cfg.match_phrase_base > 0) {
    std::vector<uint64_t> words;
    for (const RuleSource& s : sources) {
      if (s.symptom.empty()) continue;
      ++symptom_records;
      words.clear();
      for (const PhraseToken& t : phrase_tokens(std::string_view(s.symptom).substr(0, kPhraseScanChars))) {
        if (t.key) words.push_back(t.key);
      }
      std::sort(words.begin(), words.end());
      words.erase(std::unique(words.begin(), words.end()), words.end());
      for (uint64_t w : words) ++symptom_df[w];
    }
  }
  for (const RuleSource& s : sources) {
    std::set<std::string_view> seen;
    size_t n = 0;
    bool message_rule = false;
    for (size_t m = 0; m < s.patterns.size(); ++m) {
      const std::string& p = s.patterns[m];
      ++n;
      if (!seen.insert(p).second) continue;
      // Words that are neither placeholders nor part of an error code: a
      // message that is a code and a file name says no more than the code,
      // which has its own rule.
      std::vector<uint64_t> words = message_words(p);
      size_t real = static_cast<size_t>(std::count_if(words.begin(), words.end(), [](uint64_t w) { return !is_placeholder(w); }));
      for (const ErrorCode& code : extract_codes(p)) real -= std::min(real, message_words(code.raw).size());
      if (real < 2 || !has_anchor_word(p)) continue;
      Rule r;
      r.id = s.id + "/message-" + std::to_string(n);
      r.file = "derived";
      r.derived = true;
      if (m < s.texts.size()) r.description = s.texts[m];
      r.when.kind = Kind::kAll;
      Condition leaf;
      leaf.kind = Kind::kMessage;
      leaf.pattern = PatternKind::kTemplate;
      leaf.text = p;
      r.when.children.push_back(std::move(leaf));
      const double length = std::min(1.0, static_cast<double>(real) / cfg.match_template_words);
      // How many other articles quote the same message is weighed at match
      // time, among the messages that fire on the same line.
      const double conf = cfg.match_template_base * std::sqrt(length);
      r.conclusions.push_back({s.id, conf});
      out.push_back(std::move(r));
      message_rule = true;
    }
    if (!message_rule && cfg.match_phrase_base > 0 && !s.symptom.empty()) {
      std::string phrase = distinctive_phrase(s.symptom, symptom_df, symptom_records);
      if (!phrase.empty() && has_anchor_word(phrase)) {
        Rule r;
        r.id = s.id + "/phrase-1";
        r.file = "derived";
        r.derived = true;
        r.description = phrase;
        r.when.kind = Kind::kAll;
        Condition leaf;
        leaf.kind = Kind::kMessage;
        leaf.pattern = PatternKind::kTemplate;
        leaf.text = std::move(phrase);
        r.when.children.push_back(std::move(leaf));
        r.conclusions.push_back({s.id, cfg.match_phrase_base});
        out.push_back(std::move(r));
      }
    }
    n = 0;
    for (const std::string& c : std::set<std::string>(s.codes.begin(), s.codes.end())) {
      Rule r;
      r.id = s.id + "/code-" + std::to_string(++n);
      r.file = "derived";
      r.derived = true;
      r.when.kind = Kind::kAll;
      Condition leaf;
      leaf.kind = Kind::kCode;
      leaf.text = c;
      r.when.children.push_back(std::move(leaf));
      const double conf = cfg.match_code_base / (1.0 + cfg.match_code_share_penalty * log2_share(code_share[c]));
      r.conclusions.push_back({s.id, conf});
      out.push_back(std::move(r));
    }
  }
}

void collect_leaves(const Condition& c, uint32_t rule, Compiled& k, std::vector<const Condition*>& templates) {
  if (c.kind == Kind::kMessage) {
    MessageLeaf leaf;
    leaf.cond = &c;
    leaf.rule = rule;
    if (c.pattern == PatternKind::kTemplate) {
      for (const std::string& w : message_word_texts(c.text)) {
        leaf.words.push_back(detail::hash_word(w));  // message_words(c.text)
        k.rule_words.add(w);
      }
      const bool derived = k.rules[rule].derived;
      if (derived && std::any_of(leaf.words.begin(), leaf.words.end(), is_placeholder)) {
        leaf.example = plain_words(k.rules[rule].description);
      }
      const size_t holes = static_cast<size_t>(std::count_if(leaf.words.begin(), leaf.words.end(), is_placeholder));
      leaf.min_degree = derived ? 0 : (static_cast<double>(leaf.words.size() - holes) + 0.6 * static_cast<double>(holes)) /
                                              static_cast<double>(std::max<size_t>(leaf.words.size(), 1)) * kExact;
      leaf.profile = DegreeProfile(leaf.words);
      templates.push_back(&c);
    }
    *k.leaf_of.try_emplace(&c).first = static_cast<uint32_t>(k.leaves.size());
    k.leaves.push_back(std::move(leaf));
  } else if (c.kind == Kind::kCode) {
    k.codes[c.text].emplace_back(&c, rule);
    k.code_hashes.insert(detail::hash_word(c.text));
  }
  for (const Condition& child : c.children) collect_leaves(child, rule, k, templates);
}

std::shared_ptr<Compiled> compile(const RuleSet& hand, const std::vector<RuleSource>* sources, const RankingConfig& cfg,
                                  uint64_t generation) {
  const auto start = std::chrono::steady_clock::now();
  auto k = std::make_shared<Compiled>();
  k->rules = hand.rules;
  k->hand = hand.rules.size();
  if (sources) derive_rules(*sources, cfg, k->rules);
  for (size_t i = 0; i < k->hand; ++i) k->agenda.push_back(static_cast<uint32_t>(i));
  std::stable_sort(k->agenda.begin(), k->agenda.end(),
                   [&](uint32_t a, uint32_t b) { return k->rules[a].salience > k->rules[b].salience; });

  std::vector<const Condition*> templates;
  for (size_t i = 0; i < k->rules.size(); ++i) {
    collect_leaves(k->rules[i].when, static_cast<uint32_t>(i), *k, templates);
    for (const Conclusion& c : k->rules[i].conclusions) k->by_article[c.article].push_back(static_cast<uint32_t>(i));
  }
  for (MessageLeaf& leaf : k->leaves) {
    if (k->rules[leaf.rule].derived) leaf.min_degree = cfg.match_template_fire;
    for (uint64_t w : leaf.words) k->vocabulary.insert(w);
  }

  // Anchors: each template's kAnchors rarest words (by how many templates hold them).
  std::unordered_map<std::string, size_t> df;
  std::unordered_map<const Condition*, std::vector<std::string>> words_of;
  for (const Condition* t : templates) {
    std::vector<std::string>& w = words_of[t];
    w = anchor_words(t->text);
    for (const std::string& x : w) ++df[x];
  }
  struct Patterns {
    std::vector<std::string> expressions;
    std::vector<unsigned> flags;
    uint32_t add(std::string expr, unsigned f, std::vector<std::vector<uint32_t>>& targets) {
      expressions.push_back(std::move(expr));
      flags.push_back(f);
      targets.emplace_back();
      return static_cast<uint32_t>(expressions.size() - 1);
    }
  } text;
  for (uint32_t li = 0; li < k->leaves.size(); ++li) {
    MessageLeaf& leaf = k->leaves[li];
    const Condition& c = *leaf.cond;
    if (c.pattern == PatternKind::kLiteral) {
      k->text_targets[text.add(literal_regex(c.text), HS_FLAG_CASELESS, k->text_targets)].push_back(li);
    } else if (c.pattern == PatternKind::kRegex) {
      const unsigned f = HS_FLAG_MULTILINE | (c.case_sensitive ? 0u : HS_FLAG_CASELESS);
      k->text_targets[text.add(c.text, f, k->text_targets)].push_back(li);
    } else {
      // Longer words first, then the rarer, then the longer; each word's
      // count looked up once, not at every comparison.
      std::vector<std::pair<size_t, const std::string*>> w;  // (count, word)
      for (const std::string& x : words_of[&c]) w.emplace_back(df[x], &x);
      std::stable_sort(w.begin(), w.end(), [](const auto& a, const auto& b) {
        const bool la = a.second->size() >= 4, lb = b.second->size() >= 4;
        if (la != lb) return la;
        if (a.first != b.first) return a.first < b.first;
        return a.second->size() > b.second->size();
      });
      uint32_t ids[kAnchors];
      bool alone[kAnchors];
      const size_t n = std::min(w.size(), kAnchors);
      for (size_t j = 0; j < n; ++j) {
        const auto& [count, word] = w[j];
        ids[j] = k->anchors.add(*word);
        k->rule_words.add(*word);
        if (ids[j] == k->rare_targets.size()) {  // a new anchor
          k->rare_targets.emplace_back();
          k->partners.push_back(0);
          k->number_anchor.push_back(std::all_of(word->begin(), word->end(), is_ascii_digit));
          if (k->number_anchor.back()) k->number_anchor_words.insert(detail::hash_word(*word));
        }
        // A common word starts a check only together with another anchor.
        alone[j] = n == 1 || count <= cfg.match_common_anchor;
        if (alone[j]) k->rare_targets[ids[j]].push_back(li);
      }
      // A pair with a word that starts the check on its own adds nothing.
      for (size_t a = 0; a < n; ++a) {
        for (size_t b = a + 1; b < n; ++b) {
          if (ids[a] == ids[b] || alone[a] || alone[b]) continue;
          auto [index, fresh] = k->pair_index.try_emplace(pair_key(ids[a], ids[b]));
          if (fresh) *index = static_cast<uint32_t>(k->pair_targets.size()), k->pair_targets.emplace_back();
          k->pair_targets[*index].push_back(li);
          k->partners[ids[a]] |= Compiled::partner_bit(ids[b]);
          k->partners[ids[b]] |= Compiled::partner_bit(ids[a]);
        }
      }
    }
  }
  auto build_db = [&](const Patterns& p, hs_database_t** db) {
    if (p.expressions.empty()) return;
    std::vector<const char*> exprs;
    std::vector<unsigned> ids;
    for (size_t i = 0; i < p.expressions.size(); ++i) {
      exprs.push_back(p.expressions[i].c_str());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), p.flags.data(), ids.data(), static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                         nullptr, db, &err) != HS_SUCCESS) {
      std::string why = err && err->message ? err->message : "cannot compile";
      const int at = err ? err->expression : -1;
      hs_free_compile_error(err);
      throw Error("rule engine: cannot compile the rules' patterns: " + why +
                  (at >= 0 ? " (in " + p.expressions[static_cast<size_t>(at)] + ")" : ""));
    }
    if (hs_alloc_scratch(*db, &k->prototype) != HS_SUCCESS) throw Error("rule engine: out of memory for scan scratch");
  };
  build_db(text, &k->text_db);
  k->stats.hand_written = k->hand;
  k->stats.derived = k->rules.size() - k->hand;
  k->stats.patterns = text.expressions.size() + k->anchors.size();
  k->stats.store_generation = generation;
  k->stats.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return k;
}

// Word-set containment both ways, any case: "Exchange" is "Microsoft
// Exchange Server", and "Microsoft Exchange" is "Exchange".
bool names_match(std::string_view a, std::string_view b) {
  auto words = [](std::string_view s) {
    std::vector<std::string> w;
    for (const std::string& x : anchor_words(s)) w.push_back(x);
    return w;
  };
  std::vector<std::string> wa = words(a), wb = words(b);
  if (wa.empty() || wb.empty()) return false;
  auto within = [](const std::vector<std::string>& x, const std::vector<std::string>& y) {
    return std::all_of(x.begin(), x.end(), [&](const std::string& w) { return std::find(y.begin(), y.end(), w) != y.end(); });
  };
  return within(wa, wb) || within(wb, wa);
}

// Whether every word of `words` is in `text`, any case.
bool contains_words(std::string_view text, std::string_view words) {
  std::vector<std::string> have = anchor_words(text), want = anchor_words(words);
  return !want.empty() && std::all_of(want.begin(), want.end(), [&](const std::string& w) {
    return std::find(have.begin(), have.end(), w) != have.end();
  });
}

// The cores this thread may run on: fewer than the machine's under taskset
// or a cpuset, where a second thread only takes turns with the first (the
// 10 MB log scans a quarter slower on one core with it than without). A
// CPU quota (docker --cpus) does not show here.
unsigned cores_to_run_on() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
#endif
  return std::thread::hardware_concurrency();
}

// One match: the input, its scan hits, and the rules' verdicts.
class Run {
 public:
  Run(const Compiled& k, std::string_view text, const MatchOptions& opt)
      : k_(k), text_(text), opt_(opt), line_keys_(&k.rule_words) {
    // Where each line starts, and where one after the last would: a
    // line's text is read from these, not kept as a view (16 bytes a line
    // of a 10 MB log, written for one look or two).
    size_t start = 0;
    while (start < text.size()) {
      starts_.push_back(start);
      const void* nl = std::memchr(text.data() + start, '\n', text.size() - start);
      start = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1 : text.size() + 1;
    }
    line_count_ = starts_.size();
    starts_.push_back(start);
    first_.resize(line_count_);
    form_of_.assign(line_count_, kNoForm);
    forms_.reserve(line_count_);  // at most one per line: never moved while read
    form_at_ = forms_.data();       // what the checks read them through: not forms_, which the reading grows
    shapes_.reserve(line_count_);  // the same
    shape_at_ = shapes_.data();
  }

  size_t line_count() const { return line_count_; }
  // Line `i`, without its '\n'.
  std::string_view line(size_t i) const { return text_.substr(starts_[i], starts_[i + 1] - 1 - starts_[i]); }

  void scan() {
    // The lines are read (keys, forms, codes) ahead of the rules' checks:
    // on a second thread for a long input, the checks waiting for the
    // lines they look at. Either way the checks see the same lines in the
    // same order.
    const size_t n = line_count_;
    std::atomic<size_t> ready{0};
    std::atomic<bool> stopped{false};  // the reading failed: `failed` says why
    std::exception_ptr failed;
    auto read = [&](std::stop_token stop) {
      try {
        for (size_t from = 0; from < n && !stop.stop_requested(); from += kReadChunk) {
          read_lines(from, std::min(n, from + kReadChunk));
          ready.store(std::min(n, from + kReadChunk), std::memory_order_release);
        }
      } catch (...) {
        failed = std::current_exception();
        stopped.store(true, std::memory_order_release);
      }
    };
    struct ReadStopped {};
    try {
      std::jthread ahead;  // asked to stop and joined on the way out, a throw included
      if (opt_.read_ahead && n >= kReadAheadLines && cores_to_run_on() > 1) {
        try {
          ahead = std::jthread(read);
        } catch (const std::system_error&) {  // no thread to be had: read here
          read(std::stop_token());
        }
      } else {
        read(std::stop_token());
      }
      if (k_.text_db && !text_.empty()) {
        hs_scratch_t* s = k_.take_scratch();
        struct Give {
          const Compiled& k;
          hs_scratch_t* s;
          ~Give() { k.give_scratch(s); }
        } give{k_, s};
        check_scan(hs_scan(k_.text_db, text_.data(), static_cast<unsigned>(std::min<size_t>(text_.size(), UINT32_MAX)),
                           0, s, &Run::on_text_match, this));
      }
      if (k_.anchors.size() > 0) {
        scan_lines([&](size_t line) {
          // The lines of its window must be read; lines the reading did not
          // get to are never looked at.
          const size_t need = std::min(n, line + kWindowLines + 1);
          while (ready.load(std::memory_order_acquire) < need) {
            if (stopped.load(std::memory_order_acquire)) throw ReadStopped{};
            std::this_thread::yield();
          }
        });
      }
    } catch (const ReadStopped&) {
      // `failed` is thrown below, the reading thread joined
    }
    if (failed) std::rethrow_exception(failed);
    for (const auto& [line, cond, rule] : code_hits_) {
      if (auto [kept, fresh] = codes_.try_emplace(cond); fresh) *kept = line;  // the first line holding it
      candidates_.push_back(rule);
    }
    std::sort(candidates_.begin(), candidates_.end());
    candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
    // The paste's file names, numbers and names against the article's, for
    // the lines each template matched best: the same ones are the article's
    // own case, others a lookalike.
    hits_.for_each([&](uint32_t li, LeafHit& hit) {
      const MessageLeaf& leaf = k_.leaves[li];
      if (leaf.example.empty() || hit.degree <= 0) return;
      std::vector<uint64_t> plain;
      for (uint32_t x = hit.first_line; x <= hit.last_line; ++x) {
        std::vector<uint64_t> w = plain_words(line(x));
        plain.insert(plain.end(), w.begin(), w.end());
      }
      hit.agree = std::min(1.0, pattern_coverage(leaf.example, plain) / hit.degree);
    });
  }

  // Rules to look at beyond the hand-written ones: those a hit touched,
  // in order, each once.
  const std::vector<uint32_t>& candidates() const { return candidates_; }

  // Evaluates `c`; the leaves that held go to `evidence`, and the first leaf
  // that failed (for a "why not") to `failed`.
  Truth eval(const Condition& c, const std::set<std::string>& facts, double& degree,
             std::vector<std::pair<const Condition*, LeafHit>>* evidence, const Condition** failed) const {
    switch (c.kind) {
      case Kind::kAll: {
        Truth t = Truth::kTrue;
        for (const Condition& x : c.children) {
          Truth v = eval(x, facts, degree, evidence, failed);
          if (v == Truth::kFalse) return Truth::kFalse;
          if (v == Truth::kUnknown) t = Truth::kUnknown;
        }
        return t;
      }
      case Kind::kAny: {
        Truth t = Truth::kFalse;
        const Condition* first_failed = nullptr;
        for (const Condition& x : c.children) {
          const Condition* f = nullptr;
          Truth v = eval(x, facts, degree, evidence, &f);
          if (v == Truth::kTrue) return v;
          if (v == Truth::kUnknown) t = Truth::kUnknown;
          if (!first_failed) first_failed = f;
        }
        if (t == Truth::kFalse && failed && !*failed) *failed = first_failed ? first_failed : &c;
        return t;
      }
      case Kind::kNot: {
        double ignored = 1;
        Truth v = eval(c.children.front(), facts, ignored, nullptr, nullptr);
        // A restriction ("not for Outlook Express") holds unless the context
        // given contradicts it: what was not said is not held against a rule.
        Truth t = v == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
        if (t == Truth::kFalse && failed && !*failed) *failed = &c;
        return t;
      }
      case Kind::kMessage: {
        const uint32_t li = *k_.leaf_of.find_value(&c);
        const MessageLeaf& leaf = k_.leaves[li];
        const LeafHit* hit = hits_.find_value(li);
        if (hit && hit->degree >= leaf.min_degree) {
          degree = std::min(degree, hit->degree);
          if (evidence) evidence->emplace_back(&c, *hit);
          return Truth::kTrue;
        }
        if (failed && !*failed) *failed = &c;
        return Truth::kFalse;
      }
      case Kind::kCode: {
        if (const uint32_t* line = codes_.find_value(&c)) {
          if (evidence) evidence->emplace_back(&c, LeafHit{1, *line, *line});
          return Truth::kTrue;
        }
        if (failed && !*failed) *failed = &c;
        return Truth::kFalse;
      }
      case Kind::kFact: {
        if (facts.count(c.text)) {
          if (evidence) evidence->emplace_back(&c, LeafHit{1, kFactLine, kFactLine});
          return Truth::kTrue;
        }
        if (failed && !*failed) *failed = &c;
        return Truth::kFalse;
      }
      case Kind::kProduct:
      case Kind::kOs:
      case Kind::kVersion: {
        const std::string& given = c.kind == Kind::kProduct ? opt_.product : c.kind == Kind::kOs ? opt_.os : opt_.version;
        if (given.empty()) return Truth::kUnknown;
        bool holds = c.kind == Kind::kVersion ? c.range.contains(given) : names_match(c.text, given);
        if (!holds && failed && !*failed) *failed = &c;
        return holds ? Truth::kTrue : Truth::kFalse;
      }
    }
    return Truth::kFalse;
  }

  // The best coverage of a template anywhere in the input (for a "why not").
  double best_coverage(const MessageLeaf& leaf, size_t max_lines) {
    double best = 0;
    for (size_t i = 0; i < line_count_ && i < max_lines; ++i) best = std::max(best, pattern_coverage(leaf.words, words(i)));
    return best;
  }

 private:
  static void check_scan(hs_error_t rc) {
    if (rc != HS_SUCCESS) throw Error("rule engine: the scan failed (Hyperscan error " + std::to_string(rc) + ")");
  }

  static int on_text_match(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
    Run& r = *static_cast<Run*>(ctx);
    const size_t end = to > 0 ? static_cast<size_t>(to - 1) : 0;
    const uint32_t line =
        static_cast<uint32_t>(std::upper_bound(r.starts_.begin(), r.starts_.end(), end) - r.starts_.begin() - 1);
    for (uint32_t leaf : r.k_.text_targets[id]) r.record(leaf, LeafHit{1, line, line});
    return 0;
  }

  // Keeps the best hit of each leaf, the first of equals.
  void record(uint32_t leaf, const LeafHit& h) {
    auto [kept, fresh] = hits_.try_emplace(leaf);
    if (!fresh && h.degree <= kept->degree) return;  // and a rule it would make a candidate is one already
    *kept = h;
    *kept_degree_.try_emplace(leaf).first = h.degree;
    // Sorted, and each once, at the end of scan().
    if (h.degree >= k_.leaves[leaf].min_degree) candidates_.push_back(k_.leaves[leaf].rule);
  }

  // A line's masked words, with what is derived from them. Lines with one
  // key share the first one's, as they share its scan: they read alike to
  // the rules (line_key.h).
  struct Form {
    std::vector<uint64_t> words;
    uint64_t sig = 0;    // a bit per word hash: most "is this word here" are "no" at a look
    WordBloom bloom;     // the same, finer, for the windows the line is in
    std::vector<uint32_t> plain_before;  // per word and one past the last: the words before it that are not placeholders
    // A stamped line's (LineKeys::Parts): where its rest starts (0: made
    // whole), and its parts, in part_words_.
    uint32_t rest_at = 0, lead_part = 0, rest_part = 0;
    // explained_share(words, first, last), from the running count.
    double explained(size_t first, size_t last) const {
      const uint32_t all = plain_before.back();
      const uint32_t inside =
          first <= last && first < words.size() ? plain_before[std::min(last, words.size() - 1) + 1] - plain_before[first] : 0;
      return all ? static_cast<double>(inside) / all : 1.0;
    }
  };
  // Reads lines from..to: their keys, the forms of keys not seen before,
  // and the codes of lines whose codes key is new (a line repeated holds the
  // same codes: its key keeps every number that could be one).
  void read_lines(size_t from, size_t to) {
    // The lines' skeletons first, so that each one's slot is asked for a
    // few lines before it is looked at.
    constexpr size_t kAhead = 4;
    skeletons_.resize(to - from);
    for (size_t i = from; i < to; ++i) skeletons_[i - from] = LineKeys::skeleton(line(i));
    for (size_t i = from; i < to; ++i) {
      if (i + kAhead < to) line_keys_.prefetch(skeletons_[i + kAhead - from]);
      const LineKey key = line_keys_.key(line(i), skeletons_[i - from]);
      // Most lines are of a keying seen before: its form, and whether its
      // codes were looked at, are remembered by it.
      if (key.entry != LineKey::kNoEntry && key.entry >= by_entry_.size()) by_entry_.resize(line_keys_.entries());
      Entry* entry = key.entry != LineKey::kNoEntry ? &by_entry_[key.entry] : nullptr;
      bool fresh = false;
      if (!entry || entry->form == kNoForm) {
        auto [known, is_new] = form_by_key_.try_emplace(key.words);
        fresh = is_new;
        if (fresh) {
          *known = static_cast<uint32_t>(forms_.size());
          forms_.push_back(make_form(line(i)));
          shapes_.push_back(shape_of(forms_.back().words));
        }
        if (entry) entry->form = *known;
        form_of_[i] = *known;
      } else {
        form_of_[i] = entry->form;
      }
      first_[i] = fresh;
      if (k_.codes.empty()) continue;
      if (entry && !key.codes_vary) {  // one codes key for the entry's every line
        if (entry->codes_seen) continue;
        entry->codes_seen = true;
      }
      if (!seen_codes_.insert(key.codes)) continue;
      if (const LineKeys::Parts* parts = line_keys_.parts()) {
        // Its codes are its stamp's and its message's: each part's read
        // where its codes key is new (a message under another stamp holds
        // the codes it held there).
        read_codes(i, line(i).substr(0, parts->at), parts->lead_codes);
        read_codes(i, line(i).substr(parts->at), parts->rest_codes);
      } else {
        read_codes(i, line(i), std::nullopt);
      }
    }
  }
  // Records the codes of `text`, on line `line`, that rules hold, unless
  // `codes_key` (of the text) is one seen before.
  void read_codes(size_t at_line, std::string_view text, std::optional<uint64_t> codes_key) {
    if (codes_key && !seen_codes_.insert(*codes_key)) return;
    codes_of_line_.clear();
    add_codes(text, codes_of_line_);
    for (const ErrorCode& code : codes_of_line_) {
      if (!k_.code_hashes.contains(detail::hash_word(code.code))) continue;
      auto it = k_.codes.find(code.code);
      if (it == k_.codes.end()) continue;
      for (const auto& [cond, rule] : it->second) code_hits_.push_back({static_cast<uint32_t>(at_line), cond, rule});
    }
  }
  // The form of the line just keyed (line_keys_ says what keying it made).
  Form make_form(std::string_view line) {
    Form f;
    if (const LineKeys::Parts* parts = line_keys_.parts()) {  // parts->at fits 32 bits (stamp_end())
      // Its stamp's words and its message's, each masked once per key.
      const uint32_t lead = part_words(parts->lead, line.substr(0, parts->at), {});
      const uint32_t rest = part_words(parts->rest, line.substr(parts->at), parts->rest_masked);
      f.words.reserve(part_words_[lead].size() + part_words_[rest].size());
      f.words.assign(part_words_[lead].begin(), part_words_[lead].end());
      append_message_words(f.words, part_words_[rest]);
      f.rest_at = static_cast<uint32_t>(parts->at), f.lead_part = lead, f.rest_part = rest;
    } else {
      const std::string_view masked = line_keys_.masked();  // if keying it masked it already
      f.words = masked.empty() ? message_words(line) : masked_message_words(masked);
    }
    f.plain_before.reserve(f.words.size() + 1);
    f.plain_before.push_back(0);
    for (uint64_t w : f.words) {
      f.sig |= 1ull << (w & 63);
      f.bloom.add(w);
      f.plain_before.push_back(f.plain_before.back() + !is_placeholder(w));
    }
    return f;
  }
  // The words of a part of a line keyed in two, whose key is `key`, in
  // part_words_: `masked` is the part masked, if keying it masked it.
  uint32_t part_words(uint64_t key, std::string_view part, std::string_view masked) {
    auto [index, fresh] = part_words_of_.try_emplace(key);
    if (fresh) {
      *index = static_cast<uint32_t>(part_words_.size());
      part_words_.push_back(masked.empty() ? message_words(part) : masked_message_words(masked));
    }
    return *index;
  }
  // A line's words as the templates see them, as a number: those no
  // template holds are one word, "other"; placeholders stay what they are
  // (they count as words a match does not explain). Lines of one shape
  // measure the same against every template.
  uint64_t shape_of(const std::vector<uint64_t>& words) const {
    constexpr uint64_t kOther = 0x6f74686572ull;  // any value no template word hashes to works the same
    uint64_t h = 1469598103934665603ull;
    for (uint64_t w : words) {
      const uint64_t x = k_.vocabulary.contains(w) || is_placeholder(w) ? w : kOther;
      h = (h ^ x) * 1099511628211ull;
      h ^= h >> 29;
    }
    return (h ^ words.size()) * 1099511628211ull;
  }
  const Form& form(size_t line) const { return form_at_[form_of_[line]]; }
  const std::vector<uint64_t>& words(size_t line) { return form(line).words; }
  uint64_t shape(size_t line) const { return shape_at_[form_of_[line]]; }  // a window's five, from one small array

  // Which of a template's words (its first 64) a line may hold by its
  // signature (a bit per word hash): all it holds, and those whose hash
  // shares a bit with a word it holds. held_words() says which of `maybe`
  // it holds, by the line's bloom first: most "no"s without a look.
  static uint64_t maybe_held_words(const MessageLeaf& leaf, uint64_t sig) {
    uint64_t maybe = 0;
    for (size_t i = 0; i < leaf.words.size() && i < 64; ++i) maybe |= ((sig >> (leaf.words[i] & 63)) & 1) << i;
    return maybe;
  }
  uint64_t held_words(const MessageLeaf& leaf, size_t line, uint64_t maybe) {
    const Form& f = form(line);
    const std::vector<uint64_t>& w = f.words;
    uint64_t held = 0;
    for (; maybe != 0; maybe &= maybe - 1) {
      const int i = __builtin_ctzll(maybe);
      const uint64_t x = leaf.words[static_cast<size_t>(i)];
      if (f.bloom.may_hold(x) && std::find(w.begin(), w.end(), x) != w.end()) held |= 1ull << i;
    }
    return held;
  }

  // What a measure of a template must reach to be worth more: `at_least`,
  // and beyond the hit kept, as of equal hits the first is kept.
  // (Coverages are tenths of a word apart, far more than 1e-9.)
  struct Bar {
    double at_least;
    double kept;  // the kept hit's degree, or -1 for none
    // Whether a measure bound by `bound` falls short of it.
    bool short_of(double bound) const { return bound + 1e-9 < at_least || (kept >= 0 && bound <= kept + 1e-9); }
  };
  static Bar bar(double at_least, const double* kept) { return {at_least, kept ? *kept : -1.0}; }
  Bar bar(uint32_t li, double at_least) const { return bar(at_least, kept_degree_.find_value(li)); }

  // Whether an alignment of template `li` with a text holding `held` of its
  // words (its first 64) falls short of `bar`: the sum first, then the best
  // stretch.
  bool held_falls_short(uint32_t li, uint64_t held, const Bar& bar) const {
    const MessageLeaf& leaf = k_.leaves[li];
    return bar.short_of(held_sum_bound(leaf.words.size(), held, leaf.profile.holes)) ||
           bar.short_of(pattern_side_bound(leaf.words.size(), held, leaf.profile.holes));
  }

  // The template's coverage of the line alone.
  struct Cover {
    double degree = 0, explained = 1, spanned = 1;
    bool wrap = false;  // worth looking at the lines around
    // Worth looking at again where the line repeats with other lines
    // around: a message wrapped from it holds a fair part of it here.
    bool wrap_again = false;
  };

  // The anchor words of a line, as ids, each once and in order: its words
  // (runs of letters, digits and bytes >= 0x80, any case) that are anchors.
  // Anchors of digits alone ("53") are looked up among the masked words:
  // a number masking drops cannot be the template's.
  void anchors_of(uint32_t line, std::vector<uint32_t>& out) {
    out.clear();
    const std::string_view text = this->line(line);
    const Form& f = form(line);
    assert(first_[line]);  // the form was made at this line: rest_at is where this line's rest starts
    if (f.rest_at > 0) {  // a stamped line: its parts' anchors, each part's found once
      add_part_anchors(f.lead_part, text.substr(0, f.rest_at), out);
      add_part_anchors(f.rest_part, text.substr(f.rest_at), out);
    } else {
      word_anchors(text, out);
    }
    for (uint64_t w : f.words) {
      if (!k_.number_anchor_words.contains(w)) continue;
      const uint32_t id = k_.anchors.lookup(w);
      if (id != AnchorTable::kNone && k_.number_anchor[id]) out.push_back(id);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  // The anchors among the words of `text` as written (not those of digits
  // alone), appended to `out`.
  void word_anchors(std::string_view text, std::vector<uint32_t>& out) const {
    const size_t n = text.size();
    for (size_t i = 0; i < n;) {
      if (!anchor_char(text[i])) {
        ++i;
        continue;
      }
      const size_t from = i;
      bool digits_only = true;
      for (; i < n && anchor_char(text[i]); ++i) digits_only &= is_ascii_digit(text[i]);
      if (digits_only) continue;  // a log line's times and counts: no anchor here
      const uint32_t id = k_.anchors.lookup(detail::hash_word(text.substr(from, i - from)));
      if (id != AnchorTable::kNone && !k_.number_anchor[id]) out.push_back(id);
    }
  }
  // Appends word_anchors() of part `part` (part_words_'s index), whose
  // text is `text`, to `out`: parts of one key hold the same words of the
  // rules as written. The checks' own (the reading may run ahead on another
  // thread).
  void add_part_anchors(uint32_t part, std::string_view text, std::vector<uint32_t>& out) {
    if (part >= part_anchors_.size()) part_anchors_.resize(part + 1), part_anchored_.resize(part + 1, 0);
    if (!part_anchored_[part]) {
      part_anchored_[part] = 1;
      word_anchors(text, part_anchors_[part]);
    }
    out.insert(out.end(), part_anchors_[part].begin(), part_anchors_[part].end());
  }
  std::vector<std::vector<uint32_t>> part_anchors_;
  std::vector<char> part_anchored_;
  static bool anchor_char(char c) { return is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80; }

  // The templates a line's anchors point to, sorted, each with its
  // coverage of the line: the same for every line of one shape and anchors.
  // Only those whose cover records something or may wrap: most templates
  // a line points to are not on it.
  struct Checks {
    uint64_t key = 0;  // of its shape and anchors
    std::vector<std::pair<uint32_t, Cover>> list;
    // Per template, whether it was first measured against the shape here:
    // one measured before was recorded at a line of the shape then.
    std::vector<char> new_to_shape;
    bool done = false;  // made at a line, so that only wraps are left to look at
  };
  // Whether a cover records nothing on its line and cannot wrap: verify()
  // does nothing with it.
  static bool idle(const Cover& c) { return c.degree <= 0 && !c.wrap; }
  // `anchors` mixed into `seed`, as a number.
  static uint64_t anchors_key(uint64_t seed, const std::vector<uint32_t>& anchors) {
    uint64_t key = seed;
    for (uint32_t a : anchors) key = (key ^ a) * 0x100000001B3ull, key ^= key >> 29;
    return (key ^ anchors.size()) * 0x9E3779B97F4A7C15ull;
  }
  Checks& checks(uint32_t line, const std::vector<uint32_t>& anchors) {
    const uint64_t key = anchors_key(shape(line), anchors);
    auto [known, fresh] = checks_.try_emplace(key);
    if (!fresh) return *known;
    known->key = key;
    const std::vector<uint32_t>& touched = touched_by(anchors);
    // The shape's templates measured so far and these, both sorted: one
    // pass over each, not a hash lookup per template.
    ShapeCovers& measured = covers_of(shape(line));
    std::vector<std::pair<uint32_t, Cover>> out;
    std::vector<char> fresh_here;
    // Measured here, in order, each with its index in measured.covers or kIdle.
    std::vector<std::pair<uint32_t, uint32_t>>& added = added_;
    added.resize(touched.size());
    size_t added_n = 0;
    size_t at = 0;
    for (size_t x = 0; x < touched.size(); ++x) {
      const uint32_t li = touched[x];
      // The templates are far apart in memory: the next ones are fetched
      // while this one is measured, their words once their leaf is in.
      if (x + 4 < touched.size()) __builtin_prefetch(&k_.leaves[touched[x + 4]]);
      if (x + 2 < touched.size()) __builtin_prefetch(k_.leaves[touched[x + 2]].words.data());
      while (at < measured.leaves.size() && measured.leaves[at] < li) ++at;
      if (at < measured.leaves.size() && measured.leaves[at] == li) {
        if (measured.cover[at] == ShapeCovers::kIdle) continue;
        out.emplace_back(li, measured.covers[measured.cover[at]]);
        fresh_here.push_back(0);
        continue;
      }
      const Cover c = measure_line(li, line);
      if (idle(c)) {
        added[added_n++] = {li, ShapeCovers::kIdle};
        continue;
      }
      added[added_n++] = {li, static_cast<uint32_t>(measured.covers.size())};
      measured.covers.push_back(c);
      out.emplace_back(li, c);
      fresh_here.push_back(1);
    }
    if (added_n > 0) {
      // The covers stay where they are; the templates and their indexes
      // are merged in place, from the back.
      std::vector<uint32_t>& leaves = measured.leaves;
      std::vector<uint32_t>& cover = measured.cover;
      size_t a = leaves.size(), b = added_n, to = leaves.size() + added_n;
      leaves.resize(to);
      cover.resize(to);
      while (b > 0) {
        --to;
        if (a > 0 && leaves[a - 1] > added[b - 1].first) {
          --a;
          leaves[to] = leaves[a];
          cover[to] = cover[a];
        } else {
          --b;
          leaves[to] = added[b].first;
          cover[to] = added[b].second;
        }
      }
    }
    known->list = std::move(out);  // `known` still holds: nothing above adds checks
    known->new_to_shape = std::move(fresh_here);
    return *known;
  }
  // The templates a line's anchors point to, sorted, each once: the same
  // for every line of these anchors, whatever its shape (a message under
  // stamps of other widths), so made once per set of anchors.
  const std::vector<uint32_t>& touched_by(const std::vector<uint32_t>& anchors) {
    auto [index, fresh] = touched_of_.try_emplace(anchors_key(0x746f7563686564ull /* "touched" */, anchors));
    if (!fresh && touched_lists_[*index].anchors == anchors) return touched_lists_[*index].templates;
    std::vector<uint32_t> touched;
    std::vector<size_t>& runs = touched_runs_;  // where each list touched starts in `touched`, and the end
    runs.assign(1, 0);
    auto touch = [&](const std::vector<uint32_t>& leaves) {
      if (leaves.empty()) return;
      touched.insert(touched.end(), leaves.begin(), leaves.end());
      runs.push_back(touched.size());
    };
    // Pairs are quadratic: a line of thousands of words (a paste with no
    // line breaks) is checked by its rare anchors alone.
    const bool pairs = anchors.size() <= kMaxPairedAnchors;
    for (size_t a = 0; a < anchors.size(); ++a) {
      touch(k_.rare_targets[anchors[a]]);
      if (!pairs || !k_.partners[anchors[a]]) continue;
      for (size_t b = a + 1; b < anchors.size(); ++b) {
        if (!k_.may_pair(anchors[a], anchors[b])) continue;
        if (const uint32_t* p = k_.pair_index.find_value(pair_key(anchors[a], anchors[b]))) touch(k_.pair_targets[*p]);
      }
    }
    merge_runs(touched, runs);  // the same order of checks whatever the anchors' order
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    if (!fresh) return scratch_touched_ = std::move(touched);  // another set of the same key: not kept
    *index = static_cast<uint32_t>(touched_lists_.size());
    touched_lists_.push_back({anchors, std::move(touched)});
    return touched_lists_.back().templates;
  }
  std::vector<size_t> touched_runs_;  // touched_by()'s
  std::vector<uint32_t> merged_;  // merge_runs()'s

  // Sorts `v`, made of the sorted runs v[runs[i]..runs[i + 1]), by merging
  // neighbouring runs pairwise: each list of templates a check touches is
  // sorted (by template), and they are a handful, so a merge compares far
  // less than a sort, whose comparisons mispredict half the time.
  void merge_runs(std::vector<uint32_t>& v, std::vector<size_t>& runs) {
    std::vector<uint32_t>& other = merged_;
    while (runs.size() > 2) {
      other.resize(v.size());
      size_t kept = 0;
      for (size_t r = 0; r + 1 < runs.size(); r += 2) {
        const size_t from = runs[r], mid = runs[r + 1], to = r + 2 < runs.size() ? runs[r + 2] : mid;
        std::merge(v.begin() + static_cast<ptrdiff_t>(from), v.begin() + static_cast<ptrdiff_t>(mid),
                   v.begin() + static_cast<ptrdiff_t>(mid), v.begin() + static_cast<ptrdiff_t>(to),
                   other.begin() + static_cast<ptrdiff_t>(from));
        runs[kept++] = from;
      }
      runs[kept++] = v.size();
      runs.resize(kept);
      v.swap(other);
    }
  }
  std::vector<std::pair<uint32_t, uint32_t>> added_;  // checks()'s

  // The templates measured against a shape so far, sorted, with their
  // covers where they are not idle.
  struct ShapeCovers {
    static constexpr uint32_t kIdle = UINT32_MAX;
    std::vector<uint32_t> leaves;
    std::vector<uint32_t> cover;  // per template, its index in `covers`, or kIdle
    std::vector<Cover> covers;
  };
  ShapeCovers& covers_of(uint64_t shape) {
    auto [index, fresh] = covers_index_.try_emplace(shape);
    if (fresh) {
      *index = static_cast<uint32_t>(covers_.size());
      covers_.emplace_back();
    }
    return covers_[*index];
  }

  // The templates' anchors, line by line, each distinct line once: a line
  // repeated (up to its numbers) is the same evidence, and the first line
  // holding it is the one shown. Templates whose anchors are on a line are
  // measured against it, and the lines around it when the message is
  // longer than the line.
  template <typename Wait>
  void scan_lines(Wait wait_for) {
    // A repeated line is the same evidence on its own, but a message may
    // wrap from it onto other neighbours than the first time: the templates
    // that could wrap are measured again where the neighbours are new.
    // Neighbours of the same shapes measure the same, and lines of one
    // check (shape and anchors) the same templates: a repeat is measured
    // again only where its window's shapes are new for its check.
    constexpr uint32_t kNoWraps = UINT32_MAX;
    std::vector<uint32_t> wraps;  // form -> its check's templates that could wrap, in could_wrap_of
    FlatMap<uint64_t, uint32_t, KeyHash> wraps_of_check;  // check -> the same
    std::vector<std::pair<uint64_t, std::vector<std::pair<uint32_t, Cover>>>> could_wrap_of;  // (check, templates)
    KeySet measured;  // checks with their window's shapes
    auto seen = [&](uint64_t check, uint64_t window) { return !measured.insert((check ^ window) * 0x9E3779B97F4A7C15ull); };
    std::vector<uint32_t> anchors;
    for (uint32_t line = 0; line < line_count_; ++line) {
      // The text of a line not seen before is read again here, for its
      // anchors, long after the reading went past it: it is asked of the
      // cache some lines ahead (lines seen before are not read, so the
      // processor does not fetch them ahead of itself).
      if (line + kTextAhead < line_count_) {
        const char* ahead = text_.data() + starts_[line + kTextAhead];
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + 64);
      }
      wait_for(line);
      const std::string_view text = this->line(line);
      if (text.empty()) continue;
      if (!first_[line]) {
        const uint32_t form = form_of_[line];
        if (form >= wraps.size() || wraps[form] == kNoWraps) continue;
        const uint64_t window = window_of(line);
        const auto& [check, could_wrap] = could_wrap_of[wraps[form]];
        if (seen(check, window)) continue;
        for (const auto& [li, c] : could_wrap) verify(li, line, c);
        continue;
      }
      anchors_of(line, anchors);
      if (anchors.empty()) continue;
      Checks& todo = checks(line, anchors);
      // A template measured against a line of the same shape before records
      // nothing new on this line alone: only what may wrap onto new
      // neighbours can.
      const bool again = todo.done;
      todo.done = true;
      std::vector<std::pair<uint32_t, Cover>> could_wrap;
      for (size_t x = 0; x < todo.list.size(); ++x) {
        const auto& [li, c] = todo.list[x];
        if (!c.wrap && (again || !todo.new_to_shape[x])) continue;
        if (verify(li, line, c)) could_wrap.emplace_back(li, c);
      }
      if (!could_wrap.empty()) {
        // The same templates whenever the check is made: what could wrap
        // depends on a template's cover alone.
        seen(todo.key, window_of(line));
        auto [index, fresh] = wraps_of_check.try_emplace(todo.key);
        if (fresh) {
          *index = static_cast<uint32_t>(could_wrap_of.size());
          could_wrap_of.emplace_back(todo.key, std::move(could_wrap));
        }
        if (wraps.size() <= form_of_[line]) wraps.resize(form_of_[line] + 1, kNoWraps);
        wraps[form_of_[line]] = *index;
      }
    }
  }

  // The lines a message on `line` may wrap onto, line-2..line+2 (fewer at
  // the input's ends), as a number: the same for windows of lines of the
  // same shapes, at the same place.
  uint64_t window_of(uint32_t line) {
    const size_t lo = line >= kWindowLines ? line - kWindowLines : 0;
    const size_t hi = std::min(line_count_ - 1, static_cast<size_t>(line) + kWindowLines);
    uint64_t h = (line - lo) * 0x9E3779B97F4A7C15ull + (hi - lo);
    for (size_t x = lo; x <= hi; ++x) h = (h ^ shape(x)) * 0x100000001B3ull, h ^= h >> 31;
    return h;
  }

  Cover measure_line(uint32_t li, uint32_t line) {
    const MessageLeaf& leaf = k_.leaves[li];
    const Form& f = form(line);
    const std::vector<uint64_t>& own = f.words;
    Cover c;
    const Bar b = bar(li, leaf.min_degree);
    // Most templates fall short of the bar by the words the line may hold
    // by its signature alone (a bit per word hash), which are all it holds
    // and a few more: the bounds only grow with the words held. Those are
    // told so without a look at which words the line holds.
    const uint64_t maybe = maybe_held_words(leaf, f.sig);
    if (held_falls_short(li, maybe, b)) {
      c.wrap = leaf.words.size() > own.size();
      c.wrap_again = c.wrap && held_sum_bound(leaf.words.size(), maybe, leaf.profile.holes) >= kWrapShare &&
                     held_sum_bound(leaf.words.size(), held_words(leaf, line, maybe), leaf.profile.holes) >= kWrapShare;
      return c;
    }
    const uint64_t held = held_words(leaf, line, maybe);  // the template's words the line holds
    // The alignment only when the words the line holds could be enough, and
    // could make more of the template than is found already: a hit is kept
    // only when it is better, so a cover left at 0 here records nothing
    // that would have been recorded, on any later line either.
    // The line as the template reads it, in one pass: a word of the line
    // can only be one of the template's words the line holds. Made only
    // for the templates the words held leave in.
    std::optional<Reading> reading;
    auto read_line = [&] {
      reading.emplace(leaf, li);
      for (uint64_t w : own) {
        uint64_t is = 0;
        if ((leaf.profile.sig >> (w & 63)) & 1) {
          for (uint64_t h = held; h != 0; h &= h - 1) {
            const int i = __builtin_ctzll(h);
            is |= static_cast<uint64_t>(leaf.words[static_cast<size_t>(i)] == w) << i;
          }
        }
        reading->add(is != 0 || (leaf.words.size() > 64 && leaf.holds(w)), is);
      }
      return reading->bound();
    };
    if (!held_falls_short(li, held, b) && !b.short_of(read_line()) &&
        !b.short_of(degree_of(li, reading->key, [&]() -> const std::vector<uint64_t>& { return own; }))) {  // the degree itself, alone
      size_t first = 0, last = 0;
      c.degree = pattern_coverage(leaf.words, own, &first, &last);
      c.explained = f.explained(first, last);
      c.spanned = spanned_share(own, first, last);
    }
    c.wrap = leaf.words.size() > own.size() && c.degree < 1;
    c.wrap_again = c.wrap && held_sum_bound(leaf.words.size(), held, leaf.profile.holes) >= kWrapShare;
    return c;
  }

  // A text as a template sees it: which of the template's words each of its
  // words is, in order (a word it does not hold is wrong against every one
  // of them), as a number. Texts of other words often read alike to a
  // template: its words on the same lines, with other lines around. So the
  // words before the first it holds and after the last count up to what an
  // alignment could take of them: a template's placeholders are all that
  // score there (0.6 against any word, against -0.5 for each other word,
  // missing or added), and a shortest best alignment, each of whose starts
  // and ends scores more than nothing, takes fewer than 2.2 words per
  // placeholder there. A template without placeholders reads alike with any
  // lines around.
  class MatchesKey {
   public:
    MatchesKey(uint32_t li, uint32_t holes) : h_((li + 1) * 0x9E3779B97F4A7C15ull), edge_(11ull * holes / 5) {}
    void add(uint64_t is) {
      if (is == 0) {
        ++pending_;
        return;
      }
      // A run of words it does not hold: 0, never an `is` mixed, and its length.
      if (pending_ > 0) mix(0), mix(held_ ? pending_ : std::min(pending_, edge_));
      pending_ = 0;
      held_ = true;
      mix(is);
    }
    void give_up() { usable_ = false; }  // a template of over 64 words: `is` says too little
    // 0 when unusable.
    uint64_t key() const {
      if (!usable_) return 0;
      uint64_t h = (h_ ^ std::min(pending_, edge_)) * 0x100000001B3ull;
      return ((h ^ (h >> 29)) * 0x9E3779B97F4A7C15ull) | 1;
    }

   private:
    void mix(uint64_t x) {
      h_ = (h_ ^ x) * 0x100000001B3ull;
      h_ ^= h_ >> 29;
    }
    uint64_t h_;
    const uint64_t edge_;   // the most words an alignment takes before or after the words held
    uint64_t pending_ = 0;  // words not held since the last one held
    bool held_ = false;     // whether one was
    bool usable_ = true;
  };
  // A text read word by word against a template: the bounds of its
  // coverage from the text's side and from the order of the words, and its
  // MatchesKey, fed alike.
  struct Reading {
    Reading(const MessageLeaf& leaf, uint32_t li)
        : side(leaf.words.size(), leaf.profile.hole_count > 0),
          order(leaf.words.size(), leaf.profile),
          key(li, leaf.profile.hole_count) {
      if (leaf.words.size() > 64) key.give_up();  // `is` has the first 64
    }
    // The next word: whether the template holds it, and which of its first
    // 64 words it is.
    void add(bool held, uint64_t is) {
      side.add_word(held);
      order.add(is);
      key.add(is);
    }
    double bound() const { return std::min(side.bound(), order.bound()); }
    TextSideBound side;
    OrderBound order;
    MatchesKey key;
  };

  // pattern_coverage_degree() of template `li` and `text`, which reads as
  // `matches` to it: made once per such reading.
  // `text()` gives the text, asked for only when the degree is made.
  template <typename Text>
  double degree_of(uint32_t li, const MatchesKey& matches, Text text) {
    const MessageLeaf& leaf = k_.leaves[li];
    const uint64_t key = matches.key();
    if (key == 0) return pattern_coverage_degree(leaf.words, leaf.profile, text());
    auto [degree, fresh] = degrees_.try_emplace(key);
    if (fresh) *degree = pattern_coverage_degree(leaf.words, leaf.profile, text());
    // A debug build checks every degree remembered against the text's own.
    assert(fresh || *degree == pattern_coverage_degree(leaf.words, leaf.profile, text()));
    return *degree;
  }

  // Records the hit of template `li` on `line`, whose own coverage is `c`,
  // and on the lines around it when the message is longer than the line;
  // says whether the message could wrap onto other lines.
  bool verify(uint32_t li, uint32_t line, const Cover& c) {
    const MessageLeaf& leaf = k_.leaves[li];
    LeafHit best{c.degree, line, line, c.explained, 1, c.spanned};
    // A template found whole already is found no better on other lines.
    const double* had = kept_degree_.find_value(li);
    if (c.wrap && !(had && *had >= 1.0)) {
      const size_t lo = line >= kWindowLines ? line - kWindowLines : 0;
      const size_t hi = std::min(line_count_ - 1, static_cast<size_t>(line) + kWindowLines);
      // Most windows are ruled out by their lines' blooms before their
      // words go into a table. A window is measured again only where the
      // line repeats with new neighbours for its check (scan_lines()): so
      // seldom the same template over the same shapes that a memo of them
      // would be looked up for nothing (334 of 18,737 in the 10 MB log).
      const Bar b = bar(std::max(leaf.min_degree, best.degree + 1e-9), had);
      if (window_may_beat(li, lo, hi, b)) best = measure_window(li, lo, hi, best, b);
    }
    if (best.degree > 0) record(li, best);
    return c.wrap_again;
  }

  // The words of the lines lo..hi, for the templates measured against them
  // (each looking its words up once, not once per line), made once per
  // window.
  struct WindowWords {
    static constexpr uint32_t kNone = UINT32_MAX;
    size_t lo = SIZE_MAX, hi = 0;  // the window it is of
    std::vector<uint64_t> words;   // open-addressed, by word hash; `used` says which slots hold one
    std::vector<uint32_t> used;    // == generation when used
    std::vector<uint32_t> held;    // == a template's stamp when the template holds the slot's word
    std::vector<uint64_t> is;      // where `held`: which of the template's first 64 words it is
    std::vector<uint32_t> sequence;  // the window's words in order, as slots
    uint32_t generation = 0, stamp = 0;
    size_t mask = 0;
    uint32_t find(uint64_t w) const {
      for (size_t i = (w * 0x9E3779B97F4A7C15ull) >> 40 & mask;; i = (i + 1) & mask) {
        if (used[i] != generation) return kNone;
        if (words[i] == w) return static_cast<uint32_t>(i);
      }
    }
  };
  WindowWords& window_words(size_t lo, size_t hi) {
    WindowWords& ww = window_words_;
    if (ww.lo == lo && ww.hi == hi) return ww;
    ww.lo = lo, ww.hi = hi;
    size_t n = 0;
    for (size_t x = lo; x <= hi; ++x) n += words(x).size();
    size_t slots = 64;
    while (slots < 2 * n) slots <<= 1;
    if (ww.words.size() < slots) {
      ww.words.assign(slots, 0), ww.used.assign(slots, 0), ww.held.assign(slots, 0), ww.is.assign(slots, 0);
      ww.generation = 0, ww.stamp = 0;
    }
    ww.mask = slots - 1;
    ++ww.generation;
    ww.sequence.clear();
    for (size_t x = lo; x <= hi; ++x) {
      for (uint64_t w : words(x)) {
        size_t i = (w * 0x9E3779B97F4A7C15ull) >> 40 & ww.mask;
        while (ww.used[i] == ww.generation && ww.words[i] != w) i = (i + 1) & ww.mask;
        if (ww.used[i] != ww.generation) ww.used[i] = ww.generation, ww.words[i] = w, ww.held[i] = 0;
        ww.sequence.push_back(static_cast<uint32_t>(i));
      }
    }
    return ww;
  }
  WindowWords window_words_;
  // The lines lo..hi's blooms merged, made once per window.
  const WordBloom& window_bloom(size_t lo, size_t hi) {
    if (bloom_lo_ != lo || bloom_hi_ != hi) {
      bloom_lo_ = lo, bloom_hi_ = hi;
      window_bloom_ = WordBloom();
      for (size_t x = lo; x <= hi; ++x) window_bloom_.merge(form(x).bloom);
    }
    return window_bloom_;
  }
  WordBloom window_bloom_;
  size_t bloom_lo_ = SIZE_MAX, bloom_hi_ = 0;
  std::vector<uint64_t> joined_;        // measure_window()'s
  std::vector<uint32_t> line_of_word_;  // measure_window()'s

  // Whether template `li` over the lines lo..hi could clear `bar` (its
  // measure on one of them, and the hit kept), by the template's words the
  // window may hold, as its lines' blooms say: more than it
  // holds, and often few enough to rule the window out before its words go
  // into a table. measure_window() returns `best` for a window ruled out.
  bool window_may_beat(uint32_t li, size_t lo, size_t hi, const Bar& bar) {
    const MessageLeaf& leaf = k_.leaves[li];
    const WordBloom& bloom = window_bloom(lo, hi);
    uint64_t may = 0;
    for (size_t i = 0; i < leaf.words.size() && i < 64; ++i) may |= static_cast<uint64_t>(bloom.may_hold(leaf.words[i])) << i;
    return !held_falls_short(li, may, bar);
  }

  // The best of the line's own measure `best` and of the lines lo..hi
  // around it: the message may be wrapped over them. A window measure is
  // kept only when it clears `bar`, whose `at_least` is above
  // `best.degree`. The best alignment over the whole window is the best
  // over its parts (an alignment inside some lines is one inside all of
  // them), so one alignment is enough; it is made only when the words the
  // lines hold could bring the template to the degree it needs, and beyond
  // the best so far.
  LeafHit measure_window(uint32_t li, size_t lo, size_t hi, LeafHit best, const Bar& bar) {
    const MessageLeaf& leaf = k_.leaves[li];
    // The template's words the window holds (all of held_words() over its
    // lines), and which of the window's words the template holds.
    WindowWords& ww = window_words(lo, hi);
    const uint32_t stamp = ++ww.stamp;
    uint64_t all = 0;
    for (size_t i = 0; i < leaf.words.size(); ++i) {
      const uint32_t slot = ww.find(leaf.words[i]);
      if (slot == WindowWords::kNone) continue;
      if (ww.held[slot] != stamp) ww.held[slot] = stamp, ww.is[slot] = 0;
      if (i < 64) all |= 1ull << i, ww.is[slot] |= 1ull << i;
    }
    if (held_falls_short(li, all, bar)) return best;
    Reading reading(leaf, li);
    for (uint32_t slot : ww.sequence) {
      const bool held = ww.held[slot] == stamp;
      reading.add(held, held ? ww.is[slot] : 0);
    }
    if (bar.short_of(reading.bound())) return best;
    std::vector<uint64_t>& joined = joined_;  // kept from window to window, as their capacity is
    std::vector<uint32_t>& line_of_word = line_of_word_;
    bool joined_here = false;
    auto join = [&]() -> const std::vector<uint64_t>& {
      joined_here = true;
      joined.clear();
      line_of_word.clear();
      for (size_t x = lo; x <= hi; ++x) {
        const std::vector<uint64_t>& w = words(x);
        joined.insert(joined.end(), w.begin(), w.end());
        line_of_word.insert(line_of_word.end(), w.size(), static_cast<uint32_t>(x));
      }
      return joined;
    };
    // The degree alone first: most windows that get this far still fall
    // short, and only a degree worth keeping needs the alignment's span.
    if (bar.short_of(degree_of(li, reading.key, join))) return best;
    if (!joined_here) join();  // the degree was known
    size_t first = 0, last = 0;
    const double d = pattern_coverage(leaf.words, joined, &first, &last);
    if (d > best.degree + 1e-9 && !joined.empty()) {
      // What the match accounts for, of the lines it is on (not of the
      // whole window).
      const size_t from = static_cast<size_t>(
          std::lower_bound(line_of_word.begin(), line_of_word.end(), line_of_word[first]) - line_of_word.begin());
      const size_t to = static_cast<size_t>(
          std::upper_bound(line_of_word.begin(), line_of_word.end(), line_of_word[last]) - line_of_word.begin());
      const std::vector<uint64_t> on(joined.begin() + static_cast<ptrdiff_t>(from),
                                     joined.begin() + static_cast<ptrdiff_t>(to));
      best = LeafHit{d, line_of_word[first], line_of_word[last], explained_share(on, first - from, last - from), 1,
                     spanned_share(on, first - from, last - from)};
    }
    return best;
  }

  const Compiled& k_;
  std::string_view text_;
  const MatchOptions& opt_;
  size_t line_count_ = 0;
  std::vector<size_t> starts_;  // of each line, and one past the last line's '\n' (where it has none, past its end)
  struct LeafHash {
    uint64_t operator()(uint32_t leaf) const { return leaf * 0x9E3779B97F4A7C15ull; }
  };
  struct KeyHash {  // keys that are hashes already
    uint64_t operator()(uint64_t key) const { return key * 0x9E3779B97F4A7C15ull; }
  };
  FlatMap<uint32_t, LeafHit, LeafHash> hits_;
  // Each kept hit's degree, as in hits_: what the bars of measures read,
  // hundreds of thousands of times, from slots a third the size.
  FlatMap<uint32_t, double, LeafHash> kept_degree_;
  FlatMap<const Condition*, uint32_t, Compiled::ConditionHash> codes_;  // code condition -> the first line holding it
  static constexpr uint32_t kNoForm = UINT32_MAX;
  std::vector<Form> forms_;
  const Form* form_at_ = nullptr;  // forms_.data(), fixed by its reserve()
  std::vector<uint64_t> shapes_;    // of each form (shape_of()): window_of() reads five per line
  const uint64_t* shape_at_ = nullptr;
  std::vector<uint32_t> form_of_;  // per line, its form, set as the line is read
  FlatMap<uint64_t, uint32_t, KeyHash> form_by_key_;  // line key -> form
  FlatMap<uint64_t, uint32_t, KeyHash> part_words_of_;  // a part's key (LineKeys::Parts) -> in part_words_
  std::vector<std::vector<uint64_t>> part_words_;
  // Read ahead of the checks (read_lines()), in chunks of lines.
  static constexpr size_t kReadChunk = 1024;
  static constexpr size_t kTextAhead = 8;  // scan_lines()'s
  static constexpr size_t kReadAheadLines = 4096;  // on a second thread from this many lines
  LineKeys line_keys_;
  std::vector<uint64_t> skeletons_;  // read_lines()'s
  KeySet seen_codes_;
  std::vector<ErrorCode> codes_of_line_;  // read_lines()'s, its capacity kept from line to line
  struct Entry {  // per LineKey::entry
    uint32_t form = kNoForm;
    bool codes_seen = false;  // for one whose codes do not vary: its codes key is in seen_codes_
  };
  std::vector<Entry> by_entry_;
  std::vector<char> first_;     // per line, whether no line before has its key
  struct CodeHit {
    uint32_t line;
    const Condition* cond;
    uint32_t rule;
  };
  // In line order. A code may be there twice for one line (a stamped line
  // holding it in both parts): only the first line of each is kept.
  std::vector<CodeHit> code_hits_;
  FlatMap<uint64_t, uint32_t, KeyHash> covers_index_;  // shape -> in covers_
  std::vector<ShapeCovers> covers_;
  FlatMap<uint64_t, Checks, KeyHash> checks_;  // by shape and anchors
  FlatMap<uint64_t, double, KeyHash> degrees_;  // by MatchesKey
  struct Touched {  // touched_by()'s
    std::vector<uint32_t> anchors, templates;
  };
  FlatMap<uint64_t, uint32_t, KeyHash> touched_of_;  // by the anchors' hash, in touched_lists_
  std::vector<Touched> touched_lists_;
  std::vector<uint32_t> scratch_touched_;
  std::vector<uint32_t> candidates_;  // sorted and each once from the end of scan()
};

struct Fired {
  uint32_t rule;
  double confidence;  // of the rule, before the article's own
  std::vector<std::pair<const Condition*, LeafHit>> evidence;
  std::vector<std::string> notes;
  bool context_confirmed = false;  // hand-written, with every context condition given and holding
  // The rules whose facts it used, with their evidence: the chain behind it.
  std::vector<std::pair<uint32_t, std::vector<std::pair<const Condition*, LeafHit>>>> via;
};

bool has_context(const Condition& c) {
  if (c.kind == Condition::Kind::kProduct || c.kind == Condition::Kind::kVersion || c.kind == Condition::Kind::kOs) return true;
  return std::any_of(c.children.begin(), c.children.end(), has_context);
}

// The lines of a long input worth giving the search layer: those with
// evidence first, then the first lines.
std::string search_text(const Run& run, const std::vector<Fired>& fired, size_t max_lines) {
  if (run.line_count() <= max_lines) {
    std::string s;
    for (size_t i = 0; i < run.line_count(); ++i) {
      if (i) s += '\n';
      s += run.line(i);
    }
    return s;
  }
  std::set<size_t> keep;
  for (const Fired& f : fired) {
    for (const auto& [cond, hit] : f.evidence) {
      if (keep.size() < kSearchLines && hit.first_line != kFactLine) keep.insert(hit.first_line);
    }
  }
  for (size_t i = 0; i < run.line_count() && keep.size() < kSearchLines; ++i) keep.insert(i);
  std::string s;
  for (size_t i : keep) {
    if (!s.empty()) s += '\n';
    s += run.line(i);
  }
  return s;
}

}  // namespace

struct Matcher::Impl {
  std::string dir;
  MatcherConfig config;
  Searcher searcher;
  mutable std::mutex store_mu;  // Store is one reader, for one thread at a time
  mutable Store store;
  mutable std::mutex current_mu;
  std::shared_ptr<const Compiled> current;
  RuleSet hand;
  mutable std::mutex rebuild_mu;

  Impl(const std::string& d, MatcherConfig c) : dir(d), config(std::move(c)), searcher(d, config.search), store(d) {}

  std::shared_ptr<const Compiled> rules() const {
    std::lock_guard<std::mutex> lock(current_mu);
    return current;
  }

  void swap_in(std::shared_ptr<const Compiled> k) {
    std::lock_guard<std::mutex> lock(current_mu);
    current = std::move(k);
  }

  RuleSet load(std::vector<RuleDiagnostic>& diags) {
    ArticleExists exists = [this](std::string_view id) {
      std::lock_guard<std::mutex> lock(store_mu);
      return store.contains(id);
    };
    return load_rule_files(config.rule_paths, exists, diags);
  }

  std::shared_ptr<const Compiled> build(const RuleSet& set) const {
    std::vector<RuleSource> sources;
    uint64_t gen = 0;
    {
      std::lock_guard<std::mutex> lock(store_mu);
      gen = store.generation();
      if (config.derived) sources = store.rule_sources();
    }
    return compile(set, config.derived ? &sources : nullptr, config.search.ranking, gen);
  }

  // Derived rules follow the store: rebuilt when an index run has committed.
  void follow_store() {
    bool changed = false;
    {
      std::lock_guard<std::mutex> lock(store_mu);
      changed = store.refresh_if_changed();
    }
    std::shared_ptr<const Compiled> k = rules();
    if (!changed && k && k->stats.store_generation == store_generation()) return;
    std::unique_lock<std::mutex> lock(rebuild_mu, std::try_to_lock);
    if (!lock.owns_lock()) return;  // another thread is rebuilding; this match uses the old set
    if (rules()->stats.store_generation == store_generation()) return;
    swap_in(build(hand));
  }

  uint64_t store_generation() const {
    std::lock_guard<std::mutex> lock(store_mu);
    return store.generation();
  }
};

Matcher::Matcher(const std::string& store_dir, MatcherConfig config)
    : impl_(std::make_unique<Impl>(store_dir, std::move(config))) {
  std::vector<RuleDiagnostic> diags;
  impl_->hand = impl_->load(diags);
  if (!diags.empty()) {
    std::string all;
    for (const RuleDiagnostic& d : diags) all += (all.empty() ? "" : "\n") + d.str();
    throw Error(all);
  }
  impl_->swap_in(impl_->build(impl_->hand));
}

Matcher::~Matcher() = default;

bool Matcher::prepare() { return impl_->searcher.prepare(); }

std::vector<RuleDiagnostic> Matcher::reload() {
  std::vector<RuleDiagnostic> diags;
  RuleSet set = impl_->load(diags);
  if (!diags.empty()) return diags;
  std::lock_guard<std::mutex> lock(impl_->rebuild_mu);
  impl_->swap_in(impl_->build(set));
  impl_->hand = std::move(set);
  return diags;
}

RuleStats Matcher::stats() const { return impl_->rules()->stats; }

MatchResult Matcher::match(std::string_view text, const MatchOptions& opt) const {
  const auto start = std::chrono::steady_clock::now();
  if (impl_->config.derived) impl_->follow_store();
  std::shared_ptr<const Compiled> held = impl_->rules();
  const Compiled& k = *held;
  const RankingConfig& cfg = impl_->config.search.ranking;
  MatchResult result;

  // Any bytes: the scan and the masking take them as they are, but a NUL
  // would end the text for nothing else, so it is a space. The text is
  // copied for that only: a 10 MB log costs a tenth of its scan to copy.
  std::string_view input = text;
  std::string nul_free;
  if (!text.empty() && std::memchr(text.data(), '\0', text.size()) != nullptr) {
    nul_free.assign(text);
    std::replace(nul_free.begin(), nul_free.end(), '\0', ' ');
    input = nul_free;
  }
  Run run(k, input, opt);
  result.lines = run.line_count();
  run.scan();

  // Hand-written rules, highest salience first, until nothing new fires.
  std::vector<Fired> fired;
  std::set<std::string> facts;
  std::map<std::string, size_t> asserted_by;  // fact -> the fired rule that asserted it first
  std::vector<bool> done(k.hand, false);
  for (size_t round = 0; round < kMaxFirings; ++round) {
    bool any = false;
    for (uint32_t r : k.agenda) {
      if (done[r]) continue;
      double degree = 1;
      std::vector<std::pair<const Condition*, LeafHit>> evidence;
      Truth t = run.eval(k.rules[r].when, facts, degree, &evidence, nullptr);
      if (t == Truth::kFalse) continue;
      done[r] = true;
      Fired f{r, degree, {}, {}, t == Truth::kTrue && has_context(k.rules[r].when), {}};
      for (auto& e : evidence) {
        if (e.second.first_line != kFactLine) {
          f.evidence.push_back(e);
          continue;
        }
        // A fact: show the chain, the rule that asserted it and its own.
        auto by = asserted_by.find(e.first->text);
        if (by == asserted_by.end()) continue;
        const Fired& src = fired[by->second];
        f.via.emplace_back(src.rule, src.evidence);
        f.via.insert(f.via.end(), src.via.begin(), src.via.end());
      }
      if (t == Truth::kUnknown) {
        f.confidence *= cfg.match_unknown_context;
        f.notes.push_back("rule " + k.rules[r].id + " has a product, version or OS condition the input did not give");
      }
      for (const std::string& a : k.rules[r].asserts) {
        if (facts.insert(a).second) {
          result.facts.push_back(a);
          asserted_by.emplace(a, fired.size());
        }
      }
      fired.push_back(std::move(f));
      any = true;
      break;  // a new fact may let a rule of higher salience fire: start over
    }
    if (!any) break;
  }
  // Derived rules: one condition each, no facts.
  for (uint32_t r : run.candidates()) {
    if (r < k.hand) continue;
    double degree = 1;
    std::vector<std::pair<const Condition*, LeafHit>> evidence;
    if (run.eval(k.rules[r].when, facts, degree, &evidence, nullptr) != Truth::kTrue) continue;
    // A message accounts for the line it is on, or only for part of it:
    // "Setup was not completed successfully" is weak evidence for a paste
    // of "Contoso Fonts Setup was not completed successfully".
    double explained = 1, agree = 1;
    for (const auto& [cond, hit] : evidence) {
      explained = std::min(explained, hit.explained);
      agree = std::min(agree, hit.agree);
    }
    fired.push_back(Fired{r, degree * degree * std::pow(explained, cfg.match_explained_power) *
                                 std::pow(agree, cfg.match_agree_power),
                          std::move(evidence), {}, false, {}});
  }
  // A message many articles quote tells them apart less: each derived
  // message firing is weighed by how many articles' messages fire as strongly
  // (within kShareBand) on the same line. Counted among what fired, so the
  // same message in another case or punctuation, or another article's
  // longer message holding this one, counts too.
  {
    constexpr double kShareBand = 0.8;
    std::map<uint32_t, std::vector<std::pair<size_t, double>>> by_line;  // line -> (firing, strength)
    for (size_t i = 0; i < fired.size(); ++i) {
      const Rule& rule = k.rules[fired[i].rule];
      if (!rule.derived || rule.when.children.front().kind != Kind::kMessage || fired[i].evidence.empty()) continue;
      by_line[fired[i].evidence.front().second.first_line].emplace_back(
          i, fired[i].confidence * rule.conclusions.front().confidence);
    }
    for (auto& [line, group] : by_line) {
      // Strongest first: the articles firing at least kShareBand of a
      // firing's strength are a prefix, counted in one sweep.
      std::stable_sort(group.begin(), group.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      std::unordered_set<std::string_view> articles;
      size_t end = 0;
      for (const auto& [i, strength] : group) {
        while (end < group.size() && group[end].second >= kShareBand * strength) {
          articles.insert(k.rules[fired[group[end].first].rule].conclusions.front().article);
          ++end;
        }
        fired[i].confidence /= 1.0 + cfg.match_share_penalty * log2_share(articles.size());
      }
    }
  }
  result.rules_fired = fired.size();
  result.scan_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  // Evidence of one kind adds little to more of the same (three routine log
  // lines quoted by one article, or a code written in two notations), so an
  // article takes the best message rule and the best code rule, and combines
  // those and the hand-written rules as independent evidence.
  struct Candidate {
    double message = 0, code = 0;
    double hand_miss = 1;  // product of (1 - confidence) over hand-written rules
    bool context_confirmed = false;  // a hand-written rule checked the context given
    std::vector<Evidence> evidence;
    std::vector<std::string> context;
    double search = 0;
    size_t search_rank = 0;
    std::string title, product;
  };
  const bool log = run.line_count() >= cfg.log_lines;
  std::map<std::string, Candidate> cands;
  for (const Fired& f : fired) {
    const Rule& rule = k.rules[f.rule];
    double weight = f.confidence;
    bool message = false;
    if (rule.derived && log) {
      // In a log, a routine line a rule quotes is weaker than a failure.
      bool failure = false;
      for (const auto& [cond, hit] : f.evidence) {
        message = message || cond->kind == Kind::kMessage;
        for (uint32_t l = hit.first_line; l <= hit.last_line && l < run.line_count() && !failure; ++l) {
          failure = reports_failure(run.line(l));
        }
      }
      if (message && !failure) weight *= cfg.match_routine_line;
    }
    for (const Conclusion& c : rule.conclusions) {
      Candidate& cand = cands[c.article];
      const double conf = std::clamp(c.confidence * weight, 0.0, 1.0);
      if (!rule.derived) cand.hand_miss *= 1.0 - conf;
      else if (rule.when.children.front().kind == Kind::kCode) cand.code = std::max(cand.code, conf);
      else cand.message = std::max(cand.message, conf);
      for (const std::string& n : f.notes) cand.context.push_back(n);
      cand.context_confirmed = cand.context_confirmed || f.context_confirmed;
      auto add = [&](const Rule& by, const std::vector<std::pair<const Condition*, LeafHit>>& ev) {
        for (const auto& [cond, hit] : ev) {
          for (uint32_t l = hit.first_line; l <= hit.last_line && l < run.line_count(); ++l) {
            cand.evidence.push_back(Evidence{l + 1, std::string(run.line(l)), by.id, by.derived, cond->describe(), hit.degree});
          }
        }
      };
      add(rule, f.evidence);
      for (const auto& [by, ev] : f.via) add(k.rules[by], ev);
    }
  }

  SearchOptions so;
  so.limit = cfg.match_search_depth;
  so.details = false;
  // A paste that is, word for word, a message the rules know: the articles
  // that quote it are the answer, and the search only orders them.
  if (opt.quick && !log) {
    bool whole = false;
    for (const Fired& f : fired) {
      const Rule& rule = k.rules[f.rule];
      if (!rule.derived || rule.when.children.front().kind != Kind::kMessage) continue;
      for (const auto& [cond, hit] : f.evidence) {
        // The whole paste, not one of its lines: other lines (a code, a
        // product) could name other articles.
        bool all_lines = true;
        for (size_t l = 0; l < run.line_count() && all_lines; ++l) {
          all_lines = (l >= hit.first_line && l <= hit.last_line) || trim(run.line(l)).empty();
        }
        whole = whole || (all_lines && hit.degree >= kWhole && hit.spanned >= kWhole && hit.agree >= kWhole);
      }
    }
    if (whole) {
      for (const auto& [id, cand] : cands) so.only_ids.push_back(id);
    }
  }
  SearchResult sr = impl_->searcher.search(search_text(run, fired, cfg.max_lines), so);
  result.search_ms = sr.took_ms;
  const double top = sr.hits.empty() ? 0 : sr.hits.front().score;
  for (size_t i = 0; i < sr.hits.size(); ++i) {
    Candidate& cand = cands[sr.hits[i].id];
    cand.search = top > 0 ? sr.hits[i].score / top : 0;
    cand.search_rank = i + 1;
    cand.title = sr.hits[i].title;
    cand.product = sr.hits[i].product;
  }

  std::vector<MatchHit> hits;
  std::set<std::string> confirmed;
  for (auto& [id, c] : cands) {
    MatchHit h;
    h.id = id;
    h.confidence = 1.0 - (1.0 - c.message) * (1.0 - c.code) * c.hand_miss;
    // Hand-written rules are knowledge the articles do not spell out: they
    // outweigh what is derived from the articles' own words.
    const double derived = 1.0 - (1.0 - c.message) * (1.0 - c.code);
    h.score = cfg.match_hand_weight * (1.0 - c.hand_miss) + derived + cfg.match_search_weight * c.search;
    h.search_rank = c.search_rank;
    h.title = std::move(c.title);
    h.product = std::move(c.product);
    h.evidence = std::move(c.evidence);
    h.context = std::move(c.context);
    if (c.context_confirmed) confirmed.insert(id);
    std::stable_sort(h.evidence.begin(), h.evidence.end(), [](const Evidence& a, const Evidence& b) {
      return a.degree != b.degree ? a.degree > b.degree : a.line < b.line;
    });
    hits.push_back(std::move(h));
  }
  auto by_score = [](const MatchHit& a, const MatchHit& b) { return a.score != b.score ? a.score > b.score : a.id < b.id; };
  std::sort(hits.begin(), hits.end(), by_score);

  // The context against the leading articles' own product, versions and OS.
  const bool context = !opt.product.empty() || !opt.version.empty() || !opt.os.empty();
  const size_t looked_at = std::min(hits.size(), opt.limit + 5);
  if (context || opt.details) {
    std::lock_guard<std::mutex> lock(impl_->store_mu);
    for (size_t i = 0; i < looked_at; ++i) {
      MatchHit& h = hits[i];
      std::optional<ArticleBrief> b = impl_->store.brief(h.id);
      if (!b) continue;
      if (h.title.empty()) h.title = b->title;
      if (h.product.empty()) h.product = b->product;
      // A hand-written rule that checked the context given has the last word
      // ("Access 8.0" is the article's "97").
      if (confirmed.count(h.id)) continue;
      std::vector<std::string> against;
      // An Exchange article may be about its Outlook clients: the product
      // given contradicts it only when neither its product, its title nor
      // the products it applies to name it.
      const bool product_named = names_match(opt.product, b->product) || contains_words(b->title, opt.product) ||
                                 std::any_of(b->applies_to.begin(), b->applies_to.end(),
                                             [&](const std::string& p) { return names_match(opt.product, p); });
      if (!opt.product.empty() && !b->product.empty() && !product_named) {
        against.push_back("product " + opt.product + " given, the article is about " + b->product);
      }
      if (!opt.version.empty() && !b->versions.empty()) {
        const std::vector<int> given = parse_version(opt.version);
        bool any = std::any_of(b->versions.begin(), b->versions.end(), [&](const std::string& v) {
          std::vector<int> mine = parse_version(v);
          return !given.empty() && !mine.empty() && mine.front() == given.front() &&
                 (mine.size() < 2 || given.size() < 2 || mine[1] == given[1]);
        });
        if (!any && !given.empty()) {
          std::string list;
          for (const std::string& v : b->versions) list += (list.empty() ? "" : ", ") + v;
          against.push_back("version " + opt.version + " given, the article is for " + list);
        }
      }
      if (!opt.os.empty() && !b->os.empty() &&
          std::none_of(b->os.begin(), b->os.end(), [&](const std::string& o) { return names_match(opt.os, o); })) {
        against.push_back("OS " + opt.os + " given, the article is for " + b->os.front());
      }
      for (std::string& a : against) {
        h.score *= cfg.match_contradicting_context;
        h.context.push_back(std::move(a));
      }
    }
    std::sort(hits.begin(), hits.begin() + static_cast<ptrdiff_t>(looked_at), by_score);
  }
  if (hits.size() > opt.limit) hits.resize(opt.limit);

  if (opt.details) {
    std::lock_guard<std::mutex> lock(impl_->store_mu);
    for (MatchHit& h : hits) {
      h.symptom = impl_->store.first_record(h.id, "symptom");
      h.cause = impl_->store.first_record(h.id, "cause");
      h.resolution = impl_->store.first_record(h.id, "resolution");
    }
  }

  // Why not: what kept the runner-up from the first place.
  if (opt.details && hits.size() >= 2) {
    const MatchHit& second = hits[1];
    WhyNot w;
    w.id = second.id;
    auto rules = k.by_article.find(second.id);
    std::set<uint32_t> fired_rules;
    for (const Fired& f : fired) fired_rules.insert(f.rule);
    bool found = false;
    double best_cov = -1;
    if (rules != k.by_article.end()) {
      for (uint32_t r : rules->second) {
        if (fired_rules.count(r)) continue;
        const Rule& rule = k.rules[r];
        const Condition* failed = nullptr;
        double degree = 1;
        run.eval(rule.when, facts, degree, nullptr, &failed);
        if (!failed) continue;
        if (rule.derived && failed->kind == Kind::kMessage) {
          double cov = run.best_coverage(k.leaves[*k.leaf_of.find_value(failed)], 200);
          if (cov <= best_cov) continue;
          best_cov = cov;
          w.rule = rule.id;
          w.condition = failed->describe();
          const bool phrase = rule.id.find("/phrase-") != std::string::npos;
          w.reason = "the input holds " + std::to_string(static_cast<int>(std::lround(cov * 100))) +
                     (phrase ? "% of this symptom phrase; a derived phrase rule needs " : "% of this message; a derived message rule needs ") +
                     std::to_string(static_cast<int>(std::lround(cfg.match_template_fire * 100))) + "%";
          found = true;
        } else if (!found || !rule.derived) {
          w.rule = rule.id;
          w.condition = failed->describe();
          w.reason = failed->kind == Kind::kCode ? "the input has no code " + failed->text
                     : failed->kind == Kind::kFact ? "no rule asserted fact " + failed->text
                     : failed->kind == Kind::kVersion ? "version " + (opt.version.empty() ? std::string("not given") : opt.version + " is outside " + failed->range.text)
                     : failed->kind == Kind::kProduct || failed->kind == Kind::kOs ? "the context given does not match"
                     : "the input does not match it";
          if (!rule.derived) w.reason += " (" + rule.file + ":" + std::to_string(failed->line) + ")";
          found = true;
          if (!rule.derived) break;
        }
      }
    }
    if (!found) {
      w.reason = second.evidence.empty()
                     ? "no rule names this article; it ranks on text similarity alone"
                     : "its rules fired, with less confidence (" + std::to_string(second.confidence).substr(0, 4) +
                           " against " + std::to_string(hits[0].confidence).substr(0, 4) + ")";
    }
    if (!second.context.empty() && second.evidence.size() > 0) w.reason += "; " + second.context.front();
    result.why_not = std::move(w);
  }
  result.hits = std::move(hits);
  result.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace kbtriage
