// The store's layout, read by both sides: the indexer writes it, the engine
// reads it. One store is one folder:
//   DIR/kbtriage.sqlite   records (source of truth for show, export, rules)
//   DIR/xapian/N/         the search index, in shards 0..N-1 (one document per article)
//   DIR/write.lock        held by the one writer
// See docs/store.md for the tables and the commit protocol.
#pragma once

#include <string_view>

namespace kbtriage::schema {

inline constexpr std::string_view kSqliteFile = "kbtriage.sqlite";
inline constexpr std::string_view kXapianDir = "xapian";
inline constexpr std::string_view kLockFile = "write.lock";

// SQLite PRAGMA user_version. A store of another version is refused with a
// message to re-index.
inline constexpr int kSchemaVersion = 4;

// The parser's output for the same bytes. Bumped whenever a change of the
// parser changes the records it gives (a new extractor, a fixed rule), so
// that `kbtriage index` over an unchanged archive parses it again: a source's
// hash carries the version it was parsed with. (Stores written before
// versions were recorded count as version 1.)
inline constexpr int kParserVersion = 5;

// Shards of a new store (fixed for its life, recorded in the meta table as
// "shards"): one writer thread each. Two match the machines this is built for.
inline constexpr unsigned kDefaultShards = 2;

// Xapian user metadata holding the generation a shard was committed at.
// SQLite rows of that shard newer than it are not yet part of the store.
inline constexpr std::string_view kGenerationKey = "kbtriage:generation";

// Term prefixes. Free-text fields are indexed with positions both under their
// prefix and unprefixed; the X* boolean terms are exact filters.
inline constexpr std::string_view kPrefixId = "Q";          // QQ198657 (unique per article)
inline constexpr std::string_view kPrefixTitle = "S";
inline constexpr std::string_view kPrefixSymptom = "XS";
inline constexpr std::string_view kPrefixCause = "XA";
inline constexpr std::string_view kPrefixResolution = "XR";
inline constexpr std::string_view kPrefixMessage = "XM";
inline constexpr std::string_view kPrefixProduct = "XP";    // boolean: product tag, lower case
inline constexpr std::string_view kPrefixProductText = "P"; // free text: product name
inline constexpr std::string_view kPrefixVersion = "XV";    // boolean: "winnt:5.5", "5.5"
inline constexpr std::string_view kPrefixCode = "XC";       // canonical code, lower case (wdf kWeightCode)
inline constexpr std::string_view kPrefixIssueType = "XT";  // boolean: kbprb
inline constexpr std::string_view kPrefixYear = "XY";       // boolean: 1999
inline constexpr std::string_view kPrefixFormat = "XF";     // boolean: raw, web, page, xml

// Value slots.
inline constexpr unsigned kSlotDate = 0;        // "YYYYMMDD", sorts as a string
inline constexpr unsigned kSlotProduct = 1;     // product name (else its tag), for facets
inline constexpr unsigned kSlotIssueType = 2;   // issue type
inline constexpr unsigned kSlotContentHash = 3; // hash of the source bytes (hex)
inline constexpr unsigned kSlotMessages = 4;    // quoted messages (first 4 KB), kMessageSeparator between
inline constexpr char kMessageSeparator = '\x1e';

// Within-document frequency boosts: a term in the title counts as this many
// body occurrences. Search tuning (issue "Search") adjusts them.
inline constexpr unsigned kWeightTitle = 5;
inline constexpr unsigned kWeightSymptom = 3;
inline constexpr unsigned kWeightMessage = 3;
inline constexpr unsigned kWeightCauseResolution = 2;
inline constexpr unsigned kWeightCode = 1;

// Document data: JSON {"id", "title", "product", "date", "issue_type"}.

}  // namespace kbtriage::schema
