// 64-bit FNV-1a (internal): the content hash of a source file and the
// choice of an article's Xapian shard.
#pragma once

#include <cstdint>
#include <string_view>

namespace kbtriage {

inline uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace kbtriage
