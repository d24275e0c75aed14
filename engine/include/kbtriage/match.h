// The rule engine: what `kbtriage match` runs. Given the lines a technician
// pasted (an error dialog, a whole log) and the context they know (product,
// version, OS), finds the articles whose symptoms match, ranks them, and says
// why: which input line matched which rule through which pattern.
//
//   kbtriage::Matcher matcher("/var/lib/kbtriage", {.rule_paths = {"rules"}});
//   kbtriage::MatchResult r = matcher.match("Background Synchronization Error. ...");
//   for (const kbtriage::MatchHit& h : r.hits) std::cout << h.id << ' ' << h.confidence << '\n';
//
// How: every pattern of every rule (hand-written, and derived from each
// article's quoted messages and codes) is compiled together, so a log is
// scanned once, whatever the number of rules: the messages' rarest words
// into one table each word of a line is looked up in, hand-written literals
// and expressions into one Hyperscan database, codes into one map. Each hit
// makes its rule a candidate; candidates are checked against their whole
// condition and the context; rules assert facts and fire others until nothing
// new fires. The articles concluded are fused with the search layer's ranking
// of the same text: an article a rule names outranks text similarity alone,
// and context that contradicts a rule lowers it.
//
// Thread-safe: match() may be called from many threads. The rules in use are
// swapped atomically by reload() and when an index run changes the store's
// articles; a match in progress keeps the set it started with.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/article.h"
#include "kbtriage/rules.h"
#include "kbtriage/search.h"

namespace kbtriage {

struct MatchOptions {
  size_t limit = 10;
  std::string product;  // the context; empty when not known
  std::string version;
  std::string os;
  // Cause, resolution and symptom records, titles and the "why not" of the
  // runner-up. A scoring run needs none of it.
  bool details = true;
  // When the whole input is, word for word, a message some articles quote
  // (with their own file names and numbers), rank only the articles the
  // rules name instead of searching the whole store for more: about three
  // times faster for a pasted one-line error. The list holds only those
  // articles, and their search scores are relative to the best of them, so
  // their order may differ from the full ranking's.
  bool quick = false;
  // A long input (thousands of lines) is read ahead on a second thread (its
  // lines' keys, masked words and codes) while the rules are checked here.
  // The result is the same either way.
  bool read_ahead = true;
};

// One piece of evidence: this input line matched this rule's pattern.
struct Evidence {
  size_t line = 0;       // 1-based line of the input
  std::string text;      // that line
  std::string rule;      // rule id ("Q198657/message-1" for a derived rule)
  bool derived = false;
  std::string pattern;   // the condition that matched, as Condition::describe()
  double degree = 1;     // how fully the pattern matched (templates match in part)
};

struct MatchHit {
  std::string id;
  std::string title;
  std::string product;
  double confidence = 0;  // 0..1: the rules' (combined) confidence; 0 for text similarity only
  double score = 0;       // the rank order: rule confidence fused with the search rank
  std::optional<Record> symptom, cause, resolution;
  std::vector<Evidence> evidence;    // empty when only the search layer found it
  std::vector<std::string> context;  // notes on the context: "product Outlook given, the article is for Exchange"
  size_t search_rank = 0;            // 1-based rank in the search layer's ranking, 0 when not there
};

// Why the runner-up did not rank first: the rule that came closest for it and
// the condition of that rule that failed.
struct WhyNot {
  std::string id;
  std::string rule;
  std::string condition;
  std::string reason;
};

struct MatchResult {
  std::vector<MatchHit> hits;
  std::optional<WhyNot> why_not;
  std::vector<std::string> facts;  // facts asserted while matching
  size_t lines = 0;                // input lines read
  size_t rules_fired = 0;
  double took_ms = 0;
  double scan_ms = 0;    // of which: the scan of the input and the rules' evaluation
  double search_ms = 0;  // of which: the search layer's ranking of the same text
};

struct MatcherConfig {
  std::vector<std::string> rule_paths;  // XML files or folders of them; empty: no hand-written rules
  bool derived = true;                  // rules derived from the store's articles
  SearcherConfig search;
};

struct RuleStats {
  size_t hand_written = 0;
  size_t derived = 0;
  size_t patterns = 0;  // in the compiled database
  double compile_ms = 0;
  uint64_t store_generation = 0;
};

class Matcher {
 public:
  // Opens the store and compiles the rules. Throws StoreError for a bad
  // store, and Error listing every diagnostic ("FILE:LINE: message", one per
  // line) when a rule file is broken: a broken rule file is never loaded.
  explicit Matcher(const std::string& store_dir, MatcherConfig config = {});
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Never throws on any input text; throws StoreError when the store
  // becomes unreadable.
  MatchResult match(std::string_view text, const MatchOptions& options = {}) const;

  // Reads the rule files again and swaps the new set in. On any diagnostic
  // the old set stays in use and the diagnostics are returned.
  std::vector<RuleDiagnostic> reload();

  // Readies the search cache for the search half of each match
  // (Searcher::prepare()): for a long-running process or a batch.
  bool prepare();

  RuleStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kbtriage
