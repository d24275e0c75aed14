// Text primitives shared by the parser, the search layer and the rule engine:
// decoding article bytes to UTF-8, line splitting, trimming, case folding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kbtriage {

// Why a byte sequence is not text we can parse; empty when it is.
// Binary files (NUL bytes, many control characters) and empty files are refused.
std::string why_not_text(std::string_view bytes);

// Decodes article bytes to UTF-8 with LF line ends. Valid UTF-8 (with or
// without a BOM) is kept; anything else is read as Windows-1252, which is a
// superset of ASCII and what the archive's non-ASCII bytes are. CRLF and lone
// CR become LF. Never fails: every byte maps to something.
std::string decode_to_utf8(std::string_view bytes);

// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

// Splits on '\n'; the views point into `text`. A trailing newline does not
// produce an empty last line.
std::vector<std::string_view> split_lines(std::string_view text);

// ASCII lower-casing; bytes >= 0x80 are left alone.
std::string to_lower_ascii(std::string_view s);
bool contains_nocase(std::string_view haystack, std::string_view needle);

// Collapses runs of whitespace (including newlines) into one space and trims.
std::string collapse_whitespace(std::string_view s);

// Decodes the HTML character references the web form writes in titles
// (&quot; &amp; &lt; &gt; &apos; &#95; &#x5F;). Unknown ones are kept as written.
std::string decode_html_entities(std::string_view s);

// Number of leading spaces, counting a tab as advancing to the next multiple of 8.
int indentation(std::string_view line);

// One range test each where the class is a range: masking and the line
// keys ask these of every byte of a log.
constexpr bool is_ascii_digit(char c) { return static_cast<unsigned char>(c - '0') <= 9; }
constexpr bool is_ascii_upper(char c) { return static_cast<unsigned char>(c - 'A') <= 25; }
constexpr bool is_ascii_alpha(char c) { return static_cast<unsigned char>((c | 0x20) - 'a') <= 25; }
constexpr bool is_ascii_alnum(char c) { return is_ascii_digit(c) || is_ascii_alpha(c); }
// ' ', '\t', '\n', '\v', '\f', '\r'
constexpr bool is_ascii_space(char c) { return c == ' ' || static_cast<unsigned char>(c - '\t') <= '\r' - '\t'; }
constexpr char lower_ascii(char c) { return is_ascii_upper(c) ? static_cast<char>(c + 32) : c; }

// ASCII whitespace off the ends. Inline, like the case-blind prefix test
// below: the parser calls them on every line it reads.
inline std::string_view trim_left(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_ascii_space(s[i])) ++i;
  return s.substr(i);
}

inline std::string_view trim_right(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && is_ascii_space(s[n - 1])) --n;
  return s.substr(0, n);
}

inline std::string_view trim(std::string_view s) { return trim_right(trim_left(s)); }

inline bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower_ascii(s[i]) != lower_ascii(prefix[i])) return false;
  }
  return true;
}

}  // namespace kbtriage
