// Symptom, cause and resolution records. From the headings where the article
// has them; otherwise from the wording of its sentences ("you receive the
// following error", "this occurs because", "to resolve this", "you must").
#include <algorithm>
#include <cassert>
#include <iterator>
#include <array>

#include "kbtriage/text.h"
#include "parse_internal.h"

namespace kbtriage::detail {

namespace {

enum Kind { kSymptom = 0, kCause = 1, kResolution = 2, kNone = 3 };

Kind kind_of_heading(std::string_view heading) {
  std::string h = to_lower_ascii(heading);
  if (h.find("symptom") != std::string::npos) return kSymptom;
  if ((h.find("cause") != std::string::npos && h.find("because") == std::string::npos)) return kCause;
  if (h.find("resolution") != std::string::npos || h.find("workaround") != std::string::npos ||
      h.find("work around") != std::string::npos || h == "status" || h == "solution" || h == "fix") {
    return kResolution;
  }
  return kNone;
}

// Sections whose text is not about the problem at hand.
bool is_reference_section(std::string_view heading) {
  std::string h = to_lower_ascii(heading);
  return h.find("reference") != std::string::npos || h.find("contents") != std::string::npos ||
         h.find("revision history") != std::string::npos;
}

constexpr std::string_view kSymptomCues[] = {
    "error message", "you receive", "you may receive", "you might receive", "you will receive",
    "you get ", "you may get", "the following error", "following message", "following warning",
    "is displayed", "are displayed", "message appears", "error appears", "appears:",
    "error occurs", "reports:", "returns the error", "returns error", "error is logged",
    "event is logged", "is logged in the", "are logged in the", "is logged:", "are logged:",
    "found in the log", "in the event log", " fails", " failed", "does not work", "do not work",
    "doesn't work", "not work correctly", "stops responding", "stop responding", "hangs",
    "locks up", "lock up", "crash", "general protection fault", "gp fault", "page fault",
    "access violation", "blue screen", "unable to", "is not able to", "are not able to",
    "incorrect", "unexpected", "is lost", "are lost", "corrupt", "does not appear",
    "do not appear", "is not displayed", "are not displayed", "disappear", "will result in the following",
    "the following behavior", "may not work", "cannot ", "when you ", "if you try", "does not ",
    "do not ", "will not ", "won't ", "doesn't ", "don't ", "is not ", "are not ", "may not ",
    "might not ", "can not ", "behaves", "allows you to", "will allow", "instead of",
    "it is not possible", "there is no way", "is ignored", "are ignored", "only ",
    "error is generated", "will be generated", "is generated", "are generated"};

constexpr std::string_view kCauseCues[] = {
    "because", "is caused by", "are caused by", "caused by", "the cause", "the reason",
    "due to", "results from", "is the result of", "is a result of", "this occurs when",
    "this occurs if", "this happens when", "this happens if", "occurs because", "occur because",
    "this behavior occurs when", "this behavior occurs if", "this problem occurs when",
    "this problem occurs if", "this error occurs when", "this error occurs if", "consequently",
    "causes the", "causes this", "can cause", "may cause", "will cause", "cause the",
    "by design", "failure to do so", "if you do not", "is not supported", "does not support",
    "the problem is", "is a problem with"};

constexpr std::string_view kResolutionCues[] = {
    "to resolve", "to work around", "to workaround", "to correct", "to fix", "to avoid",
    "to prevent", "to remedy", "to solve", "to recover", "resolve this", "work around this",
    "workaround", "you must", "you should", "you need to", "you can ", "do the following",
    "follow these steps", "use the following", "the following steps", "perform the following",
    "was corrected", "has been corrected", "was fixed", "has been fixed", "is fixed",
    "fixed in", "corrected in", "obtain the latest", "reinstall", "make sure", "be sure",
    "ensure that", "it is recommended", "click ", "type ", "delete "};

// Instructions that count only when they open the sentence ("To enable
// logging, set ..."), not in the middle of an explanation.
constexpr std::string_view kResolutionLeads[] = {
    "to enable", "to disable", "to change", "to configure", "to set ", "to use ", "to do this",
    "to install", "to remove", "to restore", "to specify", "upgrade ", "install ", "restart ",
    "use ", "set ", "change ", "add ", "remove ", "edit ", "run ", "open ", "select ", "rename ",
    "copy ", "start ", "stop ", "apply ", "modify "};

// Sentences that are about fixing, so their "problem" words are not a symptom.
bool starts_as_remedy(std::string_view s) {
  static constexpr std::string_view kLeads[] = {
      "to resolve", "to work around", "to correct", "to fix", "to avoid", "to prevent",
      "to remedy", "to solve", "to recover"};
  return std::any_of(std::begin(kLeads), std::end(kLeads), [&](std::string_view l) { return starts_with_nocase(s, l); });
}

// The cue lists as one set, grouped by Kind. Every cue begins a word.
const PhraseSet& cue_phrases() {
  static const PhraseSet set = [] {
    PhraseSet p(PhraseSet::At::kWordStart);
    p.add(kSymptomCues, kSymptom);
    p.add(kCauseCues, kCause);
    p.add(kResolutionCues, kResolution);
    return p;
  }();
  return set;
}

// "Failure to do so ..." puts the blame on the sentence before.
bool blames_previous(std::string_view s) {
  return starts_with_nocase(s, "failure to do so") || starts_with_nocase(s, "if you do not") ||
         starts_with_nocase(s, "otherwise") || starts_with_nocase(s, "if this is not done");
}

struct Sentence {
  std::string text;
  std::array<bool, 3> kinds{};
};

bool ends_sentence_at(std::string_view t, size_t i) {
  // t[i] is '.', '?' or '!' and t[i+1] is a space.
  if (t[i] != '.') return true;
  size_t b = i;
  while (b > 0 && is_ascii_alnum(t[b - 1])) --b;
  std::string_view word = t.substr(b, i - b);
  static constexpr std::string_view kAbbrev[] = {
      "e.g", "i.e", "etc", "Mr", "Dr", "vs", "No", "Inc", "Corp", "Ltd", "approx", "Fig"};
  if (word.size() == 1) return false;  // initials, "e.g."'s parts
  if (std::find(std::begin(kAbbrev), std::end(kAbbrev), word) != std::end(kAbbrev)) return false;
  return i + 2 < t.size() && (is_ascii_upper(t[i + 2]) || is_ascii_digit(t[i + 2]) || t[i + 2] == '"' || t[i + 2] == '(');
}

std::vector<std::string> split_sentences(std::string_view t) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    char c = t[i];
    if ((c == '.' || c == '?' || c == '!') && t[i + 1] == ' ' && ends_sentence_at(t, i)) {
      out.emplace_back(trim(t.substr(start, i + 1 - start)));
      start = i + 2;
    }
  }
  if (start < t.size()) out.emplace_back(trim(t.substr(start)));
  return out;
}

void classify(Sentence& s) {
  const uint32_t found = cue_phrases().find(to_lower_ascii(s.text));
  auto hit = [found](Kind k) { return ((found >> k) & 1) != 0; };
  bool remedy = starts_as_remedy(s.text);
  s.kinds[kSymptom] = !remedy && hit(kSymptom);
  s.kinds[kCause] = !remedy && hit(kCause);
  s.kinds[kResolution] = hit(kResolution) ||
                         std::any_of(std::begin(kResolutionLeads), std::end(kResolutionLeads),
                                     [&](std::string_view l) { return starts_with_nocase(s.text, l); });
}

// The sentences of a section, with indented blocks (messages, logs) folded
// into the sentence that introduces them.
std::vector<Sentence> sentences_of(const std::vector<Paragraph>& paragraphs) {
  std::vector<Sentence> out;
  for (const Paragraph& p : paragraphs) {
    if (p.quoted) {
      std::string block;
      for (size_t i = 0; i < p.lines.size() && i < 12; ++i) {
        if (!block.empty()) block += '\n';
        block += trim(p.lines[i]);
      }
      // Only quoted messages join their sentence; listings and file lists do not.
      if (!out.empty() && !out.back().text.empty() && out.back().text.back() == ':' &&
          introduces_message(out.back().text)) {
        out.back().text += "\n" + block;
      }
      continue;
    }
    for (std::string& text : split_sentences(p.text)) {
      Sentence s{std::move(text), {}};
      classify(s);
      if (blames_previous(s.text) && !out.empty()) out.back().kinds[kCause] = s.kinds[kCause] = true;
      out.push_back(std::move(s));
    }
  }
  return out;
}

constexpr size_t kMaxRecordChars = 900;
constexpr size_t kMaxInferredRecords = 3;

void infer(const Section& section, const std::vector<Sentence>& sentences, Kind kind,
           std::vector<Record>& records) {
  std::string current;
  auto flush = [&] {
    if (!current.empty() && records.size() < kMaxInferredRecords) {
      records.push_back({std::move(current), Origin::kInferred, section.heading});
    }
    current.clear();
  };
  for (const Sentence& s : sentences) {
    if (!s.kinds[kind]) { flush(); continue; }
    if (current.size() + s.text.size() > kMaxRecordChars) flush();
    // After a quoted block the next sentence starts a new line, not the block's last.
    if (!current.empty()) current += current.find('\n') != std::string::npos ? '\n' : ' ';
    current += s.text;
  }
  flush();
}

// The opening of an article without symptom wording states the situation it
// is about ("When you run X in batch mode, it accepts ...", "This article
// describes how to ..."): that is the symptom a technician would describe.
bool states_situation(std::string_view s) {
  static constexpr std::string_view kLeads[] = {
      "when ", "if ", "this article", "in ", "under ", "using ", "with ", "after ", "while ",
      "although ", "by default", "some ", "it is ", "there is ", "there are "};
  return std::any_of(std::begin(kLeads), std::end(kLeads), [&](std::string_view l) { return starts_with_nocase(s, l); });
}

void infer_situation(const Article& a, const SectionParagraphs& paragraphs, std::vector<Record>& symptoms) {
  for (size_t si = 0; si < a.sections.size(); ++si) {
    const Section& s = a.sections[si];
    if (kind_of_heading(s.heading) != kNone || is_reference_section(s.heading) || s.text.empty()) continue;
    for (const Paragraph& p : paragraphs[si]) {
      if (p.quoted) continue;
      std::vector<std::string> sentences = split_sentences(p.text);
      if (sentences.empty() || !states_situation(sentences.front())) return;
      std::string text = sentences.front();
      if (sentences.size() > 1 && text.size() < 200) text += " " + sentences[1];
      symptoms.push_back({std::move(text), Origin::kInferred, s.heading});
      return;
    }
    return;  // only the first section's opening
  }
}

// Old Q&A articles: the question states the problem, the response answers it.
void infer_question_answer(const Article& a, const SectionParagraphs& paragraphs,
                           std::array<std::vector<Record>*, 3> out) {
  for (size_t si = 0; si < a.sections.size(); ++si) {
    const Section& s = a.sections[si];
    if (s.text.empty()) continue;
    if ((s.heading == "Question" || s.heading == "Problem") && out[kSymptom]->empty()) {
      out[kSymptom]->push_back({collapse_whitespace(s.text.substr(0, kMaxRecordChars)), Origin::kInferred, s.heading});
    }
    if ((s.heading == "Response" || s.heading == "Answer" || s.heading == "Solution") &&
        out[kResolution]->empty()) {
      const std::vector<Paragraph>& paras = paragraphs[si];
      std::string first = paras.empty() ? s.text : paras.front().text;
      out[kResolution]->push_back({first.substr(0, kMaxRecordChars), Origin::kInferred, s.heading});
    }
  }
}

}  // namespace

void extract_records(Article& a, const SectionParagraphs& paragraphs) {
  std::array<std::vector<Record>*, 3> out = {&a.symptoms, &a.causes, &a.resolutions};
  std::array<bool, 3> from_heading{};
  for (const Section& s : a.sections) {
    Kind k = kind_of_heading(s.heading);
    if (k == kNone || s.text.empty()) continue;
    out[k]->push_back({s.text, Origin::kHeading, s.heading});
    from_heading[k] = true;
  }
  if (from_heading[kSymptom] && from_heading[kCause] && from_heading[kResolution]) return;
  for (size_t si = 0; si < a.sections.size(); ++si) {
    const Section& s = a.sections[si];
    if (kind_of_heading(s.heading) != kNone || is_reference_section(s.heading)) continue;
    std::vector<Sentence> sentences = sentences_of(paragraphs[si]);
    // In a Q&A article the question states the problem and the response
    // explains and answers it.
    const bool question = a.question_answer && (s.heading == "Question" || s.heading == "Problem");
    const bool response = a.question_answer && !question && !s.heading.empty();
    for (Kind k : {kSymptom, kCause, kResolution}) {
      if (question && k != kSymptom) continue;
      if (response && k == kSymptom) continue;
      if (!from_heading[k]) infer(s, sentences, k, *out[k]);
    }
  }
  if (a.question_answer) infer_question_answer(a, paragraphs, out);
  if (a.symptoms.empty()) infer_situation(a, paragraphs, a.symptoms);
}

}  // namespace kbtriage::detail
