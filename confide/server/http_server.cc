#include "confide/server/http_server.h"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "confide/base/listen_socket.h"
#include "confide/base/serve_gate.h"
#include "confide/channel/http_guard.h"
#include "confide/crypto/tls.h"
#include "confide/server/log.h"

namespace confide::server {

namespace {

using Clock = std::chrono::steady_clock;

// The largest body accepted by the routes that take a small JSON document (fresh attestation
// with a nonce, an owner's key push); theirs are under 4 KiB.
constexpr uint64_t kSmallBodyBytes = 64 * 1024;
using Handler = std::function<Reply(const httplib::Request&)>;
using BodyHandler = std::function<Reply(const httplib::Request&, std::string_view body)>;

void Apply(const Reply& r, httplib::Response& res) {
  res.status = r.status;
  for (const auto& [k, v] : r.headers) res.set_header(k, v);
  res.set_content(r.body, r.content_type.c_str());
}

std::optional<size_t> JsonLen(const httplib::Request& req) {
  if (!req.has_header("Inference-Header-Content-Length")) return std::nullopt;
  const std::string v = req.get_header_value("Inference-Header-Content-Length");
  if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos) {
    return std::optional<size_t>(SIZE_MAX);  // rejected by the codec as exceeding the body
  }
  return std::stoull(v);
}

// "ADDR:PORT" of the peer, for audit entries.
std::string Peer(const httplib::Request& req) {
  return req.remote_addr + ":" + std::to_string(req.remote_port);
}

std::string Match(const httplib::Request& req, int i) {
  return i < static_cast<int>(req.matches.size()) ? std::string(req.matches[i]) : "";
}

}  // namespace

struct HttpServer::Impl {
  Impl(const InferenceService& s, const Attestor& a, Metrics& m, HttpOptions o)
      : service(s), attestor(a), metrics(m), opts(std::move(o)),
        tls([this](SSL_CTX& ctx) {
          return crypto::ConfigureTlsServer(&ctx, attestor.identity().certificate,
                                            attestor.identity().tls_key).ok();
        }) {}

  // What the request log line needs, kept per connection thread from the handler until
  // httplib's logger runs, which is after the response is written: the JSON formatting and the
  // log write (a syscall) stay off the request's latency path.
  struct Served {
    const httplib::Request* req = nullptr;
    std::string route;
    Clock::time_point start;
    double handler_seconds = 0;
    size_t request_bytes = 0;
    size_t response_bytes = 0;
    int status = 0;
  };
  static Served& ThisThread() {
    thread_local Served served;
    return served;
  }

  void Finish(const httplib::Request& req, const std::string& route, Clock::time_point start,
              size_t request_bytes, const Reply& reply, httplib::Response& res) {
    Apply(reply, res);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    metrics.Observe(route, reply.status, seconds);  // before the reply leaves: clients may look
    ThisThread() = {.req = &req, .route = route, .start = start, .handler_seconds = seconds,
                    .request_bytes = request_bytes, .response_bytes = reply.body.size(),
                    .status = reply.status};
  }

  // httplib's logger: called once the response has been written.
  void Log(const httplib::Request& req) {
    Served& s = ThisThread();
    if (s.req != &req) return;  // not a wrapped route (or a stale entry)
    s.req = nullptr;
    double seconds = std::chrono::duration<double>(Clock::now() - s.start).count();
    LogEvent(s.status >= 500 ? "error" : "info", "request",
             {{"route", s.route}, {"status", s.status}, {"request_bytes", s.request_bytes},
              {"response_bytes", s.response_bytes},
              // Whole microseconds: the handler, and the handler plus writing the reply.
              {"us", static_cast<int64_t>(s.handler_seconds * 1e6)},
              {"total_us", static_cast<int64_t>(seconds * 1e6)}});
  }

  // Wraps a handler with metrics and the request log line.
  httplib::Server::Handler Wrap(const std::string& route, Handler h) {
    return [this, route, h](const httplib::Request& req, httplib::Response& res) {
      auto start = Clock::now();
      Reply reply = h(req);
      Finish(req, route, start, req.body.size(), reply, res);
    };
  }

  // Like Wrap, for the bulky routes (inference): reads the body itself into a buffer reserved
  // from Content-Length (capped at the request limit), instead of letting httplib grow
  // Request::body 4 KiB at a time (reallocations and copies of every tensor, and a buffer that
  // crosses malloc's mmap threshold and page-faults on each request).
  httplib::Server::HandlerWithContentReader WrapBody(const std::string& route, BodyHandler h) {
    return [this, route, h](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) {
      auto start = Clock::now();
      std::string body;
      body.reserve(std::min<size_t>(req.get_header_value<uint64_t>("Content-Length"),
                                    opts.max_request_bytes));
      bool read = reader([&body, max = opts.max_request_bytes](const char* data, size_t n) {
        if (body.size() + n > max) return false;  // httplib checked the length; never exceed it
        body.append(data, n);
        return true;
      });
      Reply reply;
      if (read) {
        reply = h(req, body);
      } else {
        int status = res.status >= 400 ? res.status : 400;
        reply = ErrorReply(status, status == 413 ? "request too large" : "bad request");
      }
      Finish(req, route, start, body.size(), reply, res);
      if (!read) {  // the rest of the body is unread: it must not be taken for the next request
        channel::ReplyAndClose(res, reply.status, reply.body, reply.content_type);
      }
    };
  }

  // Runs before httplib reads a body. Refuses a body whose size httplib would not bound
  // (channel::CheckBodyFraming), and a body over kSmallBodyBytes on the routes whose valid bodies
  // are small JSON documents: parsed whole, a large one would cost many times its size in memory.
  // The refused body stays unread, so the connection closes after the reply.
  bool RefuseBeforeBody(const httplib::Request& req, httplib::Response& res) {
    Reply reply;
    if (auto refusal = channel::CheckBodyFraming(req)) {
      reply = ErrorReply(refusal->status, refusal->message);
    } else if (req.method == "POST" &&
               (req.path == "/v1/attestation" || req.path.starts_with("/v1/provision/")) &&
               req.get_header_value<uint64_t>("Content-Length") > kSmallBodyBytes) {
      reply = ErrorReply(413, "request too large");
    } else {
      return false;
    }
    channel::ReplyAndClose(res, reply.status, reply.body, reply.content_type);
    return true;
  }

  void Configure(httplib::Server& srv, bool plain_only) {
    srv.new_task_queue = [n = opts.num_workers] { return new httplib::ThreadPool(n); };
    srv.set_socket_options(SetExclusiveListenOptions);  // no other process shares our ports
    srv.set_read_timeout(opts.read_timeout_seconds, 0);
    srv.set_write_timeout(opts.write_timeout_seconds, 0);
    srv.set_keep_alive_timeout(opts.keep_alive_seconds);
    srv.set_keep_alive_max_count(static_cast<size_t>(opts.keep_alive_max_requests));
    srv.set_tcp_nodelay(true);  // small replies must not wait for delayed ACKs (~40 ms each)
    srv.set_payload_max_length(opts.max_request_bytes);
    srv.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return RefuseBeforeBody(req, res) ? httplib::Server::HandlerResponse::Handled
                                        : httplib::Server::HandlerResponse::Unhandled;
    });
    srv.set_logger([this](const httplib::Request& req, const httplib::Response&) { Log(req); });
    // A handler that throws gets a plain 500: not httplib's default, which sends the exception's
    // text in an EXCEPTION_WHAT header. The text is not logged either: a parser's message can
    // quote request bytes.
    srv.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
          LogEvent("error", "handler_exception", {{"method", req.method}});
          Apply(ErrorReply(500, "internal error"), res);
        });
    srv.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        Apply(ErrorReply(res.status, res.status == 413   ? "request too large"
                                     : res.status == 404 ? "no such endpoint"
                                                         : "bad request"),
              res);
      }
    });
    srv.Get("/v2/health/live", Wrap("live", [this](auto&) { return service.Live(); }));
    srv.Get("/v2/health/ready", Wrap("ready", [this](auto&) { return service.Ready(); }));
    srv.Get("/v1/attestation",
            Wrap("attestation", [this](auto& r) { return service.GetAttestation(Peer(r)); }));
    srv.Post("/v1/attestation",
             Wrap("attestation_fresh", [this](auto& r) {
               return service.PostAttestation(r.body, Peer(r));
             }));
    srv.Post(R"(/v1/sealed/models/([^/]+)/infer)",
             WrapBody("sealed_infer", [this](const httplib::Request& r, std::string_view body) {
               return service.SealedInfer(Match(r, 1), body);
             }));
    if (plain_only) return;
    srv.Get("/v2", Wrap("server_metadata", [this](auto&) { return service.ServerMetadata(); }));
    srv.Get(R"(/v2/models/([^/]+)(?:/versions/([^/]+))?)", Wrap("model_metadata", [this](auto& r) {
              return service.ModelMetadata(Match(r, 1), Match(r, 2));
            }));
    srv.Get(R"(/v2/models/([^/]+)(?:/versions/([^/]+))?/ready)", Wrap("model_ready", [this](auto& r) {
              return service.ModelReady(Match(r, 1), Match(r, 2));
            }));
    srv.Post(R"(/v2/models/([^/]+)(?:/versions/([^/]+))?/infer)",
             WrapBody("infer", [this](const httplib::Request& r, std::string_view body) {
               bool proof = r.get_header_value("Confide-Proof") == "1";
               return service.Infer(Match(r, 1), Match(r, 2), body, JsonLen(r), proof);
             }));
    // Owner key push: on the attested TLS listener only (the owner appraised this server).
    srv.Post(R"(/v1/provision/([^/]+))", Wrap("provision", [this](auto& r) {
               return service.Provision(Match(r, 1), r.body, Peer(r));
             }));
    srv.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics.Render(), "text/plain; version=0.0.4");
    });
  }

  const InferenceService& service;
  const Attestor& attestor;
  Metrics& metrics;
  HttpOptions opts;
  httplib::SSLServer tls;
  httplib::Server plain;
  std::thread plain_thread;
  ServeGate gate;  // a Stop while Serve is starting is not lost
};

HttpServer::HttpServer(const InferenceService& service, const Attestor& attestor,
                       Metrics& metrics, HttpOptions opts)
    : impl_(std::make_unique<Impl>(service, attestor, metrics, std::move(opts))) {
  impl_->Configure(impl_->tls, false);
  impl_->Configure(impl_->plain, true);
}

HttpServer::~HttpServer() {
  Stop();
  if (impl_->plain_thread.joinable()) impl_->plain_thread.join();
}

Status HttpServer::Bind() {
  if (!impl_->tls.is_valid()) return InternalError("TLS server context could not be configured");
  const HttpOptions& o = impl_->opts;
  port_ = o.port == 0 ? impl_->tls.bind_to_any_port(o.host)
                      : (impl_->tls.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port_ < 0) return UnavailableError("cannot listen on " + o.host + ":" + std::to_string(o.port));
  if (o.plain_port >= 0) {
    plain_port_ = o.plain_port == 0
                      ? impl_->plain.bind_to_any_port(o.host)
                      : (impl_->plain.bind_to_port(o.host, o.plain_port) ? o.plain_port : -1);
    if (plain_port_ < 0) return UnavailableError("cannot listen on plain port");
  }
  return OkStatus();
}

void HttpServer::Serve() {
  impl_->gate.Serve([this] {
    if (plain_port_ >= 0) {
      impl_->plain_thread = std::thread([this] { impl_->plain.listen_after_bind(); });
    }
    impl_->tls.listen_after_bind();
    if (impl_->plain_thread.joinable()) impl_->plain_thread.join();
  });
}

void HttpServer::Stop() {
  impl_->gate.Stop([this] {
    impl_->tls.stop();
    impl_->plain.stop();
  });
}

}  // namespace confide::server
