// A per-client token bucket: `rate` requests per second on average, bursts up to `burst`.
//
//   RateLimiter limiter({.rate = 20, .burst = 40});
//   if (!limiter.Allow(req.remote_addr, std::chrono::steady_clock::now())) return 429;
#ifndef CONFIDE_KBS_RATE_LIMITER_H_
#define CONFIDE_KBS_RATE_LIMITER_H_

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace confide::kbs {

struct RateLimitOptions {
  double rate = 20;   // tokens per second; <= 0 disables the limit
  double burst = 40;  // bucket size
  size_t max_clients = 10000;  // beyond this, full buckets are forgotten
};

// Thread safe.
class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit RateLimiter(RateLimitOptions opts) : opts_(opts) {}
  // Takes one token from `client`'s bucket; false when it is empty.
  bool Allow(const std::string& client, TimePoint now);

 private:
  struct Bucket {
    double tokens;
    TimePoint last;
  };
  RateLimitOptions opts_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_RATE_LIMITER_H_
