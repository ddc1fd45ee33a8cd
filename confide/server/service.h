// The server's API, independent of the HTTP library: each method takes what the route extracted
// and returns a Reply. OIP v2 REST (notes/protocols.md §5.1), the attestation API and the sealed
// mode. Errors follow OIP: status 400 (malformed or wrong tensors), 404 (unknown model or
// version), 413 (too large), 500/503, with body {"error": "..."} that never echoes tensor data.
//
//   InferenceService service(std::move(models), *attestor, trail, {});
//   Reply r = service.Infer("mnist8", "", body, std::nullopt, /*want_proof=*/false);
#ifndef CONFIDE_SERVER_SERVICE_H_
#define CONFIDE_SERVER_SERVICE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confide/server/attestor.h"
#include "confide/server/audit_trail.h"
#include "confide/server/metrics.h"
#include "confide/server/model_loader.h"
#include "confide/server/oip_tensors.h"

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

// Thread safe: requests may be served concurrently.
class InferenceService {
 public:
  // `attestor` and `audit` must outlive the service.
  InferenceService(std::vector<ServedModel> models, const Attestor& attestor,
                   const AuditTrail& audit, ServiceOptions opts);

  Reply Live() const;
  Reply Ready() const;
  Reply ServerMetadata() const;
  Reply ModelMetadata(const std::string& name, const std::string& version) const;
  Reply ModelReady(const std::string& name, const std::string& version) const;
  // `version` empty = the loaded one. With `want_proof` the reply carries kProofHeader.
  Reply Infer(const std::string& name, const std::string& version, std::string_view body,
              std::optional<size_t> json_len, bool want_proof) const;
  // Attestation requests are audited (AuditTrail) before the evidence leaves; when the audit
  // entry cannot be made durable the reply is 503 (fail closed). `requester`: the peer address.
  Reply GetAttestation(const std::string& requester) const;
  // Body {"nonce": base64}.
  Reply PostAttestation(std::string_view body, const std::string& requester) const;
  // Body: a sealed request (channel/sealed_envelope.h); the reply is sealed unless the envelope
  // itself cannot be opened (then a plain 400).
  Reply SealedInfer(const std::string& name, std::string_view body) const;

  const std::vector<ServedModel>& models() const { return models_; }

 private:
  const ServedModel* Find(const std::string& name, const std::string& version) const;
  Result<engine::NamedTensors> Run(const ServedModel& m, const InferRequest& req) const;
  Reply ProofHeader(Reply reply, const ServedModel& m, std::string_view input) const;

  std::vector<ServedModel> models_;
  const Attestor& attestor_;
  const AuditTrail& audit_;
  ServiceOptions opts_;
};

}  // namespace confide::server

#endif  // CONFIDE_SERVER_SERVICE_H_
