// mask_variables: the variable parts of a message become placeholders, error
// codes stay, so that two occurrences of one message meet in one pattern.
#include "kbtriage/mask.h"
#include "kbtriage/text.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace kbtriage {
namespace {

struct Row {
  std::string input;
  std::string expected;
};

void check_rows(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    CAPTURE(r.input);
    CHECK(mask_variables(r.input) == r.expected);
  }
}

TEST_CASE("mask_variables: times and dates", "[mask]") {
  check_rows({
      {"1:05:34 Synchronizing Hierarchy", "<time> Synchronizing Hierarchy"},
      {"10:24:50 AM Service started", "<time> Service started"},
      {"at 9:02 PM the job failed", "at <time> the job failed"},
      {"14:22:46.31 logon", "<time> logon"},
      {"Logged on 9/16/2001", "Logged on <date>"},
      {"2001-09-16 backup ended", "<date> backup ended"},
      {"on 16.09.2001.", "on <date>."},
      {"2000-05-02 14:22:46.31 logon Login failed", "<date> <time> logon Login failed"},
  });
}

TEST_CASE("mask_variables: paths and file names", "[mask]") {
  check_rows({
      {"Cannot open C:\\WINNT\\System32\\drivers\\mpxlink.sys.", "Cannot open <path>."},
      {"Could not connect to \\\\server\\share", "Could not connect to <path>"},
      {"service on \\\\PROXY01.", "service on <path>."},
      {"%SystemRoot%\\system32\\config", "<path>"},
      {"D:\\urlcache\\Dir1 could not be opened", "<path> could not be opened"},
      {"GET /intranet/default.asp - 401", "GET <path> - <#>"},
      {"Oleaut32.dll is missing", "<file> is missing"},
      {"extracting WINWORD.EXE from the cabinet", "extracting <file> from the cabinet"},
      {"IFSHLP.SYS", "<file>"},
      {"and/or", "and/or"},
  });
}

TEST_CASE("mask_variables: single-quoted names", "[mask]") {
  check_rows({
      {"Synchronizing Mailbox 'jsmith'", "Synchronizing Mailbox '<name>'"},
      {"Synchronizing Mailbox 'testuser'", "Synchronizing Mailbox '<name>'"},
      {"Login failed for user 'repl_jdoe'.", "Login failed for user '<name>'."},
      {"The cabinet file 'Data1.cab' is corrupt", "The cabinet file '<name>' is corrupt"},
      {"Microsoft Access can't complete", "Microsoft Access can't complete"},
  });
  CHECK(mask_variables("1:05:34 Synchronizing Mailbox 'jsmith'") ==
        mask_variables("     1:05:34 Synchronizing Mailbox 'testuser'"));
  CHECK(mask_variables("1:05:34 Synchronizing Mailbox 'jsmith'") == "<time> Synchronizing Mailbox '<name>'");
}

TEST_CASE("mask_variables: placeholders", "[mask]") {
  check_rows({
      {"1:05:34       <#> folder(s) added to offline store", "<time> <#> folder(s) added to offline store"},
      {"<n> entries downloaded", "<#> entries downloaded"},
      {"<number> items", "<#> items"},
      {"Logon as <user name> failed", "Logon as <var> failed"},
      {"The file %1 could not be opened.", "The file <var> could not be opened."},
      {"Cannot find %s", "Cannot find <var>"},
      {"Value %ld out of range", "Value <var> out of range"},
      {"100%", "<#>%"},
  });
}

TEST_CASE("mask_variables: hex and plain numbers", "[mask]") {
  check_rows({
      {"at address 0x0040A3F0", "at address <hex>"},
      {"flags 0x1F", "flags <hex>"},
      {"not be submitted after 3 attempts.", "not be submitted after <#> attempts."},
      {"1,024 bytes free", "<#> bytes free"},
      {"Microsoft SQL Server Distribution Agent 7.00.623", "Microsoft SQL Server Distribution Agent <#>"},
      {"It has done this 1 time(s).", "It has done this <#> time(s)."},
      {"on port 80", "on port <#>"},
  });
}

TEST_CASE("mask_variables: error codes are kept", "[mask]") {
  check_rows({
      {"Error 0x80004005: Unspecified error", "Error 0x80004005: Unspecified error"},
      {"the call failed with 0x80004005", "the call failed with 0x80004005"},
      {"Error synchronizing address book: 0x8004010F", "Error synchronizing address book: 0x8004010f"},
      {"error 1067", "error 1067"},
      {"Error 1067: The process terminated unexpectedly.",
       "Error 1067: The process terminated unexpectedly."},
      {"System error 5 has occurred.", "System error 5 has occurred."},
      {"Event ID: 1001", "Event ID: 1001"},
      {"Error #10036", "Error #10036"},
      {"STOP 0x0000001E", "STOP 0x0000001e"},
      {"Remote Access error 629 - The port was disconnected",
       "Remote Access error 629 - The port was disconnected"},
  });
  CHECK(mask_variables("error 1067") != mask_variables("error 1068"));
  CHECK(mask_variables("failed with 0x80004005") != mask_variables("failed with 0x80070005"));
}

TEST_CASE("mask_variables: other variable parts", "[mask]") {
  check_rows({
      {"CLSID {12345678-1234-1234-1234-123456789ABC} not registered", "CLSID <guid> not registered"},
      {"mail to jdoe@contoso.com bounced", "mail to <email> bounced"},
      {"  a \t b\n   c  ", "a b c"},
      {"", ""},
      {"Background Synchronization Error. See detailed logs in Deleted Items folder.",
       "Background Synchronization Error. See detailed logs in Deleted Items folder."},
  });
}

TEST_CASE("mask_variables: one message with different variables gives one pattern", "[mask]") {
  const std::vector<std::pair<std::string, std::string>> same = {
      {"Synchronizing Mailbox 'jsmith'", "Synchronizing Mailbox 'testuser'"},
      {"Cannot open C:\\a\\b.txt", "Cannot open D:\\Data\\x.doc"},
      {"Could not start the Spooler service on \\\\PRINT01.",
       "Could not start the Spooler service on \\\\SRV-9."},
      {"10:24:50 AM 12 items", "9:02 PM 7 items"},
      {"Copying WINWORD.EXE", "Copying excel.exe"},
  };
  for (const auto& [a, b] : same) {
    CAPTURE(a, b);
    CHECK(mask_variables(a) == mask_variables(b));
  }
}

TEST_CASE("mask_variables is idempotent", "[mask]") {
  const std::vector<std::string> inputs = {
      "1:05:34 Synchronizing Mailbox 'testuser'",
      "Error 1308. Source file not found: \\\\FS02\\Office2000$\\Data1.cab. Verify",
      "MSI (s) (1C:40): Note: extracting WINWORD.EXE from \\\\FS02\\Office2000$\\Data1.cab",
      "2001-03-14 09:12:44 10.1.2.33 - W3SVC1 WEB01 10.1.2.5 GET /intranet/default.asp - 401 5 4431",
      "The file %1 could not be opened at 0x0040A3F0.",
  };
  for (const std::string& in : inputs) {
    CAPTURE(in);
    std::string once = mask_variables(in);
    CHECK(mask_variables(once) == once);
  }
}

// A quoted error number is a code, not a quoted name: "Run-time error '3043'"
// and "Run-time error '76'" are different problems (mask.h: a number right
// after "error" is kept).
TEST_CASE("mask_variables keeps quoted error numbers", "[mask]") {
  check_rows({
      {"Run-time error '3043':", "Run-time error '3043':"},
      {"ixsso.Query error '80004005'", "ixsso.Query error '80004005'"},
  });
  CHECK(mask_variables("Run-time error '3043':") != mask_variables("Run-time error '76':"));
}

// A negative decimal HRESULT after "Error" is a code too.
TEST_CASE("mask_variables keeps negative decimal error codes", "[mask]") {
  check_rows({
      {"Error -2147467259: The Microsoft Jet database engine cannot open the file",
       "Error -2147467259: The Microsoft Jet database engine cannot open the file"},
  });
}

// A path with a space ("C:\Program Files\...") is one <path>, so the message
// has the same pattern as with a path without spaces.
TEST_CASE("mask_variables: a path with a space is one path", "[mask]") {
  check_rows({
      {"Program: C:\\Program Files\\Contoso\\MailPoll\\mpollsvc.exe", "Program: <path>"},
  });
  CHECK(mask_variables("Cannot open C:\\a\\b.txt") == mask_variables("Cannot open D:\\Program Files\\x.doc"));
}

TEST_CASE("masking_keeps_number_after says which words keep the number after them", "[mask]") {
  for (const char* w : {"error", "err", "errorcode", "helpmsg", "errno", "code", "number", "id", "eventid", "stop", "status", "the", "returned", "line", "port", "version", "build", "page", "value", "exit", "return", "event", "warning", "fatal", "result", "hresult", "session", "thread"}) {
    CAPTURE(w);
    const std::string masked = mask_variables(std::string(w) + " 1234");
    CHECK(masking_keeps_number_after(w) == (masked.find("1234") != std::string::npos));
  }
}

TEST_CASE("masked_placeholder_at reads a <...> as mask_variables() does, in raw text as in masked", "[mask]") {
  for (const char* line : {"a <SMS_PACKAGE_NT> b", "a <thread 271> b", "a <#> b", "a <n> b", "a <thread=271> b", "a <> b",
                           "a <x\ty> b", "a <x          y> b", "a <b <c> d", "a <1234567890123456789012345678901234567890> b",
                           "a <123456789012345678901234567890123456789> b", "a < x > b"}) {
    CAPTURE(line);
    const std::string text(line);
    const size_t at = text.find('<');
    const size_t n = masked_placeholder_at(text, at);
    // One placeholder exactly when masking writes one in its place.
    const std::string masked = mask_variables(text);
    const bool one = masked.rfind("a <var> ", 0) == 0 || masked.rfind("a <#> ", 0) == 0;
    CHECK((n > 0) == one);
    if (n > 0) CHECK(text[at + n - 1] == '>');
    // The same in the text masking reads: whitespace collapsed.
    const std::string collapsed = collapse_whitespace(text);
    CHECK((masked_placeholder_at(collapsed, collapsed.find('<')) > 0) == (n > 0));
  }
  CHECK(masked_placeholder_at("x <a> y", 0) == 0);  // no '<' there
}

}  // namespace
}  // namespace kbtriage
