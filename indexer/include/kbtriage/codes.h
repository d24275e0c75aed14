// Error-code recognition and normalisation. The same function reads articles
// (indexer), queries (search) and input lines (rules), so that every notation
// of one code meets in one canonical form:
//   0x80004005, 80004005, -2147467259, 2147500037  ->  "0x80004005"   (hresult)
//   STOP 0xA, STOP: 0x0000000A, Stop 0000000a      ->  "STOP 0x0000000A" (stop)
//   Event ID: 1001, event ID 1001, EventID 1001    ->  "EVENT 1001"   (event)
//   error 1067, System error 5, Error #10036       ->  "ERR 1067"     (error)
//   error C2065, fatal error LNK2001, R6025        ->  "C2065"        (tool)
//   E_OUTOFMEMORY, ERROR_ACCESS_DENIED, WSAEINTR   ->  "E_OUTOFMEMORY" (name)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/article.h"

namespace kbtriage {

// All codes in `text`, each once, in order of first appearance.
std::vector<ErrorCode> extract_codes(std::string_view text);

// Adds the codes of `text` to `codes`, skipping those already there.
void add_codes(std::string_view text, std::vector<ErrorCode>& codes);

// Whether add_codes() may read a number written after this word (lower
// case) as a code: "error 5", "error code 5", "error number 5", "Event ID
// 1001", "STOP 0A". (Numbers of eight digits or more may be codes after any
// word.) For a reader that must tell which lines hold the same codes
// without reading them.
inline bool code_may_follow(std::string_view w) {
  // By length first: the rule engine asks this of every number of a log.
  // The words of the checks in add_codes() (codes.cc), kept in step by a test.
  switch (w.size()) {
    case 2: return w == "id";
    case 3: return w == "err";
    case 4: return w == "code" || w == "stop";
    case 5: return w == "error" || w == "errno";
    case 6: return w == "number";
    case 7: return w == "helpmsg" || w == "eventid";
    case 9: return w == "errorcode";
    default: return false;
  }
}

}  // namespace kbtriage
