#include "render.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "kbtriage/search.h"
#include "kbtriage/text.h"

namespace kbtriage::cli {

namespace {

// Wraps prose to the width, keeping indented lines (messages, listings) as they are.
void wrap(std::ostream& out, std::string_view text, int width, std::string_view indent) {
  const size_t limit = width > 30 ? static_cast<size_t>(width) : 30;
  for (std::string_view line : split_lines(text)) {
    if (indentation(line) >= 2 || line.size() + indent.size() <= limit) {
      out << indent << line.substr(0, limit * 2) << '\n';
      continue;
    }
    std::string cur;
    for (std::string_view rest = trim(line); !rest.empty();) {
      size_t sp = rest.find(' ');
      std::string_view w = rest.substr(0, sp);
      if (!cur.empty() && cur.size() + 1 + w.size() + indent.size() > limit) {
        out << indent << cur << '\n';
        cur.clear();
      }
      if (!cur.empty()) cur += ' ';
      cur += w;
      rest = sp == std::string_view::npos ? std::string_view() : trim_left(rest.substr(sp));
    }
    if (!cur.empty()) out << indent << cur << '\n';
  }
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

void render_article(std::ostream& out, const Article& a, const RenderOptions& opt) {
  const char* bold = opt.color ? "\033[1m" : "";
  const char* dim = opt.color ? "\033[2m" : "";
  const char* reset = opt.color ? "\033[0m" : "";
  out << bold << a.id << ": " << a.title << reset << '\n';
  auto meta = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) out << dim << "  " << key << ": " << reset << value << '\n';
  };
  meta("product", a.product);
  meta("versions", join(a.versions, ", "));
  meta("os", join(a.os, ", "));
  meta("issue type", a.issue_type);
  meta("last modified", a.last_modified);
  meta("form", std::string(format_name(a.format)) + (a.question_answer ? " (question/response)" : ""));
  if (!a.applies_to.empty()) meta("applies to", join(a.applies_to, "; "));
  auto records = [&](std::string_view name, const std::vector<Record>& rs) {
    for (const Record& r : rs) {
      out << '\n' << bold << name << reset << dim << " (" << origin_name(r.origin)
          << (r.section.empty() ? "" : ", " + r.section) << ")" << reset << '\n';
      wrap(out, r.text, opt.width, "  ");
    }
  };
  records("SYMPTOM", a.symptoms);
  records("CAUSE", a.causes);
  records("RESOLUTION", a.resolutions);
  if (!a.messages.empty()) {
    out << '\n' << bold << "MESSAGES" << reset << '\n';
    for (const Message& m : a.messages) {
      wrap(out, m.text, opt.width, "  > ");
      if (m.pattern != collapse_whitespace(m.text)) out << dim << "    pattern: " << m.pattern << reset << '\n';
    }
  }
  if (!a.codes.empty()) {
    out << '\n' << bold << "CODES" << reset << '\n';
    for (const ErrorCode& c : a.codes) {
      out << "  " << c.code << dim << "  (" << c.kind << (c.raw != c.code ? ", written " + c.raw : "") << ")" << reset << '\n';
    }
  }
  if (!a.references.empty()) out << '\n' << bold << "SEE ALSO " << reset << join(a.references, " ") << '\n';
  if (opt.sections) {
    for (const Section& s : a.sections) {
      out << '\n' << bold << (s.heading.empty() ? "(untitled)" : s.heading) << reset << '\n';
      wrap(out, s.text, opt.width, "  ");
    }
  }
}

// Cut to `width` display columns (counting UTF-8 code points) on one line.
std::string fit(std::string_view s, size_t width) {
  std::string flat = collapse_whitespace(s);
  size_t cols = 0, i = 0;
  for (; i < flat.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(flat[i]);
    if ((c & 0xC0) == 0x80 || c == static_cast<unsigned char>(kHighlightOn) ||
        c == static_cast<unsigned char>(kHighlightOff)) {
      continue;
    }
    if (++cols > width) break;
  }
  if (i >= flat.size()) return flat;
  std::string cut = flat.substr(0, i);
  while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) cut.pop_back();
  if (cut.size() > 3) {
    cut.resize(cut.size() - 3);
    while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) cut.pop_back();
  }
  // An unclosed highlight would colour the rest of the terminal.
  if (std::count(cut.begin(), cut.end(), kHighlightOn) > std::count(cut.begin(), cut.end(), kHighlightOff)) {
    cut += kHighlightOff;
  }
  return cut + "...";
}


}  // namespace kbtriage::cli
