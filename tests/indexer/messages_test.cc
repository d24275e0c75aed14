// Error messages quoted by an article: indented blocks after an introducing
// sentence, log excerpts, and quoted strings in sentences about errors.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "kbtriage/article.h"
#include "kbtriage/parser.h"
#include "raw_article.h"

namespace kbtriage {
namespace {

using test::parse_raw_body;
using test::raw_article;

// The messages' texts, " | " between them.
std::string texts(const Article& a) {
  std::string out;
  for (const Message& m : a.messages) out += (out.empty() ? "" : " | ") + m.text;
  return out;
}

// "[SECTION] pattern | [SECTION] pattern".
std::string patterns(const Article& a) {
  std::string out;
  for (const Message& m : a.messages) out += (out.empty() ? "[" : " | [") + m.section + "] " + m.pattern;
  return out;
}

TEST_CASE("an indented block after 'you receive the following error message:' is a message", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "When you start the Spooler service, you receive the following error\n"
      "message:\n"
      "\n"
      "   Could not start the Spooler service on \\\\PRINT01.\n"
      "   Error 1067: The process terminated unexpectedly.\n"
      "\n"
      "This problem occurs on multiprocessor computers only.\n");
  CHECK(texts(a) ==
        "Could not start the Spooler service on \\\\PRINT01.\n"
        "Error 1067: The process terminated unexpectedly.");
  CHECK(patterns(a) ==
        "[SYMPTOMS] Could not start the Spooler service on <path>. Error 1067: The process terminated "
        "unexpectedly.");
}

TEST_CASE("each block after the introducing sentence is a message until prose resumes", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "You may receive one of the following error messages:\n"
      "\n"
      "   Cannot open file C:\\DATA\\ORDERS.MDB.\n"
      "\n"
      "   The database 'Orders' is locked by user 'jsmith'.\n"
      "\n"
      "To restart the service, type:\n"
      "\n"
      "   net start spooler\n");
  CHECK(texts(a) ==
        "Cannot open file C:\\DATA\\ORDERS.MDB. | The database 'Orders' is locked by user 'jsmith'.");
  CHECK(patterns(a) ==
        "[SYMPTOMS] Cannot open file <path>. | [SYMPTOMS] The database '<name>' is locked by user '<name>'.");
}

TEST_CASE("'-or-' between quoted messages keeps the next block a message", "[messages]") {
  // The separators the archive writes between messages, each alone on a
  // line: "-or-" (4,500 times), "or", "- or -", "OR", "- OR -", "-and-" (455).
  for (std::string_view sep : {"-or-", "or", "- or -", "OR", "- OR -", "-and-", "- AND -"}) {
    Article a = parse_raw_body(
        "SYMPTOMS\n"
        "========\n"
        "\n"
        "You may receive one of the following error messages:\n"
        "\n"
        "   The Works Task Launcher cannot access the task you selected.\n"
        "\n"
        "   " + std::string(sep) + "\n"
        "\n"
        "   Works cannot access one or more files.\n"
        "\n"
        "   " + std::string(sep) + "\n"
        "\n"
        "   MSWORKS caused an invalid page fault in module RICHED20.DLL.\n"
        "\n"
        "To work around it, do this:\n"
        "\n"
        "   - or -\n"
        "\n"
        "   Remove the file.\n");
    INFO(sep);
    CHECK(texts(a) ==
          "The Works Task Launcher cannot access the task you selected. | Works cannot access one or more "
          "files. | MSWORKS caused an invalid page fault in module RICHED20.DLL.");
  }
}

TEST_CASE("'you may see the following event in Event Viewer:' introduces the event's description", "[messages]") {
  for (std::string_view intro : {"you may see the following event in Event Viewer:", "SNA Server may log the following:",
                                 "The following event is posted in the application log:"}) {
    Article a = parse_raw_body(
        "SYMPTOMS\n"
        "========\n"
        "\n"
        "The Parallel driver may not start, and " + std::string(intro) + "\n"
        "\n"
        "   Event ID: 3\n"
        "   Source: Parallel\n"
        "   Description:  Not enough memory was available to allocate internal\n"
        "   storage needed for the device.\n");
    INFO(intro);
    CHECK(texts(a) == "Not enough memory was available to allocate internal\nstorage needed for the device.");
  }
}

TEST_CASE("a quoted name wrapped onto the next line is not a Basic comment", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "You might receive the following error message:\n"
      "\n"
      "   fatal error C1001: INTERNAL COMPILER ERROR (compiler file\n"
      "   'E:\\8168\\vc98\\p2\\src\\P2\\ehexcept.c', line 577)\n");
  CHECK(patterns(a) == "[SYMPTOMS] fatal error C1001: INTERNAL COMPILER ERROR (compiler file '<name>', line <#>)");
}

TEST_CASE("a Basic comment with an apostrophe is still code, not a message", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "When you run it, you receive the following error message:\n"
      "\n"
      "   ' Don't change this value\n"
      "   ' It's read by the 'setup' program\n"
      "   x = 5\n");
  CHECK(texts(a).empty());
}

TEST_CASE("a bulleted list after an introducing sentence gives a message per item", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "If you run Paginator without QRKSOFT in the path, the following error messages occur:\n"
      "\n"
      " - Cannot find file QRKFS.DLL\n"
      "\n"
      " - Cannot find file QRKVM.DLL\n"
      " - Cannot find file QRKIM.DLL, or a file it\n"
      "   needs\n"
      "\n"
      "To avoid this, note the following:\n"
      "\n"
      " - Add C:\\QRKSOFT to the path.\n"
      "\n"
      "If you receive these error messages, do the following:\n"
      "\n"
      " - Click Start, and then click Run.\n"
      " - Type sysedit, and then click OK.\n");
  CHECK(texts(a) ==
        "Cannot find file QRKFS.DLL | Cannot find file QRKVM.DLL | Cannot find file QRKIM.DLL, or a file it needs");
}

TEST_CASE("a 'the following entries are found in the logs:' block gives a message per line", "[messages]") {
  Article a = parse_raw_body(
      "SUMMARY\n"
      "=======\n"
      "\n"
      "The following entries are found in the logs:\n"
      "\n"
      "    10:24:50 Synchronizing Mailbox 'jsmith'\n"
      "    10:24:51 Synchronizing Hierarchy\n"
      "    10:24:51       <#> folder(s) added to offline store\n"
      "    10:24:52 Done\n");
  CHECK(texts(a) ==
        "10:24:50 Synchronizing Mailbox 'jsmith' | 10:24:51 Synchronizing Hierarchy | "
        "10:24:51       <#> folder(s) added to offline store | 10:24:52 Done");
  CHECK(patterns(a) ==
        "[SUMMARY] <time> Synchronizing Mailbox '<name>' | [SUMMARY] <time> Synchronizing Hierarchy | "
        "[SUMMARY] <time> <#> folder(s) added to offline store | [SUMMARY] <time> Done");
}

TEST_CASE("an event-log intro ('is logged:') also splits its block per line", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "The following error is logged in the SQL Server error log:\n"
      "\n"
      "   2000-05-02 14:22:46.31 logon    Login failed for user 'repl_jdoe'.\n"
      "   2000-05-02 14:23:46.52 logon    Login failed for user 'sa'.\n");
  CHECK(texts(a) ==
        "2000-05-02 14:22:46.31 logon    Login failed for user 'repl_jdoe'. | "
        "2000-05-02 14:23:46.52 logon    Login failed for user 'sa'.");
  // One pattern for both lines; stored once per text.
  REQUIRE(a.messages.size() == 2);
  CHECK(a.messages[0].pattern == "<date> <time> logon Login failed for user '<name>'.");
  CHECK(a.messages[1].pattern == a.messages[0].pattern);
}

TEST_CASE("quoted strings in sentences about errors are messages", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "When you compact the database, you receive the error \"Disk or network\n"
      "error.\" and the compact operation stops.\n"
      "\n"
      "Outlook displays \xE2\x80\x9CThe Exchange Server is not responding.\xE2\x80\x9D in the status bar.\n"
      "\n"
      "To start the service again, type \"net start spooler now\" at a command line.\n"
      "\n"
      "Setup reports the error \"Failed\".\n");
  CHECK(texts(a) == "Disk or network error. | The Exchange Server is not responding.");
  CHECK(patterns(a) ==
        "[SYMPTOMS] Disk or network error. | [SYMPTOMS] The Exchange Server is not responding.");
}

TEST_CASE("code listings after 'the following code:' are not messages", "[messages]") {
  Article a = parse_raw_body(
      "MORE INFORMATION\n"
      "================\n"
      "\n"
      "To reproduce the problem, run the following code:\n"
      "\n"
      "   Dim db As Database\n"
      "   Set db = OpenDatabase(\"C:\\Orders.mdb\")\n"
      "   db.Close\n"
      "\n"
      "Run the following sample code, which displays a message box:\n"
      "\n"
      "   MsgBox \"Hello\"\n"
      "\n"
      "The following example gives the error:\n"
      "\n"
      "   x = 1 / 0\n");
  CHECK(texts(a) == "");
}

TEST_CASE("a listing after an error-message intro is not a message when it looks like code", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "When you compile the following, you receive an error message:\n"
      "\n"
      "   int main() {\n"
      "     return f(1);\n"
      "   }\n");
  CHECK(texts(a) == "");
}

// The introducing sentence speaks of "code" and a "statement", but it says
// the compiler reports an error: the block is a message (corpus Q900004).
TEST_CASE("'the compiler may report the following error:' introduces a message", "[messages]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "When you compile code that contains a switch statement inside a __try\n"
      "block, the compiler may report the following error:\n"
      "\n"
      "   blockchk.c(14) : fatal error C1001: INTERNAL COMPILER ERROR\n");
  CHECK(texts(a) == "blockchk.c(14) : fatal error C1001: INTERNAL COMPILER ERROR");
}

// "At a command prompt" holds the cue word "prompt", but what follows is a
// command to type, not a message (corpus Q900003, Q900006, Q900030).
TEST_CASE("a command after 'At a command prompt type' is not a message", "[messages]") {
  Article a = parse_raw_body(
      "RESOLUTION\n"
      "==========\n"
      "\n"
      "At a command prompt, type the following command, and then press ENTER:\n"
      "\n"
      "   net stop cisvc\n");
  CHECK(texts(a) == "");
}

// A cross-reference list ("click the article number below") after a sentence
// that mentions an error is not a message (corpus Q900026).
TEST_CASE("an article cross-reference is not a message", "[messages]") {
  Article a = parse_raw_body(
      "MORE INFORMATION\n"
      "================\n"
      "\n"
      "For additional information about error 1335, click the article number\n"
      "below to view the article in the Microsoft Knowledge Base:\n"
      "\n"
      "  Q900009 OFF2000: Setup Error 1335 - Cabinet File Reported as Corrupt\n");
  CHECK(texts(a) == "");
}

}  // namespace
}  // namespace kbtriage
