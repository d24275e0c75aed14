// kbtriage parse: parse article files and print their records, no store.
#include <iostream>

#include "cli.h"
#include "kbtriage/article_json.h"
#include "kbtriage/article_xml.h"
#include "kbtriage/parser.h"
#include "render.h"

namespace kbtriage::cli {

int run_parse(const Args& args) {
  const Command& cmd = *find_command("parse");
  bool json = false, sections = false;
  std::vector<std::string> files;
  ArgReader r(args, cmd);
  while (r.next()) {
    if (r.is("--json")) json = true;
    else if (r.is("--sections")) sections = true;
    else if (r.is_option() && r.current() != "-") r.unknown();
    else files.push_back(r.current());
  }
  if (files.empty()) usage_error(cmd, "no FILE given");
  int status = kExitOk;
  RenderOptions opt{terminal_width(), stdout_is_terminal(), sections};
  bool first = true;
  for (const std::string& path : files) {
    std::optional<std::string> bytes = read_input(path);
    if (!bytes) {
      std::cerr << path << ": cannot open\n";
      status = kExitUsage;
      continue;
    }
    ParseResult result = parse_article(*bytes);
    if (!result.article) {
      std::cerr << path << ":" << (result.error.starts_with("line ") ? result.error.substr(5) : " " + result.error) << '\n';
      status = kExitUsage;
      continue;
    }
    if (json) {
      std::cout << article_to_json(*result.article) << '\n';
    } else {
      if (!first) std::cout << '\n' << std::string(static_cast<size_t>(std::min(opt.width, 79)), '-') << '\n';
      render_article(std::cout, *result.article, opt);
    }
    first = false;
  }
  return status;
}

}  // namespace kbtriage::cli
