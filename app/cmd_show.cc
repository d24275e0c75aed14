// kbtriage show / export / check: reading the store.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "kbtriage/article_json.h"
#include "kbtriage/article_xml.h"
#include "kbtriage/store.h"
#include "render.h"

namespace kbtriage::cli {

int run_show(const Args& args) {
  const Command& cmd = *find_command("show");
  std::string db = default_db_dir(), id;
  bool json = false, sections = false;
  ArgReader r(args, cmd);
  while (r.next()) {
    if (r.is("--db")) db = r.value();
    else if (r.is("--json")) json = true;
    else if (r.is("--sections")) sections = true;
    else if (r.is_option()) r.unknown();
    else if (id.empty()) id = r.current();
    else usage_error(cmd, "one ID at a time");
  }
  if (id.empty()) usage_error(cmd, "no ID given");
  if (id[0] == 'q') id[0] = 'Q';
  Store store(db);
  std::optional<Article> a = store.article(id);
  if (!a) {
    std::cerr << "kbtriage show: no article " << id << " in " << db << '\n';
    return kExitNotFound;
  }
  if (json) {
    std::cout << article_to_json(*a) << '\n';
  } else {
    render_article(std::cout, *a, {terminal_width(), stdout_is_terminal(), sections});
  }
  return kExitOk;
}

int run_export(const Args& args) {
  const Command& cmd = *find_command("export");
  std::string db = default_db_dir(), out_path;
  bool xml = false;
  std::vector<std::string> ids;
  ArgReader r(args, cmd);
  while (r.next()) {
    if (r.is("--db")) db = r.value();
    else if (r.is("--xml")) xml = true;
    else if (r.is("-o") || r.is("--output")) out_path = r.value();
    else if (r.is_option()) r.unknown();
    else ids.push_back(r.current());
  }
  if (!xml) usage_error(cmd, "say which form: --xml");
  Store store(db);
  if (ids.empty()) ids = store.ids();
  std::vector<Article> articles;
  int status = kExitOk;
  for (std::string id : ids) {
    if (!id.empty() && id[0] == 'q') id[0] = 'Q';
    if (std::optional<Article> a = store.article(id)) {
      articles.push_back(std::move(*a));
    } else {
      std::cerr << "kbtriage export: no article " << id << " in " << db << '\n';
      status = kExitNotFound;
    }
  }
  if (articles.empty()) return kExitNotFound;
  if (!out_path.empty() && (out_path.ends_with("/") || std::filesystem::is_directory(out_path))) {
    // A folder: one file per article, the form the indexer reads back.
    std::filesystem::create_directories(out_path);
    for (const Article& a : articles) {
      std::string path = (std::filesystem::path(out_path) / (a.id + ".xml")).string();
      std::ofstream f(path, std::ios::binary);
      f << articles_to_xml_document({a});
      if (!f.flush()) {
        std::cerr << "kbtriage export: " << path << ": cannot write\n";
        return kExitUsage;
      }
    }
    return status;
  }
  std::string doc = articles_to_xml_document(articles);
  if (out_path.empty()) {
    std::cout << doc;
  } else {
    std::ofstream f(out_path, std::ios::binary);
    f << doc;
    if (!f.flush()) {
      std::cerr << "kbtriage export: " << out_path << ": cannot write\n";
      return kExitUsage;
    }
  }
  return status;
}

int run_check(const Args& args) {
  const Command& cmd = *find_command("check");
  std::string db = default_db_dir();
  bool json = false;
  ArgReader r(args, cmd);
  while (r.next()) {
    if (r.is("--db")) db = r.value();
    else if (r.is("--json")) json = true;
    else r.unknown();
  }
  Store store(db);
  StoreCheck c = store.check();
  if (json) {
    nlohmann::ordered_json j = {{"generation", c.stats.generation},
                                {"sqlite_articles", c.stats.sqlite_articles},
                                {"xapian_documents", c.stats.xapian_documents},
                                {"ok", c.problems.empty()},
                                {"problems", c.problems}};
    std::cout << j.dump() << '\n';
  } else {
    std::cout << db << ": generation " << c.stats.generation << ", " << c.stats.sqlite_articles
              << " articles in SQLite, " << c.stats.xapian_documents << " documents in Xapian\n";
    for (const std::string& p : c.problems) std::cout << "problem: " << p << '\n';
    if (c.problems.empty()) std::cout << "ok\n";
  }
  return c.problems.empty() ? kExitOk : kExitUsage;
}

}  // namespace kbtriage::cli
