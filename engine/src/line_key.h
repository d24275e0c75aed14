// A log line as a number that repeats where the line repeats up to its
// numbers (internal to the engine). The rule engine computes it for every
// line of its input, and masks and scans only the first line of each key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flat_map.h"

namespace kbtriage {

struct LineKey {
  // The same for lines that differ only in numbers mask_variables() masks
  // (a timestamp, a count, an id): lines with one key mask to the same
  // words. Numbers masking keeps ("error 53", "Event ID: 1120") stay in it.
  uint64_t words = 0;
  // The same, but every number extract_codes() could read as a code stays
  // too: also those of eight digits or more (80004005, -2147467259) and
  // those after "number", "errno" and the like. Lines with one key hold
  // the same codes.
  uint64_t codes = 0;
  // From LineKeys: the keying it remembered that gave this key, the same
  // for lines of one skeleton and values read. kNoEntry from line_key(),
  // and for a line of a skeleton read in more ways than LineKeys keeps.
  // Lines of one entry have one words key, and one codes key unless
  // `codes_vary` (the codes key then holds numbers read from each line).
  static constexpr uint32_t kNoEntry = UINT32_MAX;
  uint32_t entry = kNoEntry;
  bool codes_vary = true;
};

// About one instruction per byte plus a few dozen per number: numbers are
// found sixteen bytes at a time, and the bytes between them hashed eight at
// a time. Numbers are read as masking reads them: a time, date or GUID
// first (by their digit counts, as masking does: "10:6:2" is no time), then
// a plain number, kept after "error" and the like; a number a file name,
// address or GUID may start or hold keeps its form. Digits in a word with
// '\\', '@', '%', '{' or '}' (or '/' and a letter), and between quotes,
// stay as written: masking may read them as part of a path, address,
// variable or name whose reach depends on them. Which "<...>" masking reads
// as a placeholder depends on the digits' widths alone, and is in the key.
//
// With `rule` (the words of the rules), the key says a little less and
// merges more: lines with one key then read the same to the rule engine.
// A word of letters and digits between spaces (or before sentence
// punctuation, or as a file's name before its extension) that no rule holds
// and that cannot be a code (a host, a session id) stands for any other
// such, and a line whose digits stay as written above has masking's words
// as its key (a path is one whatever its host). So lines with one key have
// the same shape (masking's words, those no rule holds as one word), the
// same rule words as written but for numbers masking drops (a template's
// anchors are looked up among them), and the same codes.
//
// `masked` (optional) remembers, across the lines of one input, the key of
// a line masked for its key by the key it had before: lines of one such
// key mask alike, so each is masked once.
struct RuleWords;
class MaskedKeys;
LineKey line_key(std::string_view line, const RuleWords* rule = nullptr, MaskedKeys* masked = nullptr);

// Where the rest of a line keyed in two starts, or 0 for a line keyed
// whole: after a lead of digits and a time's or date's punctuation (a log
// line's stamp, whose digits' widths vary from line to line), at a letter
// after a space or tab. Masking, and the code reader, read such a line as
// they read the two parts, one after the other: no form masking reads from
// the lead reaches past a space, but a time's "AM" or "PM" (kept in the
// lead); the rest starts with a word, so what either reads before a number
// or code of the rest is in the rest; and what the code reader reads
// before the rest's first word ("error", "STOP", "warning") is never a
// lead's token (digits, AM, PM). So lines whose leads key alike and whose
// rests key alike read alike, and a log's message keyed once serves it
// under every stamp. line_key() of such a line is made of its parts' own.
// This holds as long as masking (mask.cc: match_time(), number_is_code())
// and the code reader (codes.cc: add_codes()) read so; the line key's
// tests and bench/digests check it over random lines, the corpus and the
// archive. Lines of 4 GB or more are keyed whole.
size_t stamp_end(std::string_view line);

// An open-addressed set of keys: a log's every line asks it once.
class KeySet {
 public:
  explicit KeySet(size_t expected = 0);
  // Whether `key` was not in the set before.
  bool insert(uint64_t key);
  bool contains(uint64_t key) const;

 private:
  void grow();
  // Keys are word hashes too (detail::hash_word(), FNV-1a), whose last
  // letter hardly changes the bits in between their lowest and their
  // highest: "srv1" and "srv2" must not fall in one run of slots.
  size_t slot_of(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & mask_; }
  std::vector<uint64_t> slots_;  // 0: empty (a key 0 is kept as 1)
  size_t mask_ = 0, count_ = 0;
};

// Every word a template or anchor holds.
struct RuleWords {
  void add(std::string_view word);
  KeySet words;         // detail::hash_word() of each
  KeySet digit_shapes;  // the same of each holding a digit, with its digits as '0'
};

class MaskedKeys {
 public:
  struct Hash {
    uint64_t operator()(uint64_t key) const { return key * 0x9E3779B97F4A7C15ull; }
  };
  FlatMap<uint64_t, uint64_t, Hash> by_key;
};

// line_key() of each line of one input, in order, made in full only once
// per line skeleton (its bytes with every digit as '0') and values of the
// digits the key depends on: a log repeats its lines with other times,
// counts and ids, and hashing a skeleton is a few instructions per 16 bytes.
// A key depends on digits where a number or a word with digits stays as
// written (after "error", in a path or quote, or a name "HQ-DC2"), or where
// a rule holds a word of that skeleton. Lines of one skeleton whose such
// digits are the same are read alike: those are the only values read
// (where only a rule word's could matter, whether the word is one). A
// number that may be a code is read again from each line, at the place its
// skeleton's first line had it.
class LineKeys {
 public:
  explicit LineKeys(const RuleWords* rule = nullptr) : rule_(rule) {}
  LineKey operator()(std::string_view line) { return key(line, skeleton(line)); }
  // The same in two steps, for a reader that asks for the skeleton's slot
  // (prefetch()) lines before it keys the line.
  static uint64_t skeleton(std::string_view line);
  void prefetch(uint64_t skeleton) const { by_skeleton_.prefetch(skeleton); }
  LineKey key(std::string_view line, uint64_t skeleton);
  // How many lines, or parts of lines, were keyed in full so far.
  size_t computed() const { return computed_ + (parts_ ? parts_->computed() : 0); }
  // How many entries (LineKey::entry) there are: each is below this.
  size_t entries() const { return known_.size(); }

  // What line_key() read of a line's digits: where it read values, and
  // where the numbers it put in the codes key are.
  struct Trace {
    struct Span {
      uint32_t at, length;
      // Read only for whether a rule holds the word there ("srv4" where a
      // rule holds "srv1"): lines whose words no rule holds read alike.
      bool rule_word = false;
    };
    struct Code : Span {
      uint64_t tag;
    };
    std::vector<Span> reads;
    std::vector<Code> codes;
    uint64_t codes_base = 0;  // the codes key is this mixed with the codes' hash, if any
    bool masked = false;      // whether the line was masked for its key: `masked_text` is it
    std::string masked_text;
  };
  // The line just keyed as mask_variables() masks it, when keying it masked
  // it (a line with a path or a quote, the first of its kind); empty
  // otherwise. Whoever needs the masked line next need not mask it again.
  std::string_view masked() const { return trace_.masked ? std::string_view(trace_.masked_text) : std::string_view(); }
  // The line just keyed, where keying it now keyed it in two parts rather
  // than whole: a log line's stamp (its lead, of digits and the punctuation
  // of times and dates) and the rest, from a word on. Masking reads such a
  // line as it reads its lead and then its rest, each alone, so its words
  // are theirs, one after the other (up to message_words()'s cap). Each
  // part's keys are line_key() of the part alone: parts of one key mask
  // alike, and of one codes key hold the same codes. `rest_masked` is the
  // rest masked, if keying it masked it.
  struct Parts {
    size_t at = 0;  // where the rest starts; 0: keyed whole, or not now
    uint64_t lead = 0, rest = 0;
    uint64_t lead_codes = 0, rest_codes = 0;  // their codes keys (LineKey::codes): the line's codes are theirs
    std::string_view rest_masked;
  };
  const Parts* parts() const { return parts_now_.at > 0 ? &parts_now_ : nullptr; }

 private:
  // Up to this many sets of places a skeleton's lines were read at (one,
  // unless a value read changes which others are read).
  static constexpr size_t kMaxReadSets = 8;
  static constexpr uint32_t kNoSet = UINT32_MAX;
  struct ReadSet {
    uint32_t first, count;  // in reads_
    size_t length;          // of the line it was read from: a skeleton hash met again by another length is another
    uint32_t next;          // the skeleton's next set, or kNoSet
  };
  struct Known {
    uint64_t words, codes_base;
    uint32_t first_code, codes;  // in codes_
  };
  struct Hash {
    uint64_t operator()(uint64_t key) const { return key * 0x9E3779B97F4A7C15ull; }
  };
  const RuleWords* rule_;
  MaskedKeys masked_;
  struct Skeleton {
    uint32_t first_set = kNoSet;
    // The entry of the first read set when it reads nothing, and the
    // length of its lines: most lines of a log are keyed by this alone,
    // without a look at the read sets or at entry_of_.
    uint32_t direct = LineKey::kNoEntry;
    uint32_t direct_length = 0;  // lines of 4 GB or more have no direct entry
  };
  FlatMap<uint64_t, Skeleton, Hash> by_skeleton_;
  std::vector<ReadSet> read_sets_;
  std::vector<Trace::Span> reads_;
  // By skeleton, read set and the values read: the entry (in known_),
  // apart from what it holds so that the table, asked by every line, stays
  // small enough for the cache.
  FlatMap<uint64_t, uint32_t, Hash> entry_of_;
  std::vector<Known> known_;
  std::vector<Trace::Code> codes_;
  Trace trace_;
  size_t computed_ = 0;
  // `out` (if given) gets what the key read, as trace_ has it for a line
  // keyed now: the parts of a line keyed in two are keyed so, here.
  LineKey key(std::string_view line, uint64_t skeleton, Trace* out);
  std::unique_ptr<LineKeys> parts_;  // the leads and the rests of the lines keyed in two
  Trace lead_, rest_;                // what their keys read
  Parts parts_now_;
};

}  // namespace kbtriage
