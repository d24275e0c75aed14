// kbtriage match: the lines a technician pasted (an error dialog, a log) and
// the context they know, against the rules; and kbtriage rules check.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "allocator.h"
#include "cli.h"
#include "kbtriage/error.h"
#include "kbtriage/match.h"
#include "kbtriage/store.h"
#include "kbtriage/text.h"
#include "render.h"

namespace kbtriage::cli {

namespace {

double rounded(double x, double scale = 1000) { return std::round(x * scale) / scale; }

nlohmann::json record_json(const std::optional<Record>& r) {
  if (!r) return nullptr;
  return {{"text", r->text}, {"origin", origin_name(r->origin)}, {"section", r->section}};
}

nlohmann::json hit_json(const MatchHit& h, bool full) {
  nlohmann::json j = {{"id", h.id}, {"title", h.title}, {"score", rounded(h.score, 10000)},
                      {"confidence", rounded(h.confidence)}};
  if (!full) return j;
  j["product"] = h.product;
  j["search_rank"] = h.search_rank;
  j["symptom"] = record_json(h.symptom);
  j["cause"] = record_json(h.cause);
  j["resolution"] = record_json(h.resolution);
  nlohmann::json ev = nlohmann::json::array();
  for (const Evidence& e : h.evidence) {
    ev.push_back({{"line", e.line}, {"text", e.text}, {"rule", e.rule}, {"derived", e.derived},
                  {"pattern", e.pattern}, {"degree", rounded(e.degree)}});
  }
  j["evidence"] = ev;
  j["context"] = h.context;
  return j;
}

nlohmann::json result_json(const MatchResult& r, const RuleStats& stats) {
  nlohmann::json hits = nlohmann::json::array();
  for (const MatchHit& h : r.hits) hits.push_back(hit_json(h, true));
  nlohmann::json j = {{"lines", r.lines}, {"results", hits}, {"facts", r.facts}, {"rules_fired", r.rules_fired},
                      {"took_ms", rounded(r.took_ms)}, {"scan_ms", rounded(r.scan_ms)}, {"search_ms", rounded(r.search_ms)},
                      {"rules", {{"hand_written", stats.hand_written}, {"derived", stats.derived},
                                 {"patterns", stats.patterns}, {"compile_ms", rounded(stats.compile_ms, 10)}}}};
  if (r.why_not) {
    j["why_not"] = {{"id", r.why_not->id}, {"rule", r.why_not->rule}, {"condition", r.why_not->condition},
                    {"reason", r.why_not->reason}};
  } else {
    j["why_not"] = nullptr;
  }
  return j;
}

// Words of `text` in lines of at most `width` columns (a longer word gets a line of its own).
std::vector<std::string> wrap(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::string flat = collapse_whitespace(text);
  std::string_view rest = flat;
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    std::string_view word = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

void render(std::ostream& out, const MatchResult& r) {
  const bool color = stdout_is_terminal();
  const size_t width = static_cast<size_t>(terminal_width());
  const std::string bold = color ? "\033[1m" : "", dim = color ? "\033[2m" : "", reset = color ? "\033[0m" : "";
  const std::string mark = color ? "\033[1;33m" : "", red = color ? "\033[31m" : "";
  const std::string indent = "    ";
  const size_t inner = width > indent.size() + 20 ? width - indent.size() - 1 : 40;
  size_t n = 0;
  for (const MatchHit& h : r.hits) {
    ++n;
    char conf[32];
    std::snprintf(conf, sizeof conf, "  [%.2f]", h.confidence);
    std::string head = std::to_string(n) + ". " + h.id + "  ";
    const size_t room = width > head.size() + std::string(conf).size() + 1 ? width - head.size() - std::string(conf).size() - 1 : 20;
    out << bold << head << fit(h.title, room) << reset << (h.confidence > 0 ? conf : "") << '\n';
    if (!h.product.empty()) out << indent << dim << fit(h.product, inner) << reset << '\n';
    // The evidence by input line: the line once, then each rule it matched.
    std::vector<size_t> order;
    for (const Evidence& e : h.evidence) {
      if (std::find(order.begin(), order.end(), e.line) == order.end()) order.push_back(e.line);
    }
    for (size_t i = 0; i < order.size(); ++i) {
      if (i == 3) {
        out << indent << dim << "... and " << order.size() - 3 << " more lines" << reset << '\n';
        break;
      }
      std::string where = "line " + std::to_string(order[i]) + ": ";
      for (const Evidence& e : h.evidence) {
        if (e.line != order[i]) continue;
        if (!where.empty()) {
          out << indent << dim << where << reset << mark << fit(e.text, inner > where.size() ? inner - where.size() : 20)
              << reset << '\n';
          where.clear();
        }
        char pct[16];
        std::snprintf(pct, sizeof pct, " %.0f%%", e.degree * 100);
        std::string by = "matched " + e.rule + (e.derived ? " (derived)" : "") + ": " + e.pattern + pct;
        out << indent << "  " << dim << fit(by, inner > 2 ? inner - 2 : 20) << reset << '\n';
      }
    }
    if (h.evidence.empty() && h.search_rank) {
      out << indent << dim << "no rule; text similarity (search rank " << h.search_rank << ")" << reset << '\n';
    }
    for (const std::string& c : h.context) out << indent << red << fit(c, inner) << reset << '\n';
    // The first result's records in full, wrapped: they are what the
    // technician came for. The others' on one line each.
    auto record = [&](const char* label, const std::optional<Record>& rec) {
      if (!rec) return;
      std::string l = std::string(label) + ": ";
      if (n > 1) {
        out << indent << bold << l << reset << fit(rec->text, inner > l.size() ? inner - l.size() : 20) << '\n';
        return;
      }
      out << indent << bold << l << reset << dim << "(" << origin_name(rec->origin) << ")" << reset << '\n';
      for (const std::string& w : wrap(rec->text, inner > 4 ? inner - 2 : 40)) out << indent << "  " << w << '\n';
    };
    record("symptom", h.symptom);
    record("cause", h.cause);
    record("resolution", h.resolution);
  }
  if (r.why_not) {
    std::string s = "why not " + r.why_not->id + " first: ";
    if (!r.why_not->rule.empty()) s += r.why_not->rule + ": " + r.why_not->condition + ": ";
    out << dim << fit(s + r.why_not->reason, width > 1 ? width - 1 : 79) << reset << '\n';
  }
  if (!r.facts.empty()) {
    std::string f = "facts: ";
    for (size_t i = 0; i < r.facts.size(); ++i) f += (i ? ", " : "") + r.facts[i];
    out << dim << fit(f, width > 1 ? width - 1 : 79) << reset << '\n';
  }
  out << dim << r.hits.size() << " results, " << r.rules_fired << " rules fired over " << r.lines << " lines, "
      << r.took_ms << " ms" << reset << '\n';
}

int run_batch(const Matcher& matcher, const std::string& path, MatchOptions opt, bool full) {
  return run_batch_file(path, [&](const nlohmann::json& q) {
    MatchOptions o = opt;
    for (auto [key, field] : {std::pair{"product", &o.product}, std::pair{"version", &o.version}, std::pair{"os", &o.os}}) {
      if (q.contains(key) && q[key].is_string()) *field = q[key].get<std::string>();
    }
    MatchResult r = matcher.match(q["query"].get<std::string>(), o);
    nlohmann::json hits = nlohmann::json::array();
    for (const MatchHit& h : r.hits) hits.push_back(hit_json(h, full));
    return nlohmann::json{{"results", hits}, {"took_ms", rounded(r.took_ms)}, {"scan_ms", rounded(r.scan_ms)},
                          {"search_ms", rounded(r.search_ms)}};
  });
}

std::vector<std::string> rules_from_env() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("KBTRIAGE_RULES"); env && *env) {
    std::string_view rest = env;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      if (!rest.substr(0, colon).empty()) out.emplace_back(rest.substr(0, colon));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  return out;
}

}  // namespace

int run_match(const Args& args) {
  const Command& cmd = *find_command("match");
  std::string db = default_db_dir(), batch, ranking_file;
  bool json = false, full_batch = false;
  MatcherConfig config;
  MatchOptions opt;
  std::vector<std::pair<std::string, bool>> lines;  // a line of text, or a file to read (true)
  ArgReader r(args, cmd);
  while (r.next()) {
    if (r.is("--db")) db = r.value();
    else if (r.is("--json")) json = true;
    else if (r.is("--limit") || r.is("-n")) {
      std::string v = r.value();
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), opt.limit);
      if (ec != std::errc() || end != v.data() + v.size() || opt.limit == 0) {
        usage_error(cmd, "--limit: expected a whole number above 0, got '" + v + "'");
      }
    }
    else if (r.is("--product")) opt.product = r.value();
    else if (r.is("--version")) opt.version = r.value();
    else if (r.is("--os")) opt.os = r.value();
    else if (r.is("--rules")) config.rule_paths.push_back(r.value());
    else if (r.is("--no-derived")) config.derived = false;
    else if (r.is("--batch")) batch = r.value();
    else if (r.is("--full")) full_batch = true;
    else if (r.is("--quick")) opt.quick = true;
    else if (r.is("--one-thread")) opt.read_ahead = false;
    else if (r.is("--ranking")) ranking_file = r.value();
    else if (r.is("-")) lines.push_back({"-", true});
    else if (r.is("--file") || r.is("-f")) lines.push_back({r.value(), true});
    else if (r.is_option()) r.unknown();
    else lines.push_back({r.current(), false});
  }
  if (batch.empty() && lines.empty()) {
    usage_error(cmd, "no input given (lines of text, --file FILE, or - to read standard input)");
  }
  if (!batch.empty() && !lines.empty()) usage_error(cmd, "--batch takes its input from the file, not the arguments");
  if (config.rule_paths.empty()) config.rule_paths = rules_from_env();
  if (!ranking_file.empty()) config.search.ranking = RankingConfig::parse(read_text_file(ranking_file), ranking_file);

  allocate_on_huge_pages();  // the compiled rules and the scan's tables (allocator.h)
  Matcher matcher(db, config);
  if (!batch.empty()) {
    opt.details = full_batch;
    matcher.prepare();  // see search --batch
    return run_batch(matcher, batch, opt, full_batch);
  }
  std::string text;
  for (const auto& [l, file] : lines) {
    if (!text.empty()) text += '\n';
    text += file ? read_text_file(l) : l;
  }
  MatchResult result = matcher.match(text, opt);
  if (json) {
    std::cout << result_json(result, matcher.stats()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    render(std::cout, result);
  }
  return result.hits.empty() ? kExitNotFound : kExitOk;
}

int run_rules(const Args& args) {
  const Command& cmd = *find_command("rules");
  if (args.empty() || args[0] != "check") usage_error(cmd, "expected `rules check [FILE...]`");
  Args rest(args.begin() + 1, args.end());
  std::string db;
  bool json = false;
  std::vector<std::string> paths;
  ArgReader r(rest, cmd);
  while (r.next()) {
    if (r.is("--db")) db = r.value();
    else if (r.is("--json")) json = true;
    else if (r.is_option()) r.unknown();
    else paths.push_back(r.current());
  }
  if (paths.empty()) paths = rules_from_env();
  if (paths.empty()) {
    if (!std::filesystem::is_directory("rules")) usage_error(cmd, "no rule files given, and no rules/ folder here");
    paths.push_back("rules");
  }
  // Article ids are checked against a store when there is one.
  std::optional<Store> store;
  std::string note;
  const std::string dir = db.empty() ? default_db_dir() : db;
  try {
    store.emplace(dir);
  } catch (const StoreError& e) {
    if (!db.empty()) throw;
    note = "article ids not checked: no store at " + dir + " (give --db DIR)";
  }
  ArticleExists exists;
  if (store) exists = [&](std::string_view id) { return store->contains(id); };
  std::vector<RuleDiagnostic> diags;
  RuleSet set = load_rule_files(paths, exists, diags);
  if (json) {
    nlohmann::json d = nlohmann::json::array();
    for (const RuleDiagnostic& x : diags) d.push_back({{"file", x.file}, {"line", x.line}, {"message", x.message}});
    nlohmann::json out = {{"rules", set.rules.size()}, {"facts", set.facts.size()}, {"diagnostics", d},
                          {"articles_checked", store.has_value()}};
    std::cout << out.dump() << '\n';
  } else {
    for (const RuleDiagnostic& x : diags) std::cerr << x.str() << '\n';
    if (!note.empty()) std::cerr << "note: " << note << '\n';
    if (diags.empty()) std::cout << set.rules.size() << " rules, " << set.facts.size() << " facts: ok\n";
  }
  return diags.empty() ? kExitOk : kExitUsage;
}

}  // namespace kbtriage::cli
