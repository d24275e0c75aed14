// The rule language: what a rule is, and how rule files are read and checked.
// rules/README.md is the language's reference for people who write rules.
//
// A rule says: when these conditions hold over what the technician pasted
// (message patterns, error codes) and the context they gave (product, version,
// OS), and over facts other rules asserted, then these articles apply, with
// this confidence, and these facts hold. Rules come from two places: XML files
// written by hand (rules/*.xml), and rules derived from every article's quoted
// messages and codes (see match.h, which builds and runs both).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kbtriage {

enum class PatternKind {
  kLiteral,   // the words as written, any case, any run of whitespace between them
  kTemplate,  // words with <placeholders> for variable parts, compared after masking
  kRegex,     // a regular expression over one input line (Hyperscan syntax)
};
const char* pattern_kind_name(PatternKind kind);

// A version range: every bound holds (">=5.0 <5.5"). A bare "5.5" means
// "=5.5", and "=5" holds for 5, 5.0 and 5.5: a bound compares as many
// components as it has.
struct VersionRange {
  enum class Op { kLt, kLe, kGt, kGe, kEq };
  struct Bound {
    Op op = Op::kEq;
    std::vector<int> version;
  };
  std::vector<Bound> bounds;
  std::string text;

  // nullopt and `error` set when `text` is not a range.
  static std::optional<VersionRange> parse(std::string_view text, std::string* error);
  // False when `version` has no number in it.
  bool contains(std::string_view version) const;
  // True when no version can satisfy every bound (">=5.5 <5.0").
  bool is_empty() const;
};

// The leading dotted number of a version ("5.5 SP1" -> {5, 5}); empty when none.
std::vector<int> parse_version(std::string_view text);

struct Condition {
  enum class Kind { kAll, kAny, kNot, kMessage, kCode, kProduct, kVersion, kOs, kFact };
  Kind kind = Kind::kAll;
  std::vector<Condition> children;  // all, any; not has exactly one
  PatternKind pattern = PatternKind::kLiteral;  // message
  bool case_sensitive = false;                  // message regex
  // message: the pattern; code: the canonical code; product, os: the name;
  // fact: its name.
  std::string text;
  VersionRange range;  // version
  int line = 0;        // where it was written (0 for derived rules)

  // One line for people: `message template "Synchronizing Mailbox '<name>'"`.
  std::string describe() const;
};
const char* condition_kind_name(Condition::Kind kind);

struct Conclusion {
  std::string article;
  double confidence = 0.5;  // 0 < confidence <= 1
};

struct Rule {
  std::string id;
  std::string file;  // the rule file, or "derived"
  int line = 0;
  int salience = 0;  // higher fires first
  std::string description;
  Condition when;    // an all of the <when> children
  std::vector<Conclusion> conclusions;
  std::vector<std::string> asserts;  // facts it asserts when it fires
  bool derived = false;
};

struct RuleDiagnostic {
  std::string file;
  int line = 0;
  std::string message;
  std::string str() const;  // "FILE:LINE: message"
};

struct RuleSet {
  std::vector<Rule> rules;
  std::map<std::string, std::string, std::less<>> facts;  // declared fact -> "FILE:LINE"
};

// Answers whether an article id exists in the store; empty when no store is at hand.
using ArticleExists = std::function<bool(std::string_view)>;

// Parses one rule file into `set`; every problem goes to `diagnostics` (as
// FILE:LINE: message) and the rule it is in is left out.
void parse_rule_file(std::string_view xml, const std::string& file, RuleSet& set,
                     std::vector<RuleDiagnostic>& diagnostics);

// What can only be seen across files: duplicate rule ids, facts used but never
// declared, rules that can never fire (an empty version range, a condition
// and its negation, a fact nothing asserts), unknown articles (when
// `exists` is given).
void check_rule_set(const RuleSet& set, const ArticleExists& exists, std::vector<RuleDiagnostic>& diagnostics);

// The XML files named: each a file, or a folder whose *.xml files are read in
// name order. Unreadable paths are diagnostics too.
RuleSet load_rule_files(const std::vector<std::string>& paths, const ArticleExists& exists,
                        std::vector<RuleDiagnostic>& diagnostics);

// Whether a regular expression is one the matcher can compile; the reason when not.
std::optional<std::string> regex_problem(const std::string& regex, bool case_sensitive);

}  // namespace kbtriage
