#include "kbtriage/article_json.h"

#include <nlohmann/json.hpp>

namespace kbtriage {

using Json = nlohmann::ordered_json;

namespace {

Json records_json(const std::vector<Record>& records) {
  Json out = Json::array();
  for (const Record& r : records) {
    out.push_back({{"text", r.text}, {"origin", origin_name(r.origin)}, {"section", r.section}});
  }
  return out;
}

std::vector<Record> records_from(const Json& j) {
  std::vector<Record> out;
  for (const Json& r : j) {
    out.push_back({r.value("text", ""), r.value("origin", "") == "inferred" ? Origin::kInferred : Origin::kHeading,
                   r.value("section", "")});
  }
  return out;
}

Format format_from(std::string_view s) {
  if (s == "web") return Format::kWeb;
  if (s == "page") return Format::kPage;
  if (s == "xml") return Format::kXml;
  return Format::kRaw;
}

}  // namespace

std::string article_to_json(const Article& a, int indent) {
  Json j;
  j["id"] = a.id;
  j["title"] = a.title;
  j["product"] = a.product;
  j["product_tag"] = a.product_tag;
  j["versions"] = a.versions;
  j["os"] = a.os;
  j["keywords"] = a.keywords;
  j["technology"] = a.technology;
  j["issue_type"] = a.issue_type;
  j["last_modified"] = a.last_modified;
  j["applies_to"] = a.applies_to;
  Json sections = Json::array();
  for (const Section& s : a.sections) sections.push_back({{"heading", s.heading}, {"text", s.text}});
  j["sections"] = std::move(sections);
  j["symptoms"] = records_json(a.symptoms);
  j["causes"] = records_json(a.causes);
  j["resolutions"] = records_json(a.resolutions);
  Json messages = Json::array();
  for (const Message& m : a.messages) {
    messages.push_back({{"text", m.text}, {"pattern", m.pattern}, {"section", m.section}});
  }
  j["messages"] = std::move(messages);
  Json codes = Json::array();
  for (const ErrorCode& c : a.codes) codes.push_back({{"code", c.code}, {"kind", c.kind}, {"raw", c.raw}});
  j["codes"] = std::move(codes);
  j["references"] = a.references;
  j["additional_words"] = a.additional_words;
  j["format"] = format_name(a.format);
  j["question_answer"] = a.question_answer;
  // Invalid UTF-8 cannot reach here (the parser decodes), but never throw on output.
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::optional<Article> article_from_json(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    Article a;
    a.id = j.value("id", "");
    a.title = j.value("title", "");
    a.product = j.value("product", "");
    a.product_tag = j.value("product_tag", "");
    a.versions = j.value("versions", std::vector<std::string>{});
    a.os = j.value("os", std::vector<std::string>{});
    a.keywords = j.value("keywords", std::vector<std::string>{});
    a.technology = j.value("technology", std::vector<std::string>{});
    a.issue_type = j.value("issue_type", "");
    a.last_modified = j.value("last_modified", "");
    a.applies_to = j.value("applies_to", std::vector<std::string>{});
    for (const Json& s : j.value("sections", Json::array())) {
      a.sections.push_back({s.value("heading", ""), s.value("text", "")});
    }
    a.symptoms = records_from(j.value("symptoms", Json::array()));
    a.causes = records_from(j.value("causes", Json::array()));
    a.resolutions = records_from(j.value("resolutions", Json::array()));
    for (const Json& m : j.value("messages", Json::array())) {
      a.messages.push_back({m.value("text", ""), m.value("pattern", ""), m.value("section", "")});
    }
    for (const Json& c : j.value("codes", Json::array())) {
      a.codes.push_back({c.value("code", ""), c.value("kind", ""), c.value("raw", "")});
    }
    a.references = j.value("references", std::vector<std::string>{});
    a.additional_words = j.value("additional_words", "");
    a.format = format_from(j.value("format", "raw"));
    a.question_answer = j.value("question_answer", false);
    return a;
  } catch (const Json::exception&) {
    return std::nullopt;  // a field of the wrong type
  }
}

std::string json_quote(std::string_view s) {
  return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace kbtriage
