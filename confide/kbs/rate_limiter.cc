#include "confide/kbs/rate_limiter.h"

#include <algorithm>

namespace confide::kbs {

bool RateLimiter::Allow(const std::string& client, TimePoint now) {
  if (opts_.rate <= 0) return true;
  std::lock_guard lock(mu_);
  if (buckets_.size() >= opts_.max_clients && !buckets_.contains(client)) {
    // Forget buckets that have refilled: they hold no state worth keeping.
    std::erase_if(buckets_, [&](const auto& kv) {
      double elapsed = std::chrono::duration<double>(now - kv.second.last).count();
      return kv.second.tokens + elapsed * opts_.rate >= opts_.burst;
    });
    if (buckets_.size() >= opts_.max_clients) return false;
  }
  auto [it, inserted] = buckets_.try_emplace(client, Bucket{opts_.burst, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(opts_.burst, b.tokens + std::max(0.0, elapsed) * opts_.rate);
  b.last = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace confide::kbs
