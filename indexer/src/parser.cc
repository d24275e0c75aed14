#include "kbtriage/parser.h"

#include <algorithm>

#include "kbtriage/article_xml.h"
#include "kbtriage/codes.h"
#include "kbtriage/text.h"
#include "parse_internal.h"

namespace kbtriage {

using detail::parse_kb_date;
using detail::parse_versions;
using detail::split_list;

namespace {

std::string_view first_nonblank_line(std::string_view text) {
  for (std::string_view l : split_lines(text)) {
    if (!trim(l).empty()) return trim(l);
  }
  return {};
}

bool is_article_id(std::string_view s) {
  if (s.size() < 5 || s.size() > 8 || (s[0] != 'Q' && s[0] != 'q')) return false;
  return std::all_of(s.begin() + 1, s.end(), is_ascii_digit);
}

std::string normalize_id(std::string_view s) {
  std::string id(trim(s));
  if (!id.empty()) id[0] = 'Q';
  return id;
}

// "Key: value" → value when the line starts with key (case-insensitive).
bool field(std::string_view line, std::string_view key, std::string_view& value) {
  std::string_view t = trim(line);
  if (!starts_with_nocase(t, key)) return false;
  std::string_view rest = trim_left(t.substr(key.size()));
  if (rest.empty() || rest[0] != ':') return false;
  value = trim(rest.substr(1));
  return true;
}

void add_keywords(std::string_view value, Article& a) {
  for (auto& k : split_list(value, " ,|\t")) {
    if (std::find(a.keywords.begin(), a.keywords.end(), k) == a.keywords.end()) a.keywords.push_back(k);
  }
}

// The "Article:/Product(s):/..." block of the web form and page text. Returns
// the index of the first line after it.
size_t parse_web_header(const std::vector<std::string_view>& lines, size_t i, Article& a) {
  for (; i < lines.size(); ++i) {
    std::string_view v;
    std::string_view t = trim(lines[i]);
    if (t.empty() || t.starts_with("---")) break;
    if (field(t, "Article", v)) a.id = normalize_id(v);
    else if (field(t, "Product(s)", v)) a.product = std::string(v);
    else if (field(t, "Version(s)", v)) a.versions = parse_versions(v);
    else if (field(t, "Operating System(s)", v)) a.os = split_list(v, "|,;");
    else if (field(t, "Keyword(s)", v)) add_keywords(v, a);
    else if (field(t, "Last Modified", v)) a.last_modified = parse_kb_date(v);
  }
  return i;
}

// "Q198657: title" → sets id (if unset) and title.
bool parse_title_line(std::string_view t, Article& a) {
  size_t colon = t.find(": ");
  if (colon == std::string_view::npos || !is_article_id(t.substr(0, colon))) return false;
  if (a.id.empty()) a.id = normalize_id(t.substr(0, colon));
  a.title = std::string(trim(t.substr(colon + 2)));
  if (a.format == Format::kWeb) a.title = decode_html_entities(a.title);
  return true;
}

std::string yaml_unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    v = v.substr(1, v.size() - 2);
  }
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == '"' || v[i + 1] == '\\')) ++i;
    out += v[i];
  }
  return out;
}

using Lines = std::vector<std::string_view>;

// Raw form: header fields, then the body up to the end.
std::string parse_raw(const Lines& lines, Article& a, Lines& body) {
  size_t i = 0;
  while (i < lines.size() && trim(lines[i]).empty()) ++i;
  std::string_view doc = trim(lines[i]).substr(9);  // after "DOCUMENT:"
  auto parts = split_list(doc, " \t");
  if (parts.empty() || !is_article_id(parts[0])) {
    return "line " + std::to_string(i + 1) + ": DOCUMENT: header has no article id";
  }
  a.id = normalize_id(parts[0]);
  for (size_t p = 1; p < parts.size(); ++p) {
    if (a.last_modified.empty()) a.last_modified = parse_kb_date(parts[p]);
    if (parts[p].size() > 2 && parts[p].front() == '[' && parts[p].back() == ']') {
      a.product_tag = parts[p].substr(1, parts[p].size() - 2);
    }
  }
  std::string_view last_key;
  for (++i; i < lines.size(); ++i) {
    std::string_view line = lines[i], v;
    if (trim(line).empty() || trim(line).starts_with("====")) break;
    if (field(line, "TITLE", v)) { a.title = std::string(v); last_key = "TITLE"; }
    else if (field(line, "PRODUCT", v)) { a.product = std::string(v); last_key = "PRODUCT"; }
    else if (field(line, "PROD/VER", v)) { a.versions = parse_versions(v); last_key = "PROD/VER"; }
    else if (field(line, "OPER/SYS", v)) { a.os = split_list(v, ",;|"); last_key = "OPER/SYS"; }
    else if (field(line, "KEYWORDS", v)) { add_keywords(v, a); last_key = "KEYWORDS"; }
    else if (last_key == "TITLE" && indentation(line) >= 2) {
      a.title += ' ';
      a.title += trim(line);  // a wrapped title
    }
  }
  body.assign(lines.begin() + static_cast<long>(i), lines.end());
  return {};
}

std::string parse_web(const Lines& lines, Article& a, Lines& body) {
  size_t i = 0;
  // Front matter.
  if (i < lines.size() && trim(lines[i]) == "---") {
    for (++i; i < lines.size() && trim(lines[i]) != "---"; ++i) {
      std::string_view t = trim(lines[i]);
      if (starts_with_nocase(t, "title:")) {
        std::string title = yaml_unquote(t.substr(6));
        if (!parse_title_line(title, a)) a.title = decode_html_entities(title);
      }
    }
    ++i;
  }
  size_t raw_begin = lines.size(), raw_end = lines.size();
  for (size_t j = i; j < lines.size(); ++j) {
    std::string_view t = trim(lines[j]);
    if (t.starts_with("## ")) parse_title_line(trim(t.substr(3)), a);
    if (t == "{% raw %}" && raw_begin == lines.size()) raw_begin = j + 1;
    if (t == "{% endraw %}") raw_end = j;
  }
  if (raw_begin == lines.size()) raw_begin = i;
  if (raw_end < raw_begin) raw_end = lines.size();
  Lines inner;
  for (size_t j = raw_begin; j < raw_end; ++j) {
    std::string_view l = lines[j];
    if (!l.empty() && l[0] == '\t') l.remove_prefix(1);
    inner.push_back(l);
  }
  size_t k = 0;
  while (k < inner.size() && trim(inner[k]).empty()) ++k;
  k = parse_web_header(inner, k, a);
  body.assign(inner.begin() + static_cast<long>(k), inner.end());
  if (a.id.empty()) return "line 1: web form without an Article: line or ## Qnnn title";
  return {};
}

std::string parse_page(const Lines& lines, Article& a, Lines& body) {
  size_t i = 0;
  for (; i < lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    if (t.starts_with("Article:")) break;
    parse_title_line(t, a);
  }
  if (i == lines.size()) return "line 1: page text without an Article: line";
  i = parse_web_header(lines, i, a);
  body.assign(lines.begin() + static_cast<long>(i), lines.end());
  return {};
}

}  // namespace

const char* format_name(Format f) {
  switch (f) {
    case Format::kRaw: return "raw";
    case Format::kWeb: return "web";
    case Format::kPage: return "page";
    case Format::kXml: return "xml";
  }
  return "?";
}

const char* origin_name(Origin o) { return o == Origin::kHeading ? "heading" : "inferred"; }

std::optional<Format> detect_format(std::string_view text) {
  std::string_view first = first_nonblank_line(text);
  if (first.starts_with("DOCUMENT:")) return Format::kRaw;
  if (first.starts_with("<?xml") || first.starts_with("<article")) return Format::kXml;
  // Look at the first lines only: an article is recognised by its head.
  std::string_view head = text.substr(0, std::min<size_t>(text.size(), 4096));
  auto lines = split_lines(head);
  bool front_matter = first == "---";
  for (std::string_view l : lines) {
    if (front_matter && (l.starts_with("permalink:") || l.starts_with("## Q") || l.starts_with("\tArticle: Q"))) {
      return Format::kWeb;
    }
    if (l.starts_with("\tArticle: Q")) return Format::kWeb;
    if (l.starts_with("Article: Q") || l.starts_with("Article: q")) return Format::kPage;
  }
  return std::nullopt;
}

ParseResult parse_article(std::string_view bytes) {
  if (std::string why = why_not_text(bytes); !why.empty()) return {std::nullopt, why};
  std::string text = decode_to_utf8(bytes);
  std::optional<Format> format = detect_format(text);
  if (!format) {
    return {std::nullopt,
            "line 1: not a knowledge-base article (no DOCUMENT: line, front matter with an "
            "Article: header, page text or <article> element)"};
  }
  if (*format == Format::kXml) return article_from_xml(text);

  Article a;
  a.format = *format;
  Lines lines = split_lines(text);
  Lines body;
  std::string error = *format == Format::kRaw ? parse_raw(lines, a, body)
                      : *format == Format::kWeb ? parse_web(lines, a, body)
                                                : parse_page(lines, a, body);
  if (!error.empty()) return {std::nullopt, error};
  if (!is_article_id(a.id)) return {std::nullopt, "line 1: article id \"" + a.id + "\" is not of the form Qnnnnn"};

  body = detail::strip_trailer(std::move(body), a);
  detail::split_sections(body, a);
  if (a.sections.empty() && a.title.empty()) return {std::nullopt, "article has neither a title nor a body"};
  if (a.issue_type.empty()) {
    for (const std::string& k : a.keywords) {
      if (k == "kbbug" || k == "kbprb" || k == "kbinfo" || k == "kbhowto" || k == "kbfix") {
        a.issue_type = k;
        break;
      }
    }
  }
  if (a.issue_type.empty()) a.issue_type = detail::issue_type_from_title(a.title);
  if (a.product == "See article") a.product.clear();
  finish_article(a);
  return {std::move(a), {}};
}

void finish_article(Article& a) {
  a.symptoms.clear();
  a.causes.clear();
  a.resolutions.clear();
  a.messages.clear();
  a.codes.clear();
  a.references.clear();
  const detail::SectionParagraphs paragraphs = detail::split_all_sections(a);
  detail::extract_messages(a, paragraphs);
  detail::extract_records(a, paragraphs);
  detail::extract_references(a);
  add_codes(a.title, a.codes);
  for (const Section& s : a.sections) add_codes(s.text, a.codes);
}

}  // namespace kbtriage
