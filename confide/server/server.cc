#include "confide/server/server.h"

#include <nlohmann/json.hpp>

#include "confide/base/hex.h"
#include "confide/base/process.h"
#include "confide/server/log.h"

namespace confide::server {

std::string LaunchConfigText(const ServerConfig& c) {
  nlohmann::json j = {{"engine_threads", c.engine.num_threads},
                      {"max_request_bytes", c.http.max_request_bytes},
                      {"max_tensor_bytes", c.service.limits.max_tensor_bytes},
                      {"memory_budget_bytes", c.engine.memory_budget_bytes},
                      {"server", c.service.server_name + " " + c.service.server_version}};
  // Only when on, so that the workload of a server that accepts no push is unchanged.
  if (c.await_provision) j["await_provision"] = true;
  return j.dump();  // nlohmann sorts object keys: canonical for these scalar values
}

Result<std::unique_ptr<Server>> Server::Start(tee::Platform& platform, ServerConfig config,
                                              Time now) {
  if (config.models.empty()) return InvalidArgumentError("no model to serve");
  CONFIDE_ASSIGN_OR_RETURN(package::TrustList trust,
                           package::TrustList::Load(config.trust_list_path));
  std::unique_ptr<Server> s(new Server());
  const Clock& clock = config.clock ? *config.clock : s->system_clock_;
  s->audit_ = std::make_unique<AuditTrail>(
      config.audit_log, config.clock ? *config.clock : s->system_clock_, platform.Describe().tee);
  std::vector<ServedModel> models;
  WorkloadInputs workload{.launch_config = LaunchConfigText(config)};
  const IfNoKey if_no_key = config.await_provision ? IfNoKey::kPending : IfNoKey::kFail;
  bool any_loaded = false;
  for (const ModelSource& source : config.models) {
    auto start = std::chrono::steady_clock::now();
    CONFIDE_ASSIGN_OR_RETURN(ServedModel m, LoadServedModel(source, config.keys, trust, platform,
                                                            now, config.engine, if_no_key));
    workload.manifest_digests.push_back(m.manifest_digest);
    if (m.state == ModelState::kPending) {
      LogEvent("warn", "model_pending",
               {{"model", m.name}, {"note", "awaiting its key: confide provision"}});
      models.push_back(std::move(m));
      continue;
    }
    any_loaded = true;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();  // whole, like request lines
    CONFIDE_TRY(s->audit_->Record({.kind = kAuditKeyUse,
                                   .model_id = m.name,
                                   .claims_summary = "key_origin=" + m.key_origin +
                                                     " manifest_digest=" +
                                                     HexEncode(m.manifest_digest) +
                                                     " version=" + m.version,
                                   .result = "ok"},
                                  {{"key_origin", m.key_origin},
                                   {"manifest_digest", HexEncode(m.manifest_digest)},
                                   {"version", m.version}}));
    LogEvent("info", "model_loaded", {{"model", m.name}, {"us", static_cast<int64_t>(us)}});
    s->metrics_.CountKeyUse(m.key_origin);  // after its audit entry is durable
    models.push_back(std::move(m));
  }
  // Once for all models: the plaintext packages and the loaders' transient structures.
  if (any_loaded) ReleaseFreedHeap();
  CONFIDE_ASSIGN_OR_RETURN(s->attestor_, Attestor::Create(platform, std::move(workload), now));
  s->service_ = std::make_unique<InferenceService>(std::move(models), *s->attestor_, *s->audit_,
                                                   s->metrics_, config.service);
  if (config.await_provision) {
    s->trust_ = std::move(trust);
    s->config_ = config;  // copies: paths, key sources, engine options
    Server* self = s.get();
    tee::Platform* tee = &platform;
    const Clock* clk = &clock;
    s->service_->EnableProvisioning(
        {.load = [self, tee, clk](size_t index, const SecretBytes& key)
             -> Result<std::unique_ptr<engine::Model>> {
           const ServerConfig& c = self->config_;
           CONFIDE_ASSIGN_OR_RETURN(ServedModel m,
                                    LoadServedModelWithKey(c.models.at(index), key, c.keys,
                                                           self->trust_, *tee,
                                                           clk->Now(), c.engine));
           ReleaseFreedHeap();  // the pushed model's plaintext and loader structures
           // The key use is counted by the service once the push's audit entry is durable.
           return std::move(m.model);
         },
         .seal = [self, tee](const SecretBytes& key, const package::Digest& digest) {
           StoreKeyInCache(self->config_.keys, *tee, key, digest);
         },
         .trust = &s->trust_,
         .clock = &clock});
  }
  s->http_ = std::make_unique<HttpServer>(*s->service_, *s->attestor_, s->metrics_, config.http);
  CONFIDE_TRY(s->http_->Bind());
  LogEvent("info", "listening", {{"port", s->http_->port()}, {"plain_port", s->http_->plain_port()},
                                 {"workload", HexEncode(s->attestor_->workload())}});
  return s;
}

}  // namespace confide::server
