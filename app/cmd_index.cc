// kbtriage index: files and folders into the store, with progress and a summary.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "kbtriage/indexer.h"

namespace kbtriage::cli {

namespace {

std::string format_duration(double s) {
  char buf[32];
  int t = static_cast<int>(s + 0.5);
  std::snprintf(buf, sizeof buf, "%d:%02d", t / 60, t % 60);
  return buf;
}

void print_progress(const IndexProgress& p, bool final) {
  double rate = p.elapsed_seconds > 0 ? static_cast<double>(p.articles_written) / p.elapsed_seconds : 0;
  double done_rate = p.elapsed_seconds > 0 ? static_cast<double>(p.files_done) / p.elapsed_seconds : 0;
  std::string eta = done_rate > 0 && p.files_done < p.files_total
                        ? " ETA " + format_duration(static_cast<double>(p.files_total - p.files_done) / done_rate)
                        : "";
  std::fprintf(stderr, "\r\033[Kindexing: %zu/%zu files, %zu articles written, %.0f articles/s%s%s",
               p.files_done, p.files_total, p.articles_written, rate, eta.c_str(), final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace

int run_index(const Args& args) {
  const Command& cmd = *find_command("index");
  IndexOptions opt;
  opt.db_dir = default_db_dir();
  bool json = false, quiet = false;
  ArgReader r(args, cmd);
  while (r.next()) {
    if (r.is("--db")) opt.db_dir = r.value();
    else if (r.is("--prune")) opt.prune = true;
    else if (r.is("--json")) json = true;
    else if (r.is("--quiet") || r.is("-q")) quiet = true;
    else if (r.is("--jobs") || r.is("-j")) {
      std::string v = r.value();
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (*end || n < 1 || n > 256) usage_error(cmd, "--jobs needs a number from 1 to 256, not '" + v + "'");
      opt.jobs = static_cast<unsigned>(n);
    } else if (r.is("--commit-every")) {
      opt.commit_every = std::max(1L, std::strtol(r.value().c_str(), nullptr, 10));
    } else if (r.is_option()) r.unknown();
    else opt.paths.push_back(r.current());
  }
  if (opt.paths.empty()) usage_error(cmd, "no PATH given");
  for (const std::string& p : opt.paths) {
    if (!std::filesystem::exists(p)) {
      std::cerr << "kbtriage index: " << p << ": no such file or directory\n";
      return kExitUsage;
    }
  }
  const bool show_progress = !quiet && stderr_is_terminal();
  std::function<void(const IndexProgress&)> progress;
  if (show_progress) progress = [](const IndexProgress& p) { print_progress(p, false); };
  IndexSummary s = index_paths(opt, progress);
  if (show_progress) std::fputs("\r\033[K", stderr);

  if (json) {
    nlohmann::ordered_json j = {
        {"db", opt.db_dir},          {"files", s.files},         {"indexed", s.indexed},
        {"replaced", s.replaced},    {"unchanged", s.unchanged}, {"duplicates", s.duplicates},
        {"skipped", s.skipped},      {"removed", s.removed},     {"articles", s.articles},
        {"generation", s.generation}, {"seconds", s.seconds}};
    nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
    for (const SkippedFile& f : s.skipped_files) skipped.push_back({{"path", f.path}, {"reason", f.reason}});
    j["skipped_files"] = std::move(skipped);
    std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  } else {
    std::printf("%zu files in %.1f s: %zu indexed, %zu replaced, %zu unchanged, %zu duplicates, %zu skipped, %zu removed\n",
                s.files, s.seconds, s.indexed, s.replaced, s.unchanged, s.duplicates, s.skipped, s.removed);
    std::printf("store %s: %zu articles (generation %llu)\n", opt.db_dir.c_str(), s.articles,
                static_cast<unsigned long long>(s.generation));
    const size_t kShow = 20;
    for (size_t i = 0; i < s.skipped_files.size() && i < kShow; ++i) {
      const SkippedFile& f = s.skipped_files[i];
      std::string reason = f.reason;
      // Reasons that carry a line read as PATH:LINE: message.
      if (reason.starts_with("line ")) std::fprintf(stderr, "skipped %s:%s\n", f.path.c_str(), reason.substr(5).c_str());
      else std::fprintf(stderr, "skipped %s: %s\n", f.path.c_str(), reason.c_str());
    }
    if (s.skipped_files.size() > kShow) {
      std::fprintf(stderr, "... and %zu more skipped (--json lists them all)\n", s.skipped_files.size() - kShow);
    }
  }
  return kExitOk;
}

}  // namespace kbtriage::cli
