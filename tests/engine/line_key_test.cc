// The rule engine's line keys: lines with one key mask to the same words and
// hold the same codes, and a log's lines that differ only in their plain
// numbers share one.
#include "line_key.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../test_util.h"
#include "kbtriage/codes.h"
#include "kbtriage/mask.h"
#include "similarity.h"

using namespace kbtriage;

namespace {

std::vector<std::string> codes_of(std::string_view line) {
  std::vector<std::string> out;
  for (const ErrorCode& c : extract_codes(line)) out.push_back(c.code);
  return out;
}

}  // namespace

TEST_CASE("a log's lines that differ in plain numbers share a key, and kept numbers and codes tell them apart", "[match]") {
  auto words = [](std::string_view l) { return line_key(l).words; };
  auto codes = [](std::string_view l) { return line_key(l).codes; };
  CHECK(words("2026-11-24 10:00:01 INFO worker 7 idle") == words("2026-11-25 11:02:03 INFO worker 9 idle"));
  CHECK(words("Transferring 5167 bytes to HQ-DC2") == words("Transferring 17 bytes to HQ-DC2"));
  CHECK(words("Transferring 5167 bytes to HQ-DC2") != words("Transferring 5167 bytes to HQ-DC3"));
  CHECK(words("Cache flushed (550 entries).") == words("Cache flushed (17 entries)."));
  // Times and dates are read as masking reads them, by their digit counts.
  CHECK(words("10:06:02 up") != words("10:6:2 up"));
  CHECK(words("10:06:02 up") == words("11:17:29 up"));
  CHECK(words("9:06:02 up") == words("11:17:29 up"));  // both times
  CHECK(words("2026-11-24 up") == words("1999-1-02 up"));  // both dates
  CHECK(words("Cache flushed (1,024 entries).") != words("Cache flushed (550 entries)."));
  // Numbers masking keeps: after "error", "Event ID:", "status", ...
  CHECK(words("Error 53 opening the share") != words("Error 54 opening the share"));
  CHECK(words("Event ID:\t1120") != words("Event ID:\t1121"));
  CHECK(words("status=5 done") == words("status=6 done"));  // "=" is not a gap masking reads over
  CHECK(words("exit status 3") != words("exit status 4"));
  // A number masking reads as a code keeps its digits; a word with digits is a word.
  CHECK(words("at 10:00 call 0x80004005") != words("at 10:00 call 0x80004006"));
  CHECK(words("host WEB43 up") != words("host WEB44 up"));
  // Codes: plain numbers masking drops may still be codes.
  CHECK(words("task 7 returned 2147500037") == words("task 8 returned 2147500038"));
  CHECK(codes("task 7 returned 2147500037") != codes("task 8 returned 2147500038"));
  CHECK(codes("task 7 returned 12") == codes("task 8 returned 13"));
  CHECK(codes("errno=5 in read") != codes("errno=6 in read"));
  CHECK(words("errno=5 in read") == words("errno=6 in read"));
  // A time's fraction and the letters after it are a word extract_codes() reads.
  CHECK(codes("10:12:55.1234567C up") != codes("10:12:55.8234567C up"));
  CHECK(words("10:12:55.1234567C up") == words("10:12:55.8234567C up"));
}

namespace {

uint64_t hash_of(std::string_view w) { return detail::hash_word(w); }

// What the rule engine reads of a line, given the words of the rules: the
// masked words with those no rule holds as one, and the rule words found
// as written (digits alone only as masking keeps them).
struct Reading {
  std::vector<uint64_t> shape;
  std::set<uint64_t> anchors;
  bool operator==(const Reading&) const = default;
};

Reading reading(const std::string& line, const std::set<std::string>& rule_words) {
  std::set<uint64_t> rule;
  for (const std::string& w : rule_words) rule.insert(hash_of(w));
  Reading r;
  for (uint64_t w : message_words(line)) {
    r.shape.push_back(rule.count(w) || is_placeholder(w) ? w : 0);
    if (rule.count(w)) {
      for (const std::string& x : rule_words) {
        if (hash_of(x) == w && std::all_of(x.begin(), x.end(), is_ascii_digit)) r.anchors.insert(w);
      }
    }
  }
  for (size_t i = 0; i < line.size();) {
    auto word_char = [](char c) { return is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80; };
    if (!word_char(line[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < line.size() && word_char(line[j])) ++j;
    const std::string w = line.substr(i, j - i);
    if (rule.count(hash_of(w)) && !std::all_of(w.begin(), w.end(), is_ascii_digit)) r.anchors.insert(hash_of(w));
    i = j;
  }
  return r;
}

// Random lines of words masking and extract_codes() read numbers after,
// numbers of every form, words of letters and digits, and separators; each
// written four times with other digits, of the same widths or others (a
// number is a time or date by its digit counts). Lines with one key must
// read alike: mask to the same words (or, with rule words, the same
// shape and anchors), and hold the same codes.
void check_keys(int templates, uint32_t seed, const std::set<std::string>* rule_words) {
  static const std::vector<std::string> kWords = {
      "error", "Error", "ERROR", "code", "id",      "ID",        "Event",  "event", "status", "stop", "STOP",
      "number", "errno", "err",  "helpmsg", "eventid", "errorcode", "return", "exit",  "worker", "idle", "the",
      "file",  "port",  "AM",    "pm",      "WEB",     "café",      "x",      "0x1F",  "0x80004005", "C2065", "my_error",
      "WEBNN", "srvN",  "NNaNbNcN", "5FCNNFND", "cNNNNNNN", "CNNNN", "LNKNNNN", "WSAENNNNN", "NNpx", "QNNNNNN",
      "NNNNNNNN-NNNN-NNNN-Nc7d-NNNNNNNNNNNN", "{NNNNNNNN-NNNN-NNNN-NNNN-NNNNNNNNNNNN}", "deadbeef-NNNN-beef-NNNN-beefdeadbeef",
      "paid", "pid", "NxNF", "NNNNNNNc", "NNNNNNNC",
      // Placeholders: one, whatever the digits, up to 40 bytes ("<job ...>" is one or not by its digits' widths).
      "<n>", "<SMS_PACKAGE_NT>", "<thread NNN>", "<error NN>", "<job NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN>"};
  static const std::vector<std::string> kGaps = {" ", "  ", ":", ": ", "#", "-", "'", "=", "(", ")", "_", ".", ",",
                                                 "/", "\\", "\t", " - ", ", ", "=\"", "é", ".", ";", " ", " ", " ", "\r", "\v", "\f", "\r\n",
                                                 "<", ">", " <", "> ", "<#>"};
  static const std::vector<std::string> kNumbers = {"N",        "NN",         "NNN",        "NNNN",     "NNNNNNNN",
                                                    "NNNNNNNNNN", "-NNNNNNNNNN", "N.N",      "NN.NNN",   "N,NNN",
                                                    "NN:NN:NN",  "N:NN PM",    "NNNN-NN-NN", "N/NN/NNNN", "NN.NN.NNNN",
                                                    "NNNNNNNNNNNN"};
  RuleWords rule;
  MaskedKeys masked;  // all the lines as one input
  if (rule_words) {
    for (const std::string& w : *rule_words) rule.add(w);
  }
  LineKeys keys(rule_words ? &rule : nullptr);  // the same, keyed once per skeleton where it can be
  std::mt19937 rng(seed);
  auto pick = [&](const std::vector<std::string>& v) { return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)]; };
  std::map<uint64_t, std::vector<std::string>> by_words, by_codes;
  size_t lines = 0, same_widths_merged = 0, plain_templates = 0;
  uint64_t first_key = 0;
  for (int t = 0; t < templates; ++t) {
    std::string shape;
    const int tokens = std::uniform_int_distribution<int>(2, 12)(rng);
    for (int i = 0; i < tokens; ++i) {
      const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
      shape += kind < 4 ? pick(kWords) : kind < 8 ? pick(kNumbers) : pick(kGaps);
      if (std::uniform_int_distribution<int>(0, 2)(rng) > 0) shape += pick(kGaps);
    }
    // Digits near these stay as written in the key (see line_key.h).
    const bool plain = shape.find_first_of("\\/@%{}'") == std::string::npos;
    plain_templates += plain;
    for (int v = 0; v < 4; ++v) {
      const bool widths = v % 2 == 1;
      std::string line;
      for (size_t i = 0; i < shape.size();) {
        if (shape[i] != 'N') {
          line += shape[i++];
          continue;
        }
        size_t n = 0;
        while (i < shape.size() && shape[i] == 'N') ++i, ++n;
        if (widths) n = std::uniform_int_distribution<size_t>(1, n + 1)(rng);
        for (size_t d = 0; d < n; ++d) line += static_cast<char>('0' + std::uniform_int_distribution<int>(0, 9)(rng));
      }
      const LineKey k = line_key(line, rule_words ? &rule : nullptr, rule_words ? &masked : nullptr);
      const LineKey by_skeleton = keys(line);
      if (by_skeleton.words != k.words || by_skeleton.codes != k.codes) {
        INFO(line);
        CHECK(false);
      }
      if (v == 0) first_key = k.words;
      if (v == 2 && plain) same_widths_merged += k.words == first_key;
      by_words[k.words].push_back(line);
      by_codes[k.codes].push_back(line);
      ++lines;
    }
  }
  size_t differ = 0;
  auto report = [&](const std::string& a, const std::string& b) {
    if (++differ > 5) return;
    INFO(a << "\n" << b);
    CHECK(false);
  };
  for (const auto& [key, group] : by_words) {
    if (rule_words) {
      const Reading first = reading(group.front(), *rule_words);
      for (const std::string& l : group) {
        if (!(reading(l, *rule_words) == first)) report(group.front(), l);
      }
    } else {
      const std::vector<uint64_t> first = message_words(group.front());
      for (const std::string& l : group) {
        if (message_words(l) != first) report(group.front(), l);
      }
    }
  }
  for (const auto& [key, group] : by_codes) {
    const std::vector<std::string> first = codes_of(group.front());
    for (const std::string& l : group) {
      if (codes_of(l) != first) report(group.front(), l);
    }
  }
  CHECK(differ == 0);
  // Not a key per line: a line written again with digits of the same
  // widths shares its key unless it holds a number masking keeps (after
  // "error", "code", "ID" and the like) or a word with digits ("WEB43"),
  // which most of these lines do.
  CHECK(lines == 4u * static_cast<size_t>(templates));
  CHECK(plain_templates > static_cast<size_t>(templates) / 10);
  CHECK(same_widths_merged > plain_templates / 4);
  // Lines were keyed once per skeleton: those with digits of the same
  // widths, unless a digit's value could tell them apart (most of these
  // lines hold a number after "error" or the like, or a word with digits).
  CHECK(lines - keys.computed() > static_cast<size_t>(templates) / 10);
  CHECK(keys.computed() > lines / 2);
}

}  // namespace

TEST_CASE("lines with one key mask to the same words and hold the same codes", "[match]") {
  check_keys(10000, 20261125, nullptr);
}

TEST_CASE("with the rules' words, lines with one key read alike to the rules and hold the same codes", "[match]") {
  const std::set<std::string> rule_words = {"error", "worker", "idle", "file", "the", "web43", "53", "12", "cnnn",
                                            "session", "srv1", "c2065", "pm", "port", "5c7d", "1067"};
  check_keys(10000, 20261126, &rule_words);
}

TEST_CASE("a word of a rule word's skeleton is read for whether a rule holds it, not for its digits", "[match]") {
  RuleWords rule;
  for (const char* w : {"connected", "srv1", "port", "srv3_x"}) rule.add(w);
  LineKeys keys(&rule);
  const LineKey a = keys("connected to srv4 on port 80");
  const LineKey b = keys("connected to srv7 on port 81");  // no rule holds either host: read alike
  CHECK(keys.computed() == 1);
  const LineKey c = keys("connected to srv1 on port 82");  // a rule's own word: keyed afresh, and apart
  CHECK(keys.computed() == 2);
  const LineKey d = keys("connected to srv1 on port 83");
  CHECK(keys.computed() == 2);
  CHECK(a.words == b.words);
  CHECK(c.words != a.words);
  CHECK(d.words == c.words);
  // Also before sentence punctuation, and as a file's name: masking reads
  // "srv4..." as the word, and "srv4.log" as a <file>.
  for (const char* end : {"...", ".", "!", ".log", ".dll"}) {
    INFO(end);
    const size_t before = keys.computed();
    const std::string x = std::string("connected to srv4") + end, y = std::string("connected to srv7") + end,
                      z = std::string("connected to srv1") + end;
    CHECK(keys(x).words == keys(y).words);
    CHECK(keys(z).words != keys(x).words);
    CHECK(keys.computed() == before + 2);
  }
  // Not where masking reads the word with what follows: "srv3_x" is a
  // rule's word, "srv4_x" not.
  CHECK(keys("connected to srv3_x").words != keys("connected to srv4_x").words);
  for (const char* l : {"connected to srv4 on port 80", "connected to srv7 on port 81", "connected to srv1 on port 82",
                        "connected to srv4...", "connected to srv7.log", "connected to srv3_x", "connected to srv4_x"}) {
    INFO(l);
    CHECK(keys(l).words == line_key(l, &rule).words);
  }
}

TEST_CASE("a <...> is a placeholder by its length as masking sees it: whitespace collapsed", "[match]") {
  // Numbers of other widths, each after a tab or spaces: the same key unless
  // the '<' reads otherwise. Collapsed, the first of each pair is a
  // placeholder of 12 bytes and the second is 42 bytes, too long to be one.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"x <a\t1\t1\t1\t1\t1> y", "x <a\t1234567\t1234567\t1234567\t1234567\t1234567> y"},
      {"x <a        1        1        1        1        1> y", "x <a        1234567        1234567        1234567        1234567        1234567> y"},
  };
  RuleWords rule;
  for (const auto& [a, b] : pairs) {
    INFO(a << "\n" << b);
    REQUIRE(message_words(a) != message_words(b));  // masking reads them apart
    CHECK(line_key(a).words != line_key(b).words);
    CHECK(line_key(a, &rule).words != line_key(b, &rule).words);
  }
  // Whitespace inside one that fits reads as spaces: a placeholder with a tab.
  CHECK(message_words("x <a\tb> y") == message_words("x <ab> y"));
}

TEST_CASE("a line masked for its key is handed on masked", "[match]") {
  RuleWords rule;
  for (const char* w : {"cannot", "open"}) rule.add(w);
  LineKeys keys(&rule);
  const std::string path = "cannot open C:\\Data\\srv4\\x.mdb after 3 tries";
  keys(path);
  CHECK(keys.masked() == mask_variables(path));  // a path: masked for its key
  CHECK(keys.parts() == nullptr);                // keyed whole
  keys("cannot open C:\\Data\\srv4\\x.mdb after 5 tries");
  CHECK(keys.masked().empty());  // read from the first one's: not masked
  keys("cannot open the file");
  CHECK(keys.masked().empty());  // keyed without masking
}

TEST_CASE("a stamped line is keyed as its stamp and its message, each once", "[match]") {
  RuleWords rule;
  for (const char* w : {"cannot", "open"}) rule.add(w);
  LineKeys keys(&rule);
  const std::string a = "10:42:01 cannot open C:\\Data\\srv4\\x.mdb";
  const LineKey ka = keys(a);
  const LineKeys::Parts* parts = keys.parts();
  REQUIRE(parts != nullptr);
  CHECK(parts->at == 9);
  CHECK(parts->rest_masked == mask_variables(a.substr(9)));  // the message masked for its key
  CHECK(parts->lead == line_key("10:42:01 ", &rule).words);
  CHECK(parts->rest == line_key(a.substr(9), &rule).words);
  CHECK(keys.computed() == 2);
  // Another stamp, of other widths (another skeleton): its message is
  // found keyed already, and only the stamp is keyed.
  const LineKey kb = keys("7:42:1 cannot open C:\\Data\\srv4\\x.mdb");
  REQUIRE(keys.parts() != nullptr);
  CHECK(keys.parts()->rest_masked.empty());
  CHECK(keys.computed() == 3);
  CHECK(kb.words != ka.words);  // "7:42:1" is no time to masking: other words
  // A time's AM or PM is the stamp's; a word glued to a number is no message.
  keys("10:42:01 PM cannot open the file");
  REQUIRE(keys.parts() != nullptr);
  CHECK(keys.parts()->at == 12);
  keys("10px cannot open the file");
  CHECK(keys.parts() == nullptr);
  keys("10:42:01,cannot open the file");
  CHECK(keys.parts() == nullptr);
  // The words of such a line are its parts', one after the other.
  for (const std::string& l : {a, std::string("[7/4/2001 10:42:01 AM] Session 5FC82F1D closed."),
                               std::string("2001-07-04 10:42 - error 53 in C:\\x\\y.dll (3 tries)")}) {
    INFO(l);
    LineKeys fresh(&rule);
    fresh(l);
    REQUIRE(fresh.parts() != nullptr);
    std::vector<uint64_t> joined = message_words(l.substr(0, fresh.parts()->at));
    kbtriage::append_message_words(joined, message_words(l.substr(fresh.parts()->at)));
    CHECK(joined == message_words(l));
  }
}

TEST_CASE("a key set says which keys are new, as it grows", "[match]") {
  KeySet set;
  std::mt19937_64 rng(7);
  std::vector<uint64_t> keys;
  for (int i = 0; i < 100000; ++i) keys.push_back(rng());
  keys.push_back(0);
  size_t fresh = 0, again = 0;
  for (uint64_t k : keys) fresh += set.insert(k);
  for (uint64_t k : keys) again += set.insert(k);
  CHECK(fresh == keys.size());
  CHECK(again == 0);
}

TEST_CASE("lines keyed alike share an entry that says whether their codes key varies", "[match]") {
  RuleWords rule;
  for (const char* w : {"connected", "failed", "error"}) rule.add(w);
  LineKeys keys(&rule);
  const LineKey a = keys("10:00:01 connected to srv4, 80 tries");
  const LineKey b = keys("10:00:02 connected to srv4, 81 tries");
  REQUIRE(a.entry != LineKey::kNoEntry);
  CHECK(b.entry == a.entry);
  CHECK(keys.entries() == 1);
  CHECK_FALSE(b.codes_vary);
  CHECK(b.codes == a.codes);
  const LineKey c = keys("10:00:03 failed with error 80004005");
  const LineKey d = keys("10:00:04 failed with error 80070057");  // other digits, one entry: the code is read from each line
  CHECK(d.entry == c.entry);
  CHECK(keys.entries() == 2);
  CHECK(d.codes_vary);
  CHECK(d.words == c.words);
  CHECK(d.codes != c.codes);
  CHECK(line_key("10:00:01 connected to srv4, 80 tries", &rule).entry == LineKey::kNoEntry);
}

namespace {

size_t stamped = 0, unlike = 0;

// A line keyed in two masks as its parts, one after the other, and holds
// their codes: what make_form() and the line key take for granted.
void reads_as_parts(std::string_view line) {
  const size_t at = kbtriage::stamp_end(line);
  if (at == 0) return;
  ++stamped;
  const std::string_view lead = line.substr(0, at), rest = line.substr(at);
  std::vector<uint64_t> joined = message_words(lead);
  kbtriage::append_message_words(joined, message_words(rest));
  std::vector<std::string> codes = codes_of(lead);
  for (const std::string& c : codes_of(rest)) {
    if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
  }
  if (joined == message_words(line) && codes == codes_of(line)) return;
  if (++unlike <= 5) {
    INFO("line: " << line << "\nlead: " << lead);
    CHECK(joined == message_words(line));
    CHECK(codes == codes_of(line));
  }
}

}  // namespace

TEST_CASE("a stamped line masks as its stamp then its message, and holds their codes", "[match]") {
  stamped = unlike = 0;
  test::each_corpus_text([](const std::string& text) { reads_as_parts(text); });
  // Stamps of every width and punctuation, with AM and PM, then a message
  // of the pieces masking and the code reader read forms from.
  static const std::vector<std::string> kStamp = {
      "1",           "12",         "2001", "10:24:50", "7:3:1", "9/16/2001", "2001-09-16", "16.09.2001", "1,234",
      "-2147467259", "2147942405", " AM",  " pm",      " ",     "  ",        "\t",         "/",          "-",
      ":",           ".",          ",",    "[",        "]",     "(",         ")"};
  static const std::vector<std::string> kMessage = {
      "C:\\", "c:/", "\\\\srv\\share", "\\", "/", "/usr/lib", "%1", "%s", "<#>", "<name>", "<", ">", "'", "'3043'",
      "0x80004005", "0x1F", "{12345678-1234-1234-1234-123456789abc}", "user@example.com", "@", "a.b", "file.dll",
      "10:24:50 AM", "9:02 pm", "9/16/2001", "1,234", "3.14", "12", "7", "80004005", "c0000005", "-2147467259",
      "error", "Error", "code", "ID", "Event", "stop", "STOP", "number", "errno", "C2065", "LNK2001", "E_FAIL",
      "WSAECONNRESET", "am", "PM", "#", ":", " ", "  ", "\t", "-", "é", "_", ".", ",", "=", "(", ")", "a", "word",
      "0", "9", "srv4", "5FC82F1D"};
  // The message's first word: those the code reader or masking reads
  // with what is around them.
  static const std::vector<std::string> kOpening = {
      "am", "PM", "PMx", "am_", "AM_x", "am'x", "x", "Session", "C2065", "STOP 0x0A", "STOP: 7B", "E_FAIL",
      "WSAECONNRESET", "c0000005", "C:\\x\\y", "abcdef12-1234-1234-1234-123456789abc", "a@b.com", "error 53",
      "ID: 12", "Event ID: 12", "code 5", "warning C4996", "Program Files\\x", "file.dll"};
  std::mt19937 rng(20261125);
  auto below = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  for (int i = 0; i < 60000; ++i) {
    std::string line = test::random_pieces(rng, kStamp, 1 + below(8));
    line += i % 4 == 0 ? "\t" : " ";
    line += kOpening[below(kOpening.size())];
    line += test::random_pieces(rng, kMessage, below(12));
    reads_as_parts(line);
  }
  CHECK(stamped > 40000);
  CHECK(unlike == 0);
  // Where a stamp ends, and where there is none.
  CHECK(kbtriage::stamp_end("10:00 x") == 6);
  CHECK(kbtriage::stamp_end("10:00:01 PM x") == 12);
  CHECK(kbtriage::stamp_end("10:00 AM_x") == 6);  // "AM_x" is a word, not the time's
  CHECK(kbtriage::stamp_end("[7/4/2001 10:00]\tx") == 17);
  for (const char* none : {"x 10:00", "10:00x", "10:00\rx", "10:00\vx", "10:00\fx", "10:00\xc2\xa0x", "10:00 'x",
                           "10:00 <x>", "10:00 \\\\srv x", "10:00 @x", "10:00 am", "10:00", " x", "", "- x"}) {
    INFO(none);
    CHECK(kbtriage::stamp_end(none) == 0);
  }
}
