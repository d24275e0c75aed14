// The Xapian side of a store is split in shards, DIR/xapian/0 .. N-1, each
// written by its own thread and committed with its own generation (internal,
// shared by the writer and the reader). An article lives in the shard its id
// hashes to, so its SQLite rows carry that shard and are visible up to that
// shard's generation.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fnv.h"
#include "kbtriage/schema.h"

namespace kbtriage {

inline unsigned shard_of(std::string_view id, unsigned shards) { return static_cast<unsigned>(fnv1a64(id) % shards); }

inline std::string shard_path(const std::string& dir, unsigned shard) {
  return dir + "/" + std::string(schema::kXapianDir) + "/" + std::to_string(shard);
}

inline uint64_t generation_of(const Xapian::Database& db) {
  std::string g = db.get_metadata(std::string(schema::kGenerationKey));
  return g.empty() ? 0 : std::stoull(g);
}

// SQL for "the generation up to which rows of `alias`'s shard are visible":
// CASE a.shard WHEN 0 THEN 12 WHEN 1 THEN 11 END. The numbers are ours.
inline std::string generation_limit_sql(std::string_view alias, const std::vector<uint64_t>& gens) {
  std::string sql = "(CASE " + std::string(alias) + ".shard";
  for (size_t s = 0; s < gens.size(); ++s) {
    sql += " WHEN " + std::to_string(s) + " THEN " + std::to_string(gens[s]);
  }
  return sql + " ELSE -1 END)";
}

}  // namespace kbtriage
