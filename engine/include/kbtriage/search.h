// Searching a store: the library behind `kbtriage search`, the HTTP API and
// the rule engine's text ranking. A portal embeds it by opening one Searcher
// on a store folder and calling search() from any number of threads.
//
//   kbtriage::Searcher searcher("/var/lib/kbtriage");
//   kbtriage::SearchResult r = searcher.search("Background Synchronization Error");
//   for (const kbtriage::SearchHit& h : r.hits) std::cout << h.id << ' ' << h.title << '\n';
//
// Thread-safe: search() may be called concurrently; each call takes a reader
// of its own from a small pool. Each call first checks whether an index run
// has committed since, and if so reads the new state (a search never sees a
// half-written index: see docs/store.md).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kbtriage/query.h"

namespace kbtriage {

// Markers around highlighted words in snippets (front ends turn them into
// ANSI colours or <mark>). Control characters never occur in article text.
inline constexpr char kHighlightOn = '\x02';
inline constexpr char kHighlightOff = '\x03';

struct SearchOptions {
  size_t limit = 10;
  size_t offset = 0;
  bool facets = false;    // count products, years and issue types over all matches
  // Each hit's snippet, symptom record and why it ranked. Costs a record
  // read and a pass over the hit's terms; a scoring run needs none of it.
  bool details = true;
  size_t snippet_chars = 200;
  // Fields added to the query's own, as if typed ({"product", "exchange"}):
  // filters a front end offers beside the search box.
  std::vector<QueryField> filters;
  // When not empty, only these articles are ranked (the rule engine asks so
  // when its rules already name the candidates): the query is the same, the
  // matcher looks at far fewer documents.
  std::vector<std::string> only_ids;
  // Rank from the store's search cache when it fits (Searcher::prepare());
  // false ranks with Xapian's matcher, for the same results.
  bool use_cache = true;
};

struct SearchHit {
  std::string id;
  std::string title;
  std::string product;
  std::string date;        // YYYY-MM-DD, may be empty
  std::string issue_type;
  double score = 0;        // higher is better; comparable within one result only
  std::string snippet;     // matched words between kHighlightOn/kHighlightOff
  std::string symptom;     // the article's first symptom record, may be empty
  // Why it ranked: the fields the query's words matched ("title", "symptom",
  // "message", "cause", "resolution", "code", "body"), and the best-matching
  // quoted message when the query resembles one.
  std::vector<std::string> matched_fields;
  std::vector<std::string> matched_words;
  std::string matched_message;
  double message_similarity = 0;  // 0..1, the pasted text against matched_message
};

using Facet = std::vector<std::pair<std::string, size_t>>;  // value, count; most frequent first

struct SearchResult {
  std::vector<SearchHit> hits;
  size_t total_estimate = 0;            // matches in the whole store (estimate)
  std::map<std::string, Facet> facets;  // "product", "year", "issue_type" (when asked)
  std::string parsed;                   // the query as understood (ParsedQuery::describe)
  std::string xapian_query;             // the query as run, for --explain
  std::vector<std::pair<std::string, std::string>> corrections;  // typed word -> spelling used
  bool relaxed = false;                 // operators ignored because they matched nothing
  bool cached = false;                  // ranked from the store's search cache (same order as Xapian's)
  double took_ms = 0;
};

// Ranking knobs, read from a "name = value" file (engine/data/ranking.conf is
// built in; see there for what each does). Tuned on the development queries.
struct RankingConfig {
  double k1 = 1.2, b = 0.5;       // BM25
  double variable_weight = 0.3;   // words inside masked variable parts
  double common_ratio = 0.1;      // words in more than this share of articles only add to others
  double code_weight = 2.0;       // canonical error-code terms
  double code_word_weight = 0.3;  // a code's number as written in the query
  double message_weight = 0.7;    // rerank: similarity to a quoted message
  double fragment_weight = 0.6;   // rerank: a paste's coverage by one stretch of a longer message, counted this much
  double title_weight = 0.3;      // rerank of a description: words shared with the title
  double description_below = 0.5; // a query no quoted message resembles this much is a description
  double product_weight = 0.2;    // rerank: share of the article's product name the query says
  size_t rerank_depth = 30;       // candidates reranked by message similarity
  size_t log_lines = 3;           // a paste of this many lines is scored by its best line
  size_t line_depth = 10;         // candidates per line of a log
  double error_line_boost = 0.6;  // a log line saying "error", "failed", ... weighs this much more
  size_t max_lines = 60;          // lines of a paste kept
  size_t max_line_words = 60;     // words kept per line

  // The rule engine (match.h): how derived rules weigh, and how rules and
  // the search ranking are fused.
  double match_search_weight = 1.0;        // the search score (scaled to the best) beside rule confidence
  size_t match_search_depth = 30;          // search candidates fused
  double match_hand_weight = 2;            // hand-written rules' confidence beside the derived rules'
  double match_template_fire = 0.6;        // a derived message template fires from this coverage
  double match_template_base = 0.9;        // confidence of a derived message rule matched in full
  double match_explained_power = 1;        // a message explaining part of its line weighs share^power
  double match_routine_line = 0.2;         // a message rule matching only routine lines of a log
  double match_agree_power = 1;            // variable parts unlike the article's example weigh agreement^power
  double match_template_words = 6;         // templates shorter than this many words weigh less
  double match_share_penalty = 0.5;        // per doubling of the articles whose messages fire as strongly on a line
  double match_code_base = 0.5;            // confidence of a derived code rule
  double match_phrase_base = 0.5;          // confidence of a derived symptom-phrase rule matched in full (0: none derived)
  double match_code_share_penalty = 0.5;   // per doubling of the articles naming the same code
  double match_unknown_context = 0.6;      // a rule's context condition the input did not give
  double match_contradicting_context = 0.5;  // an article for another product, version or OS
  size_t match_common_anchor = 4;          // an anchor word in more templates than this needs a second

  // Parses "name = value" lines ('#' comments). Throws Error("FILE:LINE: ...").
  static RankingConfig parse(std::string_view text, const std::string& source);
  static RankingConfig builtin();
};

// Synonyms and abbreviations of the domain, read from a text file
// (engine/data/synonyms.txt is built in):
//   ost = offline folder file | offline store
// Each line: a word, '=', alternatives separated by '|'. Either side may be
// several words. Lookups go both ways.
class Synonyms {
 public:
  // Throws Error("FILE:LINE: ...") on a malformed line.
  static Synonyms parse(std::string_view text, const std::string& source);
  static const Synonyms& builtin();
  // Alternatives of a lower-case word or phrase (empty when none). Each is
  // its words as parse_query() reads them, one space apart.
  const std::vector<std::string>& of(std::string_view phrase) const;
  size_t size() const { return map_.size(); }
  size_t max_words() const { return max_words_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> map_;
  size_t max_words_ = 1;
};

struct SearcherConfig {
  RankingConfig ranking = RankingConfig::builtin();
  const Synonyms* synonyms = nullptr;  // nullptr: the built-in list
  // For a long-running searcher (a portal's): when a search finds the
  // store changed since the search cache was read, it starts reading the
  // cache again in the background (prepare()); searches meanwhile rank
  // with Xapian, the same results, slower. Off for a one-query process.
  bool refresh_cache = false;
};

class Searcher {
 public:
  // Opens the store at `dir`. Throws StoreError when it is not a store.
  explicit Searcher(const std::string& dir, SearcherConfig config = {});
  ~Searcher();
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  // Never throws on any query text; throws StoreError when the store
  // becomes unreadable.
  SearchResult search(std::string_view query, const SearchOptions& options = {}) const;

  // Readies the store's search cache (search-postings.bin): loads it, or
  // reads it out of the index (about 1.5 s for the 57,000-article archive)
  // and saves it when it is missing or older than the index. Searches give
  // the same results without it, through Xapian's own matcher, about three
  // times slower; with it, those whose query is a plain weighted OR of terms
  // (nearly all pastes) are summed from its arrays. A long-running process
  // calls this at start and after the store changes; a one-query process
  // need not (it uses a cache that fits, if one is there). False when no
  // cache could be made; thread-safe.
  bool prepare();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kbtriage
