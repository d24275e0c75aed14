// Parse-only throughput: reads every file under the given folders into
// memory, then parses them all on one thread and reports MB/s per core.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kbtriage/parser.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parse_bench FOLDER...\n");
    return 2;
  }
  std::vector<std::string> files;
  size_t bytes = 0;
  for (int i = 1; i < argc; ++i) {
    for (auto& e : std::filesystem::recursive_directory_iterator(argv[i])) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      files.push_back(std::move(ss).str());
      bytes += files.back().size();
    }
  }
  size_t articles = 0, records = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (const std::string& f : files) {
    kbtriage::ParseResult r = kbtriage::parse_article(f);
    if (r.article) {
      ++articles;
      records += r.article->symptoms.size() + r.article->causes.size() + r.article->resolutions.size();
    }
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("parse-only: %zu files, %.1f MB, %zu articles, %zu records in %.2f s on one core: %.1f MB/s, %.0f articles/s\n",
              files.size(), static_cast<double>(bytes) / 1e6, articles, records, s,
              static_cast<double>(bytes) / 1e6 / s, static_cast<double>(articles) / s);
  return 0;
}
