#include "confide/server/attestor.h"

#include <algorithm>

#include "confide/attest/binding.h"
#include "confide/base/base64.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/hpke.h"

namespace confide::server {

namespace {

using nlohmann::json;

// The decoded binding claims, hex or base64 as each value reads best.
json ClaimsJson(const attest::BindingClaims& c) {
  json j = json::object();
  if (c.pubkey_hash) {
    j["pubkey-hash"] = {{"alg", c.pubkey_hash->alg}, {"digest", HexEncode(c.pubkey_hash->digest)}};
  }
  if (c.hpke_pub) j["hpke-pub"] = Base64Encode(*c.hpke_pub);
  if (c.nonce) j["nonce"] = Base64Encode(*c.nonce);
  if (c.workload) j["workload"] = HexEncode(*c.workload);
  return j;
}

}  // namespace

Attestor::Attestor(tee::Platform& platform, WorkloadInputs inputs,
                   std::array<uint8_t, 32> workload, crypto::PrivateKey hpke_key, Bytes hpke_pub,
                   channel::AttestedIdentity identity)
    : platform_(platform),
      inputs_(std::move(inputs)),
      workload_(workload),
      hpke_key_(std::move(hpke_key)),
      hpke_pub_(std::move(hpke_pub)),
      identity_(std::move(identity)),
      encoded_bundle_(attest::EncodeEvidenceBundle(identity_.bundle)),
      evidence_digest_(crypto::Sha256(encoded_bundle_)) {}

Result<std::unique_ptr<Attestor>> Attestor::Create(tee::Platform& platform, WorkloadInputs inputs,
                                                   Time now) {
  std::array<uint8_t, 32> workload = ComputeWorkload(inputs);
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey hpke_key,
                           crypto::hpke::GenerateKeyPair(crypto::hpke::KemId::kX25519HkdfSha256));
  CONFIDE_ASSIGN_OR_RETURN(Bytes hpke_pub, hpke_key.public_key().ToRaw());
  CONFIDE_ASSIGN_OR_RETURN(
      channel::AttestedIdentity identity,
      channel::MakeAttestedIdentity(platform, {.now = now - std::chrono::minutes(1),
                                               .hpke_pub = hpke_pub,
                                               .workload = workload,
                                               .subject_cn = "confide-server"}));
  return std::unique_ptr<Attestor>(new Attestor(platform, std::move(inputs), workload,
                                                std::move(hpke_key), std::move(hpke_pub),
                                                std::move(identity)));
}

json Attestor::BundleJson(const attest::EvidenceBundle& bundle, ByteSpan encoded) const {
  json j = {{"tee", std::string(attest::TeeTypeName(bundle.tee))},
            {"evidence_bundle", Base64Encode(encoded)},
            {"evidence", Base64Encode(bundle.evidence)},
            {"endorsements", Base64Encode(bundle.endorsements)},
            {"claims_cbor", Base64Encode(bundle.claims)}};
  auto claims = attest::DecodeBindingClaims(bundle.claims);
  if (claims.ok()) j["claims"] = ClaimsJson(*claims);
  json digests = json::array();
  std::vector<package::Digest> sorted = inputs_.manifest_digests;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& d : sorted) digests.push_back(HexEncode(d));
  j["claim_inputs"] = {
      {"tls_spki_der", Base64Encode(identity_.certificate.public_key().ToDer())},
      {"hpke_pub", Base64Encode(hpke_pub_)},
      {"hpke_suite", "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM"},
      {"workload", {{"manifest_digests", digests}, {"launch_config", inputs_.launch_config}}}};
  return j;
}

json Attestor::CertificateEvidenceJson() const {
  json j = BundleJson(identity_.bundle, encoded_bundle_);
  j["certificate_pem"] = identity_.certificate.ToPem();
  j["produced_at"] = FormatRfc3339(identity_.certificate.not_before());
  return j;
}

Result<FreshEvidence> Attestor::FreshEvidenceJson(ByteSpan nonce) const {
  if (nonce.empty() || nonce.size() > kMaxNonceSize) {
    return InvalidArgumentError("nonce must be 1.." + std::to_string(kMaxNonceSize) + " bytes");
  }
  attest::BindingClaims claims{
      .pubkey_hash = attest::PubkeyHashOf(identity_.certificate.public_key().ToDer()),
      .hpke_pub = hpke_pub_,
      .nonce = Bytes(nonce.begin(), nonce.end()),
      .workload = workload_};
  Bytes cbor = attest::EncodeBindingClaims(claims);
  CONFIDE_ASSIGN_OR_RETURN(tee::Evidence ev, platform_.GetEvidence(attest::ReportDataFor(cbor)));
  attest::EvidenceBundle bundle{.tee = ev.tee, .evidence = std::move(ev.report),
                                .claims = std::move(cbor), .endorsements = std::move(ev.cert_table)};
  Bytes encoded = attest::EncodeEvidenceBundle(bundle);
  return FreshEvidence{.json = BundleJson(bundle, encoded),
                       .evidence_digest = crypto::Sha256(encoded)};
}

}  // namespace confide::server
