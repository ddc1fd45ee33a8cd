// The server's attested identity and its attestation API (GET/POST /v1/attestation): the TLS key
// and certificate made inside the TEE, the HPKE (X25519) key for sealed requests, the workload
// digest, and fresh evidence for a verifier's nonce. docs/server.md shows the JSON.
//
//   CONFIDE_ASSIGN_OR_RETURN(auto attestor, Attestor::Create(platform, workload, clock.Now()));
//   nlohmann::json doc = attestor->CertificateEvidenceJson();
//   CONFIDE_ASSIGN_OR_RETURN(nlohmann::json fresh, attestor->FreshEvidenceJson(nonce));
#ifndef CONFIDE_SERVER_ATTESTOR_H_
#define CONFIDE_SERVER_ATTESTOR_H_

#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "confide/channel/attested_tls.h"
#include "confide/package/manifest.h"
#include "confide/server/workload.h"
#include "confide/tee/platform.h"

namespace confide::server {

inline constexpr size_t kMaxNonceSize = 64;

// POST /v1/attestation's answer: the JSON document and the SHA-256 of its encoded evidence
// bundle (the base64 "evidence_bundle" member), computed once where the bundle is encoded.
struct FreshEvidence {
  nlohmann::json json;
  std::array<uint8_t, 32> evidence_digest{};
};

// Thread safe after Create.
class Attestor {
 public:
  // Makes the HPKE key pair and the attested TLS identity (binding TLS key, hpke-pub, workload).
  // Errors from the platform and crypto.
  static Result<std::unique_ptr<Attestor>> Create(tee::Platform& platform, WorkloadInputs inputs,
                                                  Time now);

  const channel::AttestedIdentity& identity() const { return identity_; }
  const crypto::PrivateKey& hpke_key() const { return hpke_key_; }
  const Bytes& hpke_pub() const { return hpke_pub_; }
  const std::array<uint8_t, 32>& workload() const { return workload_; }
  // SHA-256 of the certificate's encoded evidence bundle (for per-result proofs).
  const std::array<uint8_t, 32>& evidence_digest() const { return evidence_digest_; }

  // GET /v1/attestation: the certificate's bundle, its decoded claims and their inputs.
  nlohmann::json CertificateEvidenceJson() const;
  // POST /v1/attestation: fresh evidence whose claims add `nonce` (1..kMaxNonceSize bytes:
  // kInvalidArgument otherwise). Platform errors pass through.
  Result<FreshEvidence> FreshEvidenceJson(ByteSpan nonce) const;

 private:
  Attestor(tee::Platform& platform, WorkloadInputs inputs, std::array<uint8_t, 32> workload,
           crypto::PrivateKey hpke_key, Bytes hpke_pub, channel::AttestedIdentity identity);
  // `encoded`: attest::EncodeEvidenceBundle(bundle), which the caller also hashes.
  nlohmann::json BundleJson(const attest::EvidenceBundle& bundle, ByteSpan encoded) const;

  tee::Platform& platform_;
  WorkloadInputs inputs_;
  std::array<uint8_t, 32> workload_{};
  crypto::PrivateKey hpke_key_;
  Bytes hpke_pub_;
  channel::AttestedIdentity identity_;
  Bytes encoded_bundle_;  // the certificate's bundle, encoded once
  std::array<uint8_t, 32> evidence_digest_{};
};

}  // namespace confide::server

#endif  // CONFIDE_SERVER_ATTESTOR_H_
