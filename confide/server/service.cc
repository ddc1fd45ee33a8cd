#include "confide/server/service.h"

#include <nlohmann/json.hpp>

#include "confide/base/base64.h"
#include "confide/base/hex.h"
#include "confide/channel/sealed_envelope.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"
#include "confide/server/log.h"
#include "confide/server/provision_request.h"

namespace confide::server {

namespace {

using nlohmann::json;

// Strings from the request (a model name in the URL) may not be UTF-8: replaced, not thrown on.
Reply JsonReply(const json& j, int status = 200) {
  return Reply{.status = status, .body = j.dump(-1, ' ', false, json::error_handler_t::replace)};
}

// The OIP status for an engine or codec error.
int StatusFor(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kUnsupported: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kUnavailable: return 503;
    default: return 500;
  }
}

json TensorMetadata(const engine::TensorDesc& d) {
  json shape = json::array();
  for (int64_t dim : d.dims) shape.push_back(dim < 0 ? -1 : dim);
  return {{"name", d.name}, {"datatype", OipDatatypeName(d.dtype)}, {"shape", shape}};
}

}  // namespace

Reply ErrorReply(int status, std::string_view message) {
  return JsonReply({{"error", message}}, status);
}

InferenceService::InferenceService(std::vector<ServedModel> models, const Attestor& attestor,
                                   const AuditTrail& audit, Metrics& metrics, ServiceOptions opts)
    : models_(std::move(models)),
      attestor_(attestor),
      audit_(audit),
      metrics_(metrics),
      opts_(std::move(opts)) {
  std::shared_lock lock(engines_mu_);
  PublishModelCountsLocked();
}

void InferenceService::PublishModelCountsLocked() const {
  int ready = 0;
  for (const ServedModel& m : models_) ready += m.model != nullptr;
  metrics_.SetModels(ready, static_cast<int>(models_.size()) - ready);
}

const ServedModel* InferenceService::Find(const std::string& name,
                                          const std::string& version) const {
  for (const ServedModel& m : models_) {
    if (m.name == name && (version.empty() || version == m.version)) return &m;
  }
  return nullptr;
}

const engine::Model* InferenceService::EngineOf(const ServedModel& m) const {
  std::shared_lock lock(engines_mu_);
  return m.model.get();
}

Reply InferenceService::Live() const { return JsonReply({{"live", true}}); }

// Ready when every model serves (a model awaiting `confide provision` is not).
Reply InferenceService::Ready() const {
  bool ready = !models_.empty();
  for (const ServedModel& m : models_) ready = ready && EngineOf(m) != nullptr;
  return JsonReply({{"ready", ready}});
}

Reply InferenceService::ServerMetadata() const {
  return JsonReply({{"name", opts_.server_name},
                    {"version", opts_.server_version},
                    {"extensions", {"binary_tensor_data", "confide_attestation", "confide_sealed",
                                    "confide_result_proof"}}});
}

Reply InferenceService::ModelMetadata(const std::string& name, const std::string& version) const {
  const ServedModel* m = Find(name, version);
  if (!m) return ErrorReply(404, "unknown model '" + name + "'");
  json inputs = json::array(), outputs = json::array();
  const engine::Model* engine = EngineOf(*m);
  if (engine) {  // a pending model's tensors are inside its still-encrypted package
    for (const auto& d : engine->info().inputs) inputs.push_back(TensorMetadata(d));
    for (const auto& d : engine->info().outputs) outputs.push_back(TensorMetadata(d));
  }
  return JsonReply({{"name", m->name},
                    {"versions", {m->version}},
                    {"platform", "onnx_onnxv1"},
                    {"inputs", inputs},
                    {"outputs", outputs},
                    {"parameters", {{"manifest_digest", HexEncode(m->manifest_digest)},
                                    {"ready", engine != nullptr}}}});
}

Reply InferenceService::ModelReady(const std::string& name, const std::string& version) const {
  const ServedModel* m = Find(name, version);
  if (!m) return ErrorReply(404, "unknown model '" + name + "'");
  return JsonReply({{"name", m->name}, {"ready", EngineOf(*m) != nullptr}});
}

Result<engine::NamedTensors> InferenceService::Run(const ServedModel& m,
                                                   const InferRequest& req) const {
  const engine::Model* engine = EngineOf(m);
  if (!engine) return UnavailableError("model '" + m.name + "' awaits its key (confide provision)");
  CONFIDE_ASSIGN_OR_RETURN(engine::NamedTensors outputs, engine->Run(req.inputs));
  if (req.outputs.empty()) return outputs;
  engine::NamedTensors picked;
  for (const std::string& want : req.outputs) {
    auto it = std::find_if(outputs.begin(), outputs.end(),
                           [&](const auto& o) { return o.first == want; });
    if (it == outputs.end()) return InvalidArgumentError("unknown output '" + want + "'");
    picked.push_back(*it);
  }
  return picked;
}

Reply InferenceService::Infer(const std::string& name, const std::string& version,
                              std::string_view body, std::optional<size_t> json_len,
                              bool want_proof) const {
  const ServedModel* m = Find(name, version);
  if (!m) return ErrorReply(404, "unknown model '" + name + "'");
  if (!EngineOf(*m)) {
    return ErrorReply(503,
                      "model '" + name + "' is not ready: it awaits its key (confide provision)");
  }
  auto req = ParseInferRequest(body, json_len, opts_.limits);
  if (!req.ok()) return ErrorReply(400, req.error().message);
  auto outputs = Run(*m, *req);
  if (!outputs.ok()) return ErrorReply(StatusFor(outputs.error()), outputs.error().message);
  EncodedBody enc = EncodeInferResponse({.model_name = m->name, .model_version = m->version,
                                         .id = req->id},
                                        *outputs, req->binary_output);
  Reply reply{.body = std::move(enc.body)};
  if (enc.json_len) {
    reply.content_type = "application/octet-stream";
    reply.headers.emplace_back("Inference-Header-Content-Length", std::to_string(*enc.json_len));
  }
  if (want_proof) return ProofHeader(std::move(reply), *m, body);
  return reply;
}

Reply InferenceService::ProofHeader(Reply reply, const ServedModel& m,
                                    std::string_view input) const {
  auto in = crypto::Sha256(AsBytes(input));
  auto out = crypto::Sha256(AsBytes(reply.body));
  const auto& ev = attestor_.evidence_digest();
  Bytes message = Concat({AsBytes(kProofContext), m.manifest_digest, in, out, ev});
  auto sig = crypto::EcdsaSign(attestor_.identity().tls_key, crypto::HashAlg::kSha256, message,
                               crypto::SigFormat::kDer);
  if (!sig.ok()) return ErrorReply(500, "could not sign the result proof");
  json proof = {{"v", 1}, {"model", HexEncode(m.manifest_digest)}, {"input", HexEncode(in)},
                {"output", HexEncode(out)}, {"evidence", HexEncode(ev)},
                {"sig", Base64Encode(*sig)}};
  reply.headers.emplace_back(kProofHeader, proof.dump());
  return reply;
}

Reply InferenceService::GetAttestation(const std::string& requester) const {
  const auto& digest = attestor_.evidence_digest();
  auto seq = audit_.Record({.kind = kAuditAttestation,
                            .evidence_digest = Bytes(digest.begin(), digest.end()),
                            .claims_summary = "kind=certificate",
                            .result = "ok",
                            .requester = requester});
  if (!seq.ok()) return ErrorReply(503, "audit log unavailable");
  return JsonReply(attestor_.CertificateEvidenceJson());
}

Reply InferenceService::PostAttestation(std::string_view body, const std::string& requester) const {
  audit::AuditEvent event{.kind = kAuditAttestation, .claims_summary = "kind=fresh",
                          .result = "error", .requester = requester};
  constexpr char kRoute[] = "attestation_fresh";
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("nonce") || !j["nonce"].is_string()) {
    return Refuse(kRoute, std::move(event), 400, "BAD_REQUEST",
                  "body must be {\"nonce\": base64}");
  }
  auto nonce = Base64Decode(j["nonce"].get<std::string>());
  if (!nonce.ok()) {
    return Refuse(kRoute, std::move(event), 400, "BAD_NONCE", "nonce: " + nonce.error().message);
  }
  auto fresh = attestor_.FreshEvidenceJson(*nonce);
  if (!fresh.ok()) {
    bool bad_nonce = fresh.error().code == ErrorCode::kInvalidArgument;
    return Refuse(kRoute, std::move(event), StatusFor(fresh.error()),
                  bad_nonce ? "BAD_NONCE" : "EVIDENCE_ERROR", fresh.error().message);
  }
  event.evidence_digest.assign(fresh->evidence_digest.begin(), fresh->evidence_digest.end());
  event.result = "ok";
  if (!audit_.Record(std::move(event)).ok()) return ErrorReply(503, "audit log unavailable");
  return JsonReply(fresh->json);
}

Reply InferenceService::SealedInfer(const std::string& name, std::string_view body) const {
  auto opened = channel::OpenRequest(attestor_.hpke_key(), name, AsBytes(body));
  if (!opened.ok()) return ErrorReply(400, opened.error().message);
  Reply inner = Infer(name, "", opened->inner.body, opened->inner.json_len, false);
  channel::EnvelopeBody out{.body = std::move(inner.body)};
  for (const auto& [k, v] : inner.headers) {
    if (k == "Inference-Header-Content-Length") out.json_len = std::stoul(v);
  }
  auto sealed = channel::SealResponse(*opened, inner.status, out);
  if (!sealed.ok()) return ErrorReply(500, "could not seal the response");
  return Reply{.status = 200, .body = ToString(*sealed), .content_type = "application/octet-stream"};
}

Reply InferenceService::RefuseProvision(audit::AuditEvent event, int status,
                                        const std::string& reason,
                                        const std::string& message) const {
  event.result = "refused";
  event.reasons = {reason};
  (void)audit_.Record(std::move(event), {{"status", status}});
  return ErrorReply(status, message);
}

Reply InferenceService::Refuse(const std::string& route, audit::AuditEvent event, int status,
                               const std::string& reason, const std::string& message) const {
  event.result = event.kind == kAuditProvision ? "refused" : "error";
  event.reasons = {reason};
  audit_.LogRefusal(std::move(event), {{"status", status}});  // the request line has the route
  metrics_.CountRefused(route, reason);
  return ErrorReply(status, message);
}

Reply InferenceService::Provision(const std::string& name, std::string_view body,
                                  const std::string& requester) const {
  if (!provisioning_.load || !provisioning_.trust || !provisioning_.clock) {
    return ErrorReply(404, "provisioning is off (start the server with --await-provision)");
  }
  size_t index = models_.size();
  for (size_t i = 0; i < models_.size() && index == models_.size(); ++i) {  // the first, as Find
    if (models_[i].name == name) index = i;
  }
  if (index == models_.size()) return ErrorReply(404, "unknown model '" + name + "'");
  const ServedModel& m = models_[index];
  std::lock_guard one_at_a_time(provision_mu_);
  audit::AuditEvent event{.kind = kAuditProvision, .model_id = m.name,
                          .claims_summary = "manifest_digest=" + HexEncode(m.manifest_digest),
                          .result = "error", .requester = requester};
  constexpr char kRoute[] = "provision";
  // Until the signature verifies anyone may have sent the push: refusals are not audited.
  if (EngineOf(m)) {
    return Refuse(kRoute, event, 409, "ALREADY_PROVISIONED",
                  "model '" + name + "' already has its key");
  }
  auto req = ParseProvisionRequest(body);
  if (!req.ok()) return Refuse(kRoute, event, 400, "BAD_REQUEST", req.error().message);
  auto signer = provisioning_.trust->FindSigner(m.signer_key_id, provisioning_.clock->Now());
  if (!signer.ok()) {
    return Refuse(kRoute, event, 403, "SIGNER_NOT_TRUSTED",
                  "the package's signer may not push keys: " + signer.error().message);
  }
  if (!VerifyProvisionSignature((*signer)->key, m.manifest_digest, attestor_.hpke_pub(), *req)) {
    return Refuse(kRoute, event, 403, "SIGNATURE_INVALID",
                  "the push is not signed by the package's signer for this server");
  }
  auto key = OpenProvisionKey(attestor_.hpke_key(), m.name, m.manifest_digest, req->sealed_key);
  if (!key.ok()) {
    return RefuseProvision(event, 403, "KEY_NOT_OPENED",
                           "the sealed key does not open for this server, model and package");
  }
  auto loaded = provisioning_.load(index, *key);
  if (!loaded.ok()) {
    // The engine's or package's message stays in the server log: the reply names the outcome.
    bool wrong_key = loaded.error().code == ErrorCode::kVerificationFailed;
    LogEvent("error", "provision_load_failed",
             {{"model", m.name}, {"error", loaded.error().ToString()}});
    return wrong_key ? RefuseProvision(event, 403, "WRONG_KEY",
                                       "wrong model key: the package does not decrypt with it")
                     : RefuseProvision(event, 500, "LOAD_FAILED",
                                       "the model could not be loaded with the pushed key");
  }
  event.result = "ok";
  if (!audit_.Record(event, {{"manifest_digest", HexEncode(m.manifest_digest)}}).ok()) {
    return ErrorReply(503, "audit log unavailable");  // fail closed: the key is not used
  }
  if (provisioning_.seal) provisioning_.seal(*key, m.manifest_digest);
  {
    std::unique_lock lock(engines_mu_);
    models_[index].model = *std::move(loaded);
    models_[index].state = ModelState::kReady;
    models_[index].key_origin = "provision";
    PublishModelCountsLocked();
  }
  metrics_.CountKeyUse("provision");
  LogEvent("info", "model_provisioned", {{"model", m.name}});
  return JsonReply({{"name", m.name}, {"ready", true}});
}

}  // namespace confide::server
