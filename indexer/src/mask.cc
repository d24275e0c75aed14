#include "kbtriage/mask.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "kbtriage/text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kbtriage {

namespace {

// Bytes `p[0..16)` at or below ' ' (every ASCII space, and controls), as a
// bit each. Masking's scans for spaces and slashes look at sixteen bytes at
// a time: a line of prose has few of either.
#if defined(__SSE2__)
unsigned low_bytes(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i space = _mm_set1_epi8(' ');
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(v, space), space)));
}
unsigned slash_bytes(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
}
#endif

// What each byte can be part of: masking asks this of every byte, several
// times over.
enum : uint8_t { kHexChar = 1, kWordChar = 2, kPathChar = 4, kLetter = 8, kFileChar = 16, kSlash = 32 };
constexpr std::array<uint8_t, 256> kByte = [] {
  std::array<uint8_t, 256> t{};
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool hex = is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    const bool word = is_ascii_alnum(c) || c == '_' || b >= 0x80;
    // Characters that may appear inside a path segment.
    const bool path = word || c == '\\' || c == '/' || c == '.' || c == '-' || c == '$' || c == '~' || c == '#' ||
                      c == '!' || c == '@' || c == '%' || c == '{' || c == '}';
    const bool letter = is_ascii_alnum(c) && !is_ascii_digit(c);
    // Characters of a file name before its extension.
    const bool file = word || c == '-' || c == '~' || c == '$';
    t[b] = static_cast<uint8_t>((hex ? kHexChar : 0) | (word ? kWordChar : 0) | (path ? kPathChar : 0) |
                                (letter ? kLetter : 0) | (file ? kFileChar : 0) |
                                (c == '\\' || c == '/' ? kSlash : 0));
  }
  return t;
}();

bool is_hex(char c) { return kByte[static_cast<unsigned char>(c)] & kHexChar; }
bool is_word_char(char c) { return kByte[static_cast<unsigned char>(c)] & kWordChar; }
bool is_path_char(char c) { return kByte[static_cast<unsigned char>(c)] & kPathChar; }
bool is_letter(char c) { return kByte[static_cast<unsigned char>(c)] & kLetter; }
bool is_file_char(char c) { return kByte[static_cast<unsigned char>(c)] & kFileChar; }
bool is_slash(char c) { return kByte[static_cast<unsigned char>(c)] & kSlash; }

size_t digits_at(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size() && is_ascii_digit(s[i + n])) ++n;
  return n;
}

// 1:05:34, 10:24:50 AM, 9:02 PM. `h`: digits_at(s, i). The rule engine
// keys a log line's stamp apart from its message by what this reads past
// the digits (engine/src/line_key.h, stamp_end()): keep them in step.
size_t match_time(std::string_view s, size_t i, size_t h) {
  if (h < 1 || h > 2 || i + h >= s.size() || s[i + h] != ':') return 0;
  size_t j = i + h + 1;
  if (digits_at(s, j) != 2) return 0;
  j += 2;
  if (j < s.size() && s[j] == ':' && digits_at(s, j + 1) == 2) j += 3;
  if (j < s.size() && s[j] == '.' && digits_at(s, j + 1) > 0) j += 1 + digits_at(s, j + 1);
  size_t k = j < s.size() && s[j] == ' ' ? j + 1 : j;
  if (k + 1 < s.size() && (s[k] == 'A' || s[k] == 'P' || s[k] == 'a' || s[k] == 'p') &&
      (s[k + 1] == 'M' || s[k + 1] == 'm') && (k + 2 == s.size() || !is_word_char(s[k + 2]))) {
    j = k + 2;
  }
  return j - i;
}

// 9/16/2001, 2001-09-16, 16.09.2001. `a`: digits_at(s, i).
size_t match_date(std::string_view s, size_t i, size_t a) {
  if (a < 1 || a > 4 || i + a >= s.size()) return 0;
  char sep = s[i + a];
  if (sep != '/' && sep != '-' && sep != '.') return 0;
  size_t j = i + a + 1;
  size_t b = digits_at(s, j);
  if (b < 1 || b > 2 || j + b >= s.size() || s[j + b] != sep) return 0;
  j += b + 1;
  size_t c = digits_at(s, j);
  if (c != 2 && c != 4) return 0;
  if (a != 4 && c != 4 && c != 2) return 0;
  return j + c - i;
}

// {12345678-1234-1234-1234-123456789abc}
size_t match_guid(std::string_view s, size_t i) {
  size_t j = i;
  bool brace = s[j] == '{';
  if (brace) ++j;
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  for (int g = 0; g < 5; ++g) {
    for (int k = 0; k < kGroups[g]; ++k, ++j) {
      if (j >= s.size() || !is_hex(s[j])) return 0;
    }
    if (g < 4) {
      if (j >= s.size() || s[j] != '-') return 0;
      ++j;
    }
  }
  if (brace) {
    if (j >= s.size() || s[j] != '}') return 0;
    ++j;
  }
  return j - i;
}

size_t match_email(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && (is_word_char(s[j]) || s[j] == '.' || s[j] == '-')) ++j;
  if (j == i || j >= s.size() || s[j] != '@') return 0;
  size_t k = j + 1, dots = 0;
  while (k < s.size() && (is_word_char(s[k]) || s[k] == '.' || s[k] == '-')) {
    if (s[k] == '.') ++dots;
    ++k;
  }
  while (k > j + 1 && s[k - 1] == '.') --k, --dots;
  if (dots == 0 || k == j + 1) return 0;
  return k - i;
}

// Trailing punctuation belongs to the sentence, not to the path or file name.
size_t trim_trailing_punct(std::string_view s, size_t i, size_t end) {
  while (end > i && (s[end - 1] == '.' || s[end - 1] == '!' || s[end - 1] == '}')) --end;
  return end;
}

// C:\dir\file, \\server\share, %SystemRoot%\system32, /usr/lib (two slashes).
// `word_end`: how far from i the caller knows s to be word characters (i
// for none), which no slash is among: the scans go on from there.
size_t match_path(std::string_view s, size_t i, size_t word_end) {
  size_t j = i;
  bool ok = false;
  if (i + 2 < s.size() && is_letter(s[i]) && s[i + 1] == ':' &&
      (s[i + 2] == '\\' || s[i + 2] == '/')) {
    ok = true;
    j = i + 3;
  } else if (i + 2 < s.size() && s[i] == '\\' && s[i + 1] == '\\' && is_word_char(s[i + 2])) {
    ok = true;
    j = i + 2;
  } else if (s[i] == '%' || s[i] == '.' || s[i] == '\\' || s[i] == '/' || is_word_char(s[i])) {
    // A run of path characters containing at least one backslash, or two slashes.
    size_t k = word_end, back = 0, fwd = 0;  // word characters are path characters
    while (k < s.size() && is_path_char(s[k])) {
      back += s[k] == '\\';
      fwd += s[k] == '/';
      ++k;
    }
    if (back >= 1 || fwd >= 2) {
      // "and/or" or a date is not a path; require a letter in it.
      bool letter = false;
      for (size_t m = i; m < k && !letter; ++m) letter = is_letter(s[m]);
      if (letter && (back >= 1 || s[i] == '/')) return trim_trailing_punct(s, i, k) - i;
    }
    return 0;
  }
  if (!ok) return 0;
  while (j < s.size() && is_path_char(s[j])) ++j;
  // "C:\Program Files\App\x.exe": a space goes on when the next word is a path segment too.
  while (j + 1 < s.size() && s[j] == ' ' && is_path_char(s[j + 1])) {
    size_t k = j + 1;
    bool backslash = false;
    while (k < s.size() && is_path_char(s[k])) backslash |= s[k++] == '\\';
    if (!backslash) break;
    j = k;
  }
  return trim_trailing_punct(s, i, j) - i;
}

// name.ext where ext has a letter: Oleaut32.dll, IFSHLP.SYS, log.txt.
// `word_end` as match_path()'s.
size_t match_file(std::string_view s, size_t i, size_t word_end) {
  size_t j = word_end;  // word characters are file-name characters
  while (j < s.size() && is_file_char(s[j])) ++j;
  if (j == i || j >= s.size() || s[j] != '.') return 0;
  size_t k = j + 1;
  bool letter = false;
  while (k < s.size() && is_ascii_alnum(s[k])) {
    letter |= !is_ascii_digit(s[k]);
    ++k;
  }
  size_t ext = k - j - 1;
  if (ext < 1 || ext > 4 || !letter) return 0;
  if (k < s.size() && (is_word_char(s[k]) || s[k] == '.')) return 0;
  return k - i;
}

// Whether masking_keeps_number_after() the word before the end of `out`
// (lower-cased, skipping spaces, ':', '#', '-' and quotes). It never reads
// back past a word, which the rule engine's stamp_end() relies on.
bool number_is_code(std::string_view out) {
  size_t e = out.size();
  while (e > 0 && (out[e - 1] == ' ' || out[e - 1] == ':' || out[e - 1] == '#' || out[e - 1] == '-' ||
                   out[e - 1] == '\'')) {
    --e;
  }
  size_t b = e;
  while (b > 0 && is_ascii_alnum(out[b - 1])) --b;
  char word[12];  // longer than any word that keeps a number
  if (e - b > sizeof word) return false;
  for (size_t x = b; x < e; ++x) word[x - b] = lower_ascii(out[x]);
  return masking_keeps_number_after(std::string_view(word, e - b));
}

// Whether collapse_whitespace() would leave `s` as it is.
bool collapsed(std::string_view s) {
  if (s.empty()) return true;
  if (is_ascii_space(s.front()) || is_ascii_space(s.back())) return false;
  auto spaced = [&s](size_t i) { return is_ascii_space(s[i]) && (s[i] != ' ' || is_ascii_space(s[i + 1])); };
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 < s.size(); i += 16) {  // i + 16 < size: every byte looked at has one after it
    for (unsigned m = low_bytes(s.data() + i); m != 0; m &= m - 1) {
      if (spaced(i + static_cast<size_t>(__builtin_ctz(m)))) return false;
    }
  }
#endif
  for (; i + 1 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) > ' ') continue;  // most bytes: no space of any kind
    if (spaced(i)) return false;
  }
  return true;
}

// The first '/' or '\\' from `i`, or npos.
size_t slash_at_or_after(std::string_view s, size_t i) {
#if defined(__SSE2__)
  for (; i + 16 <= s.size(); i += 16) {
    if (const unsigned m = slash_bytes(s.data() + i)) return i + static_cast<size_t>(__builtin_ctz(m));
  }
#endif
  while (i < s.size() && !is_slash(s[i])) ++i;
  return i < s.size() ? i : std::string_view::npos;
}

bool is_hresult(std::string_view s, size_t i, size_t len) {
  // 0x8xxxxxxx or 0xCxxxxxxx, exactly 8 digits
  if (len != 10) return false;
  char d = s[i + 2];
  return d == '8' || d == 'c' || d == 'C';
}

}  // namespace

size_t masked_time_at(std::string_view s, size_t i) { return i < s.size() ? match_time(s, i, digits_at(s, i)) : 0; }
size_t masked_date_at(std::string_view s, size_t i) { return i < s.size() ? match_date(s, i, digits_at(s, i)) : 0; }
size_t masked_guid_at(std::string_view s, size_t i) { return i < s.size() ? match_guid(s, i) : 0; }

size_t masked_placeholder_at(std::string_view s, size_t i) {
  if (i >= s.size() || s[i] != '<') return 0;
  const size_t close = s.find('>', i + 1);
  if (close == std::string_view::npos) return 0;
  const std::string_view inner = s.substr(i + 1, close - i - 1);
  if (inner == "#") return close - i + 1;  // a number's
  // Its length as collapse_whitespace() leaves it: a run of whitespace one
  // space (text masking has collapsed already is the same either way).
  size_t length = 2;  // "<>"
  bool placeholder = !inner.empty();
  for (size_t x = 0; x < inner.size(); ++x) {
    const bool space = is_ascii_space(inner[x]);
    length += !(space && x > 0 && is_ascii_space(inner[x - 1]));
    placeholder &= space || is_word_char(inner[x]);
  }
  return placeholder && length <= 41 ? close - i + 1 : 0;  // "<" to ">" within 40 bytes
}

std::string mask_variables(std::string_view text) {
  // Each form is tried at each word start, in this order; what makes a form
  // impossible there is checked first (a GUID has a '-' after its first
  // eight digits; an address needs an '@' further on, a path a slash, a
  // file name a '.'), and a word that is none is copied whole.
  const bool as_is = collapsed(text);
  const std::string in = as_is ? std::string() : collapse_whitespace(text);
  const std::string_view s = as_is ? text : std::string_view(in);
  std::string out;
  out.reserve(s.size());
  auto next = [&s](size_t& at, size_t i, auto find) {  // `at` caches find(i) while it is not behind i
    if (at < i) at = find(i);
    return at != std::string_view::npos;
  };
  size_t at_sign = 0, slash = 0, dot = 0;
  auto at_sign_from = [&s](size_t i) { return s.find('@', i); };
  auto slash_from = [&s](size_t i) { return slash_at_or_after(s, i); };
  auto dot_from = [&s](size_t i) { return s.find('.', i); };
  at_sign = at_sign_from(0), slash = slash_from(0), dot = dot_from(0);
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const bool at_word_start = i == 0 || !is_word_char(s[i - 1]);
    size_t n = 0;
    if (at_word_start && is_ascii_digit(c)) {
      const size_t lead = digits_at(s, i);
      if ((n = match_time(s, i, lead)) > 0) { out += kMaskTime; i += n; continue; }
      if ((n = match_date(s, i, lead)) > 0) { out += kMaskDate; i += n; continue; }
    }
    // Where a word that starts here ends, found once when first asked: a
    // path's and a file name's scans go on from there, and the word is
    // copied to there.
    size_t word_end = 0;
    auto end_of_word = [&] {
      if (word_end == 0) {
        word_end = i + 1;
        while (word_end < s.size() && is_word_char(s[word_end])) ++word_end;
      }
      return word_end;
    };
    // Most words start with a letter and end at a space, a comma or the
    // like, or the line's end: none of the forms below can start there (a
    // GUID's first group would run to a '-', an address to an '@', a path
    // to a ':' or a path character, a file name to a '.'), and the word is
    // copied at once.
    if (at_word_start && is_letter(c)) {
      const size_t j = end_of_word();
      if (j == s.size() || s[j] == ' ' || s[j] == ',' || s[j] == ';' || s[j] == ')' || s[j] == '"' || s[j] == '?') {
        out.append(s.data() + i, j - i);
        i = j;
        continue;
      }
    }
    if (at_word_start && (c == '{' ? i + 9 < s.size() && s[i + 9] == '-' : is_hex(c) && i + 8 < s.size() && s[i + 8] == '-') &&
        (n = match_guid(s, i)) > 0) {
      out += kMaskGuid; i += n; continue;
    }
    if (at_word_start && is_word_char(c) && next(at_sign, i, at_sign_from) && (n = match_email(s, i)) > 0) {
      out += kMaskEmail; i += n; continue;
    }
    if (at_word_start && c == '0' && i + 2 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
        is_hex(s[i + 2])) {
      size_t j = i + 2;
      while (j < s.size() && is_hex(s[j])) ++j;
      if (j == s.size() || !is_word_char(s[j])) {
        if (is_hresult(s, i, j - i) || number_is_code(out)) {
          out += to_lower_ascii(s.substr(i, j - i));
        } else {
          out += kMaskHex;
        }
        i = j;
        continue;
      }
    }
    if (at_word_start && next(slash, i, slash_from) && (n = match_path(s, i, is_word_char(c) ? end_of_word() : i)) > 0) {
      out += kMaskPath; i += n; continue;
    }
    if (at_word_start && is_word_char(c) && next(dot, i, dot_from) && (n = match_file(s, i, end_of_word())) > 0) {
      out += kMaskFile; i += n; continue;
    }
    if (c == '\'' && at_word_start) {
      size_t close = s.find('\'', i + 1);
      // A quoted code after "error" is the code: Run-time error '3043'.
      if (close != std::string_view::npos && close > i + 1 && number_is_code(out)) {
        std::string_view inner = s.substr(i + 1, close - i - 1);
        bool code = std::all_of(inner.begin(), inner.end(), [](char ch) { return is_hex(ch) || ch == 'x' || ch == '-'; });
        if (code) {
          out.append(s.substr(i, close - i + 1));
          i = close + 1;
          continue;
        }
      }
      if (close != std::string_view::npos && close > i + 1 && close - i <= 64 &&
          (close + 1 == s.size() || !is_word_char(s[close + 1]))) {
        out += '\'';
        out += kMaskName;
        out += '\'';
        i = close + 1;
        continue;
      }
    }
    if (c == '%' && i + 1 < s.size()) {
      size_t j = i + 1;
      if (is_ascii_digit(s[j])) {
        while (j < s.size() && is_ascii_digit(s[j])) ++j;
        out += kMaskVar; i = j; continue;
      }
      while (j < s.size() && (s[j] == 'l' || s[j] == 'h')) ++j;
      if (j < s.size() && (s[j] == 's' || s[j] == 'd' || s[j] == 'u' || s[j] == 'x' ||
                           s[j] == 'X' || s[j] == 'i' || s[j] == 'c' || s[j] == 'S')) {
        if (j + 1 == s.size() || !is_ascii_alnum(s[j + 1])) {
          out += kMaskVar; i = j + 1; continue;
        }
      }
    }
    if (c == '<' && (n = masked_placeholder_at(s, i)) > 0) {
      const std::string_view whole = s.substr(i, n), inner = whole.substr(1, n - 2);
      i += n;
      if (inner == "#" || inner == "n" || inner == "number" || inner == "nn") {
        out += kMaskNumber;
        continue;
      }
      // The mask's own placeholders pass through unchanged; others stand for any value.
      const bool ours = whole == kMaskHex || whole == kMaskPath || whole == kMaskFile || whole == kMaskName ||
                        whole == kMaskTime || whole == kMaskDate || whole == kMaskGuid || whole == kMaskEmail;
      out += ours ? whole : kMaskVar;
      continue;
    }
    if (at_word_start && is_ascii_digit(c)) {
      size_t j = i;
      while (j < s.size() && (is_ascii_digit(s[j]) ||
                              (s[j] == '.' && j + 1 < s.size() && is_ascii_digit(s[j + 1])) ||
                              (s[j] == ',' && j + 3 < s.size() && is_ascii_digit(s[j + 1]) &&
                               is_ascii_digit(s[j + 2]) && is_ascii_digit(s[j + 3])))) {
        ++j;
      }
      if (j == s.size() || !is_word_char(s[j])) {
        if (number_is_code(out)) {
          out.append(s.substr(i, j - i));
        } else {
          out += kMaskNumber;
        }
        i = j;
        continue;
      }
    }
    if (is_word_char(c)) {
      // The rest of the word: no form starts inside a word.
      const size_t j = end_of_word();
      out.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}


}  // namespace kbtriage
