#include "kbtriage/indexer.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "kbtriage/article_json.h"
#include "kbtriage/parser.h"
#include "kbtriage/schema.h"
#include "fnv.h"
#include "store_writer.h"
#include "xapian_doc.h"

namespace kbtriage {

namespace fs = std::filesystem;

namespace {

// Which form wins when one article comes in several: the raw text is the
// original; XML is what another source fed in; the web form and page text
// are renderings of the raw text.
int form_rank(Format f) {
  switch (f) {
    case Format::kRaw: return 4;
    case Format::kXml: return 3;
    case Format::kWeb: return 2;
    case Format::kPage: return 1;
  }
  return 0;
}

struct FileEntry {
  std::string path;
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

bool is_candidate(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] != '.';
}

void walk(const std::string& root, std::vector<FileEntry>& files, std::vector<SkippedFile>& missing) {
  std::error_code ec;
  auto add = [&](const fs::directory_entry& e) {
    std::error_code ec2;
    auto t = e.last_write_time(ec2);
    files.push_back({e.path().lexically_normal().string(), static_cast<int64_t>(e.file_size(ec2)),
                     std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count()});
  };
  fs::directory_entry top(root, ec);
  if (ec || !top.exists()) {
    missing.push_back({root, "no such file or directory"});
    return;
  }
  if (top.is_regular_file()) {
    add(top);
    return;
  }
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!is_candidate(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) add(*it);
  }
}

bool read_all(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0) return false;
  out.resize(static_cast<size_t>(size));
  in.seekg(0);
  in.read(out.data(), size);
  out.resize(static_cast<size_t>(in.gcount()));
  return true;
}

// The outcome of parsing one file, made by a worker thread.
struct Parsed {
  std::string hash;
  std::optional<Article> article;
  std::string body;  // the article's JSON
  std::string error;
  Xapian::Document doc;
  std::vector<std::string> spelling;
};

// Parses files on worker threads; results are handed to the writer in order.
class ParsePool {
 public:
  ParsePool(const std::vector<FileEntry>& files, unsigned jobs) : files_(files), results_(files.size()),
        ready_(files.size()) {
    for (unsigned i = 0; i < jobs; ++i) {
      threads_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "kbt-parse");
        work();
      });
    }
  }
  ~ParsePool() {
    stop_ = true;
    window_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  // Blocks until file i is parsed; the result is moved out.
  Parsed take(size_t i) {
    std::unique_lock lock(mutex_);
    ready_cv_.wait(lock, [&] { return ready_[i] != 0; });
    Parsed p = std::move(results_[i]);
    consumed_ = i + 1;
    window_cv_.notify_all();
    return p;
  }

 private:
  static constexpr size_t kWindow = 2048;  // bound on parsed-but-unwritten files

  void work() {
    DocBuilder builder;
    for (;;) {
      size_t i = next_.fetch_add(1);
      if (i >= files_.size()) return;
      {
        std::unique_lock lock(mutex_);
        window_cv_.wait(lock, [&] { return stop_ || i < consumed_ + kWindow; });
        if (stop_) return;
      }
      Parsed p = parse_one(files_[i].path, builder);
      std::lock_guard lock(mutex_);
      results_[i] = std::move(p);
      ready_[i] = 1;
      ready_cv_.notify_all();
    }
  }

  static Parsed parse_one(const std::string& path, DocBuilder& builder) {
    Parsed p;
    std::string bytes;
    if (!read_all(path, bytes)) {
      p.error = "cannot read file";
      return p;
    }
    p.hash = content_hash(bytes);
    ParseResult r = parse_article(bytes);
    if (!r.article) {
      p.error = std::move(r.error);
      return p;
    }
    p.doc = builder.build(*r.article, p.hash, p.spelling);
    p.body = article_to_json(*r.article);
    p.article = std::move(r.article);
    return p;
  }

  const std::vector<FileEntry>& files_;
  std::vector<Parsed> results_;
  std::vector<char> ready_;
  std::atomic<size_t> next_{0};
  size_t consumed_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable ready_cv_, window_cv_;
  std::vector<std::thread> threads_;
};

class Run {
 public:
  Run(const IndexOptions& o, const std::function<void(const IndexProgress&)>& progress)
      : opt_(o), progress_(progress), writer_(o.db_dir, o.shards) {}

  IndexSummary go() {
    std::vector<FileEntry> files;
    for (const std::string& p : opt_.paths) walk(p, files, sum_.skipped_files);
    sum_.skipped = sum_.skipped_files.size();
    // Web-form files (README.md) after the rest: the raw text of an article
    // usually comes first then, and the web form is a duplicate rather than
    // something written and then replaced. Only an order: the form decides.
    auto web_last = [](const FileEntry& f) { return f.path.ends_with(".md"); };
    std::sort(files.begin(), files.end(), [&](const FileEntry& a, const FileEntry& b) {
      return std::pair(web_last(a), std::string_view(a.path)) < std::pair(web_last(b), std::string_view(b.path));
    });
    files.erase(std::unique(files.begin(), files.end(),
                            [](const FileEntry& a, const FileEntry& b) { return a.path == b.path; }),
                files.end());
    sum_.files = files.size();
    known_ = writer_.load_sources();

    std::vector<FileEntry> todo;
    const std::string parser_prefix = std::to_string(schema::kParserVersion) + ":";
    for (const FileEntry& f : files) {
      auto it = known_.find(f.path);
      if (it != known_.end() && it->second.size == f.size && it->second.mtime_ns == f.mtime_ns &&
          it->second.hash.starts_with(parser_prefix)) {
        ++sum_.unchanged;
      } else {
        todo.push_back(f);
      }
    }
    progress_state_.files_total = files.size();
    progress_state_.files_done = sum_.unchanged;
    process(todo);
    if (opt_.prune) prune(files);
    // Files that lost to another form of an article that has since gone.
    while (!reparse_.empty()) {
      std::vector<FileEntry> again;
      for (const std::string& p : reparse_) {
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) again.push_back({p, static_cast<int64_t>(fs::file_size(p, ec)), 0});
      }
      reparse_.clear();
      process(again);
    }
    writer_.commit();
    sum_.articles = writer_.article_count();
    sum_.generation = writer_.generation();
    sum_.seconds = elapsed();
    report(true);
    return sum_;
  }

 private:
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  void report(bool force) {
    if (!progress_) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_report_ < std::chrono::milliseconds(100)) return;
    last_report_ = now;
    progress_state_.elapsed_seconds = elapsed();
    progress_(progress_state_);
  }

  void process(const std::vector<FileEntry>& todo) {
    if (todo.empty()) return;
    unsigned jobs = opt_.jobs ? opt_.jobs : std::max(1u, std::thread::hardware_concurrency());
    ParsePool pool(todo, jobs);
    for (size_t i = 0; i < todo.size(); ++i) {
      apply(todo[i], pool.take(i));
      ++progress_state_.files_done;
      if (writer_.pending() >= opt_.commit_every) writer_.commit();
      report(false);
    }
  }

  void apply(const FileEntry& f, Parsed p) {
    SourceRow src{f.path, f.size, f.mtime_ns, p.hash, {}, {}, {}};
    auto known = known_.find(f.path);
    if (known != known_.end() && known->second.hash == p.hash && !p.hash.empty()) {
      // Touched but not changed: remember the new mtime, nothing else.
      src.id = known->second.id;
      src.status = known->second.status;
      src.reason = known->second.reason;
      writer_.note_source(src);
      ++sum_.unchanged;
      return;
    }
    if (!p.article) {
      src.status = "skipped";
      src.reason = p.error;
      writer_.note_source(src);
      sum_.skipped_files.push_back({f.path, p.error});
      ++sum_.skipped;
      drop_old_id(known, "");
      return;
    }
    const Article& a = *p.article;
    src.id = a.id;
    drop_old_id(known, a.id);
    const int rank = form_rank(a.format);
    std::optional<CurrentSource> cur = writer_.current(a.id);
    if (cur && cur->path != f.path && cur->rank >= rank) {
      src.status = "duplicate";
      src.reason = a.id + " is indexed from " + cur->path;
      writer_.note_source(src);
      ++sum_.duplicates;
      return;
    }
    if (cur && cur->path != f.path) {
      // A better form replaces the one indexed; that file becomes a duplicate
      // (already counted when it was seen).
      SourceRow loser = known_.count(cur->path) ? known_[cur->path] : SourceRow{cur->path, 0, 0, {}, a.id, {}, {}};
      loser.status = "duplicate";
      loser.reason = a.id + " is indexed from " + f.path;
      writer_.note_source(loser);
    }
    src.status = "indexed";
    writer_.put(a, p.body, std::move(p.doc), src, rank, p.spelling, cur.has_value());
    ++(cur ? sum_.replaced : sum_.indexed);
    ++progress_state_.articles_written;
  }

  // A file that used to hold article `old` now holds `now_id` (or nothing).
  void drop_old_id(std::unordered_map<std::string, SourceRow>::iterator known, const std::string& now_id) {
    if (known == known_.end() || known->second.id.empty() || known->second.id == now_id) return;
    const std::string& old = known->second.id;
    std::optional<CurrentSource> cur = writer_.current(old);
    if (cur && cur->path == known->first) {
      writer_.remove(old);
      ++sum_.removed;
      for (std::string& p : writer_.duplicate_sources(old)) reparse_.insert(std::move(p));
    }
  }

  void prune(const std::vector<FileEntry>& files) {
    std::set<std::string> seen;
    for (const FileEntry& f : files) seen.insert(f.path);
    std::vector<std::string> roots;
    for (const std::string& p : opt_.paths) roots.push_back(fs::path(p).lexically_normal().string());
    for (auto& entry : known_) {
      // Not a structured binding: clang 14 cannot capture those in the lambda below.
      const std::string& path = entry.first;
      const SourceRow& row = entry.second;
      if (seen.count(path)) continue;
      bool under = std::any_of(roots.begin(), roots.end(), [&](const std::string& r) {
        return path == r || (path.starts_with(r) && (r.ends_with("/") || path[r.size()] == '/'));
      });
      if (!under) continue;
      std::optional<CurrentSource> cur = row.id.empty() ? std::nullopt : writer_.current(row.id);
      if (cur && cur->path == path) {
        writer_.remove(row.id);
        ++sum_.removed;
        for (std::string& p : writer_.duplicate_sources(row.id)) {
          if (seen.count(p)) reparse_.insert(std::move(p));
        }
      }
      writer_.forget_source(path);
      if (writer_.pending() >= opt_.commit_every) writer_.commit();
    }
  }

  const IndexOptions& opt_;
  const std::function<void(const IndexProgress&)>& progress_;
  StoreWriter writer_;
  IndexSummary sum_;
  IndexProgress progress_state_;
  std::unordered_map<std::string, SourceRow> known_;
  std::set<std::string> reparse_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_report_{};
};

}  // namespace

std::string content_hash(std::string_view bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d:%016llx", schema::kParserVersion, static_cast<unsigned long long>(fnv1a64(bytes)));
  return buf;
}

IndexSummary index_paths(const IndexOptions& options, const std::function<void(const IndexProgress&)>& progress) {
  Run run(options, progress);
  return run.go();
}

}  // namespace kbtriage
