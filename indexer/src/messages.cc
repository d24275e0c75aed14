// Finding the error messages an article quotes: indented blocks introduced by
// "you receive the following error message:", "Outlook98 reports:" and the
// like, and double-quoted strings in sentences about errors.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <iterator>
#include <array>

#include "kbtriage/mask.h"
#include "kbtriage/text.h"
#include "parse_internal.h"

namespace kbtriage::detail {

namespace {

bool is_list_marker(std::string_view t) {
  if (t.empty()) return false;
  if (t[0] == '-' || t[0] == '*' || t.starts_with("\xE2\x80\xA2")) return true;
  size_t i = 0;
  while (i < t.size() && i < 3 && is_ascii_digit(t[i])) ++i;
  if (i > 0 && i < t.size() && (t[i] == '.' || t[i] == ')')) return true;
  return t.size() > 2 && t[0] >= 'a' && t[0] <= 'h' && (t[1] == '.' || t[1] == ')') && t[2] == ' ';
}

// Words in an introducing sentence that announce a message rather than code.
constexpr std::string_view kIntroCues[] = {
    "error", "message", "receive", "report", "display", "appear", "logged", "log:",
    "logs", "prompt", "warning", "states", "reads", "says", "returns", "following text",
    "dialog", "entries", "entry", "popup", "pop-up", "alert", "following event", "event viewer", "event log",
    "log the following", "is posted", "recorded"};
constexpr std::string_view kIntroAntiCues[] = {
    "code", "sample", "example", "syntax", "steps", "procedure", "program", "macro",
    "following lines to", "statement"};

// Sentences that end in ':' but introduce what to type or where to read on.
constexpr std::string_view kIntroVetoes[] = {
    "command prompt", "following command", "type the following", "run the following",
    "article number", "knowledge base", "click the article", "following articles", "do the following",
    "follow these"};

// "the compiler may report the following error:" is about an error even
// when the sentence also speaks of code.
constexpr std::string_view kIntroStrong[] = {
    "error message", "you receive", "reports:", "is logged", "are logged", "following error",
    "following message", "following warning", "report the following", "displays the following"};

}  // namespace

void PhraseSet::add(std::span<const std::string_view> phrases, unsigned group) {
  assert(group < 32);
  for (std::string_view p : phrases) {
    if (at_ == At::kWordStart) p = trim_left(p);
    assert(p.size() >= 2);
    const unsigned pair = pair_of(p.data());
    first_pairs_[pair >> 6] |= uint64_t{1} << (pair & 63);
    (p.size() >= 4 ? long_ : short_).push_back({p, uint32_t{1} << group});
  }
  all_groups_ |= uint32_t{1} << group;
  std::stable_sort(long_.begin(), long_.end(),
                   [](const Phrase& a, const Phrase& b) { return head_of(a.text.data()) < head_of(b.text.data()); });
  assert(long_.size() < UINT16_MAX);
  // At most a quarter full; the shift in slot_of() takes 12 bits.
  slots_.assign(4096, Slot{});
  assert(long_.size() * 4 <= slots_.size());
  for (size_t i = 0; i < long_.size();) {
    const uint32_t head = head_of(long_[i].text.data());
    size_t j = i;
    while (j < long_.size() && head_of(long_[j].text.data()) == head) ++j;
    size_t k = slot_of(head);
    while (slots_[k].begin != slots_[k].end) k = (k + 1) & (slots_.size() - 1);
    slots_[k] = {head, static_cast<uint16_t>(i), static_cast<uint16_t>(j)};
    i = j;
  }
}

uint32_t PhraseSet::find(std::string_view lower) const {
  uint32_t hit = 0;
  const size_t n = lower.size();
  // Whether to go on after looking for a phrase at i: not once every group
  // is found.
  auto at = [&](size_t i) {
    const char* s = lower.data() + i;
    const unsigned pair = pair_of(s);
    if (!((first_pairs_[pair >> 6] >> (pair & 63)) & 1)) return true;
    const size_t left = n - i;
    auto found = [&](const Phrase& p) {
      hit |= p.group_bit;
      return hit == all_groups_;
    };
    for (const Phrase& p : short_) {
      if (!(hit & p.group_bit) && p.text.size() <= left && std::memcmp(s, p.text.data(), p.text.size()) == 0 &&
          found(p)) {
        return false;
      }
    }
    if (left < 4) return true;
    const uint32_t head = head_of(s);
    for (size_t k = slot_of(head); slots_[k].begin != slots_[k].end; k = (k + 1) & (slots_.size() - 1)) {
      if (slots_[k].head != head) continue;
      for (size_t x = slots_[k].begin; x < slots_[k].end; ++x) {
        const Phrase& p = long_[x];
        if (!(hit & p.group_bit) && p.text.size() <= left &&
            std::memcmp(s + 4, p.text.data() + 4, p.text.size() - 4) == 0 && found(p)) {
          return false;
        }
      }
      break;
    }
    return true;
  };
  if (at_ == At::kAnywhere) {
    for (size_t i = 0; i + 1 < n; ++i) {
      if (!at(i)) break;
    }
    return hit;
  }
  // Word starts only: the rest of a word is stepped over without a look at
  // the table (most of a sentence's bytes are inside words).
  for (size_t i = 0; i + 1 < n;) {
    if (!at(i)) break;
    if (is_ascii_alnum(lower[i])) {
      do ++i;
      while (i < n && is_ascii_alnum(lower[i]));
    }
    ++i;  // a byte after a word's end starts none
  }
  return hit;
}

bool introduces_message(std::string_view sentence) {
  if (sentence.empty() || sentence.back() != ':') return false;
  enum : unsigned { kVeto, kCue, kStrong, kAnti };
  static const PhraseSet phrases = [] {
    PhraseSet set(PhraseSet::At::kAnywhere);
    set.add(kIntroVetoes, kVeto);
    set.add(kIntroCues, kCue);
    set.add(kIntroStrong, kStrong);
    set.add(kIntroAntiCues, kAnti);
    return set;
  }();
  const uint32_t hit = phrases.find(to_lower_ascii(sentence));
  auto has = [hit](unsigned group) { return (hit >> group) & 1; };
  if (has(kVeto) || !has(kCue)) return false;
  return has(kStrong) || !has(kAnti);
}

namespace {

// Last sentence of a prose paragraph (what introduces the block after it).
std::string_view last_sentence(std::string_view text) {
  size_t end = text.size();
  size_t i = end > 1 ? end - 1 : 0;
  while (i > 0) {
    if ((text[i - 1] == '.' || text[i - 1] == '?' || text[i - 1] == '!') && text[i] == ' ') break;
    --i;
  }
  return text.substr(i);
}

bool looks_like_log_line(std::string_view t) {
  return !t.empty() && (is_ascii_digit(t[0]) || t[0] == '[');
}

bool is_code_like(std::string_view t) {
  // Listings: braces, statements, comments, assignments.
  if (t.ends_with(";") || t.ends_with("{") || t.ends_with("}") || t.starts_with("//") ||
      t.starts_with("/*") || t.starts_with("#include") || t.starts_with("REM ")) {
    return true;
  }
  // A Basic comment ("' Don't change this value"), but not the rest of a
  // quoted name wrapped onto this line ("'E:\8168\vc98\p2\src\P2\ehexcept.c',
  // line 577)"): a name has no spaces and its closing quote ends a word.
  if (t.starts_with("'")) {
    const size_t close = t.find('\'', 1);
    const bool name = close != std::string_view::npos && t.substr(1, close - 1).find(' ') == std::string_view::npos &&
                      (close + 1 == t.size() || t[close + 1] == ',' || t[close + 1] == ')' || t[close + 1] == ' ' ||
                       t[close + 1] == '.');
    if (!name) return true;
  }
  return false;
}

void add_message(Article& a, std::string text, const std::string& section) {
  if (text.size() < 6 || text.size() > 1200) return;
  for (const Message& m : a.messages) {
    if (m.text == text) return;
  }
  std::string pattern = mask_variables(text);
  a.messages.push_back({std::move(text), std::move(pattern), section});
}

// An event-log entry ("Event Type: Error", "Event ID: 9405", "Description:"):
// the message is its description, not the key lines around it.
bool take_event_description(Article& a, const std::vector<std::string_view>& lines, const std::string& section) {
  size_t d = 0;
  while (d < lines.size() && !starts_with_nocase(lines[d], "Description:")) ++d;
  if (d == lines.size()) return false;
  std::string text(trim(lines[d].substr(12)));
  for (size_t i = d + 1; i < lines.size(); ++i) {
    if (starts_with_nocase(lines[i], "Event ") || starts_with_nocase(lines[i], "Data:")) break;
    if (!text.empty()) text += '\n';
    text += lines[i];
  }
  add_message(a, std::move(text), section);
  return true;
}

void take_block(Article& a, const Paragraph& block, bool log_intro, const std::string& section) {
  std::vector<std::string_view> lines;
  for (std::string_view l : block.lines) {
    std::string_view t = trim(l);
    if (!t.empty()) lines.push_back(t);
  }
  if (lines.empty() || lines.size() > 24) return;
  // One stray brace does not make a log a listing; a third of the lines does.
  size_t code_lines = static_cast<size_t>(std::count_if(lines.begin(), lines.end(), is_code_like));
  if (code_lines * 3 >= lines.size() && code_lines > 0) return;
  if (take_event_description(a, lines, section)) return;
  size_t log_lines = static_cast<size_t>(std::count_if(lines.begin(), lines.end(), looks_like_log_line));
  // Timestamped lines are separate entries; anything else is one wrapped message.
  bool per_line = lines.size() > 1 && log_lines * 2 > lines.size() && (log_intro || log_lines == lines.size());
  if (per_line) {
    for (std::string_view l : lines) add_message(a, std::string(l), section);
    return;
  }
  std::string text;
  for (size_t i = 0; i < lines.size() && i < 12; ++i) {
    if (i) text += '\n';
    text += lines[i];
  }
  add_message(a, std::move(text), section);
}

constexpr std::string_view kQuoteCues[] = {
    "error", "message", "receive", "display", "appear", "report", "warning", "prompt",
    "states", "returns", "reads", "says", "fail", "dialog"};

// "..." strings in a prose paragraph whose sentence is about an error.
void take_quoted_strings(Article& a, std::string_view text, const std::string& section) {
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('"', i);
    size_t open_len = 1;
    size_t curly = text.find("\xE2\x80\x9C", i);  // left double quotation mark
    if (curly != std::string_view::npos && curly < open) { open = curly; open_len = 3; }
    if (open == std::string_view::npos) return;
    size_t close = open_len == 1 ? text.find('"', open + 1) : text.find("\xE2\x80\x9D", open + 3);
    if (close == std::string_view::npos) return;
    std::string_view inner = trim(text.substr(open + open_len, close - open - open_len));
    // The sentence the quote stands in, for its cue words.
    size_t s_begin = text.rfind(". ", open);
    s_begin = s_begin == std::string_view::npos ? 0 : s_begin;
    size_t s_end = text.find(". ", close);
    std::string_view sentence = text.substr(s_begin, (s_end == std::string_view::npos ? text.size() : s_end) - s_begin);
    bool words = std::count(inner.begin(), inner.end(), ' ') >= 2;
    const std::string lower = to_lower_ascii(sentence);
    bool cue = std::any_of(std::begin(kQuoteCues), std::end(kQuoteCues),
                           [&](std::string_view c) { return lower.find(c) != std::string::npos; });
    bool quotation_marks_note = contains_nocase(inner, "quotation mark");
    if (inner.size() >= 12 && words && cue && !quotation_marks_note) {
      add_message(a, std::string(inner), section);
    }
    i = close + (open_len == 1 ? 1 : 3);
  }
}

// "-or-", "- OR -", "or", "-and-": the line articles put between the
// messages of a list.
bool is_list_separator(std::string_view text) {
  std::string_view t = trim(text);
  while (!t.empty() && t.front() == '-') t.remove_prefix(1);
  while (!t.empty() && t.back() == '-') t.remove_suffix(1);
  const std::string word = to_lower_ascii(trim(t));
  return word == "or" || word == "and";
}

// The items of a bulleted list ("- Cannot find file QRKVM.DLL"), without
// their bullets; none when the paragraph is not one. Numbered items are
// steps more often than messages.
std::vector<std::string> bullet_items(const Paragraph& p) {
  std::vector<std::string> items;
  for (std::string_view line : p.lines) {
    std::string_view t = trim(line);
    const size_t marker = t.starts_with("\xE2\x80\xA2") ? 3 : (t.starts_with("- ") || t.starts_with("* ")) ? 1 : 0;
    if (marker > 0) {
      items.emplace_back(trim(t.substr(marker)));
    } else if (items.empty()) {
      return {};
    } else {
      items.back() += ' ';
      items.back() += t;
    }
  }
  return items;
}

}  // namespace

std::vector<Paragraph> split_paragraphs(std::string_view text) {
  std::vector<Paragraph> out;
  Paragraph cur;
  auto flush = [&] {
    if (!cur.lines.empty()) {
      for (std::string_view l : cur.lines) {
        std::string_view t = trim(l);
        if (t.empty()) continue;
        if (!cur.text.empty()) cur.text += ' ';
        cur.text += t;
      }
      out.push_back(std::move(cur));
    }
    cur = Paragraph{};
  };
  bool in_list_item = false;
  for (std::string_view line : split_lines(text)) {
    std::string_view t = trim(line);
    if (t.empty()) {
      flush();
      in_list_item = false;
      continue;
    }
    int ind = indentation(line);
    bool list = is_list_marker(t);
    bool quoted = ind >= 2 && !list && !(in_list_item && ind >= 2 && ind <= 6 && !cur.quoted);
    if (list) in_list_item = true;
    if (!cur.lines.empty() && quoted != cur.quoted) flush();
    cur.quoted = quoted;
    cur.lines.push_back(line);
  }
  flush();
  return out;
}

SectionParagraphs split_all_sections(const Article& a) {
  SectionParagraphs out;
  out.reserve(a.sections.size());
  for (const Section& s : a.sections) out.push_back(split_paragraphs(s.text));
  return out;
}

void extract_messages(Article& a, const SectionParagraphs& paragraphs) {
  for (size_t si = 0; si < a.sections.size(); ++si) {
    const Section& s = a.sections[si];
    const std::vector<Paragraph>& paras = paragraphs[si];
    bool introduced = false, log_intro = false;
    for (const Paragraph& p : paras) {
      if (!p.quoted) {
        const std::string& text = p.text;
        // "-or-" between two quoted messages: the second is introduced too.
        if (is_list_separator(text)) continue;
        // "the following error messages occur:" and then a bulleted list:
        // each item is a message, and the list goes on.
        if (introduced) {
          std::vector<std::string> items = bullet_items(p);
          if (!items.empty()) {
            for (std::string& item : items) {
              if (!item.ends_with(":")) add_message(a, std::move(item), s.heading);
            }
            continue;
          }
        }
        std::string_view last = last_sentence(text);
        introduced = introduces_message(last);
        log_intro = introduced && (contains_nocase(last, "log") || contains_nocase(last, "entries"));
        take_quoted_strings(a, text, s.heading);
        continue;
      }
      // Blocks after an introducing sentence: one or more (separated by blank
      // lines) until the prose resumes.
      if (introduced) take_block(a, p, log_intro, s.heading);
    }
  }
}

}  // namespace kbtriage::detail
