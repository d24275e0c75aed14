// kbtriage search: free text, pasted errors and logs, or field syntax against
// the store; one query from the arguments or standard input, or a batch file.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "render.h"
#include "kbtriage/error.h"
#include "kbtriage/search.h"
#include "kbtriage/text.h"

namespace kbtriage::cli {

namespace {

// Snippet markers as <mark> (JSON) or ANSI reverse video (terminal) or
// nothing (plain output).
std::string highlight(std::string_view s, std::string_view on, std::string_view off) {
  std::string out;
  for (char c : s) {
    if (c == kHighlightOn) out += on;
    else if (c == kHighlightOff) out += off;
    else out += c;
  }
  return out;
}

nlohmann::json hit_json(const SearchHit& h, bool full) {
  nlohmann::json j = {{"id", h.id}, {"title", h.title}, {"score", std::round(h.score * 10000) / 10000}};
  if (!full) return j;
  j["product"] = h.product;
  j["date"] = h.date;
  j["issue_type"] = h.issue_type;
  j["snippet"] = highlight(h.snippet, "<mark>", "</mark>");
  j["symptom"] = h.symptom;
  nlohmann::json why = {{"fields", h.matched_fields}, {"words", h.matched_words}};
  if (h.message_similarity > 0) {
    why["message"] = h.matched_message;
    why["message_similarity"] = std::round(h.message_similarity * 1000) / 1000;
  }
  j["why"] = why;
  return j;
}

nlohmann::json result_json(const std::string& query, const SearchResult& r, bool explain) {
  nlohmann::json j = {{"query", query}, {"total", r.total_estimate},
                      {"took_ms", std::round(r.took_ms * 1000) / 1000}};
  nlohmann::json hits = nlohmann::json::array();
  for (const SearchHit& h : r.hits) hits.push_back(hit_json(h, true));
  j["results"] = hits;
  if (!r.facets.empty()) {
    nlohmann::json f = nlohmann::json::object();
    for (const auto& [name, values] : r.facets) {
      nlohmann::json counts = nlohmann::json::array();
      for (const auto& [value, n] : values) counts.push_back({{"value", value}, {"count", n}});
      f[name] = counts;
    }
    j["facets"] = f;
  }
  if (!r.corrections.empty()) {
    nlohmann::json c = nlohmann::json::array();
    for (const auto& [typed, used] : r.corrections) c.push_back({{"typed", typed}, {"used", used}});
    j["corrections"] = c;
  }
  if (r.relaxed) j["relaxed"] = true;
  if (explain) j["explain"] = {{"parsed", r.parsed}, {"xapian", r.xapian_query}};
  return j;
}

void render(std::ostream& out, const SearchResult& r, bool explain, size_t offset) {
  const bool color = stdout_is_terminal();
  const size_t width = static_cast<size_t>(terminal_width());
  const std::string bold = color ? "\033[1m" : "", dim = color ? "\033[2m" : "", reset = color ? "\033[0m" : "";
  const std::string on = color ? "\033[1;33m" : "", off = color ? "\033[0m" : "";
  if (explain) {
    out << dim << "parsed: " << r.parsed << reset << '\n';
    out << dim << "xapian: " << fit(r.xapian_query, 4 * width) << reset << '\n';
  }
  if (r.relaxed) out << dim << "(nothing matched all the conditions; showing matches for any of the words)" << reset << '\n';
  for (const auto& [typed, used] : r.corrections) out << dim << "(also searched: " << typed << " -> " << used << ")" << reset << '\n';
  size_t n = offset;
  for (const SearchHit& h : r.hits) {
    ++n;
    std::string head = std::to_string(n) + ". " + h.id + "  ";
    out << bold << head << fit(h.title, width > head.size() + 1 ? width - head.size() - 1 : 20) << reset << '\n';
    const std::string indent = "    ";
    const size_t inner = width > indent.size() + 10 ? width - indent.size() - 1 : 40;
    std::string meta = h.product;
    if (!h.date.empty()) meta += (meta.empty() ? "" : ", ") + h.date;
    if (!h.issue_type.empty()) meta += (meta.empty() ? "" : ", ") + h.issue_type;
    if (!meta.empty()) out << indent << dim << fit(meta, inner) << reset << '\n';
    if (!h.snippet.empty()) out << indent << highlight(fit(h.snippet, inner), on, off) << '\n';
    if (!h.symptom.empty() && h.symptom != h.matched_message) {
      out << indent << dim << "symptom: " << reset << fit(h.symptom, inner - 9) << '\n';
    }
    std::string why = "why: ";
    if (h.message_similarity > 0) {
      char sim[48];
      std::snprintf(sim, sizeof sim, "quoted message %.0f%% alike; ", h.message_similarity * 100);
      why += sim;
    }
    for (size_t i = 0; i < h.matched_fields.size(); ++i) why += (i ? ", " : "") + h.matched_fields[i];
    out << indent << dim << fit(why, inner) << reset << '\n';
  }
  out << dim << r.hits.size() << " of about " << r.total_estimate << " matches, " << r.took_ms << " ms" << reset
      << '\n';
}

int run_batch(const Searcher& searcher, const std::string& path, SearchOptions opt, bool full) {
  return run_batch_file(path, [&](const nlohmann::json& q) {
    SearchResult r = searcher.search(q["query"].get<std::string>(), opt);
    nlohmann::json hits = nlohmann::json::array();
    for (const SearchHit& h : r.hits) hits.push_back(hit_json(h, full));
    return nlohmann::json{{"results", hits}, {"took_ms", std::round(r.took_ms * 1000) / 1000}};
  });
}

}  // namespace

int run_search(const Args& args) {
  const Command& cmd = *find_command("search");
  std::string db = default_db_dir(), batch, ranking_file, synonyms_file;
  bool json = false, explain = false, full_batch = false;
  SearchOptions opt;
  std::vector<std::string> words;
  ArgReader r(args, cmd);
  auto count = [&](const std::string& v, bool zero_ok) {
    size_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || (!zero_ok && n == 0)) {
      usage_error(cmd, r.current() + ": expected a whole number, got '" + v + "'");
    }
    return n;
  };
  while (r.next()) {
    if (r.is("--db")) db = r.value();
    else if (r.is("--json")) json = true;
    else if (r.is("--limit") || r.is("-n")) opt.limit = count(r.value(), false);
    else if (r.is("--offset")) opt.offset = count(r.value(), true);
    else if (r.is("--explain")) explain = true;
    else if (r.is("--facets")) opt.facets = true;
    else if (r.is("--batch")) batch = r.value();
    else if (r.is("--full")) full_batch = true;
    else if (r.is("--no-cache")) opt.use_cache = false;
    else if (r.is("--product")) opt.filters.push_back({"product", r.value()});
    else if (r.is("--year")) opt.filters.push_back({"year", r.value()});
    else if (r.is("--type")) opt.filters.push_back({"type", r.value()});
    else if (r.is("--ranking")) ranking_file = r.value();
    else if (r.is("--synonyms")) synonyms_file = r.value();
    else if (r.is("-")) words.push_back("-");
    else if (r.is_option()) r.unknown();
    else words.push_back(r.current());
  }
  if (batch.empty() && words.empty()) usage_error(cmd, "no query given (words, or - to read standard input)");
  if (!batch.empty() && !words.empty()) usage_error(cmd, "--batch takes its queries from the file, not the arguments");

  SearcherConfig config;
  Synonyms synonyms;
  if (!ranking_file.empty()) config.ranking = RankingConfig::parse(read_text_file(ranking_file), ranking_file);
  if (!synonyms_file.empty()) {
    synonyms = Synonyms::parse(read_text_file(synonyms_file), synonyms_file);
    config.synonyms = &synonyms;
  }
  Searcher searcher(db, config);

  if (!batch.empty()) {
    opt.details = full_batch;
    // Worth its 1.5 s once per index change over many queries, not for one.
    if (opt.use_cache) searcher.prepare();
    return run_batch(searcher, batch, opt, full_batch);
  }
  std::string query;
  for (const std::string& w : words) {
    if (!query.empty()) query += ' ';
    query += w == "-" ? read_text_file("-") : w;
  }
  SearchResult result = searcher.search(query, opt);
  if (json) {
    std::cout << result_json(query, result, explain).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    render(std::cout, result, explain, opt.offset);
  }
  return result.hits.empty() ? kExitNotFound : kExitOk;
}

}  // namespace kbtriage::cli
