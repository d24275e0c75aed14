#include "cli.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "kbtriage/error.h"
#include "kbtriage/text.h"

namespace kbtriage::cli {

bool ArgReader::next() {
  inline_value_.reset();
  ++i_;
  if (i_ >= args_.size()) return false;
  if (!ended_options_ && args_[i_] == "--") {
    ended_options_ = true;
    return next();
  }
  current_ = args_[i_];
  size_t eq = current_.find('=');
  if (!ended_options_ && current_.starts_with("--") && eq != std::string::npos) {
    inline_value_ = current_.substr(eq + 1);
    current_.resize(eq);
  }
  return true;
}

std::string ArgReader::value() {
  if (inline_value_) return *inline_value_;
  const std::string flag = current_;
  if (i_ + 1 >= args_.size()) usage_error(cmd_, flag + " needs a value");
  return args_[++i_];
}

void ArgReader::unknown() const { usage_error(cmd_, "unknown option " + current()); }

void usage_error(const Command& cmd, const std::string& message) {
  std::cerr << "kbtriage " << cmd.name << ": " << message << "\nusage: kbtriage " << cmd.usage
            << "\n(kbtriage help " << cmd.name << " for more)\n";
  std::exit(kExitUsage);
}

std::string default_db_dir() {
  if (const char* env = std::getenv("KBTRIAGE_DB"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/kbtriage";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/kbtriage";
  return ".kbtriage";
}

std::optional<std::string> read_input(const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return std::nullopt;
    in = &file;
  }
  std::ostringstream ss;
  ss << in->rdbuf();
  return std::move(ss).str();
}

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }
bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

int terminal_width() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  if (const char* cols = std::getenv("COLUMNS")) {
    int n = std::atoi(cols);
    if (n > 20) return n;
  }
  return 80;
}

int run_batch_file(const std::string& path, const std::function<nlohmann::json(const nlohmann::json& query)>& each) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) throw Error(path + ": cannot read");
    in = &file;
  }
  std::string line;
  size_t n = 0, bad = 0;
  while (std::getline(*in, line)) {
    ++n;
    if (trim(line).empty()) continue;
    nlohmann::json q = nlohmann::json::parse(line, nullptr, false);
    if (!q.is_object() || !q.contains("query") || !q["query"].is_string()) {
      std::cerr << path << ":" << n << ": expected a JSON object with a \"query\" string\n";
      ++bad;
      continue;
    }
    nlohmann::json out = each(q);
    out["qid"] = q.value("qid", nlohmann::json());
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  return bad ? kExitUsage : kExitOk;
}

std::string read_text_file(const std::string& path) {
  std::optional<std::string> text = read_input(path);
  if (!text) throw Error(path + ": cannot read");
  return *text;
}

}  // namespace kbtriage::cli
