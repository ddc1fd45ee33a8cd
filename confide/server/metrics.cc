#include "confide/server/metrics.h"

#include <sstream>

namespace confide::server {

void Metrics::Observe(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::CountKeyUse(const std::string& origin) {
  std::lock_guard lock(mu_);
  ++key_uses_[origin];
}

void Metrics::CountRefused(const std::string& route, const std::string& reason) {
  std::lock_guard lock(mu_);
  ++refused_[{route, reason}];
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  out << "# HELP confide_requests_total Requests served, by route and HTTP status.\n"
      << "# TYPE confide_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "confide_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << "\n";
  }
  out << "# HELP confide_request_seconds Request latency inside the server.\n"
      << "# TYPE confide_request_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "confide_request_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i]
          << "\"} " << h.counts[i] << "\n";
    }
    out << "confide_request_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count
        << "\nconfide_request_seconds_sum{route=\"" << route << "\"} " << h.sum
        << "\nconfide_request_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
  }
  out << "# HELP confide_refused_total Requests refused without a durable audit entry, by route "
         "and reason.\n"
      << "# TYPE confide_refused_total counter\n";
  for (const auto& [key, n] : refused_) {
    out << "confide_refused_total{route=\"" << key.first << "\",reason=\"" << key.second
        << "\"} " << n << "\n";
  }
  out << "# HELP confide_model_keys_total Model keys used (audited), by origin.\n"
      << "# TYPE confide_model_keys_total counter\n";
  for (const auto& [origin, n] : key_uses_) {
    out << "confide_model_keys_total{origin=\"" << origin << "\"} " << n << "\n";
  }
  out << "# HELP confide_models_loaded Models loaded and ready.\n"
      << "# TYPE confide_models_loaded gauge\nconfide_models_loaded " << models_loaded_.load()
      << "\n# HELP confide_models_pending Models awaiting their key (confide provision).\n"
      << "# TYPE confide_models_pending gauge\nconfide_models_pending " << models_pending_.load()
      << "\n";
  return out.str();
}

}  // namespace confide::server
