#include "kbtriage/codes.h"

#include <algorithm>
#include <iterator>
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "kbtriage/text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kbtriage {

namespace {

struct Token {
  std::string_view text;  // word characters, possibly with a leading '-' or '#'
  size_t begin = 0;
};

constexpr std::array<bool, 256> kCodeChar = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = is_ascii_alnum(static_cast<char>(c)) || c == '_';
  return t;
}();

bool is_code_char(char c) { return kCodeChar[static_cast<unsigned char>(c)]; }

#if defined(__SSE2__)
// A bit per byte of p[0..16) that is a code character (is_code_char()).
// Signed compares: bytes >= 0x80 are below every range.
unsigned code_bits(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i digit =
      _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
  const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));  // 'A'..'Z' as 'a'..'z', and no other byte there
  const __m128i letter =
      _mm_and_si128(_mm_cmpgt_epi8(folded, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(folded, _mm_set1_epi8('z' + 1)));
  const __m128i underscore = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, letter), underscore)));
}
#endif

// Where the code characters of a text are, a bit per byte, 64 to a word,
// with a word of zeros after the last: made once per text, sixteen bytes
// at a time, so that finding a token's start and end is a few instructions
// and no loop over its bytes (a byte-by-byte loop mispredicts its exit at
// every word).
class CodeBits {
 public:
  explicit CodeBits(std::string_view s) : n_(s.size()) {
    const size_t words = n_ / 64 + 2;
    if (words <= kInline) {
      bits_ = inline_;
      std::fill(inline_, inline_ + words, 0);
    } else {
      heap_.assign(words, 0);
      bits_ = heap_.data();
    }
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n_; i += 16) {
      bits_[i / 64] |= static_cast<uint64_t>(code_bits(s.data() + i)) << (i % 64);
    }
    if (i < n_ && n_ >= 16) {  // the rest: the last sixteen bytes, those before i shifted out
      // i is a multiple of 16 and fewer than 16 bytes are left: they end in
      // i's word.
      static_assert(64 % 16 == 0);
      const uint64_t rest = code_bits(s.data() + n_ - 16) >> (i - (n_ - 16));
      bits_[i / 64] |= rest << (i % 64);
      i = n_;
    }
#endif
    for (; i < n_; ++i) bits_[i / 64] |= static_cast<uint64_t>(is_code_char(s[i])) << (i % 64);
  }
  // The first code character at or after `i`, or the text's size.
  size_t next_code(size_t i) const { return std::min(n_, next(i, 0)); }
  // The first byte at or after `i` that is not one, or the text's size.
  size_t next_other(size_t i) const { return std::min(n_, next(i, ~0ull)); }
  CodeBits(const CodeBits&) = delete;  // bits_ may point into the object itself
  CodeBits& operator=(const CodeBits&) = delete;

 private:
  static constexpr size_t kInline = 8;  // a text of up to 447 bytes needs no allocation
  size_t next(size_t i, uint64_t flip) const {
    size_t w = i / 64;
    uint64_t x = (bits_[w] ^ flip) & (~0ull << (i % 64));
    while (x == 0) {
      if (64 * ++w >= n_ + 64) return n_;  // past the word of zeros
      x = bits_[w] ^ flip;
    }
    return 64 * w + static_cast<size_t>(__builtin_ctzll(x));
  }
  size_t n_;
  uint64_t* bits_;
  uint64_t inline_[kInline];
  std::vector<uint64_t> heap_;
};

bool equals_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && starts_with_nocase(a, b);
}

std::optional<uint64_t> parse_hex(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (is_ascii_digit(c)) d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  return v;
}

std::optional<uint64_t> parse_dec(std::string_view s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_ascii_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::string hex8(uint64_t v, bool upper) {
  char buf[16];
  std::snprintf(buf, sizeof buf, upper ? "%08llX" : "%08llx",
                static_cast<unsigned long long>(v & 0xFFFFFFFFu));
  return buf;
}

std::string hresult_code(uint64_t v) { return "0x" + hex8(v, false); }
std::string stop_code(uint64_t v) { return "STOP 0x" + hex8(v, true); }

// Tool and compiler message prefixes that identify a code even without the
// word "error" before it (C2065, LNK2001, R6025, U1077, CVT1100, ...).
bool is_tool_prefix(std::string_view p) {
  static constexpr std::string_view kPrefixes[] = {
      "C", "LNK", "CVT", "RC", "BSC", "U", "L", "R", "A", "F", "D", "H", "CS", "CXX",
      "BK", "MIDL", "RW", "PRJ", "ML", "NMAKE", "BC", "MC"};
  return std::find(std::begin(kPrefixes), std::end(kPrefixes), p) != std::end(kPrefixes);
}

// Named error constants: E_FAIL, ERROR_ACCESS_DENIED, WSAEINTR, MAPI_E_..., RPC_S_...
bool is_error_name(std::string_view t) {
  if (t.size() < 5) return false;
  for (char c : t) {
    if (!(is_ascii_upper(c) || is_ascii_digit(c) || c == '_')) return false;
  }
  static constexpr std::string_view kPrefixes[] = {
      "E_", "ERROR_", "WSAE", "NERR_", "RPC_S_", "RPC_X_", "STATUS_", "DDERR_",
      "DSERR_", "CDERR_", "NTE_", "SCARD_E_", "ERROR", "MAPI_W_"};
  for (std::string_view p : kPrefixes) {
    if (t.starts_with(p) && t.size() > p.size() + 2 && p != "ERROR") return true;
  }
  // FACILITY_E_NAME: MAPI_E_NOT_FOUND, CO_E_SERVER_EXEC_FAILURE, DB_E_ERRORSINCOMMAND
  size_t pos = t.find("_E_");
  return pos != std::string_view::npos && pos > 0 && pos + 4 < t.size();
}

class Collector {
 public:
  explicit Collector(std::vector<ErrorCode>& out) : out_(out) {}
  void add(std::string code, const char* kind, std::string_view raw) {
    for (const auto& c : out_) {
      if (c.code == code) return;
    }
    out_.push_back({std::move(code), kind, std::string(raw)});
  }

 private:
  std::vector<ErrorCode>& out_;
};

bool is_error_word(std::string_view w) {
  return equals_nocase(w, "error") || equals_nocase(w, "err") || equals_nocase(w, "errorcode") ||
         equals_nocase(w, "helpmsg") || equals_nocase(w, "errno");
}

}  // namespace


void add_codes(std::string_view s, std::vector<ErrorCode>& codes) {
  Collector out(codes);
  // The tokens are read in one pass, each with the two before it (all that
  // a code's reading looks back at): read_token(k) reads the k-th, and
  // tokens[k - 1] and tokens[k - 2] are those before it where k says there
  // are. The last four are kept.
  struct Ring {
    Token slot[4];
    Token& operator[](size_t k) { return slot[k % 4]; }
  } tokens;
  auto word = [&](size_t at) -> std::string_view { return tokens[at].text; };
  // Text between two tokens, to check that they are adjacent ("Event ID: 12").
  auto gap = [&](size_t a, size_t b) {
    size_t from = tokens[a].begin + tokens[a].text.size();
    return s.substr(from, tokens[b].begin - from);
  };
  auto close_gap = [&](size_t a, size_t b) {
    std::string_view g = gap(a, b);
    if (g.size() > 4) return false;
    return std::all_of(g.begin(), g.end(), [](char c) {
      return c == ' ' || c == '\t' || c == ':' || c == '#' || c == '=' || c == '(' || c == '\n' || c == '\'';
    });
  };

  size_t skip_until = 0;  // the parameters of a STOP message: addresses, not codes
  // Whether the k-th token is a code, or starts one: a token is read with
  // the words before it ("error 53", "Event ID: 12", "STOP 0x0A"). The rule
  // engine reads a log line's stamp apart from its message
  // (engine/src/line_key.h, stamp_end()): a word read before a token must
  // never be one of digits, AM or PM.
  auto read_token = [&](size_t k) {
    std::string_view t = tokens[k].text;
    if (tokens[k].begin < skip_until) return;
    // Plain lower-case words are never codes; only bare hex (c0000005) is.
    // Most tokens leave here, before any look at their neighbours.
    const char c0 = t[0];
    if (is_ascii_upper(c0)) {
      // Capitalised words ("The", "Setup") are not codes either: a code or an
      // error name has a digit or an underscore (C2065, E_FAIL), or is WSAE*.
      bool marked = t.starts_with("WSAE") ||
                    std::any_of(t.begin(), t.end(), [](char ch) { return is_ascii_digit(ch) || ch == '_'; });
      if (!marked) return;
    } else if (!is_ascii_digit(c0) && c0 != '-' && !(t.size() == 8 && parse_hex(t))) {
      return;
    }
    // Each word that says what a code is ("STOP 0x0A", "error 53", "Event
    // ID: 12") starts with a letter: a number after a number ("10:17:10")
    // has none of them.
    const bool after_word = k > 0 && is_ascii_alpha(word(k - 1)[0]) && close_gap(k - 1, k);
    const bool prev_stop = after_word && equals_nocase(word(k - 1), "stop");
    const bool prev_error = after_word &&
                            (is_error_word(word(k - 1)) ||
                             (equals_nocase(word(k - 1), "code") && k > 1 &&
                              (is_error_word(word(k - 2)) || equals_nocase(word(k - 2), "return") ||
                               equals_nocase(word(k - 2), "exit"))) ||
                             (equals_nocase(word(k - 1), "number") && k > 1 &&
                              is_error_word(word(k - 2))));
    const bool prev_event = after_word && k > 1 && equals_nocase(word(k - 1), "id") &&
                            equals_nocase(word(k - 2), "event") && close_gap(k - 2, k - 1);
    const bool prev_eventid = after_word && equals_nocase(word(k - 1), "eventid");

    // 0x-prefixed hex.
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
      auto v = parse_hex(t.substr(2));
      if (!v || *v > 0xFFFFFFFFu) return;
      if (prev_stop) {
        size_t from = tokens[k - 1].begin, to = tokens[k].begin + t.size();
        out.add(stop_code(*v), "stop", s.substr(from, to - from));
        size_t open = s.find_first_not_of(" \t", to);
        if (open != std::string_view::npos && s[open] == '(') {
          size_t close = s.find(')', open);
          skip_until = close == std::string_view::npos ? open : close;
        }
      }
      else if (*v >= 0x80000000u) out.add(hresult_code(*v), "hresult", t);
      else if (prev_error && *v > 0) out.add("ERR " + std::to_string(*v), "error", t);
      return;
    }
    // Bare hex of 8 digits: 80004005, 8007000E, C0000005 (or a STOP code after "STOP").
    if (t.size() == 8 && parse_hex(t)) {
      uint64_t v = *parse_hex(t);
      if (prev_stop) { out.add(stop_code(v), "stop", t); return; }
      if (t[0] == '8' || t[0] == 'c' || t[0] == 'C') {
        bool has_digit = std::any_of(t.begin(), t.end(), is_ascii_digit);
        if (has_digit) { out.add(hresult_code(v), "hresult", t); return; }
      }
    }
    // STOP codes written short: "STOP 0A", "STOP: 7B" (hex digits after STOP).
    if (prev_stop && t.size() <= 8 && parse_hex(t)) {
      out.add(stop_code(*parse_hex(t)), "stop", t);
      return;
    }
    // Signed and unsigned decimals in the HRESULT range.
    if (t[0] == '-' && t.size() >= 11) {
      auto v = parse_dec(t.substr(1));
      if (v && *v >= 2000000000u && *v <= 2147483648u) {
        out.add(hresult_code((uint64_t{1} << 32) - *v), "hresult", t);
        return;
      }
    }
    if (is_ascii_digit(t[0])) {
      // After no word, a number is a code only as an HRESULT of ten digits
      // (a name has an '_'): most numbers of a log, its times and counts,
      // leave here unread.
      if (!after_word && t.size() != 10 && t.find('_') == std::string_view::npos) return;
      auto v = parse_dec(t);
      if (!v) {
        // fall through to tool codes below
      } else if (*v >= 0x80000000u && *v <= 0xFFFFFFFFu && t.size() == 10) {
        out.add(hresult_code(*v), "hresult", t);
        return;
      } else if (prev_event || prev_eventid) {
        out.add("EVENT " + std::to_string(*v), "event", t);
        return;
      } else if (prev_error && t.size() <= 6 && *v > 0) {
        out.add("ERR " + std::to_string(*v), "error", t);
        return;
      } else {
        return;
      }
    }
    // Tool codes: letters then 4-5 digits (C2065, LNK2001, RAS0733 after "error").
    {
      size_t letters = 0;
      while (letters < t.size() && is_ascii_upper(t[letters])) ++letters;
      size_t digits = t.size() - letters;
      if (letters >= 1 && letters <= 5 && (digits == 4 || digits == 5) &&
          std::all_of(t.begin() + static_cast<long>(letters), t.end(), is_ascii_digit)) {
        bool prev_warning = k > 0 && (equals_nocase(word(k - 1), "warning") ||
                                      equals_nocase(word(k - 1), "error"));
        if (is_tool_prefix(t.substr(0, letters)) || prev_warning) {
          out.add(std::string(t), "tool", t);
          return;
        }
      }
    }
    if (is_error_name(t)) out.add(std::string(t), "name", t);
  };

  const CodeBits bits(s);
  size_t k = 0;
  for (size_t i = bits.next_code(0); i < s.size(); i = bits.next_code(i), ++k) {
    size_t b = i;
    i = bits.next_other(i);
    // A '-' directly before digits is a sign (-2147467259), not a hyphen in a word.
    if (b > 0 && s[b - 1] == '-' && is_ascii_digit(s[b]) && (b == 1 || !is_code_char(s[b - 2]))) --b;
    tokens[k] = {std::string_view(s.data() + b, i - b), b};
    read_token(k);
  }
}

std::vector<ErrorCode> extract_codes(std::string_view text) {
  std::vector<ErrorCode> codes;
  add_codes(text, codes);
  return codes;
}

}  // namespace kbtriage
