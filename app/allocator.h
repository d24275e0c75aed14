// The executable's allocator settings for the rule engine's commands.
#pragma once

namespace kbtriage::cli {

// Makes what this thread allocates from now on come from memory the kernel
// may back with 2 MB pages (transparent huge pages). The rule engine reads
// tens of megabytes of compiled rules (templates, their words, the anchor
// tables) at random, a few lines of a log at a time: with 4 KB pages most
// of those reads miss the TLB as well as the cache. Only for the commands
// that match: indexing, whose many threads allocate and free far more,
// was slower with them. Returns false, changing nothing, where the
// executable is not linked with jemalloc or jemalloc refuses.
bool allocate_on_huge_pages();

}  // namespace kbtriage::cli
