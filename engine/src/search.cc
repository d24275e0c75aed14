#include "kbtriage/search.h"

#include <xapian.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>
#include <iterator>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "kbtriage/codes.h"
#include "kbtriage/error.h"
#include "kbtriage/schema.h"
#include "kbtriage/store.h"
#include "kbtriage/text.h"
#include "postings.h"
#include "ranker.h"
#include "similarity.h"
#include "store_impl.h"

namespace kbtriage {

namespace {

constexpr size_t kMaxSpellingAttempts = 6;
constexpr size_t kMinSpellingWord = 4;
constexpr unsigned kWildcardExpansion = 64;
constexpr std::string_view kSearchCacheFile = "search-postings.bin";

std::string prefixed(std::string_view prefix, const std::string& term) { return std::string(prefix) + term; }

Plan scaled(Plan q, double factor) { return Plan::scaled(std::move(q), factor); }
using Op = Plan::Op;

bool all_alpha(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return (c >= 'a' && c <= 'z'); });
}

// "outlook98" -> {"outlook", "98"}; empty when the word does not mix letters
// and digits at one boundary.
std::vector<std::string> split_letters_digits(const std::string& w) {
  size_t i = 0;
  while (i < w.size() && w[i] >= 'a' && w[i] <= 'z') ++i;
  if (i < 2 || i == w.size()) return {};
  for (size_t j = i; j < w.size(); ++j) {
    if (!is_ascii_digit(w[j])) return {};
  }
  return {w.substr(0, i), w.substr(i)};
}

// The article's id as a term: "q198657", "198657" and "Q198657" all name Q198657.
std::string id_value(std::string_view v) {
  std::string id(trim(v));
  if (!id.empty() && (id[0] == 'q' || is_ascii_digit(id[0]))) id = "Q" + id.substr(id[0] == 'q');
  return std::string(schema::kPrefixId) + id;
}

struct Built {
  Plan query;
  std::vector<Plan> lines;  // a log's lines, each searched on its own
  std::vector<size_t> line_index;    // which ParsedQuery line each of `lines` is
  bool strict = false;  // has filters, required words or exclusions that a relaxed query drops
  std::vector<std::pair<std::string, std::string>> corrections;
};

// Words that carry no meaning of their own. They are left out of the ranked
// query: nearly every article has them, so they cost the matcher the most
// and move no article up. (The rerank still sees them: word order counts.)
bool is_stopword(std::string_view w) {
  static const std::unordered_set<std::string_view> kStop = {
      "a",    "about", "an",   "and",   "are",  "as",    "at",   "be",   "been", "but",  "by",   "can",
      "did",  "do",    "does", "for",   "from", "had",   "has",  "have", "he",   "her",  "his",  "how",
      "i",    "if",    "in",   "into",  "is",   "it",    "its",  "me",   "my",   "of",   "on",   "or",
      "our",  "she",   "so",   "than",  "that", "the",   "their", "them", "then", "there", "these", "they",
      "this", "those", "to",   "too",   "us",   "was",   "we",   "were", "what", "when", "where", "which",
      "while", "who",  "why",  "will",  "with", "would", "you",  "your"};
  return kStop.count(w) > 0;
}

// Whether a line of a log reports a failure: words of error severity, or an
// error code.
bool says_error(const QueryLine& line) {
  for (size_t i = 0; i < line.words.size(); ++i) {
    const std::string& w = line.words[i].text;
    if (is_failure_word(w)) return true;
    if (i + 1 < line.words.size() && (w == "could" || w == "not") && line.words[i + 1].text == "not") return true;
    if (w == "not" && i + 1 < line.words.size() && line.words[i + 1].text == "found") return true;
  }
  return !extract_codes(line.text).empty();
}

class QueryBuilder {
 public:
  // `postings`, when not null, is the search cache of `db`'s snapshot: it
  // knows each term's frequency without a lookup in the shards.
  QueryBuilder(const Xapian::Database& db, const PostingsCache* postings, const RankingConfig& cfg,
               const Synonyms& syn)
      : db_(db), postings_(postings), cfg_(cfg), syn_(syn), stem_("english"),
        doccount_(std::max(db.get_doccount(), 1u)) {}

  Built build(const ParsedQuery& pq) {
    Built out;
    std::vector<Plan> line_queries, required, filters, excluded;
    const size_t nlines = std::min(pq.lines.size(), cfg_.max_lines);
    const bool log_mode = nlines >= cfg_.log_lines;
    // A paste's words, each once: a repeated word counts more (wqf), but
    // costs the matcher once.
    struct Slot {
      const QueryWord* word;
      double weight;
      unsigned wqf;
    };
    std::vector<Slot> slots;
    std::unordered_map<std::string, size_t> slot_of;
    std::set<std::string> codes_seen;
    auto add_word = [&](const QueryWord& w, std::vector<Slot>& to, std::unordered_map<std::string, size_t>& index) {
      // A code's number as written counts little beside its canonical term,
      // or articles writing the code the query's way would count it twice.
      const double weight = w.code ? cfg_.code_word_weight : w.variable ? cfg_.variable_weight : 1.0;
      auto [it, fresh] = index.emplace(w.text, to.size());
      if (fresh) {
        to.push_back({&w, weight, 1});
      } else {
        to[it->second].weight = std::max(to[it->second].weight, weight);
        ++to[it->second].wqf;
      }
    };
    // Words of a line, ranked. Words in most articles ("error", "file")
    // only add to the score of articles found by the rarer ones
    // (AND_MAYBE): they still rank, but the matcher skips through their
    // long posting lists instead of reading them whole.
    auto slots_query = [&](const std::vector<Slot>& ws, bool spelling, std::vector<Plan>& parts,
                           std::vector<Plan>& common) {
      std::vector<const Slot*> kept;
      for (const Slot& sl : ws) {
        if (!is_stopword(sl.word->text)) kept.push_back(&sl);
      }
      if (kept.empty()) {
        for (const Slot& sl : ws) kept.push_back(&sl);  // a line of only stopwords still counts
      }
      // A variable number (a count, a timestamp's fields) is rare in the
      // index but says nothing of the problem: it only adds to the score,
      // or it would decide which articles are looked at. A file name is
      // variable too, but it does tell articles apart.
      std::vector<Plan> variables;
      auto number = [](const QueryWord& w) {
        return w.variable && !w.code && std::all_of(w.text.begin(), w.text.end(), is_ascii_digit);
      };
      for (const Slot* sl : kept) {
        Plan q = scaled(word_query(*sl->word, out, spelling, sl->wqf), sl->weight);
        const bool is_common = !sl->word->wildcard &&
            static_cast<double>(group_frequency(sl->word->text)) > cfg_.common_ratio * doccount_;
        (number(*sl->word) ? variables : is_common ? common : parts).push_back(std::move(q));
      }
      if (parts.empty() && common.empty()) {
        parts.swap(variables);
      } else if (parts.empty()) {
        parts.swap(common);
      }
      std::move(variables.begin(), variables.end(), std::back_inserter(common));
    };
    auto maybe = [](std::vector<Plan> parts, std::vector<Plan> common) {
      if (parts.empty()) {
        parts.swap(common);
      }
      Plan q = Plan::of(Op::kOr, std::move(parts));
      if (common.empty()) return q;
      return Plan::and_maybe(std::move(q), Plan::of(Op::kOr, std::move(common)));
    };
    std::vector<Plan> common_words;
    for (size_t li = 0; li < nlines; ++li) {
      const QueryLine& line = pq.lines[li];
      const size_t nwords = std::min(line.words.size(), cfg_.max_line_words);
      std::vector<Slot> line_slots;
      std::unordered_map<std::string, size_t> line_index;
      for (size_t wi = 0; wi < nwords; ++wi) {
        const QueryWord& w = line.words[wi];
        if (w.excluded) {
          excluded.push_back(word_query(w, out, false, 1));
        } else if (w.required) {
          required.push_back(word_query(w, out, true, 1));
        } else {
          add_word(w, slots, slot_of);
          if (log_mode) add_word(w, line_slots, line_index);
        }
      }
      std::vector<Plan> parts;
      add_multiword_synonyms(line, parts);
      std::vector<Plan> line_codes;
      for (const ErrorCode& c : extract_codes(line.text)) {
        line_codes.push_back(scaled(Plan::of_term(code_term(c.code)), cfg_.code_weight));
        if (codes_seen.insert(c.code).second) parts.push_back(line_codes.back());
      }
      if (log_mode) {
        // Each line of a log alone, for the search by best line.
        std::vector<Plan> own = line_codes, own_common;
        slots_query(line_slots, false, own, own_common);
        if (own.size() + own_common.size() >= 2 || !line_codes.empty()) {
          out.lines.push_back(maybe(own, own_common));
          out.line_index.push_back(li);
        }
      }
      std::move(parts.begin(), parts.end(), std::back_inserter(line_queries));
    }
    // Typos are looked for in typed and pasted messages, not in logs: a
    // log's unknown words are host and user names.
    slots_query(slots, !log_mode, line_queries, common_words);
    for (const std::string& p : pq.phrases) {
      Plan phrase = phrase_query(p);
      if (phrase.empty()) continue;
      if (pq.operators || pq.lines.empty()) {
        required.push_back(phrase);
      } else {
        line_queries.push_back(scaled(std::move(phrase), 2.0));
      }
    }
    for (const QueryField& f : pq.fields) add_field(f, required, filters);

    Plan scored;
    if (!line_queries.empty() || !common_words.empty()) {
      // Lines are summed, even in a log: OP_MAX (best line) crashes Xapian
      // 1.4.22 over several shards when a line holds an OP_SYNONYM. The
      // rerank below scores a log by its best line instead.
      scored = maybe(std::move(line_queries), std::move(common_words));
    }
    out.strict = !required.empty() || !filters.empty() || !excluded.empty();
    Plan q = std::move(scored);
    if (!required.empty()) {
      Plan all = Plan::of(Op::kAnd, std::move(required));
      q = q.empty() ? std::move(all) : Plan::and_maybe(std::move(all), std::move(q));
    }
    if (!filters.empty()) {
      Xapian::Query f = Plan::of(Op::kAnd, std::move(filters)).to_xapian();
      q = Plan::of_xapian(q.empty() ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, f, 0.0)
                                    : Xapian::Query(Xapian::Query::OP_FILTER, q.to_xapian(), f));
    }
    if (!excluded.empty() && !q.empty()) {
      q = Plan::of_xapian(Xapian::Query(Xapian::Query::OP_AND_NOT, q.to_xapian(),
                                        Plan::of(Op::kOr, std::move(excluded)).to_xapian()));
    }
    out.query = std::move(q);
    return out;
  }

  // Every word of the query as plain free text: the fallback when the strict
  // reading matches nothing.
  Plan relaxed(const ParsedQuery& pq) {
    std::vector<Plan> parts;
    for (const QueryLine& l : pq.lines) {
      for (const QueryWord& w : l.words) parts.push_back(Plan::of_term(stem_(w.text)));
    }
    for (const std::string& p : pq.phrases) {
      for (std::string& t : terms_of(p)) parts.push_back(Plan::of_term(std::move(t)));
    }
    for (const QueryField& f : pq.fields) {
      for (std::string& t : terms_of(f.value)) parts.push_back(Plan::of_term(std::move(t)));
    }
    for (const std::string& c : pq.codes) parts.push_back(scaled(Plan::of_term(code_term(c)), cfg_.code_weight));
    return Plan::of(Op::kOr, std::move(parts));
  }

 private:
  // A paste repeats its words (a log, line after line): each term's
  // frequency is looked up in the shards once per query.
  Xapian::doccount termfreq(const std::string& term) {
    auto [it, fresh] = termfreq_.emplace(term, 0);
    if (fresh) {
      it->second = postings_ ? static_cast<Xapian::doccount>(postings_->postings(term).docids.size())
                             : db_.get_termfreq(term);
    }
    return it->second;
  }

  // In how many articles a word is found, or the most frequent of its
  // one-word synonyms: "info" is rare, but with "information" it is in
  // most articles, and is as common a word as "information" is.
  Xapian::doccount group_frequency(const std::string& word) {
    Xapian::doccount most = termfreq(stem_(word));
    for (const std::string& alt : syn_.of(word)) {
      if (alt.find(' ') == std::string::npos) most = std::max(most, termfreq(stem_(alt)));
    }
    return most;
  }

  static std::string code_term(const std::string& code) {
    return std::string(schema::kPrefixCode) + to_lower_ascii(code);
  }

  // The index terms of typed text (a phrase, a field's value): its words as
  // the query reads them, stemmed, with `prefix`.
  std::vector<std::string> terms_of(std::string_view text, std::string_view prefix = "") {
    std::vector<std::string> terms;
    for (const QueryLine& l : parse_query(text).lines) {
      for (const QueryWord& w : l.words) terms.push_back(prefixed(prefix, stem_(w.text)));
    }
    return terms;
  }

  Plan word_query(const QueryWord& w, Built& out, bool spelling, unsigned wqf) {
    if (w.wildcard) {
      return Plan::of_xapian(Xapian::Query(Xapian::Query::OP_WILDCARD, w.text, kWildcardExpansion,
                                           Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT));
    }
    std::string term = stem_(w.text);
    std::vector<Plan> alts;
    alts.push_back(Plan::of_term(term, wqf));
    for (const std::string& alt : syn_.of(w.text)) alts.push_back(synonym_query(alt));
    // Typos and run-together words, on prose only: a word the index does
    // not know, that is neither a code nor a variable part.
    if (spelling && !w.variable && !w.code && attempts_ < kMaxSpellingAttempts && termfreq(term) == 0) {
      ++attempts_;
      std::vector<std::string> split = split_letters_digits(w.text);
      if (!split.empty()) {
        alts.push_back(Plan::of(Op::kAnd, {Plan::of_term(stem_(split[0])), Plan::of_term(split[1])}));
        out.corrections.emplace_back(w.text, split[0] + " " + split[1]);
      } else if (all_alpha(w.text) && w.text.size() >= kMinSpellingWord) {
        std::string fix = db_.get_spelling_suggestion(w.text, w.text.size() >= 7 ? 2 : 1);
        if (!fix.empty() && fix != w.text) {
          alts.push_back(Plan::of_term(stem_(fix)));
          out.corrections.emplace_back(w.text, fix);
        }
      }
    }
    if (alts.size() == 1) return std::move(alts[0]);
    return Plan::of(Op::kSynonym, std::move(alts));
  }

  // A synonym, which may be several words: all of them, anywhere in the
  // article (positions exist only for titles, symptoms and messages).
  // Synonyms hold words as the query reads them, one space apart, so only
  // stemming is left to do here.
  Plan synonym_query(std::string_view words) {
    std::vector<Plan> terms;
    for (size_t b = 0; b < words.size();) {
      size_t e = std::min(words.find(' ', b), words.size());
      terms.push_back(Plan::of_term(stem_(std::string(words.substr(b, e - b)))));
      b = e + 1;
    }
    return Plan::of(Op::kAnd, std::move(terms));
  }

  // "offline store" in the text also looks for "ost".
  void add_multiword_synonyms(const QueryLine& line, std::vector<Plan>& parts) {
    if (syn_.max_words() < 2) return;
    for (size_t i = 0; i + 1 < line.words.size() && i < cfg_.max_line_words; ++i) {
      std::string key = line.words[i].text;
      for (size_t n = 2; n <= syn_.max_words() && i + n <= line.words.size(); ++n) {
        key += ' ';
        key += line.words[i + n - 1].text;
        for (const std::string& alt : syn_.of(key)) parts.push_back(synonym_query(alt));
      }
    }
  }

  Plan phrase_query(std::string_view text, std::string_view prefix = "") {
    std::vector<std::string> terms = terms_of(text, prefix);
    if (terms.empty()) return {};
    if (terms.size() == 1) return Plan::of_term(std::move(terms[0]));
    if (prefix.empty()) return Plan::of_xapian(Xapian::Query(Xapian::Query::OP_PHRASE, terms.begin(), terms.end()));
    // Field terms have no positions: a phrase within a field is all its words in that field.
    std::vector<Plan> all;
    for (std::string& t : terms) all.push_back(Plan::of_term(std::move(t)));
    return Plan::of(Op::kAnd, std::move(all));
  }

  void add_field(const QueryField& f, std::vector<Plan>& required, std::vector<Plan>& filters) {
    using namespace schema;
    const std::string value = to_lower_ascii(trim(f.value));
    if (f.field == "id") {
      filters.push_back(Plan::of_term(id_value(f.value)));
    } else if (f.field == "product") {
      // The product tag ("exchange") or words of the product's name.
      std::vector<Plan> alts;
      alts.push_back(Plan::of_term(prefixed(kPrefixProduct, value)));
      alts.push_back(phrase_query(value, kPrefixProductText));
      filters.push_back(Plan::of(Op::kOr, std::move(alts)));
    } else if (f.field == "version") {
      filters.push_back(Plan::of_term(prefixed(kPrefixVersion, value)));
    } else if (f.field == "type") {
      filters.push_back(Plan::of_term(prefixed(kPrefixIssueType, value)));
    } else if (f.field == "year") {
      filters.push_back(year_filter(value));
    } else if (f.field == "code") {
      std::vector<ErrorCode> codes = extract_codes(f.value);
      if (codes.empty()) codes = extract_codes("error " + f.value);
      std::string code = codes.empty() ? value : codes[0].code;
      required.push_back(scaled(Plan::of_term(code_term(code)), cfg_.code_weight));
    } else {
      std::string_view prefix = f.field == "title"     ? kPrefixTitle
                                : f.field == "symptom" ? kPrefixSymptom
                                : f.field == "cause"   ? kPrefixCause
                                : f.field == "message" ? kPrefixMessage
                                                       : kPrefixResolution;
      Plan q = phrase_query(f.value, prefix);
      if (!q.empty()) required.push_back(std::move(q));
    }
  }

  // "1999", "1999..2001", "..1998", "2000..".
  static Plan year_filter(const std::string& v) {
    size_t dots = v.find("..");
    auto year = [](std::string_view s, int dflt) {
      s = trim(s);
      if (s.size() != 4 || !std::all_of(s.begin(), s.end(), is_ascii_digit)) return dflt;
      return std::stoi(std::string(s));
    };
    int from = 0, to = 0;
    if (dots == std::string::npos) {
      from = to = year(v, -1);
    } else {
      from = year(std::string_view(v).substr(0, dots), 1900);
      to = year(std::string_view(v).substr(dots + 2), 2100);
    }
    if (from < 0 || to < from) return Plan::of_term(std::string(schema::kPrefixYear) + v);  // matches nothing
    // Values compare as strings: YYYYMMDD.
    return Plan::of_xapian(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, schema::kSlotDate,
                                         std::to_string(from) + "0000", std::to_string(to) + "9999"));
  }

  const Xapian::Database& db_;
  const PostingsCache* postings_;
  const RankingConfig& cfg_;
  const Synonyms& syn_;
  Xapian::Stem stem_;
  double doccount_;
  size_t attempts_ = 0;
  std::unordered_map<std::string, Xapian::doccount> termfreq_;
};

// The terms of the query as run: plain words (stems) and codes.
struct QueryTerms {
  std::vector<std::string> plain;  // sorted
  std::vector<std::string> codes;  // with the code prefix
  QueryTerms() = default;
  explicit QueryTerms(const Xapian::Query& q) {
    for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t) {
      const std::string& term = *t;
      if (term.rfind(schema::kPrefixCode, 0) == 0) {
        codes.push_back(term);
      } else if (!term.empty() && !std::isupper(static_cast<unsigned char>(term[0]))) {
        plain.push_back(term);
      }
    }
    std::sort(plain.begin(), plain.end());
  }
};

// How much of the article's title the query says, and how much of the
// query the title says: Dice over the words that are not stopwords. A
// technician describing a problem in their own words mostly meets the
// article in its title.
double title_overlap(const Xapian::Database& db, Xapian::docid did, const QueryTerms& q) {
  const std::string prefix(schema::kPrefixTitle);
  size_t title = 0, common = 0;
  for (auto t = db.termlist_begin(did); t != db.termlist_end(did); ++t) {
    const std::string& term = *t;
    if (term.compare(0, prefix.size(), prefix) != 0) {
      if (term > prefix) break;
      continue;
    }
    std::string_view word = std::string_view(term).substr(prefix.size());
    if (word.empty() || std::isupper(static_cast<unsigned char>(word[0])) || is_stopword(word)) continue;
    ++title;
    common += std::binary_search(q.plain.begin(), q.plain.end(), word);
  }
  size_t query = 0;
  for (const std::string& t : q.plain) query += !is_stopword(t);
  return title + query == 0 ? 0.0 : 2.0 * static_cast<double>(common) / static_cast<double>(title + query);
}

// How much of the article's product name the query says: technicians name
// the product beside a code or an error ("SNA Server 4.0 Event ID 8", "STOP
// 0x0000001E Windows NT Server"), and a code or a message is often
// shared by articles about several products. The share of the name's words
// (the maker's name aside: it is in nearly every product's), stemmed like
// the index. From the product value, not the document's term list: reading
// term lists cost a fifth of a query's time. The archive has a few hundred
// product names, so each thread keeps their stems.
double product_overlap(std::string_view product, const QueryTerms& q) {
  thread_local const Xapian::Stem stem("english");
  thread_local std::unordered_map<std::string, std::vector<std::string>> stems_of;
  auto it = stems_of.find(std::string(product));
  if (it == stems_of.end()) {
    if (stems_of.size() >= 4096) stems_of.clear();
    std::vector<std::string> words;
    size_t i = 0;
    while (i < product.size()) {
      while (i < product.size() && !std::isalpha(static_cast<unsigned char>(product[i]))) ++i;
      const size_t b = i;
      while (i < product.size() && std::isalnum(static_cast<unsigned char>(product[i]))) ++i;
      if (i == b) continue;
      const std::string word = to_lower_ascii(product.substr(b, i - b));
      if (word == "microsoft" || is_stopword(word)) continue;
      words.push_back(stem(word));
    }
    it = stems_of.emplace(std::string(product), std::move(words)).first;
  }
  const std::vector<std::string>& words = it->second;
  size_t common = 0;
  for (const std::string& w : words) common += std::binary_search(q.plain.begin(), q.plain.end(), w);
  return words.empty() ? 0.0 : static_cast<double>(common) / static_cast<double>(words.size());
}

// Why the hits ranked: which of the query's words and codes each has, and
// in which fields. One posting-list cursor per query term and field, moved
// through the hits in docid order: cheaper than reading each hit's
// (compressed) term list.
// `postings`, when not null, is the search cache of `db`'s snapshot: the
// same posting lists, without a B-tree descent for each of five fields per
// word.
void explain_hits(const Xapian::Database& db, const PostingsCache* postings, const std::vector<Xapian::docid>& dids,
                  const QueryTerms& q, std::vector<SearchHit>& hits) {
  static const std::pair<std::string_view, const char*> kFields[] = {
      {schema::kPrefixTitle, "title"}, {schema::kPrefixSymptom, "symptom"}, {schema::kPrefixMessage, "message"},
      {schema::kPrefixCause, "cause"}, {schema::kPrefixResolution, "resolution"}};
  struct Found {
    std::set<std::string> fields;
    std::set<const std::string*> anywhere, in_field;
  };
  std::vector<Found> found(dids.size());
  std::vector<size_t> order(dids.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return dids[a] < dids[b]; });
  // Calls f(hit) for each hit whose document has `term`.
  auto each_with = [&](const std::string& term, auto&& f) {
    if (postings) {
      const std::span<const uint32_t> list = postings->postings(term).docids;
      auto at = list.begin();
      for (size_t i : order) {
        at = std::lower_bound(at, list.end(), dids[i]);
        if (at == list.end()) break;
        if (*at == dids[i]) f(found[i]);
      }
      return;
    }
    auto pl = db.postlist_begin(term);
    const auto end = db.postlist_end(term);
    for (size_t i : order) {
      pl.skip_to(dids[i]);
      if (pl == end) break;
      if (*pl == dids[i]) f(found[i]);
    }
  };
  for (const std::string& t : q.plain) {
    for (const auto& [prefix, name] : kFields) {
      each_with(std::string(prefix) + t, [&, field = name](Found& f) {
        f.fields.insert(field);
        f.in_field.insert(&t);
      });
    }
    // A word of a field is a word of the article; the (long) posting list of
    // the word itself is read only for hits that lack it in every field.
    if (std::any_of(found.begin(), found.end(), [&](const Found& f) { return !f.in_field.count(&t); })) {
      each_with(t, [&](Found& f) { f.anywhere.insert(&t); });
    }
    for (Found& f : found) {
      if (f.in_field.count(&t)) f.anywhere.insert(&t);
    }
  }
  for (const std::string& c : q.codes) {
    each_with(c, [&](Found& f) {
      f.fields.insert("code");
      f.in_field.insert(&c);
    });
  }
  for (size_t i = 0; i < hits.size(); ++i) {
    Found& f = found[i];
    SearchHit& h = hits[i];
    for (const std::string& c : q.codes) {
      if (f.in_field.count(&c)) h.matched_words.push_back(c.substr(schema::kPrefixCode.size()));
    }
    for (const std::string& t : q.plain) {
      if (!f.anywhere.count(&t)) continue;
      h.matched_words.push_back(t);
      if (!f.in_field.count(&t)) f.fields.insert("body");
    }
    // Strongest evidence first.
    for (const char* name : {"title", "symptom", "message", "code", "cause", "resolution", "body"}) {
      if (f.fields.count(name)) h.matched_fields.emplace_back(name);
    }
  }
}

// Up to `chars` bytes of `text` around its first query word, with each word
// whose stem is one of `terms` between kHighlightOn and kHighlightOff.
std::string highlight(std::string_view text, const std::vector<std::string>& terms, size_t chars) {
  const Xapian::Stem stem("english");
  struct Word {
    size_t begin, end;
    bool hit;
  };
  std::vector<Word> words;
  for (size_t i = 0; i < text.size();) {
    if (!is_ascii_alnum(text[i])) {
      ++i;
      continue;
    }
    size_t b = i;
    while (i < text.size() && (is_ascii_alnum(text[i]) || text[i] == '\'' || text[i] == '_')) ++i;
    const std::string t = stem(to_lower_ascii(text.substr(b, i - b)));
    words.push_back({b, i, std::binary_search(terms.begin(), terms.end(), t)});
  }
  // Some context before the first match, from the start of a word.
  size_t from = 0;
  for (const Word& w : words) {
    if (!w.hit) continue;
    from = w.begin > chars / 4 ? w.begin - chars / 4 : 0;
    while (from > 0 && from < w.begin && !is_ascii_space(text[from - 1])) ++from;
    break;
  }
  size_t to = std::min(text.size(), from + chars);
  while (to < text.size() && (static_cast<unsigned char>(text[to]) & 0xC0) == 0x80) ++to;
  std::string out = from > 0 ? "..." : "";
  size_t at = from;
  for (const Word& w : words) {
    if (w.begin < from || !w.hit) continue;
    if (w.end > to) break;
    out.append(text.substr(at, w.begin - at));
    out += kHighlightOn;
    out.append(text.substr(w.begin, w.end - w.begin));
    out += kHighlightOff;
    at = w.end;
  }
  out.append(text.substr(at, to - at));
  if (to < text.size()) out += "...";
  return out;
}

struct Candidate {
  Xapian::docid did = 0;
  double bm25 = 0;
  double score = 0;
  std::string messages;
  MessageMatch best;
};

}  // namespace

struct Searcher::Impl {
  std::string dir;
  SearcherConfig config;
  const Synonyms* synonyms = nullptr;

  // Readers for concurrent searches: each Store (with its Xapian databases
  // and SQLite connection) serves one search at a time.
  std::mutex mu;
  std::vector<std::unique_ptr<Store>> idle;
  std::mutex prepare_mu;  // held through prepare()
  // SearcherConfig::refresh_cache: one prepare() at a time in the
  // background, joined before the next and by the destructor.
  std::thread refresher;  // under mu
  std::atomic<bool> refreshing{false};
  void refresh_in_background() {
    bool running = false;
    if (!refreshing.compare_exchange_strong(running, true)) return;
    std::lock_guard<std::mutex> lock(mu);
    if (refresher.joinable()) refresher.join();  // finished: `refreshing` was false
    refresher = std::thread([this] {
      try {
        prepare();
      } catch (...) {
        // The store went away or became unreadable: searches say so.
      }
      refreshing = false;
    });
  }

  // The store's search cache with BM25's length parts for it; replaced
  // whole (prepare()), so a search keeps the one it started with.
  struct Cache {
    std::unique_ptr<PostingsCache> postings;
    std::vector<double> norms;
  };
  std::shared_ptr<const Cache> cache;  // under mu
  std::shared_ptr<const Cache> current_cache() {
    std::lock_guard<std::mutex> lock(mu);
    return cache;
  }
  void use_cache(std::unique_ptr<PostingsCache> postings) {
    auto c = std::make_shared<Cache>();
    c->norms = norms_of(*postings, Bm25{config.ranking.k1, config.ranking.b});
    c->postings = std::move(postings);
    std::lock_guard<std::mutex> lock(mu);
    cache = std::move(c);
  }
  std::string cache_path() const { return dir + "/" + std::string(kSearchCacheFile); }

  std::unique_ptr<Store> take() {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!idle.empty()) {
        std::unique_ptr<Store> s = std::move(idle.back());
        idle.pop_back();
        return s;
      }
    }
    return std::make_unique<Store>(dir);
  }
  void give_back(std::unique_ptr<Store> s) {
    std::lock_guard<std::mutex> lock(mu);
    idle.push_back(std::move(s));
  }
  // A reader for the time of one call.
  struct Lease {
    Impl& impl;
    std::unique_ptr<Store> store;
    explicit Lease(Impl& i) : impl(i), store(i.take()) {}
    ~Lease() { impl.give_back(std::move(store)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
  };

  bool prepare();
  SearchResult run(Store& store, const Cache* fast, std::string_view text, const SearchOptions& opt) const;
};

Searcher::Searcher(const std::string& dir, SearcherConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->dir = dir;
  impl_->config = std::move(config);
  impl_->synonyms = impl_->config.synonyms ? impl_->config.synonyms : &Synonyms::builtin();
  impl_->give_back(std::make_unique<Store>(dir));  // fails here, not at the first search, on a bad folder
  // Mapping the cache costs next to nothing; whether it fits the store is
  // decided per search, against that search's snapshot.
  if (std::unique_ptr<PostingsCache> c = PostingsCache::load(impl_->cache_path())) impl_->use_cache(std::move(c));
}

bool Searcher::prepare() { return impl_->prepare(); }

bool Searcher::Impl::prepare() {
  // One at a time: the cache is read out of the index once, not by each
  // caller, and written by one.
  std::lock_guard<std::mutex> preparing(prepare_mu);
  Lease lease(*this);
  Store* store = lease.store.get();
  store->refresh_if_changed();
  const std::string& key = store->impl_->shard_key;
  std::shared_ptr<const Cache> have = current_cache();
  if (have && have->postings->key() == key) return true;
  // Another process may have written it since this one looked.
  std::unique_ptr<PostingsCache> fresh = PostingsCache::load(cache_path());
  if (!fresh || fresh->key() != key) {
    try {
      fresh = PostingsCache::build(store->impl_->shards);
    } catch (const Xapian::Error&) {
      fresh.reset();  // the shards moved on while being read: the next prepare() tries again
    }
    if (!fresh || fresh->key() != key) return false;
    fresh->save(cache_path());  // a read-only store keeps it in memory only
  }
  use_cache(std::move(fresh));
  return true;
}

Searcher::~Searcher() {
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    t = std::move(impl_->refresher);
  }
  if (t.joinable()) t.join();
}

SearchResult Searcher::search(std::string_view query, const SearchOptions& options) const {
  auto start = std::chrono::steady_clock::now();
  Impl::Lease lease(*impl_);
  Store* store = lease.store.get();
  store->refresh_if_changed();
  SearchResult r = store->impl_->with_retry([&] {
    // Chosen per attempt: a retry reads a newer snapshot, which the cache
    // may not fit.
    std::shared_ptr<const Impl::Cache> cache = options.use_cache ? impl_->current_cache() : nullptr;
    if (cache && cache->postings->key() != store->impl_->shard_key) {
      cache.reset();
      if (impl_->config.refresh_cache) impl_->refresh_in_background();
    }
    return impl_->run(*store, cache.get(), query, options);
  });
  r.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

SearchResult Searcher::Impl::run(Store& store, const Cache* fast, std::string_view text,
                                  const SearchOptions& opt) const {
  const RankingConfig& cfg = config.ranking;
  const Xapian::Database& db = store.impl_->xdb;
  SearchResult result;
  ParsedQuery pq = parse_query(text);
  pq.fields.insert(pq.fields.end(), opt.filters.begin(), opt.filters.end());
  result.parsed = pq.describe();
  if (pq.empty()) return result;

  QueryBuilder builder(db, fast ? fast->postings.get() : nullptr, cfg, *synonyms);
  Built built = builder.build(pq);
  result.corrections = built.corrections;
  // The caller's articles only (SearchOptions::only_ids): a filter on
  // every query run, adding no weight.
  const bool only_ids = !opt.only_ids.empty();
  Xapian::Query only;
  std::vector<uint32_t> only_dids;
  if (only_ids) {
    std::vector<Xapian::Query> ids;
    for (const std::string& id : opt.only_ids) {
      ids.emplace_back(id_value(id));
      if (fast) {
        for (uint32_t did : fast->postings->postings(id_value(id)).docids) only_dids.push_back(did);
      }
    }
    only = Xapian::Query(Xapian::Query::OP_OR, ids.begin(), ids.end());
    std::sort(only_dids.begin(), only_dids.end());
    only_dids.erase(std::unique(only_dids.begin(), only_dids.end()), only_dids.end());
  }

  Xapian::Enquire enquire(db);
  const Bm25 bm25{cfg.k1, cfg.b};
  enquire.set_weighting_scheme(Xapian::BM25Weight(bm25.k1, 0, Bm25::kK3, bm25.b, Bm25::kMinNormLen));
  const size_t want = std::max(cfg.rerank_depth, opt.offset + opt.limit);
  Xapian::ValueCountMatchSpy products(schema::kSlotProduct), types(schema::kSlotIssueType),
      dates(schema::kSlotDate);
  // The cache when it fits this snapshot and the plan, Xapian otherwise;
  // counts per facet need Xapian's match spies.
  auto ranked = [&](const Plan& plan, size_t n, bool facets) {
    if (fast && !facets && plan.cacheable()) {
      result.cached = true;
      return rank_cached(*fast->postings, fast->norms, bm25, plan, n, only_ids ? &only_dids : nullptr);
    }
    enquire.clear_matchspies();
    if (facets) {
      enquire.add_matchspy(&products);
      enquire.add_matchspy(&types);
      enquire.add_matchspy(&dates);
    }
    return rank_xapian(enquire, plan, only, n, facets ? db.get_doccount() : 0);
  };
  // A candidate's messages, product or data: from the cache's arrays when
  // it fits, else from the shards (a B-tree descent each).
  using Field = PostingsCache::Field;
  auto field = [&](Xapian::docid did, Field f) -> std::string {
    if (fast) return std::string(fast->postings->field(did, f));
    Xapian::Document doc = db.get_document(did);
    return f == Field::kData      ? doc.get_data()
           : f == Field::kProduct ? doc.get_value(schema::kSlotProduct)
                                  : doc.get_value(schema::kSlotMessages);
  };
  auto run_query = [&](const Plan& q) { return ranked(q, want, opt.facets); };
  Ranked mset;
  std::vector<Candidate> cands;
  if (!built.lines.empty() && !built.strict) {
    // A log: each line is searched on its own and an article scores by its
    // best line, so one error line is not outvoted by many routine ones.
    // Scores are the share of the line's possible BM25 weight the article
    // reaches, so lines compare with each other.
    std::unordered_map<Xapian::docid, size_t> at;
    for (size_t i = 0; i < built.lines.size(); ++i) {
      Ranked lm = ranked(built.lines[i], cfg.line_depth, false);
      const double possible = lm.max_possible;
      if (possible <= 0) continue;
      const QueryLine& line = pq.lines[built.line_index[i]];
      // A log prints whole messages: no credit for a line found inside a
      // longer one (fragment_weight), which a short routine line often is.
      const MessageMatcher matcher(line.text);
      // The line a technician pasted the log for says so: "error",
      // "failed", "could not", a code. Routine lines rarely do.
      const double prior = 1.0 + (says_error(line) ? cfg.error_line_boost : 0.0);
      for (const auto& [did, weight] : lm.hits) {
        auto [pos, fresh] = at.emplace(did, cands.size());
        if (fresh) {
          cands.emplace_back();
          cands.back().did = did;
          cands.back().messages = field(did, Field::kMessages);
          cands.back().score = -1;
        }
        Candidate& c = cands[pos->second];
        MessageMatch m = matcher.best(c.messages);
        const double score = prior * (weight / possible + cfg.message_weight * m.similarity);
        if (score > c.score) {
          c.score = score;
          c.bm25 = weight;
          c.best = std::move(m);
        }
      }
    }
    result.total_estimate = cands.size();
    if (opt.facets || cands.empty()) mset = run_query(built.query);
    if (cands.empty()) result.total_estimate = mset.estimated;
  } else {
    if (!built.query.empty()) mset = run_query(built.query);
    if (mset.hits.empty() && (built.strict || built.query.empty()) && !pq.lines.empty()) {
      built.query = builder.relaxed(pq);
      result.relaxed = true;
      mset = run_query(built.query);
    }
    result.total_estimate = mset.estimated;
  }
  const Xapian::Query xapian_query = built.query.to_xapian();
  result.xapian_query = xapian_query.get_description();

  if (cands.empty()) {
    // Rerank the head by how closely the paste resembles a quoted message.
    cands.reserve(mset.hits.size());
    const double top = mset.hits.empty() ? 1.0 : std::max(mset.hits[0].second, 1e-9);
    const MessageMatcher matcher(pq, cfg.max_lines, cfg.fragment_weight);
    const QueryTerms query_stems(xapian_query);
    double best_similarity = 0;
    for (size_t rank = 0; rank < mset.hits.size(); ++rank) {
      Candidate c;
      c.did = mset.hits[rank].first;
      c.bm25 = mset.hits[rank].second;
      c.score = c.bm25 / top;
      if (rank < cfg.rerank_depth && cfg.message_weight > 0) {
        c.best = matcher.best(field(c.did, Field::kMessages));
        c.score += cfg.message_weight * c.best.similarity;
      }
      if (rank < cfg.rerank_depth && cfg.product_weight > 0) {
        c.score += cfg.product_weight * product_overlap(field(c.did, Field::kProduct), query_stems);
      }
      best_similarity = std::max(best_similarity, c.best.similarity);
      cands.push_back(std::move(c));
    }
    // Text without a code that resembles no quoted message is a
    // description in the technician's own words: it meets the article in
    // its title.
    if (cfg.title_weight > 0 && best_similarity < cfg.description_below && pq.codes.empty()) {
      for (size_t i = 0; i < cands.size() && i < cfg.rerank_depth; ++i) {
        cands[i].score += cfg.title_weight * title_overlap(db, cands[i].did, query_stems);
      }
    }
  }
  std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return a.score > b.score; });

  const QueryTerms query_terms = opt.details ? QueryTerms(xapian_query) : QueryTerms();
  std::vector<Xapian::docid> hit_dids;
  for (size_t i = opt.offset; i < cands.size() && i < opt.offset + opt.limit; ++i) {
    Candidate& c = cands[i];
    SearchHit h;
    nlohmann::json data = nlohmann::json::parse(field(c.did, Field::kData), nullptr, false);
    if (data.is_object()) {
      h.id = data.value("id", "");
      h.title = data.value("title", "");
      h.product = data.value("product", "");
      h.date = data.value("date", "");
      h.issue_type = data.value("issue_type", "");
    }
    h.score = c.score;
    h.matched_message = c.best.message;
    h.message_similarity = c.best.similarity;
    if (opt.details) {
      std::optional<Record> symptom = store.first_record(h.id, "symptom");
      if (symptom) h.symptom = symptom->text;
      const std::string& source = c.best.similarity > 0 ? c.best.message : (symptom ? symptom->text : h.title);
      h.snippet = highlight(source, query_terms.plain, opt.snippet_chars);
    }
    result.hits.push_back(std::move(h));
    hit_dids.push_back(c.did);
  }
  if (opt.details) explain_hits(db, fast ? fast->postings.get() : nullptr, hit_dids, query_terms, result.hits);
  if (opt.facets) {
    auto facet = [](const Xapian::ValueCountMatchSpy& spy, size_t chars) {
      std::map<std::string, size_t> counts;
      for (auto v = spy.values_begin(); v != spy.values_end(); ++v) {
        std::string key = chars ? (*v).substr(0, chars) : *v;
        if (!key.empty()) counts[key] += v.get_termfreq();
      }
      Facet f(counts.begin(), counts.end());
      std::stable_sort(f.begin(), f.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      return f;
    };
    result.facets["product"] = facet(products, 0);
    result.facets["issue_type"] = facet(types, 0);
    result.facets["year"] = facet(dates, 4);
  }
  return result;
}

}  // namespace kbtriage
