// The confide client: verify, then send. Over attested TLS the server's evidence is appraised
// against the caller's policy inside the handshake, so no application byte leaves before the
// appraisal passes; in sealed mode the request is HPKE-sealed to the key that fresh, nonce-bound
// evidence attests, so proxies (even a plain-HTTP hop) see only ciphertext.
//
//   Client c(*ParseServerUrl("https://127.0.0.1:8443"), policy, clock);
//   CONFIDE_ASSIGN_OR_RETURN(attest::Appraisal a, c.Connect());   // rejected: c.Explain()
//   CONFIDE_ASSIGN_OR_RETURN(engine::NamedTensors out, c.Infer("mnist8", inputs));
#ifndef CONFIDE_CLIENT_CLIENT_H_
#define CONFIDE_CLIENT_CLIENT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "confide/attest/appraisal.h"
#include "confide/attest/policy.h"
#include "confide/base/clock.h"
#include "confide/crypto/x509.h"
#include "confide/engine/engine.h"

namespace confide::client {

struct ServerAddress {
  bool tls = true;  // https: attested TLS; http: only attestation and sealed inference
  std::string host;
  int port = 0;
};
// "https://HOST:PORT" or "http://HOST:PORT" (a trailing '/' is allowed). kInvalidArgument else.
Result<ServerAddress> ParseServerUrl(std::string_view url);

// A verified fresh attestation: the appraisal and the attested HPKE key and workload.
struct FreshAttestation {
  attest::Appraisal appraisal;
  Bytes hpke_pub;
  std::optional<std::array<uint8_t, 32>> workload;
  nlohmann::json document;  // the server's JSON, for display
};

// Not thread safe: one connection, requests in order (keep-alive).
class Client {
 public:
  // `clock` must outlive the client.
  Client(ServerAddress address, attest::Policy policy, const Clock& clock, int timeout_seconds = 30);
  ~Client();

  // TLS: handshake with in-handshake appraisal, then GET /v1/attestation. Returns the accepted
  // appraisal. kVerificationFailed when the policy rejects the server (Explain() says why);
  // kUnavailable when it cannot be reached; kInvalidArgument for an http:// address.
  Result<attest::Appraisal> Connect();
  // POST /v1/attestation with `nonce`, appraised with the nonce (and, over TLS, this
  // connection's key) expected. kVerificationFailed on rejection (Explain()).
  Result<FreshAttestation> AttestFresh(ByteSpan nonce);
  // OIP v2 infer over attested TLS (Connect first). `binary` uses the binary-data extension.
  // kUnavailable for transport errors; the server's error JSON as kInvalidArgument (4xx) or
  // kInternal (5xx).
  Result<engine::NamedTensors> Infer(const std::string& model, const engine::NamedTensors& inputs,
                                     bool binary = true);
  // Sealed inference: AttestFresh with a random nonce (once), then the sealed envelope.
  Result<engine::NamedTensors> InferSealed(const std::string& model,
                                           const engine::NamedTensors& inputs);
  // Any GET over the verified connection (e.g. "/v2/models/mnist8"); body on 2xx.
  Result<std::string> Get(const std::string& path);

  // Any POST over the verified connection (e.g. "/v1/provision/mnist8"); body on 2xx, the
  // server's error JSON as for Infer otherwise, but 403 (a refusal) as kVerificationFailed.
  Result<std::string> Post(const std::string& path, const std::string& body,
                           const std::string& content_type = "application/json");

  // The latest appraisal explained (or the error that prevented one).
  std::string Explain() const;
  // The server's certificate seen in the TLS handshake, if any.
  std::optional<crypto::Certificate> server_certificate() const;
  // The JSON of GET /v1/attestation from Connect.
  const nlohmann::json& certificate_attestation() const { return cert_doc_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  nlohmann::json cert_doc_;
};

}  // namespace confide::client

#endif  // CONFIDE_CLIENT_CLIENT_H_
