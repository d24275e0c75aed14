// extract_codes: every notation of one error code meets in one canonical form.
#include "kbtriage/codes.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace kbtriage {
namespace {

struct Row {
  std::string input;
  std::string expected;  // "0x80004005(hresult) EVENT 1001(event)"
};

std::string compact(const std::vector<ErrorCode>& codes) {
  std::string out;
  for (const ErrorCode& c : codes) {
    if (!out.empty()) out += ' ';
    out += c.code + "(" + c.kind + ")";
  }
  return out;
}

std::string codes_of(std::string_view text) { return compact(extract_codes(text)); }

void check_rows(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    CAPTURE(r.input);
    CHECK(codes_of(r.input) == r.expected);
  }
}

TEST_CASE("extract_codes: HRESULT notations", "[codes]") {
  check_rows({
      {"0x80004005", "0x80004005(hresult)"},
      {"80004005", "0x80004005(hresult)"},
      {"-2147467259", "0x80004005(hresult)"},
      {"2147500037", "0x80004005(hresult)"},
      {"returns the generic error 80004005 to the Query object", "0x80004005(hresult)"},
      {"Run-time error '-2147467259':", "0x80004005(hresult)"},
      {"Error:  -2147467259 (80004005); Provider Error", "0x80004005(hresult)"},
      {"0x8007000E (E_OUTOFMEMORY)", "0x8007000e(hresult) E_OUTOFMEMORY(name)"},
      {"'-2147024882 (8007000e)'", "0x8007000e(hresult)"},
      {"exception c0000005 at address", "0xc0000005(hresult)"},
      {"Error 0x80040115 (MAPI_E_NETWORK_ERROR) occurred", "0x80040115(hresult) MAPI_E_NETWORK_ERROR(name)"},
  });
}

TEST_CASE("extract_codes: STOP codes", "[codes]") {
  check_rows({
      {"STOP 0xA", "STOP 0x0000000A(stop)"},
      {"STOP: 0x0000000A", "STOP 0x0000000A(stop)"},
      {"STOP 0000000a", "STOP 0x0000000A(stop)"},
      {"Stop 0A", "STOP 0x0000000A(stop)"},
      {"blue screen with STOP 0x0000001E", "STOP 0x0000001E(stop)"},
      {"STOP 0x0000007B INACCESSIBLE_BOOT_DEVICE", "STOP 0x0000007B(stop)"},
  });
}

TEST_CASE("extract_codes: event IDs", "[codes]") {
  check_rows({
      {"Event ID: 1001", "EVENT 1001(event)"},
      {"event ID 1001", "EVENT 1001(event)"},
      {"EventID 1001", "EVENT 1001(event)"},
      {"Event ID: 7031\nDescription:", "EVENT 7031(event)"},
  });
}

TEST_CASE("extract_codes: error numbers", "[codes]") {
  check_rows({
      {"error 1067", "ERR 1067(error)"},
      {"Error 1067: The process terminated unexpectedly.", "ERR 1067(error)"},
      {"System error 5 has occurred.", "ERR 5(error)"},
      {"Error #10036", "ERR 10036(error)"},
      {"Remote Access error 629 - The port was disconnected", "ERR 629(error)"},
      {"fails with error code 1326", "ERR 1326(error)"},
  });
}

TEST_CASE("extract_codes: compiler and tool codes", "[codes]") {
  check_rows({
      {"fatal error C1001: INTERNAL COMPILER ERROR", "C1001(tool)"},
      {"client.cpp(9) : error C2065: 's_nInstances' : undeclared identifier", "C2065(tool)"},
      {"LNK2001", "LNK2001(tool)"},
      {"fatal error LNK1120: 1 unresolved externals", "LNK1120(tool)"},
      {"R6025 - pure virtual function call", "R6025(tool)"},
      {"UTIL.LIB(config.c) : error L2025: _ReadConfig", "L2025(tool)"},
      {"prog.asm(8): error A2006: Phase error between passes", "A2006(tool)"},
  });
}

TEST_CASE("extract_codes: named constants", "[codes]") {
  check_rows({
      {"E_OUTOFMEMORY", "E_OUTOFMEMORY(name)"},
      {"ERROR_ACCESS_DENIED", "ERROR_ACCESS_DENIED(name)"},
      {"MAPI_E_NETWORK_ERROR", "MAPI_E_NETWORK_ERROR(name)"},
      {"WSAEINPROGRESS", "WSAEINPROGRESS(name)"},
      {"WSAEINTR", "WSAEINTR(name)"},
      {"CO_E_SERVER_EXEC_FAILURE", "CO_E_SERVER_EXEC_FAILURE(name)"},
      {"(ERROR_ACCESS_DENIED).", "ERROR_ACCESS_DENIED(name)"},
      {"10:12:55 2_E_NOTREADY", "2_E_NOTREADY(name)"},  // a name that starts with a digit, after no word
  });
}

TEST_CASE("extract_codes: prose and versions and ids and dates have no code", "[codes]") {
  check_rows({
      {"The quick brown fox jumps over the lazy dog.", ""},
      {"Microsoft Exchange Server, version 5.5", ""},
      {"Visual Studio 6.0 Service Pack 3", ""},
      {"PROD/VER:4.00 4.00b 4.50", ""},
      {"see article Q123456 in the Microsoft Knowledge Base", ""},
      {"Q900009", ""},
      {"18-APR-1999", ""},
      {"2001-09-16 14:22:46", ""},
      {"3/14/2001  9:41:07", ""},
      {"Copyright Microsoft Corporation 1999.", ""},
      {"Windows 2000 and Windows 98", ""},
      {"not be submitted after 3 attempts", ""},
      {"port 80 on 10.1.2.5", ""},
      {"1234567890", ""},
      {"10:12:55 2147500037 10:12:56", "0x80004005(hresult)"},  // ten digits read after no word
      {"12345678", ""},
      {"0x00000000", ""},
      {"ERROR", ""},
      {"MAX_PATH", ""},
      {"", ""},
  });
}

TEST_CASE("extract_codes: each code once in order of first appearance", "[codes]") {
  CHECK(codes_of("Event ID: 1001 error 1067 0x80004005 event ID 1001 -2147467259") ==
        "EVENT 1001(event) ERR 1067(error) 0x80004005(hresult)");
}

TEST_CASE("extract_codes keeps the first notation as raw", "[codes]") {
  auto codes = extract_codes("80004005 and 0x80004005");
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].raw == "80004005");
  codes = extract_codes("blue screen STOP 0xA");
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].raw == "STOP 0xA");
  codes = extract_codes("Run-time error '-2147467259':");
  REQUIRE(codes.size() == 1);
  CHECK(codes[0].raw == "-2147467259");
}

TEST_CASE("add_codes skips codes already there", "[codes]") {
  std::vector<ErrorCode> codes = extract_codes("Error 0x80004005");
  add_codes("-2147467259 and Event ID: 1001", codes);
  CHECK(compact(codes) == "0x80004005(hresult) EVENT 1001(event)");
  CHECK(codes[0].raw == "0x80004005");
}

// The parameters of a STOP message are addresses and counts, not error
// codes: 0xF9A1C3D2 there is an address in a driver, not an HRESULT.
TEST_CASE("extract_codes: STOP parameters that are addresses are not HRESULTs", "[codes]") {
  CHECK(codes_of("STOP 0x0000000A (0x0000002C, 0x00000002, 0x00000000, 0x80112A57)") ==
        "STOP 0x0000000A(stop)");
  CHECK(codes_of("STOP 0x0000001E (0xC0000005, 0xF9A1C3D2, 0x00000000, 0x0000002C)").find("0xf9a1c3d2") ==
        std::string::npos);
}

// Visual Basic writes its error numbers in quotes ("Run-time error '3043':");
// the quote must not hide the code.
TEST_CASE("extract_codes: quoted run-time error numbers", "[codes]") {
  check_rows({
      {"Run-time error '3043':", "ERR 3043(error)"},
      {"Run-time error '76': Path not found", "ERR 76(error)"},
  });
}

TEST_CASE("code_may_follow names every word after which a short number is read as a code", "[codes]") {
  // A reader that dedups lines by their numbers relies on it: a word
  // add_codes() learns must be named here too.
  for (const char* w : {"error", "err", "errorcode", "helpmsg", "errno", "code", "number", "id", "eventid", "stop", "status", "the", "returned", "line", "port", "version", "build", "page", "value", "exit", "return", "event", "warning", "fatal", "result", "hresult", "session", "thread"}) {
    CAPTURE(w);
    const std::string word = w;
    bool read = false;
    for (const std::string& text : {word + " 1234", "error " + word + " 1234", "event " + word + " 1234",
                                    "return " + word + " 1234", word + ": 1234", word + " 0A"}) {
      for (const ErrorCode& c : extract_codes(text)) read |= c.raw == "1234" || c.raw == "0A";
    }
    if (read) CHECK(code_may_follow(word));
  }
  CHECK(code_may_follow("error"));
  CHECK_FALSE(code_may_follow("the"));
  CHECK_FALSE(code_may_follow("returned"));
}

}  // namespace
}  // namespace kbtriage
