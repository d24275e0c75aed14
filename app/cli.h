// Shared pieces of the kbtriage command-line front end: the subcommand table,
// argument helpers and output conventions (exit 0 ok, 1 nothing found, 2 bad
// usage or input, reason on standard error).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kbtriage::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNotFound = 1;
inline constexpr int kExitUsage = 2;

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* usage;    // "parse [--json] FILE..."
  const char* summary;  // one line
  const char* help;     // the rest of `kbtriage help CMD`
  std::function<int(const Args&)> run;
};

const std::vector<Command>& commands();
// The command named `name`; nullptr when there is none.
const Command* find_command(std::string_view name);

// Options shared by the commands' argument loops.
class ArgReader {
 public:
  ArgReader(const Args& args, const Command& cmd) : args_(args), cmd_(cmd) {}
  // Advances; false at the end.
  bool next();
  const std::string& current() const { return current_; }
  bool is(std::string_view flag) const { return current() == flag; }
  bool is_option() const { return current_.size() > 1 && current_[0] == '-' && !ended_options_; }
  // The value after the current flag ("--db DIR" or "--db=DIR"); exits 2 when missing.
  std::string value();
  [[noreturn]] void unknown() const;

 private:
  const Args& args_;
  const Command& cmd_;
  size_t i_ = static_cast<size_t>(-1);
  bool ended_options_ = false;
  std::string current_;
  std::optional<std::string> inline_value_;
};

[[noreturn]] void usage_error(const Command& cmd, const std::string& message);

// --db, else $KBTRIAGE_DB, else $XDG_DATA_HOME/kbtriage, else ~/.local/share/kbtriage.
std::string default_db_dir();

// The bytes of `path`, or of standard input for "-"; nullopt when it cannot be read.
std::optional<std::string> read_input(const std::string& path);

// read_input(), or Error("PATH: cannot read").
std::string read_text_file(const std::string& path);

// Runs `each` on every {"query": ...} object of a --batch file (one JSON
// object a line; "-" is standard input), in order, and prints its result
// line {"qid", "results", ...} to standard output. Lines that are not such
// objects are reported as PATH:LINE on standard error and skipped. Returns
// kExitUsage when any line was bad, else kExitOk.
int run_batch_file(const std::string& path, const std::function<nlohmann::json(const nlohmann::json& query)>& each);

bool stdout_is_terminal();
bool stderr_is_terminal();
int terminal_width();

int run_parse(const Args& args);
int run_index(const Args& args);
int run_show(const Args& args);
int run_search(const Args& args);
int run_export(const Args& args);
int run_check(const Args& args);
int run_match(const Args& args);
int run_rules(const Args& args);

}  // namespace kbtriage::cli
