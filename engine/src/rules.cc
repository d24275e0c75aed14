#include "kbtriage/rules.h"

#include <hs/hs.h>
#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "kbtriage/codes.h"
#include "kbtriage/mask.h"
#include "kbtriage/text.h"

namespace kbtriage {

namespace {

using Kind = Condition::Kind;
using Op = VersionRange::Op;

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// "{name}" is how a rule file writes the placeholder "<name>" (a '<' would
// need escaping in an XML attribute); both are accepted.
std::string braces_to_placeholders(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    size_t close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
    if (close != std::string_view::npos && close - i >= 2 && close - i <= 7) {
      out += '<';
      out += text.substr(i + 1, close - i - 1);
      out += '>';
      i = close;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Maps byte offsets of one file to line numbers.
class LineMap {
 public:
  explicit LineMap(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') newlines_.push_back(i);
    }
  }
  int line_of(ptrdiff_t offset) const {
    if (offset < 0) return 0;
    return static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), static_cast<size_t>(offset)) -
                            newlines_.begin()) + 1;
  }

 private:
  std::vector<size_t> newlines_;
};

// Reads one rule file; a problem in a rule drops that rule, and is reported.
class FileParser {
 public:
  FileParser(std::string_view xml, const std::string& file, RuleSet& set, std::vector<RuleDiagnostic>& diags)
      : xml_(xml), file_(file), lines_(xml), set_(set), diags_(diags) {}

  void run() {
    pugi::xml_document doc;
    pugi::xml_parse_result ok = doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default);
    if (!ok) {
      report(lines_.line_of(ok.offset), std::string("not well-formed XML: ") + ok.description());
      return;
    }
    pugi::xml_node root = doc.document_element();
    if (std::string_view(root.name()) != "rules") {
      report(line(root), "the root element is <" + std::string(root.name()) + ">, expected <rules>");
      return;
    }
    if (!attributes_known(root, {})) return;
    for (pugi::xml_node n : root.children()) {
      if (n.type() != pugi::node_element) continue;
      std::string_view name = n.name();
      if (name == "fact") {
        fact(n);
      } else if (name == "rule") {
        rule(n);
      } else {
        report(line(n), "unknown element <" + std::string(name) + "> in <rules> (expected <rule> or <fact>)");
      }
    }
  }

 private:
  int line(pugi::xml_node n) const { return lines_.line_of(n.offset_debug()); }

  void report(int at, std::string message) { diags_.push_back({file_, at, std::move(message)}); }

  bool fail(pugi::xml_node n, std::string message) {
    report(line(n), std::move(message));
    return false;
  }

  bool attributes_known(pugi::xml_node n, std::initializer_list<std::string_view> known) {
    for (pugi::xml_attribute a : n.attributes()) {
      if (std::find(known.begin(), known.end(), std::string_view(a.name())) == known.end()) {
        return fail(n, "unknown attribute " + std::string(a.name()) + " on <" + n.name() + ">");
      }
    }
    return true;
  }

  bool required(pugi::xml_node n, const char* attr, std::string& out) {
    pugi::xml_attribute a = n.attribute(attr);
    out = std::string(trim(a.value()));
    if (!a || out.empty()) return fail(n, "<" + std::string(n.name()) + "> needs a " + attr + " attribute");
    return true;
  }

  void fact(pugi::xml_node n) {
    std::string name;
    if (!attributes_known(n, {"name", "description"}) || !required(n, "name", name)) return;
    std::string where = file_ + ":" + std::to_string(line(n));
    auto [it, fresh] = set_.facts.emplace(name, where);
    if (!fresh) report(line(n), "fact " + in_quotes(name) + " is declared twice (first at " + it->second + ")");
  }

  void rule(pugi::xml_node n) {
    Rule r;
    r.file = file_;
    r.line = line(n);
    if (!attributes_known(n, {"id", "salience"}) || !required(n, "id", r.id)) return;
    if (pugi::xml_attribute s = n.attribute("salience")) {
      std::string_view v = trim(s.value());
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), r.salience);
      if (ec != std::errc() || end != v.data() + v.size()) {
        fail(n, "salience " + in_quotes(s.value()) + " is not a whole number");
        return;
      }
    }
    bool ok = true, saw_when = false, saw_then = false;
    r.when.kind = Kind::kAll;
    r.when.line = r.line;
    for (pugi::xml_node c : n.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view name = c.name();
      if (name == "description") {
        r.description = collapse_whitespace(c.text().get());
      } else if (name == "when") {
        if (saw_when) ok = fail(c, "rule " + in_quotes(r.id) + " has a second <when>");
        saw_when = true;
        r.when.line = line(c);
        ok = attributes_known(c, {}) && children(c, r.when.children) && ok;
        if (ok && r.when.children.empty()) ok = fail(c, "<when> has no condition");
      } else if (name == "then") {
        if (saw_then) ok = fail(c, "rule " + in_quotes(r.id) + " has a second <then>");
        saw_then = true;
        ok = then(c, r) && ok;
      } else {
        ok = fail(c, "unknown element <" + std::string(name) + "> in <rule> (expected <description>, <when> or <then>)");
      }
    }
    if (!saw_when) ok = ok && fail(n, "rule " + in_quotes(r.id) + " has no <when>");
    if (!saw_then) ok = ok && fail(n, "rule " + in_quotes(r.id) + " has no <then>");
    if (ok && !observes_something(r.when)) {
      ok = fail(n, "rule " + in_quotes(r.id) +
                       " has no message, code or fact condition outside <not>: it would fire on any input");
    }
    if (ok) set_.rules.push_back(std::move(r));
  }

  static bool observes_something(const Condition& c) {
    switch (c.kind) {
      case Kind::kMessage:
      case Kind::kCode:
      case Kind::kFact:
        return true;
      case Kind::kAll:
        return std::any_of(c.children.begin(), c.children.end(), observes_something);
      case Kind::kAny:
        return !c.children.empty() && std::all_of(c.children.begin(), c.children.end(), observes_something);
      default:
        return false;
    }
  }

  bool then(pugi::xml_node n, Rule& r) {
    if (!attributes_known(n, {})) return false;
    for (pugi::xml_node c : n.children()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view name = c.name();
      if (name == "article") {
        Conclusion k;
        if (!attributes_known(c, {"id", "confidence"}) || !required(c, "id", k.article)) return false;
        k.confidence = 0.8;
        if (pugi::xml_attribute a = c.attribute("confidence")) {
          std::string v(trim(a.value()));
          char* end = nullptr;
          k.confidence = std::strtod(v.c_str(), &end);
          if (v.empty() || *end != '\0' || !(k.confidence > 0 && k.confidence <= 1)) {
            return fail(c, "confidence " + in_quotes(a.value()) + " is not a number in (0, 1]");
          }
        }
        r.conclusions.push_back(k);
      } else if (name == "assert") {
        std::string fact;
        if (!attributes_known(c, {"fact"}) || !required(c, "fact", fact)) return false;
        r.asserts.push_back(fact);
      } else {
        return fail(c, "unknown element <" + std::string(name) + "> in <then> (expected <article> or <assert>)");
      }
    }
    if (r.conclusions.empty() && r.asserts.empty()) {
      return fail(n, "<then> names no <article> and asserts no fact");
    }
    return true;
  }

  bool children(pugi::xml_node n, std::vector<Condition>& out) {
    bool ok = true;
    for (pugi::xml_node c : n.children()) {
      if (c.type() != pugi::node_element) continue;
      Condition k;
      if (condition(c, k)) out.push_back(std::move(k));
      else ok = false;
    }
    return ok;
  }

  bool condition(pugi::xml_node n, Condition& c) {
    std::string_view name = n.name();
    c.line = line(n);
    if (name == "all" || name == "any" || name == "not") {
      c.kind = name == "all" ? Kind::kAll : name == "any" ? Kind::kAny : Kind::kNot;
      if (!attributes_known(n, {}) || !children(n, c.children)) return false;
      if (c.kind == Kind::kNot && c.children.size() != 1) {
        return fail(n, "<not> takes exactly one condition, found " + std::to_string(c.children.size()));
      }
      if (c.children.empty()) return fail(n, "<" + std::string(name) + "> has no condition");
      return true;
    }
    if (name == "message") return message(n, c);
    if (name == "code") {
      c.kind = Kind::kCode;
      std::string value;
      if (!attributes_known(n, {"value"}) || !required(n, "value", value)) return false;
      // Any notation the articles use, and the canonical forms themselves
      // ("EVENT 1001", "ERR 1067"); a bare number is an error number.
      std::vector<ErrorCode> codes = extract_codes(value);
      for (auto [canonical, spoken] : {std::pair{"EVENT ", "Event ID "}, std::pair{"ERR ", "error "}}) {
        if (codes.empty() && starts_with_nocase(value, canonical)) codes = extract_codes(spoken + value.substr(std::string_view(canonical).size()));
      }
      if (codes.empty()) codes = extract_codes("error " + value);
      if (codes.empty()) return fail(n, "no error code in " + in_quotes(value));
      if (codes.size() > 1) return fail(n, in_quotes(value) + " holds more than one code; write one <code> each");
      c.text = codes.front().code;
      return true;
    }
    if (name == "product" || name == "os") {
      c.kind = name == "product" ? Kind::kProduct : Kind::kOs;
      return attributes_known(n, {"name"}) && required(n, "name", c.text);
    }
    if (name == "version") {
      c.kind = Kind::kVersion;
      std::string text, error;
      if (!attributes_known(n, {"range"}) || !required(n, "range", text)) return false;
      std::optional<VersionRange> r = VersionRange::parse(text, &error);
      if (!r) return fail(n, "version range " + in_quotes(text) + ": " + error);
      if (r->is_empty()) return fail(n, "version range " + in_quotes(text) + " holds for no version: the rule can never fire");
      c.range = *r;
      c.text = text;
      return true;
    }
    if (name == "fact") {
      c.kind = Kind::kFact;
      return attributes_known(n, {"name"}) && required(n, "name", c.text);
    }
    return fail(n, "unknown condition <" + std::string(name) +
                       "> (expected all, any, not, message, code, product, version, os or fact)");
  }

  bool message(pugi::xml_node n, Condition& c) {
    c.kind = Kind::kMessage;
    if (!attributes_known(n, {"literal", "template", "regex", "case"})) return false;
    int given = 0;
    for (auto [attr, kind] : {std::pair{"literal", PatternKind::kLiteral}, std::pair{"template", PatternKind::kTemplate},
                              std::pair{"regex", PatternKind::kRegex}}) {
      if (pugi::xml_attribute a = n.attribute(attr)) {
        ++given;
        c.pattern = kind;
        c.text = a.value();
      }
    }
    if (given != 1) return fail(n, "<message> needs exactly one of literal, template or regex");
    if (pugi::xml_attribute a = n.attribute("case")) {
      std::string_view v = a.value();
      if (c.pattern != PatternKind::kRegex) return fail(n, "case applies to regex patterns only");
      if (v != "sensitive" && v != "insensitive") return fail(n, "case is \"sensitive\" or \"insensitive\", not " + in_quotes(v));
      c.case_sensitive = v == "sensitive";
    }
    if (c.pattern != PatternKind::kRegex) c.text = collapse_whitespace(c.text);
    if (c.pattern == PatternKind::kTemplate) c.text = braces_to_placeholders(c.text);
    if (c.text.empty()) return fail(n, std::string("empty ") + pattern_kind_name(c.pattern) + " pattern");
    if (c.pattern == PatternKind::kRegex) {
      if (std::optional<std::string> why = regex_problem(c.text, c.case_sensitive)) {
        return fail(n, "bad regex " + in_quotes(c.text) + ": " + *why);
      }
    }
    return true;
  }

  std::string_view xml_;
  const std::string& file_;
  LineMap lines_;
  RuleSet& set_;
  std::vector<RuleDiagnostic>& diags_;
};

int compare_versions(const std::vector<int>& v, const std::vector<int>& bound) {
  // Compares on the bound's components; missing components of v count as 0.
  for (size_t i = 0; i < bound.size(); ++i) {
    int x = i < v.size() ? v[i] : 0;
    if (x != bound[i]) return x < bound[i] ? -1 : 1;
  }
  return 0;
}

bool bound_holds(const VersionRange::Bound& b, const std::vector<int>& v) {
  int c = compare_versions(v, b.version);
  switch (b.op) {
    case Op::kLt: return c < 0;
    case Op::kLe: return c <= 0;
    case Op::kGt: return c > 0;
    case Op::kGe: return c >= 0;
    case Op::kEq: return c == 0;
  }
  return false;
}

// Facts a condition needs to be true for it to hold at all (those under all).
void required_facts(const Condition& c, std::vector<const Condition*>& out) {
  if (c.kind == Kind::kFact) out.push_back(&c);
  if (c.kind == Kind::kAll) {
    for (const Condition& k : c.children) required_facts(k, out);
  }
  if (c.kind == Kind::kAny && !c.children.empty()) {
    // Needed only when every alternative needs it; keep the first alternative's
    // facts that all others share.
    std::vector<const Condition*> first;
    required_facts(c.children.front(), first);
    for (const Condition* f : first) {
      bool everywhere = std::all_of(c.children.begin() + 1, c.children.end(), [&](const Condition& k) {
        std::vector<const Condition*> other;
        required_facts(k, other);
        return std::any_of(other.begin(), other.end(), [&](const Condition* o) { return o->text == f->text; });
      });
      if (everywhere) out.push_back(f);
    }
  }
}

void all_facts(const Condition& c, std::vector<const Condition*>& out) {
  if (c.kind == Kind::kFact) out.push_back(&c);
  for (const Condition& k : c.children) all_facts(k, out);
}

bool same_leaf(const Condition& a, const Condition& b) {
  return a.kind == b.kind && a.pattern == b.pattern && a.text == b.text && a.case_sensitive == b.case_sensitive;
}

// A leaf required by an all together with its own negation.
const Condition* contradiction(const Condition& c) {
  if (c.kind != Kind::kAll) {
    for (const Condition& k : c.children) {
      if (const Condition* x = contradiction(k)) return x;
    }
    return nullptr;
  }
  for (const Condition& k : c.children) {
    if (k.kind != Kind::kNot) continue;
    const Condition& negated = k.children.front();
    for (const Condition& other : c.children) {
      if (&other != &k && same_leaf(other, negated)) return &other;
    }
  }
  for (const Condition& k : c.children) {
    if (const Condition* x = contradiction(k)) return x;
  }
  return nullptr;
}

}  // namespace

const char* pattern_kind_name(PatternKind kind) {
  switch (kind) {
    case PatternKind::kLiteral: return "literal";
    case PatternKind::kTemplate: return "template";
    case PatternKind::kRegex: return "regex";
  }
  return "?";
}

const char* condition_kind_name(Condition::Kind kind) {
  switch (kind) {
    case Kind::kAll: return "all";
    case Kind::kAny: return "any";
    case Kind::kNot: return "not";
    case Kind::kMessage: return "message";
    case Kind::kCode: return "code";
    case Kind::kProduct: return "product";
    case Kind::kVersion: return "version";
    case Kind::kOs: return "os";
    case Kind::kFact: return "fact";
  }
  return "?";
}

std::string Condition::describe() const {
  switch (kind) {
    case Kind::kMessage: return std::string("message ") + pattern_kind_name(pattern) + " " + in_quotes(text);
    case Kind::kVersion: return "version " + in_quotes(range.text);
    case Kind::kAll:
    case Kind::kAny:
    case Kind::kNot: {
      std::string s = std::string(condition_kind_name(kind)) + "(";
      for (size_t i = 0; i < children.size(); ++i) s += (i ? ", " : "") + children[i].describe();
      return s + ")";
    }
    default: return std::string(condition_kind_name(kind)) + " " + in_quotes(text);
  }
}

std::string RuleDiagnostic::str() const { return file + ":" + std::to_string(line) + ": " + message; }

std::vector<int> parse_version(std::string_view text) {
  std::vector<int> v;
  size_t i = 0;
  while (i < text.size() && !is_ascii_digit(text[i])) ++i;
  while (i < text.size() && is_ascii_digit(text[i])) {
    int n = 0;
    while (i < text.size() && is_ascii_digit(text[i])) {
      n = std::min(n * 10 + (text[i] - '0'), 1000000);
      ++i;
    }
    v.push_back(n);
    if (i + 1 < text.size() && text[i] == '.' && is_ascii_digit(text[i + 1])) ++i;
    else break;
  }
  return v;
}

std::optional<VersionRange> VersionRange::parse(std::string_view text, std::string* error) {
  VersionRange r;
  r.text = collapse_whitespace(text);
  std::string_view rest = r.text;
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    std::string_view token = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    Bound b;
    size_t skip = 0;
    if (token.starts_with(">=")) b.op = Op::kGe, skip = 2;
    else if (token.starts_with("<=")) b.op = Op::kLe, skip = 2;
    else if (token.starts_with(">")) b.op = Op::kGt, skip = 1;
    else if (token.starts_with("<")) b.op = Op::kLt, skip = 1;
    else if (token.starts_with("=")) b.op = Op::kEq, skip = 1;
    std::string_view number = token.substr(skip);
    if (number.empty() && !rest.empty()) {  // ">= 5.0"
      sp = rest.find(' ');
      number = rest.substr(0, sp);
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
    bool digits_and_dots = !number.empty() && is_ascii_digit(number.front()) && is_ascii_digit(number.back()) &&
                           std::all_of(number.begin(), number.end(), [](char c) { return is_ascii_digit(c) || c == '.'; }) &&
                           number.find("..") == std::string_view::npos;
    if (!digits_and_dots) {
      if (error) *error = "expected a version such as 5.5 after " + std::string(token.substr(0, skip).empty() ? "the start" : token.substr(0, skip)) + ", found " + in_quotes(number);
      return std::nullopt;
    }
    b.version = parse_version(number);
    r.bounds.push_back(b);
  }
  if (r.bounds.empty()) {
    if (error) *error = "empty";
    return std::nullopt;
  }
  return r;
}

bool VersionRange::contains(std::string_view version) const {
  std::vector<int> v = parse_version(version);
  if (v.empty()) return false;
  return std::all_of(bounds.begin(), bounds.end(), [&](const Bound& b) { return bound_holds(b, v); });
}

bool VersionRange::is_empty() const {
  // The candidates that decide it: every bound's version, and a little above
  // and below each (versions are integers per component, so x.y-1 and x.y+1
  // and x.(y+1) stand for the open intervals).
  std::vector<std::vector<int>> probes;
  for (const Bound& b : bounds) {
    probes.push_back(b.version);
    std::vector<int> up = b.version, down = b.version, deeper = b.version;
    up.back() += 1;
    deeper.push_back(1);
    probes.push_back(up);
    probes.push_back(deeper);
    if (down.back() > 0) {
      down.back() -= 1;
      down.push_back(1000000);
      probes.push_back(down);
    }
  }
  probes.push_back({0});
  probes.push_back({1000000});
  for (const std::vector<int>& v : probes) {
    if (std::all_of(bounds.begin(), bounds.end(), [&](const Bound& b) { return bound_holds(b, v); })) return false;
  }
  return true;
}

std::optional<std::string> regex_problem(const std::string& regex, bool case_sensitive) {
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  unsigned flags = HS_FLAG_MULTILINE | (case_sensitive ? 0u : HS_FLAG_CASELESS);
  if (hs_compile(regex.c_str(), flags, HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::string why = err && err->message ? err->message : "cannot compile";
    hs_free_compile_error(err);
    if (why == "Pattern matches empty buffer; use HS_FLAG_ALLOWEMPTY to enable support.") {
      why = "it matches the empty string, so it would match every line";
    }
    return why;
  }
  hs_free_database(db);
  return std::nullopt;
}

void parse_rule_file(std::string_view xml, const std::string& file, RuleSet& set,
                     std::vector<RuleDiagnostic>& diagnostics) {
  FileParser(xml, file, set, diagnostics).run();
}

void check_rule_set(const RuleSet& set, const ArticleExists& exists, std::vector<RuleDiagnostic>& diagnostics) {
  std::map<std::string, const Rule*, std::less<>> ids;
  for (const Rule& r : set.rules) {
    auto [it, fresh] = ids.emplace(r.id, &r);
    if (!fresh) {
      diagnostics.push_back({r.file, r.line, "duplicate rule id " + in_quotes(r.id) + " (first at " + it->second->file +
                                                ":" + std::to_string(it->second->line) + ")"});
    }
    std::vector<const Condition*> facts;
    all_facts(r.when, facts);
    for (const Condition* f : facts) {
      if (!set.facts.count(f->text)) {
        diagnostics.push_back({r.file, f->line, "unknown fact " + in_quotes(f->text) + " (declare it with <fact name=" +
                                                    in_quotes(f->text) + "/>)"});
      }
    }
    for (const std::string& a : r.asserts) {
      if (!set.facts.count(a)) {
        diagnostics.push_back({r.file, r.line, "rule " + in_quotes(r.id) + " asserts unknown fact " + in_quotes(a) +
                                                   " (declare it with <fact name=" + in_quotes(a) + "/>)"});
      }
    }
    if (exists) {
      for (const Conclusion& c : r.conclusions) {
        if (!exists(c.article)) {
          diagnostics.push_back({r.file, r.line, "rule " + in_quotes(r.id) + " names unknown article " + in_quotes(c.article)});
        }
      }
    }
    if (const Condition* x = contradiction(r.when)) {
      diagnostics.push_back({r.file, x->line, "rule " + in_quotes(r.id) + " can never fire: it requires " + x->describe() +
                                                  " and its negation"});
    }
  }
  // Facts that can become true: a fixpoint over the rules whose required
  // facts are all reachable.
  std::set<std::string, std::less<>> reachable;
  std::vector<bool> can_fire(set.rules.size(), false);
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < set.rules.size(); ++i) {
      if (can_fire[i]) continue;
      std::vector<const Condition*> need;
      required_facts(set.rules[i].when, need);
      if (std::all_of(need.begin(), need.end(), [&](const Condition* f) { return reachable.count(f->text) > 0; })) {
        can_fire[i] = grew = true;
        for (const std::string& a : set.rules[i].asserts) reachable.insert(a);
      }
    }
  }
  for (size_t i = 0; i < set.rules.size(); ++i) {
    if (can_fire[i]) continue;
    const Rule& r = set.rules[i];
    std::vector<const Condition*> need;
    required_facts(r.when, need);
    for (const Condition* f : need) {
      if (!reachable.count(f->text) && set.facts.count(f->text)) {
        diagnostics.push_back({r.file, f->line, "rule " + in_quotes(r.id) + " can never fire: no rule that can fire asserts fact " +
                                                    in_quotes(f->text)});
        break;
      }
    }
  }
}

RuleSet load_rule_files(const std::vector<std::string>& paths, const ArticleExists& exists,
                        std::vector<RuleDiagnostic>& diagnostics) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const fs::directory_entry& e : fs::directory_iterator(p, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".xml") found.push_back(e.path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(p);
    }
  }
  RuleSet set;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      diagnostics.push_back({f, 0, "cannot read"});
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    parse_rule_file(ss.str(), f, set, diagnostics);
  }
  check_rule_set(set, exists, diagnostics);
  // In reading order: by file as given, then by line.
  std::map<std::string, size_t> order;
  for (const std::string& f : files) order.emplace(f, order.size());
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [&](const RuleDiagnostic& a, const RuleDiagnostic& b) {
    const size_t fa = order.count(a.file) ? order[a.file] : 0, fb = order.count(b.file) ? order[b.file] : 0;
    return fa != fb ? fa < fb : a.line < b.line;
  });
  return set;
}

}  // namespace kbtriage
