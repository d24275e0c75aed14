// Symptom, cause and resolution records: from SYMPTOMS/CAUSE/RESOLUTION-style
// headings, and inferred from the wording where an article has none.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/article.h"
#include "kbtriage/parser.h"
#include "raw_article.h"

namespace kbtriage {
namespace {

using test::parse_raw_body;
using test::raw_article;

// "SECTION(origin): text | SECTION(origin): text".
std::string records(const std::vector<Record>& rs) {
  std::string out;
  for (const Record& r : rs) {
    if (!out.empty()) out += " | ";
    out += r.section + "(" + origin_name(r.origin) + "): " + r.text;
  }
  return out;
}

// "SECTION(origin) SECTION(origin)", without the texts.
std::string origins(const std::vector<Record>& rs) {
  std::string out;
  for (const Record& r : rs) {
    if (!out.empty()) out += ' ';
    out += r.section + "(" + origin_name(r.origin) + ")";
  }
  return out;
}

constexpr std::string_view kHeadedBody =
    "SYMPTOMS\n"
    "========\n"
    "\n"
    "The Spooler service stops when you print to an LPR queue.\n"
    "\n"
    "CAUSE\n"
    "=====\n"
    "\n"
    "The LPR port monitor overruns a buffer.\n"
    "\n"
    "RESOLUTION\n"
    "==========\n"
    "\n"
    "Install Service Pack 4.\n"
    "\n"
    "WORKAROUND\n"
    "==========\n"
    "\n"
    "Use a queue name of 31 characters or fewer.\n"
    "\n"
    "STATUS\n"
    "======\n"
    "\n"
    "Microsoft has confirmed this to be a bug.\n"
    "\n"
    "MORE INFORMATION\n"
    "================\n"
    "\n"
    "You must restart the computer. This occurs because the driver is cached.\n";

TEST_CASE("SYMPTOMS/CAUSE/RESOLUTION/WORKAROUND/STATUS headings give records with origin heading",
          "[records]") {
  Article a = parse_raw_body(kHeadedBody);
  CHECK(records(a.symptoms) ==
        "SYMPTOMS(heading): The Spooler service stops when you print to an LPR queue.");
  CHECK(records(a.causes) == "CAUSE(heading): The LPR port monitor overruns a buffer.");
  CHECK(records(a.resolutions) ==
        "RESOLUTION(heading): Install Service Pack 4. | "
        "WORKAROUND(heading): Use a queue name of 31 characters or fewer. | "
        "STATUS(heading): Microsoft has confirmed this to be a bug.");
}

TEST_CASE("a heading record keeps the section's text as written", "[records]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "You receive the following error message:\n"
      "\n"
      "   Error 1067: The process terminated unexpectedly.\n"
      "\n"
      "CAUSE\n"
      "=====\n"
      "\n"
      "The folder is read-only.\n"
      "\n"
      "RESOLUTION\n"
      "==========\n"
      "\n"
      "Grant the SYSTEM account Full Control.\n");
  REQUIRE(a.symptoms.size() == 1);
  CHECK(a.symptoms[0].text ==
        "You receive the following error message:\n\n   Error 1067: The process terminated unexpectedly.");
  CHECK(a.symptoms[0].origin == Origin::kHeading);
}

TEST_CASE("missing headings are inferred from the other sections' wording", "[records]") {
  Article a = parse_raw_body(
      "SYMPTOMS\n"
      "========\n"
      "\n"
      "The World Wide Web Publishing service does not start.\n"
      "\n"
      "MORE INFORMATION\n"
      "================\n"
      "\n"
      "This problem occurs because the cache folder is read-only. To resolve this\n"
      "problem, grant the SYSTEM account Full Control of the folder.\n"
      "\n"
      "REFERENCES\n"
      "==========\n"
      "\n"
      "To resolve other cache problems, see article Q900006. This occurs because of\n"
      "many things.\n");
  CHECK(origins(a.symptoms) == "SYMPTOMS(heading)");
  CHECK(records(a.causes) ==
        "MORE INFORMATION(inferred): This problem occurs because the cache folder is read-only.");
  CHECK(records(a.resolutions) ==
        "MORE INFORMATION(inferred): To resolve this problem, grant the SYSTEM account Full Control of the "
        "folder.");
}

TEST_CASE("an article without headings gets records from its wording", "[records]") {
  Article a = parse_raw_body(
      "SUMMARY\n"
      "=======\n"
      "\n"
      "When you start Setup from the network share, you receive the following\n"
      "error message:\n"
      "\n"
      "   Error 1335. The cabinet file 'Data1.cab' is corrupt.\n"
      "\n"
      "This occurs because the share holds a truncated copy of the cabinet file.\n"
      "\n"
      "To resolve this problem, copy the installation files to the share again.\n");
  CHECK(records(a.symptoms) ==
        "SUMMARY(inferred): When you start Setup from the network share, you receive the following error "
        "message:\nError 1335. The cabinet file 'Data1.cab' is corrupt.");
  CHECK(records(a.causes) ==
        "SUMMARY(inferred): This occurs because the share holds a truncated copy of the cabinet file.");
  CHECK(records(a.resolutions) ==
        "SUMMARY(inferred): To resolve this problem, copy the installation files to the share again.");
}

TEST_CASE("'Failure to do so' makes the sentence before it part of the cause", "[records]") {
  Article a = parse_raw_body(
      "SUMMARY\n"
      "=======\n"
      "\n"
      "When you recreate the profile, you must manually delete the old OST file.\n"
      "Failure to do so results in synchronization errors.\n");
  CHECK(records(a.causes) ==
        "SUMMARY(inferred): When you recreate the profile, you must manually delete the old OST file. "
        "Failure to do so results in synchronization errors.");
  CHECK(records(a.resolutions) ==
        "SUMMARY(inferred): When you recreate the profile, you must manually delete the old OST file.");
}

constexpr std::string_view kQaBody =
    "Question:\n"
    "\n"
    "When I run my program, it stops with the following error message:\n"
    "\n"
    "   String space corrupt\n"
    "\n"
    "Response:\n"
    "\n"
    "This problem occurs because the COMMON statements in the modules are\n"
    "different. To correct the problem, declare the same variables in the same\n"
    "order in every module.\n";

TEST_CASE("Question/Response articles: the question is the symptom and the response the fix", "[records]") {
  Article a = parse_raw_body(kQaBody);
  CHECK(a.question_answer);
  REQUIRE(a.sections.size() == 2);
  CHECK(a.sections[0].heading == "Question");
  CHECK(a.sections[1].heading == "Response");
  CHECK(records(a.symptoms) ==
        "Question(inferred): When I run my program, it stops with the following error message:\n"
        "String space corrupt");
  CHECK(
      records(a.causes) ==
      "Response(inferred): This problem occurs because the COMMON statements in the modules are different.");
  CHECK(records(a.resolutions) ==
        "Response(inferred): To correct the problem, declare the same variables in the same order in every "
        "module.");
  CHECK(a.messages.size() == 1);
}

TEST_CASE("a Response without fix wording still gives its first paragraph as the resolution", "[records]") {
  Article a = parse_raw_body(
      "Question:\n"
      "\n"
      "Why does LINK stop with error L2025?\n"
      "\n"
      "Response:\n"
      "\n"
      "LINK takes whole object modules from a library.\n"
      "\n"
      "A second paragraph.\n");
  CHECK(a.question_answer);
  CHECK(records(a.resolutions) == "Response(inferred): LINK takes whole object modules from a library.");
}

// In a Q&A article the Question is not mined for causes and resolutions:
// "linked to use the run-time module" is not a fix and "What causes these
// errors?" is not a cause (corpus Q900012, Q900020).
TEST_CASE("Q&A articles take causes and resolutions from the Response only", "[records]") {
  Article a = parse_raw_body(
      "Question:\n"
      "\n"
      "All three programs are compiled with BC.EXE and linked to use the run-time\n"
      "module BRUN45.EXE. When REPORT.BAS starts, it stops with the following error\n"
      "message:\n"
      "\n"
      "   String space corrupt\n"
      "\n"
      "What causes these errors?\n"
      "\n"
      "Response:\n"
      "\n"
      "The errors occur because the COMMON statements do not match. To correct the\n"
      "problem, you must put the COMMON statements in an include file.\n");
  CHECK(origins(a.causes) == "Response(inferred)");
  CHECK(origins(a.resolutions) == "Response(inferred)");
}

TEST_CASE("finish_article gives the same records for the same sections", "[records]") {
  Article parsed = parse_raw_body(kHeadedBody);
  Article bare;
  bare.id = parsed.id;
  bare.title = parsed.title;
  bare.sections = parsed.sections;
  finish_article(bare);
  CHECK(bare.symptoms == parsed.symptoms);
  CHECK(bare.causes == parsed.causes);
  CHECK(bare.resolutions == parsed.resolutions);
  CHECK(bare.messages == parsed.messages);
  CHECK(bare.codes == parsed.codes);

  Article qa = parse_raw_body(kQaBody);
  Article qa_bare;
  qa_bare.id = qa.id;
  qa_bare.title = qa.title;
  qa_bare.sections = qa.sections;
  qa_bare.question_answer = qa.question_answer;
  finish_article(qa_bare);
  CHECK(qa_bare.symptoms == qa.symptoms);
  CHECK(qa_bare.causes == qa.causes);
  CHECK(qa_bare.resolutions == qa.resolutions);

  // finish_article replaces what was there.
  finish_article(qa_bare);
  CHECK(qa_bare.symptoms == qa.symptoms);
  CHECK(qa_bare.messages == qa.messages);
}

}  // namespace
}  // namespace kbtriage
