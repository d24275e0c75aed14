#include "allocator.h"

#if defined(KBTRIAGE_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#include <sys/mman.h>

#include <cstddef>
#include <string>
#endif

namespace kbtriage::cli {

// Extent hooks are jemalloc 5's.
#if defined(KBTRIAGE_WITH_JEMALLOC) && JEMALLOC_VERSION_MAJOR >= 5
namespace {

// jemalloc's own extent hooks, with each new extent advised for huge pages
// (what its "thp:always" does, for one arena instead of the process).
extent_hooks_t* g_system = nullptr;
extent_hooks_t g_huge;

void* alloc_huge(extent_hooks_t*, void* new_addr, size_t size, size_t alignment, bool* zero, bool* commit,
                 unsigned arena_ind) {
  void* p = g_system->alloc(g_system, new_addr, size, alignment, zero, commit, arena_ind);
  if (p != nullptr) madvise(p, size, MADV_HUGEPAGE);  // advice: a refusal leaves 4 KB pages
  return p;
}

}  // namespace

bool allocate_on_huge_pages() {
  size_t size = sizeof(g_system);
  if (mallctl("arena.0.extent_hooks", &g_system, &size, nullptr, 0) != 0 || g_system == nullptr) return false;
  g_huge = *g_system;
  g_huge.alloc = alloc_huge;
  // The arena is made with jemalloc's own hooks and given these after:
  // before 5.3, an arena made with hooks of its caller's allocated its own
  // state through them before it was registered, and the default
  // allocation looked it up (jemalloc issues #2262, #2546).
  unsigned arena = 0;
  size = sizeof(arena);
  if (mallctl("arenas.create", &arena, &size, nullptr, 0) != 0) return false;
  extent_hooks_t* hooks = &g_huge;
  const std::string hooks_of = "arena." + std::to_string(arena) + ".extent_hooks";
  if (mallctl(hooks_of.c_str(), nullptr, nullptr, &hooks, sizeof(hooks)) != 0) return false;
  if (mallctl("thread.arena", nullptr, nullptr, &arena, sizeof(arena)) != 0) return false;
  mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);  // blocks cached from the arena before
  return true;
}
#else
bool allocate_on_huge_pages() { return false; }
#endif

}  // namespace kbtriage::cli
