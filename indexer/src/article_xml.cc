#include "kbtriage/article_xml.h"

#include <pugixml.hpp>

#include <sstream>

#include "kbtriage/parser.h"

namespace kbtriage {

namespace {

void add_text(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

void add_list(pugi::xml_node parent, const char* list, const char* item,
              const std::vector<std::string>& values) {
  pugi::xml_node n = parent.append_child(list);
  for (const auto& v : values) add_text(n, item, v);
}

void add_records(pugi::xml_node parent, const char* name, const std::vector<Record>& records) {
  for (const Record& r : records) {
    pugi::xml_node n = parent.append_child(name);
    n.append_attribute("origin").set_value(origin_name(r.origin));
    n.append_attribute("section").set_value(r.section.c_str());
    n.text().set(r.text.c_str());
  }
}

void append_article(pugi::xml_node root, const Article& a) {
  pugi::xml_node n = root.append_child("article");
  n.append_attribute("id").set_value(a.id.c_str());
  n.append_attribute("format").set_value(format_name(a.format));
  if (a.question_answer) n.append_attribute("qa").set_value("true");
  add_text(n, "title", a.title);
  add_text(n, "product", a.product);
  if (!a.product_tag.empty()) add_text(n, "product_tag", a.product_tag);
  add_list(n, "versions", "version", a.versions);
  add_list(n, "os", "name", a.os);
  add_list(n, "keywords", "keyword", a.keywords);
  add_list(n, "technology", "tag", a.technology);
  add_text(n, "issue_type", a.issue_type);
  add_text(n, "last_modified", a.last_modified);
  add_list(n, "applies_to", "item", a.applies_to);
  if (!a.additional_words.empty()) add_text(n, "additional_words", a.additional_words);
  pugi::xml_node sections = n.append_child("sections");
  for (const Section& s : a.sections) {
    pugi::xml_node sn = sections.append_child("section");
    sn.append_attribute("heading").set_value(s.heading.c_str());
    sn.text().set(s.text.c_str());
  }
  pugi::xml_node r = n.append_child("records");
  add_records(r, "symptom", a.symptoms);
  add_records(r, "cause", a.causes);
  add_records(r, "resolution", a.resolutions);
  for (const Message& m : a.messages) {
    pugi::xml_node mn = r.append_child("message");
    mn.append_attribute("section").set_value(m.section.c_str());
    add_text(mn, "text", m.text);
    add_text(mn, "pattern", m.pattern);
  }
  for (const ErrorCode& c : a.codes) {
    pugi::xml_node cn = r.append_child("code");
    cn.append_attribute("kind").set_value(c.kind.c_str());
    cn.append_attribute("raw").set_value(c.raw.c_str());
    cn.text().set(c.code.c_str());
  }
  for (const std::string& ref : a.references) add_text(r, "reference", ref);
}

std::string to_string(const pugi::xml_document& doc, unsigned flags) {
  std::ostringstream out;
  doc.save(out, "  ", flags | pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

int line_of(std::string_view text, ptrdiff_t offset) {
  int line = 1;
  for (ptrdiff_t i = 0; i < offset && i < static_cast<ptrdiff_t>(text.size()); ++i) line += text[i] == '\n';
  return line;
}

std::vector<std::string> read_list(pugi::xml_node n, const char* list, const char* item) {
  std::vector<std::string> out;
  for (pugi::xml_node i : n.child(list).children(item)) out.emplace_back(i.text().get());
  return out;
}

std::vector<Record> read_records(pugi::xml_node r, const char* name) {
  std::vector<Record> out;
  for (pugi::xml_node n : r.children(name)) {
    Origin o = std::string_view(n.attribute("origin").value()) == "inferred" ? Origin::kInferred : Origin::kHeading;
    out.push_back({n.text().get(), o, n.attribute("section").value()});
  }
  return out;
}

ParseResult read_article(pugi::xml_node n, std::string_view text) {
  auto where = [&](pugi::xml_node at) { return "line " + std::to_string(line_of(text, at.offset_debug())) + ": "; };
  Article a;
  a.id = n.attribute("id").value();
  if (a.id.empty()) return {std::nullopt, where(n) + "<article> needs an id attribute"};
  std::string_view format = n.attribute("format").value();
  a.format = format == "raw" ? Format::kRaw : format == "web" ? Format::kWeb
           : format == "page" ? Format::kPage : Format::kXml;
  a.question_answer = n.attribute("qa").as_bool();
  a.title = n.child("title").text().get();
  a.product = n.child("product").text().get();
  a.product_tag = n.child("product_tag").text().get();
  a.versions = read_list(n, "versions", "version");
  a.os = read_list(n, "os", "name");
  a.keywords = read_list(n, "keywords", "keyword");
  a.technology = read_list(n, "technology", "tag");
  a.issue_type = n.child("issue_type").text().get();
  a.last_modified = n.child("last_modified").text().get();
  a.applies_to = read_list(n, "applies_to", "item");
  a.additional_words = n.child("additional_words").text().get();
  for (pugi::xml_node s : n.child("sections").children("section")) {
    a.sections.push_back({s.attribute("heading").value(), s.text().get()});
  }
  if (a.sections.empty() && a.title.empty()) return {std::nullopt, where(n) + "<article> has neither <title> nor <sections>"};
  pugi::xml_node r = n.child("records");
  if (!r) {
    finish_article(a);
    return {std::move(a), {}};
  }
  a.symptoms = read_records(r, "symptom");
  a.causes = read_records(r, "cause");
  a.resolutions = read_records(r, "resolution");
  for (pugi::xml_node m : r.children("message")) {
    a.messages.push_back({m.child("text").text().get(), m.child("pattern").text().get(), m.attribute("section").value()});
  }
  for (pugi::xml_node c : r.children("code")) {
    a.codes.push_back({c.text().get(), c.attribute("kind").value(), c.attribute("raw").value()});
  }
  for (pugi::xml_node ref : r.children("reference")) a.references.emplace_back(ref.text().get());
  return {std::move(a), {}};
}

}  // namespace

std::string article_to_xml(const Article& article) {
  pugi::xml_document doc;
  append_article(doc, article);
  return to_string(doc, pugi::format_no_declaration);
}

std::string articles_to_xml_document(const std::vector<Article>& articles) {
  pugi::xml_document doc;
  if (articles.size() == 1) {
    append_article(doc, articles.front());
  } else {
    pugi::xml_node root = doc.append_child("articles");
    for (const Article& a : articles) append_article(root, a);
  }
  return to_string(doc, pugi::format_default);
}

std::vector<ParseResult> articles_from_xml(std::string_view text) {
  pugi::xml_document doc;
  // parse_ws_pcdata_single keeps the text of sections exactly as written.
  pugi::xml_parse_result res =
      doc.load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_ws_pcdata_single, pugi::encoding_utf8);
  if (!res) {
    return {{std::nullopt, "line " + std::to_string(line_of(text, res.offset)) + ": XML error: " + res.description()}};
  }
  std::vector<ParseResult> out;
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) == "article") {
    out.push_back(read_article(root, text));
  } else if (std::string_view(root.name()) == "articles") {
    for (pugi::xml_node n : root.children("article")) out.push_back(read_article(n, text));
  }
  if (out.empty()) {
    out.push_back({std::nullopt, "line " + std::to_string(line_of(text, root.offset_debug())) +
                                     ": expected <article> or <articles>, found <" + root.name() + ">"});
  }
  return out;
}

ParseResult article_from_xml(std::string_view text) {
  std::vector<ParseResult> all = articles_from_xml(text);
  if (all.size() > 1) {
    return {std::nullopt, "line 1: <articles> holds " + std::to_string(all.size()) +
                              " articles; an article file holds one (kbtriage export --xml -o DIR/ writes one per file)"};
  }
  return std::move(all.front());
}

}  // namespace kbtriage
