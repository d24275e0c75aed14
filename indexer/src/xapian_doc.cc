#include "xapian_doc.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_set>

#include "kbtriage/schema.h"
#include "kbtriage/text.h"

namespace kbtriage {

namespace {

constexpr size_t kMaxTermBytes = 240;  // Xapian's limit is 245
constexpr size_t kMaxMessageValueBytes = 4096;

void add_spelling_words(std::string_view text, std::unordered_set<std::string>& out) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    size_t b = i;
    while (i < text.size() && (is_ascii_alnum(text[i]) || text[i] == '\'')) ++i;
    if (i - b >= 4 && i - b <= 30) out.insert(to_lower_ascii(text.substr(b, i - b)));
  }
}

}  // namespace

std::string id_term(std::string_view id) { return std::string(schema::kPrefixId) + std::string(id); }

std::string boolean_term(std::string_view prefix, std::string_view value) {
  std::string t(prefix);
  t += to_lower_ascii(trim(value));
  if (t.size() > kMaxTermBytes) t.resize(kMaxTermBytes);
  return t;
}

DocBuilder::DocBuilder() {
  tg_.set_stemmer(Xapian::Stem("english"));
  // Stemmed terms only (with positions): half the terms of the default
  // "stemmed and unstemmed", and queries are stemmed the same way. Codes and
  // ids do not depend on it: they are boolean terms.
  tg_.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
}

Xapian::Document DocBuilder::build(const Article& a, std::string_view content_hash,
                                   std::vector<std::string>& spelling) {
  using namespace schema;
  Xapian::Document doc;
  tg_.set_document(doc);
  // Positions (for phrase queries) are kept where a technician's phrases
  // land, unprefixed: the title, the symptoms and the quoted messages. Field
  // terms (S, XS, XM, XA, XR) carry no positions; a phrase within a field is
  // the unprefixed phrase filtered by the field's terms. The sections repeat
  // all of that text and are indexed without positions. This keeps the
  // writer's inverter (the indexing bottleneck) and the index small.
  auto field = [&](std::string_view text, unsigned weight, std::string_view prefix) {
    if (text.empty()) return;
    tg_.index_text_without_positions(std::string(text), weight, std::string(prefix));
    tg_.index_text(std::string(text), weight);
    tg_.increase_termpos();
  };
  field(a.title, kWeightTitle, kPrefixTitle);
  for (const Record& r : a.symptoms) field(r.text, kWeightSymptom, kPrefixSymptom);
  for (const Message& m : a.messages) field(m.text, kWeightMessage, kPrefixMessage);
  for (const Record& r : a.causes) {
    tg_.index_text_without_positions(r.text, kWeightCauseResolution, std::string(kPrefixCause));
  }
  for (const Record& r : a.resolutions) {
    tg_.index_text_without_positions(r.text, kWeightCauseResolution, std::string(kPrefixResolution));
  }
  for (const Section& s : a.sections) tg_.index_text_without_positions(s.text);
  if (!a.product.empty()) {
    tg_.index_text_without_positions(a.product, 1, std::string(kPrefixProductText));
    // Also as words of the article: technicians name the product in their
    // query ("SNA Server 4.0 Event ID 8") where the text may only say "setup".
    tg_.index_text_without_positions(a.product);
  }
  if (!a.additional_words.empty()) tg_.index_text_without_positions(a.additional_words);

  doc.add_boolean_term(id_term(a.id));
  if (!a.product_tag.empty()) doc.add_boolean_term(boolean_term(kPrefixProduct, a.product_tag));
  for (const std::string& v : a.versions) {
    doc.add_boolean_term(boolean_term(kPrefixVersion, v));
    size_t colon = v.find(':');
    if (colon != std::string::npos) doc.add_boolean_term(boolean_term(kPrefixVersion, v.substr(colon + 1)));
  }
  // Codes carry a within-document frequency so that BM25 weighs them by
  // rarity: a query's rare code outweighs its common words, while the
  // ubiquitous 0x80004005 does not drown the rest of the query.
  for (const ErrorCode& c : a.codes) doc.add_term(boolean_term(kPrefixCode, c.code), kWeightCode);
  if (!a.issue_type.empty()) doc.add_boolean_term(boolean_term(kPrefixIssueType, a.issue_type));
  if (a.last_modified.size() >= 4) doc.add_boolean_term(std::string(kPrefixYear) + a.last_modified.substr(0, 4));
  doc.add_boolean_term(std::string(kPrefixFormat) + format_name(a.format));

  std::string date = a.last_modified;
  date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
  doc.add_value(kSlotDate, date);
  doc.add_value(kSlotProduct, a.product.empty() ? a.product_tag : a.product);
  doc.add_value(kSlotIssueType, a.issue_type);
  doc.add_value(kSlotContentHash, std::string(content_hash));

  // The quoted messages ride along in a value: the searcher compares a pasted
  // message with them to rerank its candidates, and a value read is cheaper
  // than a lookup in SQLite or a JSON parse.
  std::string messages;
  for (const Message& m : a.messages) {
    if (messages.size() + m.text.size() > kMaxMessageValueBytes) break;
    if (!messages.empty()) messages += kMessageSeparator;
    messages += m.text;
  }
  if (!messages.empty()) doc.add_value(kSlotMessages, messages);

  nlohmann::json data = {{"id", a.id}, {"title", a.title}, {"product", a.product},
                         {"date", a.last_modified}, {"issue_type", a.issue_type}};
  doc.set_data(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));

  std::unordered_set<std::string> words;
  add_spelling_words(a.title, words);
  for (const Record& r : a.symptoms) add_spelling_words(r.text, words);
  for (const Message& m : a.messages) add_spelling_words(m.text, words);
  spelling.insert(spelling.end(), words.begin(), words.end());
  // The TermGenerator keeps a reference to the document it filled. Xapian's
  // reference counts are not atomic, and the document goes on to a shard
  // writer thread, which counts references to it while adding it: released
  // here, the document has one owner at a time. (Kept until the next build,
  // the parse thread's release raced the writer's iteration of the terms and
  // could free them under it: a crash the crash test caught about once in 30
  // runs.)
  tg_.set_document(Xapian::Document());
  return doc;
}

}  // namespace kbtriage
