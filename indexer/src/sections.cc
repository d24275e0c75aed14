// Article structure: sections, the "applies to" block, the trailer, lists,
// dates and versions. Everything here works on decoded lines (UTF-8, LF,
// web-form tab already removed).
#include <algorithm>
#include <cstring>
#include <iterator>
#include <array>

#include "kbtriage/text.h"
#include "parse_internal.h"

namespace kbtriage::detail {

namespace {

bool all_of_char(std::string_view s, char c) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [c](char x) { return x == c; });
}

bool is_rule_line(std::string_view line, char c, size_t min_len) {
  std::string_view t = trim(line);
  return t.size() >= min_len && all_of_char(t, c);
}

// A heading is a short line underlined by '=' of about its length.
bool is_heading_at(const std::vector<std::string_view>& lines, size_t i) {
  if (i + 1 >= lines.size()) return false;
  std::string_view head = trim(lines[i]);
  std::string_view under = trim(lines[i + 1]);
  if (head.empty() || head.size() > 80 || indentation(lines[i]) > 4) return false;
  if (!all_of_char(under, '=') || under.size() < 3) return false;
  if (all_of_char(head, '=') || all_of_char(head, '-')) return false;
  return under.size() * 2 >= head.size() && under.size() <= head.size() * 2 + 4;
}

// "Question:" / "Response:" on a line of their own start the parts of old Q&A articles.
std::string qa_heading(std::string_view line) {
  if (indentation(line) > 2) return {};
  std::string_view t = trim(line);
  static constexpr std::string_view kHeads[] = {
      "Question:", "Response:", "Problem:", "Answer:", "Solution:", "Problem Description:"};
  for (std::string_view h : kHeads) {
    if (t == h || (t.size() == h.size() && starts_with_nocase(t, h))) {
      return std::string(h.substr(0, h.size() - 1));
    }
  }
  return {};
}

std::string join_lines(const std::vector<std::string_view>& lines, size_t from, size_t to) {
  while (from < to && trim(lines[from]).empty()) ++from;
  while (to > from && trim(lines[to - 1]).empty()) --to;
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '\n';
    out.append(trim_right(lines[i]));
  }
  return out;
}

// Removes the "The information in this article applies to:" block (between
// dashed rules) from the lines, returning its items.
std::vector<std::string> take_applies_to(std::vector<std::string_view>& lines) {
  std::vector<std::string> items;
  for (size_t i = 0; i < lines.size() && i < 40; ++i) {
    if (!starts_with_nocase(trim(lines[i]), "The information in this article applies to")) continue;
    size_t begin = i;
    if (begin > 0 && is_rule_line(lines[begin - 1], '-', 20)) --begin;
    size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      std::string_view t = trim(lines[j]);
      if (is_rule_line(t, '-', 20)) { ++j; break; }
      if (t.empty()) continue;
      if (t[0] == '-' || t[0] == '*') {
        items.emplace_back(trim(t.substr(1)));
      } else if (!items.empty()) {
        items.back() += ' ';
        items.back() += t;  // continuation of a wrapped item
      } else {
        items.emplace_back(t);
      }
    }
    lines.erase(lines.begin() + static_cast<long>(begin), lines.begin() + static_cast<long>(j));
    break;
  }
  return items;
}

}  // namespace

std::vector<std::string> split_list(std::string_view s, std::string_view separators) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || separators.find(s[i]) != std::string_view::npos) {
      std::string_view item = trim(s.substr(start, i - start));
      if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) {
        out.emplace_back(item);
      }
      start = i + 1;
    }
  }
  return out;
}

std::string parse_kb_date(std::string_view s) {
  s = trim(s);
  static constexpr std::string_view kMonths[] = {
      "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  // DD-MON-YYYY
  size_t d1 = s.find('-');
  if (d1 == std::string_view::npos || d1 == 0 || d1 > 2) return {};
  size_t d2 = s.find('-', d1 + 1);
  if (d2 == std::string_view::npos || d2 - d1 - 1 != 3 || s.size() < d2 + 5) return {};
  std::string_view day = s.substr(0, d1), mon = s.substr(d1 + 1, 3), year = s.substr(d2 + 1, 4);
  if (!std::all_of(day.begin(), day.end(), is_ascii_digit) ||
      !std::all_of(year.begin(), year.end(), is_ascii_digit)) {
    return {};
  }
  for (size_t m = 0; m < std::size(kMonths); ++m) {
    if (starts_with_nocase(mon, kMonths[m])) {
      std::string out(year);
      out += '-';
      if (m < 9) out += '0';
      out += std::to_string(m + 1);
      out += '-';
      if (day.size() == 1) out += '0';
      out += day;
      return out;
    }
  }
  return {};
}

std::vector<std::string> parse_versions(std::string_view s) {
  std::vector<std::string> out;
  auto add = [&out](std::string v) {
    if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  };
  for (const std::string& group : split_list(s, ";|")) {
    size_t colon = group.find(':');
    std::string platform = colon == std::string::npos ? "" : std::string(trim(group.substr(0, colon)));
    std::string_view rest = colon == std::string::npos ? std::string_view(group)
                                                       : std::string_view(group).substr(colon + 1);
    // "4.0 SP5,4.0 SP6a" lists by commas; "2.20 2.30" by spaces.
    const bool commas = rest.find(',') != std::string_view::npos;
    for (const std::string& v : split_list(rest, commas ? "," : " \t")) {
      add(platform.empty() ? v : platform + ":" + v);
    }
  }
  return out;
}

std::string issue_type_from_title(std::string_view title) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kPrefixes = {{
      {"BUG:", "kbbug"}, {"PRB:", "kbprb"}, {"FIX:", "kbfix"}, {"INFO:", "kbinfo"}, {"INF:", "kbinfo"},
      {"HOWTO:", "kbhowto"}, {"HOW TO:", "kbhowto"}, {"DOC:", "kbdocerr"},
      {"SAMPLE:", "kbfile"}, {"ERR:", "kberrmsg"}}};
  // The type prefix may follow a product prefix: "XADM: BUG: ...".
  for (int hop = 0; hop < 2 && !title.empty(); ++hop) {
    for (const auto& [prefix, type] : kPrefixes) {
      if (starts_with_nocase(title, prefix)) return std::string(type);
    }
    size_t colon = title.find(": ");
    if (colon == std::string_view::npos || colon > 12) break;
    title = trim(title.substr(colon + 1));
  }
  return {};
}

std::vector<std::string_view> strip_trailer(std::vector<std::string_view> body, Article& a) {
  size_t cut = body.size();
  // The disclaimer ends every raw article; everything from it on is boilerplate.
  for (size_t i = 0; i < body.size(); ++i) {
    if (starts_with_nocase(trim(body[i]), "THE INFORMATION PROVIDED IN THE MICROSOFT KNOWLEDGE BASE")) {
      cut = i;
      break;
    }
  }
  size_t aqw = cut;
  for (size_t i = cut; i-- > 0;) {
    std::string_view t = trim(body[i]);
    if (starts_with_nocase(t, "Additional query words:")) {
      aqw = i;
      break;
    }
    if (starts_with_nocase(t, "Additional reference words:")) {
      aqw = i;
      break;
    }
  }
  // Trailer key lines: "Keywords          : ...".
  for (size_t i = aqw; i < cut; ++i) {
    std::string_view t = trim(body[i]);
    size_t colon = t.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = trim(t.substr(0, colon)), value = trim(t.substr(colon + 1));
    if (i == aqw) {
      a.additional_words = std::string(value);
    } else if (key == "Keywords") {
      for (auto& k : split_list(value, " ,\t")) {
        if (std::find(a.keywords.begin(), a.keywords.end(), k) == a.keywords.end()) a.keywords.push_back(k);
      }
    } else if (key == "Technology") {
      a.technology = split_list(value, " ,\t");
    } else if (key == "Version") {
      for (auto& v : parse_versions(value)) {
        if (std::find(a.versions.begin(), a.versions.end(), v) == a.versions.end()) a.versions.push_back(v);
      }
    } else if (key == "Issue type") {
      // "kbhowto kbinfo": the first is the article's type.
      auto types = split_list(value, " ,\t");
      if (!types.empty()) a.issue_type = types.front();
    }
  }
  if (aqw == cut) {
    // No "Additional query words": drop only the separator rules before the disclaimer.
    while (aqw > 0 && (trim(body[aqw - 1]).empty() || is_rule_line(body[aqw - 1], '=', 10))) --aqw;
  }
  body.resize(aqw);
  return body;
}

void split_sections(const std::vector<std::string_view>& in, Article& a) {
  std::vector<std::string_view> lines = in;
  a.applies_to = take_applies_to(lines);
  // Drop long rules that separate the header from the body.
  std::string heading;
  size_t start = 0;
  bool saw_question = false, saw_response = false;
  auto flush = [&](size_t end) {
    std::string text = join_lines(lines, start, end);
    if (!text.empty() || !heading.empty()) a.sections.push_back({heading, std::move(text)});
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    if (is_rule_line(lines[i], '=', 40) && (i == 0 || trim(lines[i - 1]).empty())) {
      lines[i] = {};  // a separator, not an underline
      continue;
    }
    std::string qa = qa_heading(lines[i]);
    if (is_heading_at(lines, i)) {
      flush(i);
      heading = std::string(trim(lines[i]));
      start = i + 2;
      ++i;
    } else if (!qa.empty()) {
      flush(i);
      heading = qa;
      saw_question |= qa == "Question" || qa == "Problem";
      saw_response |= qa == "Response" || qa == "Answer" || qa == "Solution";
      start = i + 1;
    }
  }
  flush(lines.size());
  a.question_answer = saw_question && saw_response;
}

void extract_references(Article& a) {
  auto scan = [&a](std::string_view s) {
    for (size_t i = 0; i + 5 < s.size(); ++i) {
      // memchr jumps to the next 'Q': most sections have none or a few.
      const void* q = std::memchr(s.data() + i, 'Q', s.size() - 5 - i);
      if (!q) break;
      i = static_cast<size_t>(static_cast<const char*>(q) - s.data());
      if (i > 0 && is_ascii_alnum(s[i - 1])) continue;
      size_t j = i + 1;
      while (j < s.size() && is_ascii_digit(s[j])) ++j;
      size_t digits = j - i - 1;
      if (digits < 5 || digits > 6 || (j < s.size() && is_ascii_alnum(s[j]))) continue;
      std::string id(s.substr(i, j - i));
      if (id != a.id && std::find(a.references.begin(), a.references.end(), id) == a.references.end()) {
        a.references.push_back(std::move(id));
      }
    }
  };
  for (const Section& s : a.sections) scan(s.text);
}

}  // namespace kbtriage::detail
