#include "confide/kbs/server.h"

#include <httplib.h>

#include "confide/base/listen_socket.h"
#include "confide/base/serve_gate.h"
#include "confide/channel/http_guard.h"
#include "confide/crypto/tls.h"

namespace confide::kbs {

struct KbsServer::Impl {
  Impl(KbsService& s, const crypto::Certificate& c, const crypto::PrivateKey& k, ServerLimits l)
      : service(s), limits(l),
        server([&c, &k, this](SSL_CTX& ctx) {
          tls_ok = crypto::ConfigureTlsServer(&ctx, c, k).ok();
          return tls_ok;
        }) {}
  void Routes();

  KbsService& service;
  ServerLimits limits;
  bool tls_ok = false;
  httplib::SSLServer server;
  ServeGate gate;  // a Stop while Run is starting is not lost
};

namespace {

void Send(httplib::Response& res, const Reply& r) {
  res.status = r.status;
  res.set_content(r.body, "application/json");
}

constexpr char kModelPath[] = "/v1/admin/models/([A-Za-z0-9._-]{1,128})/";

}  // namespace

void KbsServer::Impl::Routes() {
  server.Post("/v1/challenge", [this](const httplib::Request& req, httplib::Response& res) {
    Send(res, service.Challenge(req.remote_addr));
  });
  server.Post("/v1/release", [this](const httplib::Request& req, httplib::Response& res) {
    Send(res, service.Release(req.body, req.remote_addr));
  });
  server.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  auto admin = [this](std::string action, bool model_in_path) {
    return [this, action, model_in_path](const httplib::Request& req, httplib::Response& res) {
      AdminCall call{action, model_in_path ? std::string(req.matches[1]) : std::string(),
                     req.body, req.get_header_value("Authorization"), req.remote_addr};
      Send(res, service.Admin(call));
    };
  };
  server.Get("/v1/admin/models", admin("list", false));
  server.Post("/v1/admin/models", admin("add", false));
  server.Post(std::string(kModelPath) + "keys", admin("rotate", true));
  server.Put(std::string(kModelPath) + "policy", admin("policy", true));
  server.Post(std::string(kModelPath) + "retire", admin("retire", true));
  // Before httplib reads a body: one whose size it would not bound is refused (and audited).
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    auto refusal = channel::CheckBodyFraming(req);
    if (!refusal) return httplib::Server::HandlerResponse::Unhandled;
    Reply r = service.RefuseEarly(refusal->status, reason::kBadRequest, req.remote_addr);
    channel::ReplyAndClose(res, r.status, r.body, "application/json");  // the body stays unread
    return httplib::Server::HandlerResponse::Handled;
  });
  // A handler that throws gets a plain 500, not httplib's default EXCEPTION_WHAT header with the
  // exception's text (which can quote request bytes).
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(R"({"error":"internal error"})", "application/json");
      });
  // httplib answers 413 itself before any handler runs; record the refusal here.
  httplib::Server::HandlerWithResponse on_error = [this](const httplib::Request& req,
                                                         httplib::Response& res) {
    if (res.status != 413) return httplib::Server::HandlerResponse::Unhandled;
    Send(res, service.RefuseEarly(413, reason::kBodyTooLarge, req.remote_addr));
    return httplib::Server::HandlerResponse::Handled;
  };
  server.set_error_handler(std::move(on_error));
}

KbsServer::KbsServer(KbsService& service, const crypto::Certificate& cert,
                     const crypto::PrivateKey& key, ServerLimits limits)
    : impl_(std::make_unique<Impl>(service, cert, key, limits)) {
  impl_->server.set_payload_max_length(limits.max_body_bytes);
  impl_->server.set_read_timeout(limits.read_timeout_seconds, 0);
  impl_->server.set_tcp_nodelay(true);
  int threads = limits.threads;
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->Routes();
}

KbsServer::~KbsServer() { Stop(); }

Result<int> KbsServer::Bind(const std::string& host, int port) {
  if (!impl_->server.is_valid() || !impl_->tls_ok) {
    return InvalidArgumentError("kbs: TLS key and certificate do not make a TLS 1.3 context");
  }
  impl_->server.set_socket_options(SetExclusiveListenOptions);  // no other process shares it
  int bound = port == 0 ? impl_->server.bind_to_any_port(host)
                        : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return UnavailableError("kbs: cannot listen on " + host + ":" + std::to_string(port));
  return bound;
}

void KbsServer::Run() {
  impl_->gate.Serve([this] { impl_->server.listen_after_bind(); });
}

void KbsServer::Stop() {
  impl_->gate.Stop([this] { impl_->server.stop(); });
}

}  // namespace confide::kbs
