// Digests of what masking, the code reader and the rule engine's line key
// make of every line of the given files (and of each whole file, for the
// codes): a change made for speed must leave all three as they were, over
// far more text than the tests hold. bench/README.md records them. It
// also counts the lines the line key keys in two (a log line's stamp and
// its message, line_key.h's stamp_end()) whose words or codes are not
// their parts', one after the other: the key takes them to be, so the
// count must be 0.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/codes.h"
#include "kbtriage/mask.h"
#include "line_key.h"
#include "similarity.h"

namespace {

struct Digest {
  uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0x100) * 1099511628211ull;  // where one string ends
  }
  void add(uint64_t x) { h = (h ^ x) * 1099511628211ull, h ^= h >> 29; }
};

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: digests FILE|FOLDER...\n"
                 "  prints digests of mask_variables(), extract_codes() and line_key() over every line, and\n"
                 "  counts the stamped lines (line_key.h's stamp_end()) not read as their two parts: exit 1 if any\n");
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (int a = 1; a < argc; ++a) {
    std::error_code ec;
    if (std::filesystem::is_directory(argv[a], ec)) {
      std::vector<std::filesystem::path> here;
      for (const auto& e : std::filesystem::recursive_directory_iterator(argv[a])) {
        if (e.is_regular_file()) here.push_back(e.path());
      }
      std::sort(here.begin(), here.end());  // the same order on every machine
      files.insert(files.end(), here.begin(), here.end());
    } else if (std::filesystem::is_regular_file(argv[a], ec)) {
      files.emplace_back(argv[a]);
    } else {
      std::fprintf(stderr, "digests: %s: no such file or folder\n", argv[a]);
      return 2;
    }
  }
  // Rule words for the keys that read them: every third word of the first
  // 3,000 lines of the first file, a fixed choice that gives the key's
  // rule-word paths (a word a rule holds, a word of the same digits' shape)
  // work on any text.
  kbtriage::RuleWords rule;
  {
    const std::string first = files.empty() ? std::string() : read_file(files.front());
    size_t lines = 0, words = 0, i = 0;
    while (i < first.size() && lines < 3000) {
      if (first[i] == '\n') ++lines;
      if (!std::isalnum(static_cast<unsigned char>(first[i]))) {
        ++i;
        continue;
      }
      const size_t from = i;
      while (i < first.size() && std::isalnum(static_cast<unsigned char>(first[i]))) ++i;
      if (words++ % 3 == 0) rule.add(std::string_view(first).substr(from, i - from));
    }
  }
  Digest masks, codes, keys;
  kbtriage::MaskedKeys masked;
  kbtriage::LineKeys line_keys(&rule);
  size_t lines = 0, stamped = 0, unlike = 0;
  for (const auto& f : files) {
    const std::string text = read_file(f);
    for (const kbtriage::ErrorCode& c : kbtriage::extract_codes(text)) codes.add(c.code + '|' + c.kind + '|' + c.raw);
    size_t from = 0;
    while (from < text.size()) {
      size_t to = text.find('\n', from);
      if (to == std::string::npos) to = text.size();
      const std::string_view line = std::string_view(text).substr(from, to - from);
      ++lines;
      masks.add(kbtriage::mask_variables(line));
      for (const kbtriage::ErrorCode& c : kbtriage::extract_codes(line)) codes.add(c.code + '|' + c.kind + '|' + c.raw);
      const kbtriage::LineKey plain = kbtriage::line_key(line), with_rules = kbtriage::line_key(line, &rule),
                              remembered = kbtriage::line_key(line, &rule, &masked), kept = line_keys(line);
      for (uint64_t x : {plain.words, plain.codes, with_rules.words, with_rules.codes, remembered.words, remembered.codes,
                         kept.words, kept.codes, static_cast<uint64_t>(kept.entry), static_cast<uint64_t>(kept.codes_vary)}) {
        keys.add(x);
      }
      if (const size_t at = kbtriage::stamp_end(line); at > 0) {
        ++stamped;
        const std::string_view lead = line.substr(0, at), rest = line.substr(at);
        std::vector<uint64_t> words = kbtriage::message_words(lead);
        kbtriage::append_message_words(words, kbtriage::message_words(rest));
        std::vector<std::string> parts_codes, line_codes;
        for (std::string_view part : {lead, rest}) {
          for (const kbtriage::ErrorCode& c : kbtriage::extract_codes(part)) {
            if (std::find(parts_codes.begin(), parts_codes.end(), c.code) == parts_codes.end())
              parts_codes.push_back(c.code);
          }
        }
        for (const kbtriage::ErrorCode& c : kbtriage::extract_codes(line)) line_codes.push_back(c.code);
        if (words != kbtriage::message_words(line) || parts_codes != line_codes) {
          if (++unlike <= 5)
            std::fprintf(stderr, "not as its parts: %.*s\n", static_cast<int>(line.size()), line.data());
        }
      }
      from = to + 1;
    }
  }
  std::printf("%zu files, %zu lines\nmasks %016llx\ncodes %016llx\nkeys  %016llx\n", files.size(), lines,
              static_cast<unsigned long long>(masks.h), static_cast<unsigned long long>(codes.h),
              static_cast<unsigned long long>(keys.h));
  std::printf("stamped lines %zu, not read as their parts %zu\n", stamped, unlike);
  return unlike == 0 ? 0 : 1;
}
