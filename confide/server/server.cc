#include "confide/server/server.h"

#include <nlohmann/json.hpp>

#include "confide/base/hex.h"
#include "confide/server/log.h"

namespace confide::server {

std::string LaunchConfigText(const ServerConfig& c) {
  nlohmann::json j = {{"engine_threads", c.engine.num_threads},
                      {"max_request_bytes", c.http.max_request_bytes},
                      {"max_tensor_bytes", c.service.limits.max_tensor_bytes},
                      {"memory_budget_bytes", c.engine.memory_budget_bytes},
                      {"server", c.service.server_name + " " + c.service.server_version}};
  return j.dump();  // nlohmann sorts object keys: canonical for these scalar values
}

Result<std::unique_ptr<Server>> Server::Start(tee::Platform& platform, ServerConfig config,
                                              Time now) {
  if (config.models.empty()) return InvalidArgumentError("no model to serve");
  CONFIDE_ASSIGN_OR_RETURN(package::TrustList trust,
                           package::TrustList::Load(config.trust_list_path));
  std::unique_ptr<Server> s(new Server());
  s->audit_ = std::make_unique<AuditTrail>(
      config.audit_log, config.clock ? *config.clock : s->system_clock_, platform.Describe().tee);
  std::vector<ServedModel> models;
  WorkloadInputs workload{.launch_config = LaunchConfigText(config)};
  for (const ModelSource& source : config.models) {
    auto start = std::chrono::steady_clock::now();
    CONFIDE_ASSIGN_OR_RETURN(ServedModel m, LoadServedModel(source, config.keys, trust, platform,
                                                            now, config.engine));
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
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
    LogEvent("info", "model_loaded", {{"model", m.name}, {"ms", ms}});
    s->metrics_.CountKeyUse(m.key_origin);
    workload.manifest_digests.push_back(m.manifest_digest);
    models.push_back(std::move(m));
  }
  s->metrics_.SetModelsLoaded(static_cast<int>(models.size()));
  CONFIDE_ASSIGN_OR_RETURN(s->attestor_, Attestor::Create(platform, std::move(workload), now));
  s->service_ = std::make_unique<InferenceService>(std::move(models), *s->attestor_,
                                                   *s->audit_, config.service);
  s->http_ = std::make_unique<HttpServer>(*s->service_, *s->attestor_, s->metrics_, config.http);
  CONFIDE_TRY(s->http_->Bind());
  LogEvent("info", "listening", {{"port", s->http_->port()}, {"plain_port", s->http_->plain_port()},
                                 {"workload", HexEncode(s->attestor_->workload())}});
  return s;
}

}  // namespace confide::server
