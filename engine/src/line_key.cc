#include "line_key.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kbtriage/codes.h"
#include "kbtriage/mask.h"
#include "kbtriage/text.h"
#include "similarity.h"

namespace kbtriage {

namespace {

// Byte classes: what a number's start and end, and the word before it,
// depend on.
enum : uint8_t { kOther, kDigit, kLetter, kWordOnly, kGap, kCodeGap };
constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const char x = static_cast<char>(c);
    t[c] = is_ascii_digit(x)                                                     ? kDigit
           : is_ascii_alnum(x)                                                   ? kLetter
           : c == '_' || c >= 0x80                                               ? kWordOnly  // in a word, not of the word a number follows
           : is_ascii_space(x) || x == ':' || x == '#' || x == '-' || x == '\'' ? kGap  // masking collapses whitespace to ' '
           : x == '=' || x == '('                                                ? kCodeGap  // between a code and its word, for extract_codes()
                                                                                 : kOther;
  }
  return t;
}();

uint8_t cls(char c) { return kClass[static_cast<unsigned char>(c)]; }
bool word_char(char c) {
  const uint8_t k = cls(c);
  return k == kDigit || k == kLetter || k == kWordOnly;
}
bool alnum(char c) {
  const uint8_t k = cls(c);
  return k == kDigit || k == kLetter;
}

#if defined(__SSE2__)
// 0xff in each byte of `v` that is a digit. Signed compares: bytes >= 0x80
// are below '0'.
__m128i digit_bytes(__m128i v) {
  return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
}
#endif

// A bit per byte of p[0..n) (n <= 16) that is a digit.
uint32_t digit_mask(const char* p, size_t n) {
#if defined(__SSE2__)
  __m128i v;
  if (n >= 16) {
    v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  } else {
    alignas(16) char buf[16] = {};
    std::memcpy(buf, p, n);
    v = _mm_load_si128(reinterpret_cast<const __m128i*>(buf));
  }
  return static_cast<uint32_t>(_mm_movemask_epi8(digit_bytes(v)));
#else
  uint32_t m = 0;
  for (size_t i = 0; i < n; ++i) m |= static_cast<uint32_t>(is_ascii_digit(p[i])) << i;
  return m;
#endif
}

// The bytes that start or hold a form whose reach may depend on digits: a
// mark ('\\', '@', '%', '{' or '}': a path, address, variable or GUID in
// braces), a quote, or a '/' (a path, with a letter in its word).
bool mark_char(char c) { return c == '\\' || c == '@' || c == '%' || c == '{' || c == '}'; }
#if defined(__SSE2__)
// Those of p[0..16), a bit each.
struct FormBytes {
  unsigned marks, quotes, slashes;
};
FormBytes form_bytes(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i m = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  for (char c : {'@', '%', '{', '}'}) m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
  auto bits = [](__m128i x) { return static_cast<unsigned>(_mm_movemask_epi8(x)); };
  return {bits(m), bits(_mm_cmpeq_epi8(v, _mm_set1_epi8('\''))), bits(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')))};
}
#endif

// Whether p[0..n) holds any of those: most log lines hold none.
bool holds_form_bytes(const char* p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  auto block = [](const char* at) {
    const FormBytes b = form_bytes(at);
    return (b.marks | b.quotes | b.slashes) != 0;
  };
  for (; i + 16 <= n; i += 16) {
    if (block(p + i)) return true;
  }
  // The rest: the last sixteen bytes, some looked at twice.
  if (i < n && n >= 16) return block(p + n - 16);
#endif
  for (; i < n; ++i) {
    if (mark_char(p[i]) || p[i] == '\'' || p[i] == '/') return true;
  }
  return false;
}

// The first mark or '/' of p[0..n) at or after `i`, or n. Sixteen bytes at
// a time: most words hold none.
size_t next_form_char(const char* p, size_t n, size_t i) {
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    const FormBytes b = form_bytes(p + i);
    if (const unsigned bits = b.marks | b.slashes) return i + static_cast<size_t>(__builtin_ctz(bits));
  }
#endif
  while (i < n && !mark_char(p[i]) && p[i] != '/') ++i;
  return i;
}

constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
uint64_t mix(uint64_t h, uint64_t x) {
  h = (h ^ x) * kMul;
  return h ^ (h >> 29);
}

// The bytes between two masked numbers, after their count: the runs of a
// line and the numbers between them read back one way only.
uint64_t mix_run(uint64_t h, const char* p, size_t n) {
  h = mix(h, n);
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    h = mix(h, x);
  }
  if (n > 0) {
    uint64_t x = 0;
    std::memcpy(&x, p, n);
    h = mix(h, x);
  }
  return h;
}

// A number the codes key holds as written, tagged with its place among
// the line's masked numbers: key_of() and LineKeys's replay of its codes
// both mix it in so.
uint64_t mix_code(uint64_t hc, uint64_t tag, const char* p, size_t n) { return mix_run(mix(hc, tag), p, n); }

// What masking reads before a number: the last run of letters and digits
// with only gap bytes after it ("error 53", "Event ID: 1120"), and for
// extract_codes() also '=' and '(' ("errno=5").
struct Before {
  size_t word = 0, length = 0;
  bool masking_reads = false, codes_read = false;
};

// Whether `test` holds for the word before, or for what masking may read
// of it on its own: the word without leading digits ("10:00:01error" is
// "<time>error"), or what follows twelve hex digits (a GUID's last group:
// "...-beefdeadbeeferror" is "<guid>error").
template <typename Test>
bool word_is(const char* p, const Before& b, Test test) {
  auto holds = [&](size_t from) {
    char w[12];
    const size_t n = b.length - from;
    if (n > sizeof w) return false;  // longer than any word tested
    for (size_t x = 0; x < n; ++x) w[x] = lower_ascii(p[b.word + from + x]);
    return test(std::string_view(w, n));
  };
  if (holds(0)) return true;
  size_t digits = 0, hex = 0;
  for (size_t x = 0; x < b.length; ++x) {
    const char c = p[b.word + x];
    if (digits == x && is_ascii_digit(c)) ++digits;
    hex = is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ? hex + 1 : 0;
    if (hex >= 12 && x + 1 < b.length && holds(x + 1)) return true;
  }
  return digits > 0 && digits < b.length && holds(digits);
}

// detail::hash_word() of a word with its digits as '0': the same for every
// word that differs from it only in digits.
uint64_t digit_shape(std::string_view w) {
  uint64_t h = 1469598103934665603ull;
  for (char c : w) {
    h ^= static_cast<unsigned char>(is_ascii_digit(c) ? '0' : lower_ascii(c));
    h *= 1099511628211ull;
  }
  return h;
}

#if defined(__SSE2__)
// `v` with each digit byte as '0'.
__m128i digits_as_zero(__m128i v) {
  const __m128i digit = digit_bytes(v);
  return _mm_or_si128(_mm_andnot_si128(digit, v), _mm_and_si128(digit, _mm_set1_epi8('0')));
}
#endif

// A line's bytes with its digits as '0', and its length, as a number. The
// first and the second eight bytes of each sixteen go to two hashes, mixed
// at the end: each line waits on half as many multiplies in a row.
uint64_t skeleton_of(const char* p, size_t n) {
  uint64_t h = mix(0x736b656c65746f6eull, n), g = mix(0x6e6f74656c656b73ull, n);
  size_t i = 0;
#if defined(__SSE2__)
  auto add = [&](__m128i v) {
    h = mix(h, static_cast<uint64_t>(_mm_cvtsi128_si64(v)));
    g = mix(g, static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_srli_si128(v, 8))));
  };
  for (; i + 16 <= n; i += 16) add(digits_as_zero(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))));
  if (i < n && n >= 16) {
    // The rest: the last sixteen bytes, those hashed above as zeros (the
    // length, hashed first, says where the rest starts). No copy of a
    // line's tail, which costs a call.
    alignas(16) static constexpr uint8_t kTail[32] = {0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
                                                      0,    0,    0,    0,    0,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const __m128i keep = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kTail + (n - i)));  // the last n - i bytes
    add(digits_as_zero(_mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)), keep)));
    i = n;
  } else if (i < n) {  // a line shorter than sixteen bytes, as the loop below reads it: eight bytes at a time, zeros past the end
    alignas(16) char buf[16] = {};
    std::memcpy(buf, p + i, n - i);
    const __m128i v = digits_as_zero(_mm_load_si128(reinterpret_cast<const __m128i*>(buf)));
    h = mix(h, static_cast<uint64_t>(_mm_cvtsi128_si64(v)));
    if (n - i > 8) g = mix(g, static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_srli_si128(v, 8))));
    i = n;
  }
#endif
  for (; i < n; i += 8) {
    char b[8] = {};
    for (size_t x = 0; x < 8 && i + x < n; ++x) b[x] = is_ascii_digit(p[i + x]) ? '0' : p[i + x];
    uint64_t x;
    std::memcpy(&x, b, 8);
    uint64_t& to = i % 16 == 0 ? h : g;
    to = mix(to, x);
  }
  return mix(h, g);
}

}  // namespace

namespace {

// Where a line's digits stay as written in its key: where masking may read
// them as part of a path, address, %-variable, GUID in braces, or quoted
// name or code, whose reach can depend on the digits (a quoted name is one
// up to 64 bytes; a time after a path that ends at its first number starts
// at the second). Such forms are whole words apart from quotes, which may
// hold spaces. A <...> placeholder is not one of them: angle_placeholders().
class RawSpans {
 public:
  explicit RawSpans(std::string_view line) {
    const size_t n = line.size();
    if (!holds_form_bytes(line.data(), n)) return;
    // Words holding a form's mark, or a '/' and a letter: only the words
    // around those bytes are looked at.
    for (size_t at = next_form_char(line.data(), n, 0); at < n; at = next_form_char(line.data(), n, at)) {
      size_t from = at, to = at;
      while (from > 0 && !is_ascii_space(line[from - 1])) --from;
      while (to < n && !is_ascii_space(line[to])) ++to;
      bool mark = false, slash = false, letter = false;
      for (size_t x = from; x < to; ++x) {
        mark |= mark_char(line[x]);
        slash |= line[x] == '/';
        letter |= is_ascii_alpha(line[x]);
      }
      if (mark || (slash && letter)) spans_.emplace_back(from, to);
      at = to;
    }
    for (size_t i = line.find('\''); i != std::string_view::npos; i = line.find('\'', i + 1)) {  // quotes, to their end
      if (i > 0 && word_char(line[i - 1])) continue;
      const size_t close = line.find('\'', i + 1);
      if (close == std::string_view::npos) continue;
      spans_.emplace_back(i, close + 1);
      i = close - 1;  // a closing quote may open the next
    }
  }
  bool empty() const { return spans_.empty(); }
  // The span holding byte i, if any.
  const std::pair<size_t, size_t>* covering(size_t i) const {
    for (const auto& s : spans_) {
      if (s.first <= i && i < s.second) return &s;
    }
    return nullptr;
  }

 private:
  std::vector<std::pair<size_t, size_t>> spans_;
};

}  // namespace

namespace {

// Which of a line's '<' masking reads as a placeholder, in order, as a
// number (0 for a line with none): masked_placeholder_at(). Masking reads
// one that is none on from the byte after the '<', as from any other
// punctuation, and key_of() reads the same bytes as it does elsewhere.
// Which it is depends on the widths of the digits in between, not on their
// values: lines of one skeleton read their '<' alike, but lines whose
// numbers differ in width may not, so the key holds it. What a placeholder
// stands for is finer in the key than in masking ("<error 53>" keeps its 53
// there), which only keys apart lines that mask alike.
uint64_t angle_placeholders(std::string_view s) {
  size_t at = s.find('<');
  if (at == std::string_view::npos) return 0;
  uint64_t h = 0x3c3e;  // "<>"
  while (at != std::string_view::npos) {
    const size_t length = masked_placeholder_at(s, at);
    h = mix(h, length > 0 ? 2 : 1);
    at = s.find('<', at + (length > 0 ? length : 1));
  }
  return h;
}

// line_key() of a line keyed whole (or of either part of a line keyed in
// two: key_of()), telling `trace` (if given) what it read of the digits.
LineKey key_of_part(std::string_view line, const RuleWords* rule, MaskedKeys* masked_keys, LineKeys::Trace* trace) {
  if (trace) trace->reads.clear(), trace->codes.clear(), trace->masked = false;
  auto read = [trace](size_t at, size_t length, bool rule_word) {
    if (trace) trace->reads.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(length), rule_word});
  };
  auto by_value = [&](size_t at, size_t length) { read(at, length, false); };

  // Whether a rule holds the word at..at+length. Which it holds depends on
  // the digits where a rule holds a word of the same skeleton; a word that
  // is one is then read by value where it is kept.
  auto rule_may_hold = [&](size_t at, size_t length) {
    const std::string_view w = line.substr(at, length);
    if (trace && rule->digit_shapes.contains(digit_shape(w))) read(at, length, true);
    return rule->words.contains(detail::hash_word(w));
  };
  const char* const p = line.data();
  const size_t n = line.size();
  const RawSpans raw(line);
  uint64_t h = 1469598103934665603ull, hc = 0;
  bool any_code = false;
  auto add_code = [&](size_t at, size_t length, uint64_t tag) {  // to the codes key
    hc = mix_code(hc, tag, p + at, length);
    any_code = true;
    if (trace) trace->codes.push_back({{static_cast<uint32_t>(at), static_cast<uint32_t>(length)}, tag});
  };
  uint64_t masked = 0;
  size_t run = 0;   // the first byte not hashed yet
  size_t next = 0;  // digits before it belong to a number already read
  // The last masked number's end and what came before it: a masked number
  // changes nothing of what the next number follows, so reading back
  // stops there.
  size_t last_end = SIZE_MAX;
  Before last_before;
  auto before = [&](size_t i) {
    bool code_gap = false;
    for (size_t k = i; k > 0;) {
      if (k == last_end) {
        Before b = last_before;
        b.masking_reads = b.masking_reads && !code_gap;
        return b;
      }
      const uint8_t c = cls(p[k - 1]);
      if (c == kGap || c == kCodeGap) {
        code_gap |= c == kCodeGap;
        --k;
        continue;
      }
      if (c != kDigit && c != kLetter) return Before{};
      const size_t end = k;
      while (k > 0 && k != last_end && alnum(p[k - 1])) --k;
      return Before{k, end - k, !code_gap, true};
    }
    return Before{};
  };
  // Whether masking reads a word of letters and digits that ends at `to`,
  // before a byte that is not a space, as a word whatever its digits:
  // before sentence punctuation and a space or the end ("srv4.", "srv4..."),
  // or as the name of a file, with its extension ("comctl68.dll", masked
  // <file> as mask_variables()'s match_file() reads it).
  auto word_ends = [&](size_t to) {
    size_t k = to;
    while (k < n && (p[k] == '.' || p[k] == ',' || p[k] == ';' || p[k] == ':' || p[k] == '!' || p[k] == '?')) ++k;
    if (k == n || is_ascii_space(p[k])) return true;
    if (p[to] != '.') return false;
    size_t e = to + 1;
    bool letter = false;
    for (; e < n && alnum(p[e]); ++e) letter |= !is_ascii_digit(p[e]);
    return e - to - 1 >= 1 && e - to - 1 <= 4 && letter && (e == n || (!word_char(p[e]) && p[e] != '.'));
  };
  // A word of letters and digits no rule holds (a host, a session id), a
  // word apart, stands for any such word: masking copies it as it is, a
  // template reads it as "a word it does not hold", and no code is read
  // from it or after it. One that could be a code, or a hex number, stays.
  size_t words_checked = 0;  // digits before it are in a word looked at
  auto other_word = [&](size_t i) {
    if (i < words_checked) return false;  // looked at when its first digit was
    size_t from = i, to = i;
    while (from > 0 && alnum(p[from - 1])) --from;
    while (to < n && alnum(p[to])) ++to;
    words_checked = to;
    const size_t len = to - from;
    auto keep = [&] {  // as written, digits and all
      by_value(from, len);
      return false;
    };
    if (!rule) return keep();
    if (from > 0 && !is_ascii_space(p[from - 1])) return keep();
    if (to < n && !is_ascii_space(p[to]) && !word_ends(to)) return keep();
    size_t letters = 0, hex = 0, lead_letters = 0;
    for (size_t x = from; x < to; ++x) {
      const char c = p[x];
      letters += !is_ascii_digit(c);
      hex += is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (x == from + lead_letters && !is_ascii_digit(c)) ++lead_letters;
    }
    if (letters == 0 || raw.covering(from)) return keep();
    if (len > 1 && (p[from + 1] == 'x' || p[from + 1] == 'X') && is_ascii_digit(p[from])) {
      by_value(from, 1);
      if (p[from] == '0') return keep();  // 0x1F: masking's hex
    }
    if (hex == len && len <= 8) {  // 80004005 and c0000005, and any after "STOP", are codes
      if (len == 8 && is_ascii_digit(p[from])) by_value(from, 1);
      if (len == 8 && (p[from] == '8' || p[from] == 'c' || p[from] == 'C')) return keep();
      size_t k = from;
      while (k > 0 && (is_ascii_space(p[k - 1]) || p[k - 1] == ':' || p[k - 1] == '#' || p[k - 1] == '=' ||
                       p[k - 1] == '(' || p[k - 1] == '\'')) {
        --k;
      }
      size_t b = k;
      while (b > 0 && (alnum(p[b - 1]) || p[b - 1] == '_')) --b;
      if (k - b == 4 && starts_with_nocase(line.substr(b), "stop")) return keep();
    }
    if (lead_letters >= 1 && lead_letters <= 5 && (len - lead_letters == 4 || len - lead_letters == 5) &&
        letters == lead_letters) {
      return keep();  // C2065, LNK2001
    }
    if (len >= 4 && starts_with_nocase(line.substr(from), "wsae")) return keep();  // WSAECONNRESET-style names
    if (rule_may_hold(from, len)) return keep();
    h = mix(mix_run(h, p + run, from - run), (1ull << 61) | 0x52);
    run = next = to;
    return true;
  };
  bool any_digit = false;
  for (size_t block = 0; block < n; block += 16) {
    const uint32_t digits_here = digit_mask(p + block, std::min<size_t>(16, n - block));
    any_digit |= digits_here != 0;
    for (uint32_t m = digits_here; m != 0; m &= m - 1) {
      const size_t i = block + static_cast<size_t>(__builtin_ctz(m));
      if (i < next) continue;
      if (i > 0 && word_char(p[i - 1])) {
        other_word(i);
        continue;
      }
      // Digits masking may read as part of something else stay as written.
      if (const auto* span = raw.covering(i)) {
        by_value(span->first, span->second - span->first);
        next = span->second;
        continue;
      }
      // A time, a date or a GUID, as masking reads them first (by digit
      // counts: "10:6:2" is no time): one placeholder whatever the digits.
      // What each needs after the first digits is looked at first.
      size_t lead = i;
      while (lead < n && lead - i < 5 && is_ascii_digit(p[lead])) ++lead;
      const char after = lead < n ? p[lead] : '\0';
      uint64_t kind = 1;
      size_t span = after == ':' && lead - i <= 2 ? masked_time_at(line, i) : 0;
      if (span == 0 && (after == '/' || after == '-' || after == '.') && lead - i <= 4) span = masked_date_at(line, i), kind = 2;
      if (span == 0 && i + 8 < n && p[i + 8] == '-') span = masked_guid_at(line, i), kind = 3;
      if (span > 0) {
        const Before b = before(i);
        h = mix(mix_run(h, p + run, i - run), kind | (1ull << 63));  // a run's count never has that bit
        // Its other bytes as written: a time's " PM" is a word too, and so
        // is a GUID's group with a letter ("5c7d"), digits and all.
        // In the same pass, its longest run of digits, for the codes below.
        uint64_t rest = 0;
        size_t longest = 0;
        for (size_t x = i; x < i + span;) {
          if (!alnum(p[x])) {
            rest = (rest ^ static_cast<unsigned char>(p[x])) * 1099511628211ull;
            ++x;
            continue;
          }
          size_t to = x, digits = 0;
          bool letter = false;
          for (; to < i + span && alnum(p[to]); ++to) {
            const bool digit = is_ascii_digit(p[to]);
            letter |= !digit;
            digits = digit ? digits + 1 : 0;
            longest = std::max(longest, digits);
          }
          if (letter) {
            by_value(x, to - x);
            for (size_t y = x; y < to; ++y) rest = (rest ^ static_cast<unsigned char>(p[y])) * 1099511628211ull;
          }
          x = to;
        }
        h = mix(h, rest);
        ++masked;
        // Codes read from its digits: after "error" and the like, or any of
        // eight digits or more (a GUID's first group, a time's fraction),
        // or ending a word with the letters after it ("10:12:55.1234567C"
        // holds 1234567C, a code by its first digit).
        size_t end = i + span;
        while (end < n && alnum(p[end])) ++end;
        if (kind == 3 || longest >= 8 || end > i + span || (b.codes_read && word_is(p, b, code_may_follow))) {
          add_code(i, end - i, masked);
        }
        run = next = last_end = i + span;
        last_before = Before{};  // masking reads no word before what follows a placeholder
        continue;
      }
      // A number as masking reads one: digits, "." before a digit, ","
      // before three ("1,234").
      size_t j = i, digits = 0;
      while (j < n && (is_ascii_digit(p[j]) || (p[j] == '.' && j + 1 < n && is_ascii_digit(p[j + 1])) ||
                       (p[j] == ',' && j + 3 < n && is_ascii_digit(p[j + 1]) && is_ascii_digit(p[j + 2]) &&
                        is_ascii_digit(p[j + 3])))) {
        digits += is_ascii_digit(p[j]);
        ++j;
      }
      next = j;  // a digit inside it starts no number of its own, masked or not
      if (j < n && word_char(p[j])) {  // "2nd", "10px": a word
        if (!other_word(i)) by_value(i, j - i);  // the number as written, also past the word's first run
        continue;
      }
      const Before b = before(i);
      if (b.masking_reads && word_is(p, b, masking_keeps_number_after)) {
        // Kept as written ("Event ID: 1120"); a number no rule holds reads as
        // any other such to the rule engine, and stays in the codes key.
        if (!rule || digits != j - i || rule_may_hold(i, j - i)) {
          by_value(i, j - i);
          continue;
        }
        h = mix(mix_run(h, p + run, i - run), (1ull << 61) | 0x4b);
        add_code(i, j - i, ~masked);
        run = j;
        continue;
      }
      h = mix_run(h, p + run, i - run);
      // Masking reads a file name or address from a number's first digit
      // unless a ',' or a '.' in it ends it ("1.5.dll" is no file name,
      // "15.dll" is), and a GUID that starts with a letter by the digit
      // counts of the groups between its '-': such a number keeps its form,
      // with its digits as zeros.
      if (digits < j - i || (i > 0 && p[i - 1] == '-') || (j < n && p[j] == '-')) {
        uint64_t form = 0;
        for (size_t x = i; x < j; ++x) form = form * 131 + static_cast<unsigned char>(is_ascii_digit(p[x]) ? '0' : p[x]);
        h = mix(h, (form >> 2) | (1ull << 62));
      }
      run = j;
      ++masked;
      if (digits >= 8 || (b.codes_read && word_is(p, b, code_may_follow))) {
        add_code(i, j - i, masked);
      }
      last_end = j;
      last_before = b;
    }
  }
  h = mix_run(h, p + run, n - run);
  if (const uint64_t angles = angle_placeholders(line)) h = mix(h, angles);
  // The codes key: a base, mixed with the numbers read as written where
  // there are any (LineKeys reads them again at the same places).
  auto codes_key = [&](uint64_t base) {
    if (trace) trace->codes_base = base;
    return any_code ? mix(base, hc) : base;
  };
  if (rule && !raw.empty()) {
    // Masking's own words, and the words of rules as written: the same for
    // lines of this key so far, whose bytes are the same but for digits
    // masking drops.
    // Masking copies a word with digits as it is; with `masked_keys`, the
    // masked key is the one of the first line of this key.
    if (any_digit && !masked_keys) by_value(0, n);
    if (masked_keys) {
      if (const uint64_t* known = masked_keys->by_key.find_value(h)) return {*known, codes_key(mix(*known, h))};
    }
    std::string text = mask_variables(line);
    uint64_t w = mix_run(0x6d61736b6564ull, text.data(), text.size());
    for (size_t i = 0; i < n;) {
      if (!alnum(p[i]) && static_cast<unsigned char>(p[i]) < 0x80) {
        ++i;
        continue;
      }
      const size_t from = i;
      bool digits_only = true;
      for (; i < n && (alnum(p[i]) || static_cast<unsigned char>(p[i]) >= 0x80); ++i) digits_only &= is_ascii_digit(p[i]);
      // Digits alone are anchors only as masking keeps them, in its words.
      const uint64_t word = detail::hash_word(line.substr(from, i - from));
      if (!digits_only && rule->words.contains(word)) w = mix(w, word);
    }
    if (masked_keys) *masked_keys->by_key.try_emplace(h).first = w;
    if (trace) trace->masked = true, trace->masked_text = std::move(text);
    return {w, codes_key(mix(w, h))};
  }
  return {h, codes_key(h)};
}

}  // namespace

size_t stamp_end(std::string_view line) {
  if (line.size() >= UINT32_MAX) return 0;  // the keys' reads are 32-bit offsets
  bool digit = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (is_ascii_digit(c)) {
      digit = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '/' || c == '-' || c == ':' || c == '.' || c == ',' || c == '[' || c == ']' ||
        c == '(' || c == ')') {
      continue;
    }
    if (!is_ascii_alpha(c) || i == 0 || (line[i - 1] != ' ' && line[i - 1] != '\t')) return 0;
    const bool meridiem = i + 1 < line.size() && ((c | 0x20) == 'a' || (c | 0x20) == 'p') &&
                          (line[i + 1] | 0x20) == 'm' && (i + 2 == line.size() || !word_char(line[i + 2]));
    if (!meridiem) return digit ? i : 0;
    ++i;
  }
  return 0;
}

namespace {

// The key of a line keyed in two (stamp_end() `at`): of its lead, keyed as
// `a` having read `ta`, and of the rest, `b` having read `tb` (spans from
// the rest's start). `trace` (if given) gets what the line's key read, the
// rest's spans from the line's start: the codes key mixes the line's codes
// as LineKeys replays them.
LineKey composed(std::string_view line, size_t at, const LineKey& a, const LineKeys::Trace& ta, const LineKey& b,
                 const LineKeys::Trace& tb, LineKeys::Trace* trace) {
  constexpr uint64_t kSplit = 0x6c6561642b72ull;  // "lead+r"
  constexpr uint64_t kRestTag = 1ull << 62;       // the rest's codes apart from the lead's
  if (trace) {
    trace->masked = false;
    trace->reads.assign(ta.reads.begin(), ta.reads.end());
    for (LineKeys::Trace::Span r : tb.reads) r.at += static_cast<uint32_t>(at), trace->reads.push_back(r);
    trace->codes.clear();
  }
  const uint64_t base = mix(mix(kSplit, ta.codes_base), tb.codes_base);
  uint64_t hc = 0;
  bool any_code = false;
  auto add = [&](LineKeys::Trace::Code c, size_t shift, uint64_t tag) {
    c.at += static_cast<uint32_t>(shift);
    c.tag ^= tag;
    hc = mix_code(hc, c.tag, line.data() + c.at, c.length);
    any_code = true;
    if (trace) trace->codes.push_back(c);
  };
  for (const LineKeys::Trace::Code& c : ta.codes) add(c, 0, 0);
  for (const LineKeys::Trace::Code& c : tb.codes) add(c, at, kRestTag);
  if (trace) trace->codes_base = base;
  return {mix(mix(kSplit, a.words), b.words), any_code ? mix(base, hc) : base};
}

// line_key(), telling `trace` (if given) what it read of the digits.
LineKey key_of(std::string_view line, const RuleWords* rule, MaskedKeys* masked_keys, LineKeys::Trace* trace) {
  const size_t at = stamp_end(line);
  if (at == 0) return key_of_part(line, rule, masked_keys, trace);
  LineKeys::Trace ta, tb;
  const LineKey a = key_of_part(line.substr(0, at), rule, masked_keys, &ta);
  const LineKey b = key_of_part(line.substr(at), rule, masked_keys, &tb);
  return composed(line, at, a, ta, b, tb, trace);
}

}  // namespace

LineKey line_key(std::string_view line, const RuleWords* rule, MaskedKeys* masked_keys) {
  return key_of(line, rule, masked_keys, nullptr);
}

void RuleWords::add(std::string_view word) {
  words.insert(detail::hash_word(word));
  if (std::any_of(word.begin(), word.end(), is_ascii_digit)) digit_shapes.insert(digit_shape(word));
}

uint64_t LineKeys::skeleton(std::string_view line) { return skeleton_of(line.data(), line.size()); }

LineKey LineKeys::key(std::string_view line, uint64_t skeleton) { return key(line, skeleton, nullptr); }

LineKey LineKeys::key(std::string_view line, uint64_t skeleton, Trace* out) {
  trace_.masked = false;  // of the line before, if it was
  parts_now_.at = 0;
  auto values_at = [&](const ReadSet& r) {
    uint64_t h = 0;
    for (uint32_t x = r.first; x < r.first + r.count; ++x) {
      const Trace::Span& s = reads_[x];
      if (s.rule_word) {
        const uint64_t w = detail::hash_word(line.substr(s.at, s.length));
        h = mix(h, rule_->words.contains(w) ? w : 0);
      } else {
        h = mix_run(h, line.data() + s.at, s.length);
      }
    }
    return h;
  };
  auto entry = [&](uint32_t set, uint64_t values) { return mix(mix(skeleton, set + 1), values); };
  Skeleton* const skel = by_skeleton_.try_emplace(skeleton).first;  // stays put: nothing below adds skeletons
  // `set`: the read set it was found by (kNoSet for the direct entry, which reads nothing).
  auto known_key = [&](uint32_t found, uint32_t set) -> LineKey {
    const Known* known = &known_[found];
    if (out) {  // what a keying of the line would have read: a line keyed in two takes it up
      out->masked = false;
      out->codes_base = known->codes_base;
      const auto reads = reads_.begin() + (set == kNoSet ? 0 : read_sets_[set].first);
      out->reads.assign(reads, reads + (set == kNoSet ? 0 : read_sets_[set].count));
      out->codes.assign(codes_.begin() + known->first_code, codes_.begin() + known->first_code + known->codes);
    }
    if (known->codes == 0) return {known->words, known->codes_base, found, false};
    uint64_t hc = 0;  // as key_of() reads them
    for (uint32_t c = known->first_code; c < known->first_code + known->codes; ++c) {
      const Trace::Code& code = codes_[c];
      hc = mix_code(hc, code.tag, line.data() + code.at, code.length);
    }
    return {known->words, mix(known->codes_base, hc), found, true};
  };
  // The first set reads nothing: its entry is the one of every line of
  // this skeleton and length, found first by the loop below as well.
  if (skel->direct != LineKey::kNoEntry && skel->direct_length == line.size()) return known_key(skel->direct, kNoSet);
  uint32_t* const first_set = &skel->first_set;
  size_t sets = 0;
  for (uint32_t set = *first_set; set != kNoSet; set = read_sets_[set].next, ++sets) {
    if (read_sets_[set].length != line.size()) continue;
    const uint32_t* found = entry_of_.find_value(entry(set, values_at(read_sets_[set])));
    if (!found) continue;
    return known_key(*found, set);
  }
  LineKey key;
  if (const size_t at = stamp_end(line); at == 0) {
    ++computed_;
    key = key_of_part(line, rule_, &masked_, &trace_);
  } else {
    // Keyed as its lead and the rest, each found among the parts keyed
    // before where it can be: a log's stamps vary in their digits' widths
    // (a new skeleton), its messages far less.
    if (!parts_) parts_ = std::make_unique<LineKeys>(rule_);
    const std::string_view lead = line.substr(0, at), rest = line.substr(at);
    const LineKey a = parts_->key(lead, skeleton_of(lead.data(), lead.size()), &lead_);
    const LineKey b = parts_->key(rest, skeleton_of(rest.data(), rest.size()), &rest_);
    key = composed(line, at, a, lead_, b, rest_, &trace_);
    parts_now_ = {at, a.words, b.words, a.codes, b.codes,
                  rest_.masked ? std::string_view(rest_.masked_text) : std::string_view()};
  }
  auto done = [&](const LineKey& k) {
    if (out) std::swap(*out, trace_);  // trace_ is made afresh for the next line keyed in full
    return k;
  };
  // The read set of this computation among the skeleton's, or a new one.
  uint32_t set = *first_set, last = kNoSet;
  for (; set != kNoSet; last = set, set = read_sets_[set].next) {
    const ReadSet& r = read_sets_[set];
    if (r.length == line.size() && r.count == trace_.reads.size() &&
        std::equal(trace_.reads.begin(), trace_.reads.end(), reads_.begin() + r.first, [](const Trace::Span& a, const Trace::Span& b) {
          return a.at == b.at && a.length == b.length && a.rule_word == b.rule_word;
        })) {
      break;
    }
  }
  if (set == kNoSet) {
    if (sets >= kMaxReadSets) return done(key);
    set = static_cast<uint32_t>(read_sets_.size());
    read_sets_.push_back({static_cast<uint32_t>(reads_.size()), static_cast<uint32_t>(trace_.reads.size()), line.size(), kNoSet});
    reads_.insert(reads_.end(), trace_.reads.begin(), trace_.reads.end());
    (last == kNoSet ? *first_set : read_sets_[last].next) = set;
  }
  key.entry = static_cast<uint32_t>(known_.size());
  key.codes_vary = !trace_.codes.empty();
  if (set == *first_set && read_sets_[set].count == 0 && line.size() < UINT32_MAX) {
    skel->direct = key.entry, skel->direct_length = static_cast<uint32_t>(line.size());
  }
  *entry_of_.try_emplace(entry(set, values_at(read_sets_[set]))).first = key.entry;
  known_.push_back(
      Known{key.words, trace_.codes_base, static_cast<uint32_t>(codes_.size()), static_cast<uint32_t>(trace_.codes.size())});
  codes_.insert(codes_.end(), trace_.codes.begin(), trace_.codes.end());
  return done(key);
}

KeySet::KeySet(size_t expected) {
  size_t n = 64;
  while (n < 2 * expected) n <<= 1;
  slots_.assign(n, 0);
  mask_ = n - 1;
}

bool KeySet::insert(uint64_t key) {
  if (key == 0) key = 1;
  for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
    if (slots_[i] == key) return false;
    if (slots_[i] == 0) {
      slots_[i] = key;
      ++count_;
      if (2 * count_ > slots_.size()) grow();
      return true;
    }
  }
}

bool KeySet::contains(uint64_t key) const {
  if (key == 0) key = 1;
  for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
    if (slots_[i] == key) return true;
    if (slots_[i] == 0) return false;
  }
}

void KeySet::grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (uint64_t key : old) {
    if (key == 0) continue;
    size_t i = slot_of(key);
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = key;
  }
}

}  // namespace kbtriage
