// Masking of the variable parts of a message, shared by the indexer (message
// patterns), the search layer (pasted queries) and the rule engine (input
// lines), so that "Synchronizing Mailbox 'jsmith'" and the article's
// "Synchronizing Mailbox 'testuser'" both become "Synchronizing Mailbox '<name>'".
#pragma once

#include <string>
#include <string_view>

namespace kbtriage {

// Placeholders written by mask_variables(). Each stands for one kind of
// variable part; <#> is also how the articles themselves write "a number".
inline constexpr std::string_view kMaskNumber = "<#>";
inline constexpr std::string_view kMaskHex = "<hex>";
inline constexpr std::string_view kMaskPath = "<path>";
inline constexpr std::string_view kMaskFile = "<file>";
inline constexpr std::string_view kMaskName = "<name>";
inline constexpr std::string_view kMaskTime = "<time>";
inline constexpr std::string_view kMaskDate = "<date>";
inline constexpr std::string_view kMaskVar = "<var>";
inline constexpr std::string_view kMaskGuid = "<guid>";
inline constexpr std::string_view kMaskEmail = "<email>";

// Returns `text` with whitespace collapsed and variable parts replaced by the
// placeholders above: times, dates, GUIDs, e-mail addresses, paths (C:\...,
// \\server\share, /a/b), file names with an extension, single-quoted names,
// printf/%1-style and <...> placeholders, hex numbers and plain numbers.
// Error codes are kept: 8-digit hex HRESULTs (0x8xxxxxxx) and a number right
// after "error", "code", "ID", "STOP" or "#", because a different code is a
// different problem while a different file name is not.
// Deterministic and total: any byte sequence gives a result.
std::string mask_variables(std::string_view text);

// The length of the time ("10:24:50 AM"), date ("9/16/2001") or GUID that
// mask_variables() reads at s[i], where a word starts; 0 if none. For a
// reader that must tell which lines mask alike without masking them: these
// depend on digit counts ("10:6:2" is no time).
size_t masked_time_at(std::string_view s, size_t i);
size_t masked_date_at(std::string_view s, size_t i);
size_t masked_guid_at(std::string_view s, size_t i);
// The same for a "<...>" placeholder at s[i] ('<' to '>' inclusive), which
// may start anywhere: one when its first '>' closes it within 40 bytes and
// it holds word characters and spaces, or is "<#>". Whitespace counts as
// masking sees it, collapsed, so that raw text reads as masked text does.
// Which it is depends on the widths of its digits, never their values.
size_t masked_placeholder_at(std::string_view s, size_t i);

// Whether mask_variables() keeps a number written after this word (lower
// case: "error", "code", "id", "stop", ...) instead of masking it. For a
// reader that must tell which lines mask alike without masking them.
inline bool masking_keeps_number_after(std::string_view w) {
  // By length first: the rule engine asks this of every number of a log.
  switch (w.size()) {
    case 2: return w == "id";
    case 3: return w == "err";
    case 4: return w == "code" || w == "stop";
    case 5: return w == "error";
    case 6: return w == "status";
    case 7: return w == "eventid";
    case 9: return w == "errorcode";
    default: return false;
  }
}

}  // namespace kbtriage
