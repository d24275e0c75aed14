// An open-addressed hash map (internal to the engine) for the rule engine's
// per-match memos: a log asks them hundreds of thousands of times, and a
// node-based map costs a cache miss more per question.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace kbtriage {

// Keys must be comparable with ==, and `Hash` must spread them over all 64
// bits. References to values stay valid only until the next insertion.
template <typename K, typename V, typename Hash>
class FlatMap {
 public:
  // The value of `key`, and whether it was inserted (default-constructed) now.
  std::pair<V*, bool> try_emplace(const K& key) {
    if (2 * (count_ + 1) > slots_.size()) grow();
    Slot& s = find(key);
    if (s.used) return {&s.value, false};
    s.used = true;
    s.key = key;
    ++count_;
    return {&s.value, true};
  }
  V* find_value(const K& key) {
    if (slots_.empty()) return nullptr;
    Slot& s = find(key);
    return s.used ? &s.value : nullptr;
  }
  const V* find_value(const K& key) const { return const_cast<FlatMap*>(this)->find_value(key); }
  size_t size() const { return count_; }
  // Asks the cache for the slot `key` is looked for at first.
  void prefetch(const K& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[slot_of(key)]);
  }
  template <typename F>
  void for_each(F f) {
    for (Slot& s : slots_) {
      if (s.used) f(s.key, s.value);
    }
  }

 private:
  struct Slot {
    K key{};
    V value{};
    bool used = false;
  };
  size_t slot_of(const K& key) const { return static_cast<size_t>(Hash{}(key) >> 20) & (slots_.size() - 1); }
  Slot& find(const K& key) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = slot_of(key);; i = (i + 1) & mask) {
      if (!slots_[i].used || slots_[i].key == key) return slots_[i];
    }
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.clear();
    slots_.resize(old.empty() ? 64 : old.size() * 2);
    for (Slot& s : old) {
      if (s.used) find(s.key) = std::move(s);
    }
  }
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace kbtriage
