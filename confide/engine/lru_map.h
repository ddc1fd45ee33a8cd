// A map that holds at most `capacity` entries and drops the least recently used one to make room.
// Not thread safe: callers lock around it. Capacities here are small (tens), so finding the
// least recently used entry is a linear scan.
//
//   LruMap<std::string, Plan> plans(16);
//   if (Plan* p = plans.Find(key)) return *p;
//   plans.Put(key, MakePlan());
#ifndef CONFIDE_ENGINE_LRU_MAP_H_
#define CONFIDE_ENGINE_LRU_MAP_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>

namespace confide::engine {

template <typename K, typename V>
class LruMap {
 public:
  explicit LruMap(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}

  // The value for `key`, now the most recently used, or null.
  V* Find(const K& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    it->second.last_use = ++clock_;
    return &it->second.value;
  }

  // Sets `key` to `value` as the most recently used entry, first dropping the least recently
  // used one if `key` is new and the map is full.
  void Put(const K& key, V value) {
    if (entries_.size() >= capacity_ && !entries_.count(key)) {
      entries_.erase(std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return a.second.last_use < b.second.last_use;
      }));
    }
    entries_[key] = Entry{std::move(value), ++clock_};
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    V value;
    uint64_t last_use = 0;
  };
  size_t capacity_;
  uint64_t clock_ = 0;
  std::map<K, Entry> entries_;
};

}  // namespace confide::engine

#endif  // CONFIDE_ENGINE_LRU_MAP_H_
