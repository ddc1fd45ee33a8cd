// The HTTP front of the server: attested TLS 1.3 (httplib::SSLServer with the TEE-made key and
// certificate), routes to InferenceService, a sized worker pool, timeouts, size limits, /metrics,
// one structured log line per request (route, status, bytes, latency; never bodies), and an
// optional plain-HTTP listener that serves only what is safe without TLS: health, the
// attestation API and sealed inference (for TLS-terminating proxies).
//
//   HttpServer http(service, attestor, {.port = 8443, .num_workers = 8});
//   CONFIDE_TRY(http.Bind());
//   http.Serve();          // blocks until Stop() (e.g. from a SIGTERM watcher)
#ifndef CONFIDE_SERVER_HTTP_SERVER_H_
#define CONFIDE_SERVER_HTTP_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "confide/server/attestor.h"
#include "confide/server/metrics.h"
#include "confide/server/service.h"

namespace confide::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8443;        // 0 = any free port (see port())
  int plain_port = -1;    // -1 = no plain listener; 0 = any free port
  int num_workers = 8;    // connection threads (each keep-alive connection holds one)
  int read_timeout_seconds = 30;
  int write_timeout_seconds = 30;
  int keep_alive_seconds = 30;
  // Requests served on one connection before the server closes it. A reconnect costs the client a
  // TLS handshake and a full appraisal (milliseconds), so the default is high; idle connections
  // still close after keep_alive_seconds.
  int keep_alive_max_requests = 100000;
  size_t max_request_bytes = size_t{64} << 20;  // larger bodies get 413
};

class HttpServer {
 public:
  HttpServer(const InferenceService& service, const Attestor& attestor, Metrics& metrics,
             HttpOptions opts);
  ~HttpServer();

  // Binds the listeners. kUnavailable if a port is taken.
  Status Bind();
  int port() const { return port_; }
  int plain_port() const { return plain_port_; }
  // Serves until Stop(); in-flight requests finish first. Returns at once if Stop came first.
  void Serve();
  // Thread safe, from any thread but Serve's; safe before, during or after Serve. Returns once
  // Serve (if running) has returned; a Stop while Serve is starting is not lost.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  int plain_port_ = -1;
};

}  // namespace confide::server

#endif  // CONFIDE_SERVER_HTTP_SERVER_H_
