#include "kbtriage/text.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace kbtriage {

namespace {

// Windows-1252 code points for 0x80..0x9F; the five undefined bytes map to
// U+FFFD so that garbage stays visible instead of vanishing.
constexpr std::array<char32_t, 32> kCp1252High = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// Whether any byte of w is below n (n <= 128): the classic bit trick, exact as
// a yes/no answer though not per byte.
constexpr bool has_byte_below(uint64_t w, uint8_t n) { return ((w - kOnes * n) & ~w & kHighBits) != 0; }

bool is_control(unsigned char c) {
  return c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1A;
}

}  // namespace

std::string why_not_text(std::string_view bytes) {
  if (trim(bytes).empty()) return "empty file";
  if (std::memchr(bytes.data(), 0, bytes.size())) return "binary file (contains NUL bytes)";
  // Eight bytes at a time: text has a control byte (its line ends) in only
  // about one word in eight, and only those words are looked at bytewise.
  size_t control = 0, i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    if (!has_byte_below(w, 0x20)) continue;
    for (size_t k = 0; k < 8; ++k) control += is_control(static_cast<unsigned char>(bytes[i + k]));
  }
  for (; i < bytes.size(); ++i) control += is_control(static_cast<unsigned char>(bytes[i]));
  if (control * 20 > bytes.size()) return "binary file (too many control characters)";
  return {};
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    // ASCII eight bytes at a time: the archive is almost all ASCII.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (word & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) { ++i; continue; }
    int len = (c >= 0xF0 && c <= 0xF4) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC2 && c <= 0xDF) ? 2 : 0;
    if (len == 0 || (c >= 0xF5)) return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c == 0xE0 && c1 < 0xA0) return false;  // overlong
    if (c == 0xED && c1 >= 0xA0) return false;  // surrogates
    if (c == 0xF0 && c1 < 0x90) return false;  // overlong
    if (c == 0xF4 && c1 >= 0x90) return false;  // > U+10FFFF
    i += len;
  }
  return true;
}

std::string decode_to_utf8(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  // DOS end-of-file marker: the rest is padding.
  if (const void* eof = std::memchr(bytes.data(), 0x1A, bytes.size())) {
    bytes = bytes.substr(0, static_cast<size_t>(static_cast<const char*>(eof) - bytes.data()));
  }
  const bool utf8 = is_valid_utf8(bytes);
  std::string out;
  out.reserve(bytes.size() + (utf8 ? 0 : bytes.size() / 16));
  size_t i = 0;
  while (i < bytes.size()) {
    // Copy the run of bytes that need no translation in one go. In UTF-8 (or
    // ASCII) only a CR needs it, and memchr finds that fastest.
    size_t run = i;
    if (utf8) {
      const void* cr = std::memchr(bytes.data() + i, '\r', bytes.size() - i);
      run = cr ? static_cast<size_t>(static_cast<const char*>(cr) - bytes.data()) : bytes.size();
    } else {
      while (run < bytes.size() && bytes[run] != '\r' && static_cast<unsigned char>(bytes[run]) < 0x80) ++run;
    }
    out.append(bytes.substr(i, run - i));
    i = run;
    if (i >= bytes.size()) break;
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r') {
      out += '\n';
      if (i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
    } else if (c < 0xA0) {
      append_utf8(out, kCp1252High[c - 0x80]);
    } else {
      append_utf8(out, c);  // Latin-1 range of CP1252
    }
    ++i;
  }
  return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}




std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  // Eight bytes at a time (SWAR): set bit 5 of each byte in 'A'..'Z', leaving
  // bytes >= 0x80 alone. The parser folds whole paragraphs, so this is hot.
  size_t i = 0;
  for (; i + 8 <= out.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, out.data() + i, 8);
    const uint64_t low7 = w & ~kHighBits;
    const uint64_t above_a = low7 + kOnes * (0x80 - 'A');      // high bit set when byte >= 'A'
    const uint64_t above_z = low7 + kOnes * (0x80 - 'Z' - 1);  // high bit set when byte > 'Z'
    const uint64_t upper = above_a & ~above_z & ~w & kHighBits;
    w |= upper >> 2;
    std::memcpy(out.data() + i, &w, 8);
  }
  for (; i < out.size(); ++i) out[i] = lower_ascii(out[i]);
  return out;
}


bool contains_nocase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (haystack.size() < needle.size()) return false;
  const char first = lower_ascii(needle[0]);
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (lower_ascii(haystack[i]) == first &&
        starts_with_nocase(haystack.substr(i), needle)) {
      return true;
    }
  }
  return false;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out(s.size(), '\0');  // never longer than the input: written through a pointer
  char* const begin = out.data();
  char* o = begin;
  bool pending_space = false;
  for (char c : s) {
    if (is_ascii_space(c)) {
      pending_space = o != begin;
    } else {
      if (pending_space) *o++ = ' ';
      pending_space = false;
      *o++ = c;
    }
  }
  out.resize(static_cast<size_t>(o - begin));
  return out;
}

std::string decode_html_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    size_t semi = s[i] == '&' ? s.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    char32_t cp = 0;
    if (ent == "quot") cp = '"';
    else if (ent == "amp") cp = '&';
    else if (ent == "lt") cp = '<';
    else if (ent == "gt") cp = '>';
    else if (ent == "apos") cp = '\'';
    else if (ent == "nbsp") cp = ' ';
    else if (ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      for (char c : ent.substr(hex ? 2 : 1)) {
        int d = is_ascii_digit(c) ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0 || cp > 0x10FFFF) { cp = 0; break; }
        cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(d);
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0;
    }
    if (cp == 0) {
      out += s[i];
      continue;
    }
    append_utf8(out, cp);
    i = semi;
  }
  return out;
}

int indentation(std::string_view line) {
  int col = 0;
  for (char c : line) {
    if (c == ' ') {
      ++col;
    } else if (c == '\t') {
      col = (col / 8 + 1) * 8;
    } else {
      break;
    }
  }
  return col;
}

}  // namespace kbtriage
