// The server's API, independent of the HTTP library: each method takes what the route extracted
// and returns a Reply. OIP v2 REST (notes/protocols.md §5.1), the attestation API and the sealed
// mode. Errors follow OIP: status 400 (malformed or wrong tensors), 404 (unknown model or
// version), 413 (too large), 500/503, with body {"error": "..."} that never echoes tensor data.
//
//   InferenceService service(std::move(models), *attestor, trail, {});
//   Reply r = service.Infer("mnist8", "", body, std::nullopt, /*want_proof=*/false);
#ifndef CONFIDE_SERVER_SERVICE_H_
#define CONFIDE_SERVER_SERVICE_H_

#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confide/server/attestor.h"
#include "confide/server/audit_trail.h"
#include "confide/server/metrics.h"
#include "confide/server/model_loader.h"
#include "confide/server/oip_tensors.h"
#include "confide/package/trust.h"

namespace confide::server {

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// An OIP error reply: {"error": message}.
Reply ErrorReply(int status, std::string_view message);

struct ServiceOptions {
  TensorLimits limits;
  std::string server_name = "confide-server";
  std::string server_version = "0.1.0";
};

// The response header carrying a per-result proof (docs/server.md "Per-result proofs"): JSON
// {"v":1,"model","input","output","evidence" (hex SHA-256 each),"sig" (base64 DER ECDSA P-256
// SHA-256 by the attested TLS key over kProofContext || the four digests)}.
inline constexpr char kProofHeader[] = "Confide-Result-Proof";
inline constexpr char kProofContext[] = "confide result proof v1";

// Owner key push (POST /v1/provision/{model}): decrypts and loads a pending model with the pushed
// key (checking the manifest's key_check). Server::Start
// supplies it; the index is the model's position in the service's list.
using PushedKeyLoader =
    std::function<Result<std::unique_ptr<engine::Model>>(size_t index, const SecretBytes& key)>;
struct Provisioning {
  PushedKeyLoader load;
  // Seals the pushed key into the cache; called only after the push's audit entry is durable.
  std::function<void(const SecretBytes& key, const package::Digest& manifest_digest)> seal;
  const package::TrustList* trust = nullptr;  // must outlive the service
  const Clock* clock = nullptr;               // signer validity; must outlive the service
};

// Thread safe: requests may be served concurrently.
//
// Audit policy: durable audit entries (AuditTrail::Record) are written for evidence served
// (GET/POST /v1/attestation) and for decisions on a push signed by the package's signer
// (accepted, KEY_NOT_OPENED, WRONG_KEY, LOAD_FAILED). Refusals that anyone can cause without
// authenticating (malformed attestation requests, malformed, unsigned or wrongly signed pushes,
// pushes to a model that has its key) are only logged and counted in Metrics::CountRefused, so
// they cannot grow the audit log.
class InferenceService {
 public:
  // `attestor`, `audit` and `metrics` must outlive the service. Sets the metrics' model counts.
  InferenceService(std::vector<ServedModel> models, const Attestor& attestor,
                   const AuditTrail& audit, Metrics& metrics, ServiceOptions opts);
  // Enables POST /v1/provision (the server runs with --await-provision). Call before serving.
  void EnableProvisioning(Provisioning p) { provisioning_ = std::move(p); }

  Reply Live() const;
  Reply Ready() const;
  Reply ServerMetadata() const;
  Reply ModelMetadata(const std::string& name, const std::string& version) const;
  Reply ModelReady(const std::string& name, const std::string& version) const;
  // `version` empty = the loaded one. With `want_proof` the reply carries kProofHeader.
  Reply Infer(const std::string& name, const std::string& version, std::string_view body,
              std::optional<size_t> json_len, bool want_proof) const;
  // Evidence served is audited (AuditTrail) before it leaves; when the audit entry cannot be
  // made durable the reply is 503 (fail closed). A refused request (bad body or nonce, evidence
  // error) is logged and counted, not audited. `requester`: the peer address.
  Reply GetAttestation(const std::string& requester) const;
  // Body {"nonce": base64}.
  Reply PostAttestation(std::string_view body, const std::string& requester) const;
  // Body: a sealed request (channel/sealed_envelope.h); the reply is sealed unless the envelope
  // itself cannot be opened (then a plain 400).
  Reply SealedInfer(const std::string& name, std::string_view body) const;

  // Body: provision_request.h. The model must be pending (409 once it has a key); the signer
  // must be the manifest's signer_key_id, valid in the trust list (403), the signature over the
  // sealed key and this server's attested HPKE key must verify (403), the key must open (403)
  // and match the manifest's key_check (403). Outcomes of a push whose signature verified are
  // audited (kAuditProvision); earlier refusals are logged and counted (class comment). The key
  // is never logged, and engine errors are logged, not returned. 200 {"name","ready":true} once
  // the model serves; only then is the key use counted (Metrics::CountKeyUse "provision").
  Reply Provision(const std::string& name, std::string_view body,
                  const std::string& requester) const;

 private:
  const ServedModel* Find(const std::string& name, const std::string& version) const;
  // The model's engine, or null while it awaits its key.
  const engine::Model* EngineOf(const ServedModel& m) const;
  // A refusal of a push whose signature verified: a durable audit entry (best effort).
  Reply RefuseProvision(audit::AuditEvent event, int status, const std::string& reason,
                        const std::string& message) const;
  // A refusal that is only logged and counted (class comment).
  Reply Refuse(const std::string& route, audit::AuditEvent event, int status,
               const std::string& reason, const std::string& message) const;
  // Sets the metrics' ready and pending model counts. Caller holds engines_mu_ (either mode).
  void PublishModelCountsLocked() const;
  Result<engine::NamedTensors> Run(const ServedModel& m, const InferRequest& req) const;
  Reply ProofHeader(Reply reply, const ServedModel& m, std::string_view input) const;

  // A pending model's engine is set once, by Provision, under an exclusive lock; never reset.
  mutable std::vector<ServedModel> models_;
  mutable std::shared_mutex engines_mu_;
  mutable std::mutex provision_mu_;  // one push at a time
  Provisioning provisioning_;
  const Attestor& attestor_;
  const AuditTrail& audit_;
  Metrics& metrics_;
  ServiceOptions opts_;
};

}  // namespace confide::server

#endif  // CONFIDE_SERVER_SERVICE_H_
