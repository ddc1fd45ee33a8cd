// Prometheus text metrics for the server (/metrics). Holds counts and latencies only: never a
// model input, output, key or nonce. Thread safe.
//
//   metrics.Observe("infer", 200, 0.0031);
//   std::string text = metrics.Render();
#ifndef CONFIDE_SERVER_METRICS_H_
#define CONFIDE_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace confide::server {

class Metrics {
 public:
  // Counts one request to `route` (a fixed route name, never a raw path) with `status`, and adds
  // its latency to the route's histogram.
  void Observe(const std::string& route, int status, double seconds);
  // Counts a model key used, by `origin` ("sealed-cache", "kbs", "key-file", "provision"): call
  // it once the key's audit entry is durable.
  void CountKeyUse(const std::string& origin);
  // Counts a request refused without a durable audit entry (unauthenticated or malformed): the
  // route name and the refusal reason are fixed strings, so the series stay few.
  void CountRefused(const std::string& route, const std::string& reason);
  // Models that serve, and models that await their key (`confide provision`).
  void SetModels(int ready, int pending) {
    models_loaded_ = ready;
    models_pending_ = pending;
  }
  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, uint64_t> key_uses_;
  std::map<std::pair<std::string, std::string>, uint64_t> refused_;
  std::atomic<int> models_loaded_{0};
  std::atomic<int> models_pending_{0};
};

}  // namespace confide::server

#endif  // CONFIDE_SERVER_METRICS_H_
