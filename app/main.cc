// kbtriage: the command-line front end. A table of subcommands over the
// indexer and engine libraries; each parses its arguments, calls the library
// and prints text or --json.
#include <exception>
#include <iostream>
#include <string_view>

#include "cli.h"
#include "kbtriage/error.h"

namespace kbtriage::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"index", "index [--db DIR] [--prune] [--jobs N] [--json] PATH...",
       "parse article files and folders into the store",
       "Walks files and folders, detects each file's form (raw text, web form, page text,\n"
       "Q&A, article XML), parses on all cores and writes the store: SQLite records and the\n"
       "Xapian index. Unchanged files are skipped; a changed file replaces its article.\n"
       "An article id present in several files is one article: the raw text form wins over\n"
       "XML, the web form and page text (see docs/store.md).\n\n"
       "  --db DIR     the store (default $KBTRIAGE_DB, else ~/.local/share/kbtriage)\n"
       "  --prune      remove articles whose files are gone from the given folders\n"
       "  --jobs N     parser threads (default: the number of cores)\n"
       "  --json       print the summary as JSON on standard output\n"
       "  --quiet      no progress line\n\n"
       "Safe to kill at any moment: the store stays consistent and the next run finishes the job.",
       run_index},
      {"search", "search [--db DIR] [--json] [--limit N] [--offset N] [--explain] [--facets] QUERY... | - | --batch IN.jsonl",
       "find the articles for an error message, a log excerpt, a code or a description",
       "QUERY is what you have: an error message as it appeared (paste it, quotes and all),\n"
       "several lines of a log, an error code in any notation (0x80004005, -2147467259,\n"
       "STOP 0xA, event ID 1001), or a few words. - reads the query from standard input.\n"
       "Variable parts (file names, paths, numbers, user names) need not match the article's;\n"
       "typos and common abbreviations are forgiven. In a short query you may also write:\n\n"
       "  \"exact phrase\"   field:value   word*   AND  OR  NOT\n"
       "  fields: product: id: title: symptom: cause: resolution: message: code: version:\n"
       "          type: (issue type, e.g. kbprb) year: (1999 or 1999..2001)\n\n"
       "  --db DIR         the store\n"
       "  --limit N, -n N  results to show (default 10)\n"
       "  --offset N       skip the first N results (paging)\n"
       "  --product P      only articles of product P (tag like exchange, or words of its name)\n"
       "  --year Y         only articles last modified in Y (or Y1..Y2)\n"
       "  --type T         only articles of issue type T (kbprb, kbbug, ...)\n"
       "  --facets         count matches per product, year and issue type (with --json)\n"
       "  --json           one JSON object: results with snippet (<mark>), symptom and why\n"
       "  --explain        show the query as parsed and as run\n"
       "  --batch FILE     run each line {\"qid\", \"query\"} of FILE (- for standard input);\n"
       "                   print one line {\"qid\", \"results\": [{\"id\", \"title\", \"score\"}], \"took_ms\"}\n"
       "  --full           with --batch: full results (snippet, symptom, why)\n"
       "                   (--batch first readies the store's search cache, search-postings.bin:\n"
       "                   the posting lists in one file, read out of the index once per change)\n"
       "  --no-cache       rank with Xapian's matcher even when the search cache fits (same\n"
       "                   results, slower: for comparison)\n"
       "  --ranking FILE   ranking settings instead of the built-in engine/data/ranking.conf\n"
       "  --synonyms FILE  synonyms instead of the built-in engine/data/synonyms.txt\n\n"
       "Exit status 1 when nothing matched.",
       run_search},
      {"match", "match [--db DIR] [--json] [--limit N] [--quick] [--one-thread] [--product P] [--version V] [--os O] [--rules PATH] TEXT... | --file F | - | --batch IN.jsonl",
       "match pasted error text or a log against the rules, with the evidence",
       "Each TEXT is a line of what you observed: an error dialog, log lines (- reads them from\n"
       "standard input, so a whole log can be piped in). The lines are scanned once against\n"
       "every rule: rules derived from each article's quoted messages and error codes, and the\n"
       "hand-written XML rules given with --rules. The articles the rules name are ranked with\n"
       "the search layer's ranking of the same text; each comes with its cause and resolution\n"
       "and the evidence (input line -> rule -> pattern); the runner-up says why it is not first.\n\n"
       "  --db DIR         the store\n"
       "  --file F, -f F   read input lines from the file F (repeatable; - is standard input)\n"
       "  --product P      the product in use (Outlook, Exchange Server, ...)\n"
       "  --version V      its version (5.5, 98, ...)\n"
       "  --os O           the operating system (Windows NT, Windows 95, ...)\n"
       "  --rules PATH     a rule file, or a folder of *.xml rule files (repeatable; default\n"
       "                   $KBTRIAGE_RULES, colon-separated); see rules/README.md\n"
       "  --no-derived     only the hand-written rules, none derived from the articles\n"
       "  --limit N, -n N  results to show (default 10)\n"
       "  --quick          when the input is word for word a message articles quote, rank\n"
       "                   only those articles: about 3x faster, no other articles listed\n"
       "  --one-thread     a long input on this thread alone (by default, from 4,096 lines, a\n"
       "                   second thread reads lines ahead of the rules' checks); same results\n"
       "  --json           one JSON object: results with cause, resolution, evidence; why_not\n"
       "  --batch FILE     run each line {\"qid\", \"query\", \"product\"?, \"version\"?, \"os\"?} of\n"
       "                   FILE (- for standard input); print one line\n"
       "                   {\"qid\", \"results\": [{\"id\", \"title\", \"score\", \"confidence\"}], \"took_ms\"}\n"
       "  --full           with --batch: full results\n"
       "                   (--batch first readies the store's search cache, as search --batch does)\n"
       "  --ranking FILE   ranking settings instead of the built-in engine/data/ranking.conf\n\n"
       "Exit status 1 when nothing matched; 2 when a rule file is broken (FILE:LINE: message).",
       run_match},
      {"rules", "rules check [--db DIR] [--json] [FILE|DIR...]", "validate hand-written rule files",
       "Reads each rule file (a folder: its *.xml files; default $KBTRIAGE_RULES, else ./rules)\n"
       "and reports every problem as FILE:LINE: message: XML that is not well-formed, unknown\n"
       "elements or attributes, a bad regex, an empty version range, unknown or undeclared\n"
       "facts, duplicate rule ids, rules that can never fire, and articles the store does\n"
       "not have (when a store is found; --db names it).\n\n"
       "  --db DIR     the store whose article ids the rules may name\n"
       "  --json       {\"rules\", \"facts\", \"diagnostics\": [{\"file\", \"line\", \"message\"}]}\n\n"
       "Exit status 0 when the files are sound, 2 otherwise.",
       run_rules},
      {"parse", "parse [--json] [--sections] FILE...", "parse article files and print their records (no store)",
       "Prints each article's metadata, symptom, cause and resolution records, quoted error\n"
       "messages with their masked patterns, error codes and references. FILE may be - for\n"
       "standard input.\n\n"
       "  --json       one JSON object per article, one per line\n"
       "  --sections   also print the article's sections\n\n"
       "Files that are not articles are reported as FILE:LINE: reason (exit status 2).",
       run_parse},
      {"show", "show [--db DIR] [--json] [--sections] ID", "print an article of the store with its records",
       "  --db DIR     the store\n"
       "  --json       the article as one JSON object\n"
       "  --sections   also print the article's sections\n\n"
       "Exit status 1 when the store has no article ID.",
       run_show},
      {"export", "export --xml [--db DIR] [-o FILE|DIR/] [ID...]", "write articles in the project's article XML",
       "Writes the given articles (all when no ID is given) as article XML, the form other\n"
       "knowledge-base sources are fed in with. Several articles go in one <articles> document;\n"
       "with -o DIR/ each goes in its own DIR/ID.xml, which `kbtriage index DIR` reads back.\n\n"
       "  --db DIR     the store\n"
       "  -o FILE      write to FILE instead of standard output\n"
       "  -o DIR/      one file per article in DIR",
       run_export},
      {"check", "check [--db DIR] [--json]", "verify that the store is intact and its two sides agree",
       "Runs SQLite's integrity check and compares the article sets (ids and content hashes) of\n"
       "the SQLite records and the Xapian index at the store's committed generation.\n"
       "Exit status 0 when they agree, 2 with the problems listed otherwise.",
       run_check},
  };
  return kCommands;
}

const Command* find_command(std::string_view name) {
  for (const Command& c : commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

namespace {

void print_overview(std::ostream& out) {
  out << "kbtriage: find the knowledge-base article for an error, with its cause and resolution\n\n"
         "usage: kbtriage COMMAND [ARGS]\n\ncommands:\n";
  for (const Command& c : commands()) {
    out << "  " << c.name << std::string(10 - std::string_view(c.name).size(), ' ') << c.summary << '\n';
  }
  out << "\n`kbtriage help COMMAND` (or COMMAND --help) shows a command's options.\n"
         "Exit status: 0 ok, 1 nothing found, 2 bad usage or bad input.\n";
}

void print_help(const Command& c) {
  std::cout << "usage: kbtriage " << c.usage << "\n\n" << c.summary << ".\n\n" << c.help << '\n';
}

}  // namespace

}  // namespace kbtriage::cli

int main(int argc, char** argv) {
  using namespace kbtriage::cli;
  std::ios::sync_with_stdio(false);
  if (argc < 2) {
    print_overview(std::cerr);
    return kExitUsage;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    if (argc > 2) {
      if (const Command* c = find_command(argv[2])) {
        print_help(*c);
        return kExitOk;
      }
      std::cerr << "kbtriage: no command '" << argv[2] << "'\n";
      return kExitUsage;
    }
    print_overview(std::cout);
    return kExitOk;
  }
  if (name == "--version") {
    std::cout << "kbtriage 0.1.0\n";
    return kExitOk;
  }
  const Command* cmd = find_command(name);
  if (!cmd) {
    std::cerr << "kbtriage: no command '" << name << "'\n\n";
    print_overview(std::cerr);
    return kExitUsage;
  }
  Args args(argv + 2, argv + argc);
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") {
      print_help(*cmd);
      return kExitOk;
    }
  }
  try {
    return cmd->run(args);
  } catch (const kbtriage::Error& e) {
    std::cerr << "kbtriage " << cmd->name << ": " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "kbtriage " << cmd->name << ": internal error: " << e.what() << '\n';
    return kExitUsage;
  }
}
