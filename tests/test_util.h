// Helpers shared by the tests: reading fixtures, temporary folders, running the CLI.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace kbtriage::test {

inline std::string source_dir() { return KBTRIAGE_SOURCE_DIR; }
inline std::string corpus_dir() { return source_dir() + "/corpus"; }

// Every article file of the corpus (the corpus README is not one; web
// articles are web/QNNN/README.md), relative to corpus/, sorted.
inline std::vector<std::string> corpus_files() {
  namespace fs = std::filesystem;
  const fs::path root = corpus_dir();
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string rel = e.path().lexically_relative(root).generic_string();
    if (rel != "README.md") out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("kbtriage-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int status = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs `kbtriage ARGS` through the shell (arguments must be shell-quoted by the caller).
inline RunResult run_cli(const std::string& args, const std::string& stdin_text = "") {
  TempDir tmp;
  std::string in = tmp / "in", out = tmp / "out", err = tmp / "err";
  write_file(in, stdin_text);
  std::string cmd = std::string(KBTRIAGE_BIN) + " " + args + " <" + in + " >" + out + " 2>" + err;
  int rc = std::system(cmd.c_str());
  RunResult r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

// Each file under corpus/ (its README too) whole, then each of its lines
// without the '\n', to `f`: the texts a fast version of a reader and its
// plain first version are compared on.
template <typename F>
void each_corpus_text(F f) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(corpus_dir())) {
    if (!e.is_regular_file()) continue;
    const std::string text = read_file(e.path());
    f(text);
    size_t from = 0;
    for (size_t nl = text.find('\n'); nl != std::string::npos; from = nl + 1, nl = text.find('\n', from)) {
      f(text.substr(from, nl - from));
    }
  }
}

// `count` of `pieces`, drawn at random and joined: text made of what a
// reader looks for, in every order.
inline std::string random_pieces(std::mt19937& rng, const std::vector<std::string>& pieces, size_t count) {
  std::string text;
  for (; count > 0; --count) text += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(rng)];
  return text;
}

// Random text of up to max_len - 1 characters drawn from `alphabet`, one in
// `raw_every` of them (0: none) any byte at all: pasted-query fuzz.
inline std::string random_text(std::mt19937& rng, const std::string& alphabet, size_t max_len, unsigned raw_every = 0) {
  std::string s;
  const size_t n = rng() % max_len;
  for (size_t j = 0; j < n; ++j) {
    s += (raw_every && rng() % raw_every == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
  }
  return s;
}

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

// A store of the bundled corpus, indexed once per test program by
// `kbtriage index` (it takes a while) and shared by its tests, which only
// read it.
inline const std::string& corpus_store() {
  static TempDir dir;
  static const std::string db = dir / "store";
  static const bool built = run_cli("index --quiet --db " + quote(db) + " " + quote(corpus_dir())).status == 0;
  if (!built) throw std::runtime_error("kbtriage index of the corpus failed");
  return db;
}

}  // namespace kbtriage::test
