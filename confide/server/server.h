// The confide-server workload assembled: load every model (keys from the sealed cache, the key
// broker or key files; packages decrypted in memory), compute the workload digest, make the
// attested identity (TLS key + HPKE key + workload, bound in evidence), and serve over attested
// TLS. apps/confide-server/main.cc builds the config and the Platform and calls this.
//
//   CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Server> s, Server::Start(platform, config, now));
//   s->http().Serve();     // until s->http().Stop()
#ifndef CONFIDE_SERVER_SERVER_H_
#define CONFIDE_SERVER_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "confide/server/attestor.h"
#include "confide/server/audit_trail.h"
#include "confide/server/http_server.h"
#include "confide/server/metrics.h"
#include "confide/server/model_loader.h"
#include "confide/server/service.h"

namespace confide::server {

struct ServerConfig {
  std::vector<ModelSource> models;  // at least one
  std::string trust_list_path;       // signers.toml: whose packages this server accepts
  KeySources keys;
  engine::LoadOptions engine;
  HttpOptions http;
  ServiceOptions service;
  // The tamper-evident audit log for attestation requests and key use (audit_trail.h); null =
  // JSON log lines only. Must outlive the server.
  audit::AuditLog* audit_log = nullptr;
  const Clock* clock = nullptr;  // audit times; null = the system clock
  // A model whose key no source has starts "pending" (not ready, still in the workload) and
  // waits for its owner's push (POST /v1/provision/{model}, `confide provision`); false = such a
  // model fails the start.
  bool await_provision = false;
};

// The launch configuration text bound into the workload claim: canonical JSON of the settings
// that change behaviour (limits, engine threads), not of paths or ports.
std::string LaunchConfigText(const ServerConfig& config);

class Server {
 public:
  // Loads the models (each key use audited) and binds the listeners. Errors: any model's
  // (LoadServedModel), the trust list's, the platform's, the audit log's, kUnavailable for a
  // taken port.
  static Result<std::unique_ptr<Server>> Start(tee::Platform& platform, ServerConfig config,
                                               Time now);
  HttpServer& http() { return *http_; }
  const Attestor& attestor() const { return *attestor_; }

 private:
  Server() = default;
  SystemClock system_clock_;
  package::TrustList trust_;  // for pushes: who may provision a key
  ServerConfig config_;       // model sources, key sources and engine options for pushes
  std::unique_ptr<AuditTrail> audit_;
  Metrics metrics_;
  std::unique_ptr<Attestor> attestor_;
  std::unique_ptr<InferenceService> service_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace confide::server

#endif  // CONFIDE_SERVER_SERVER_H_
