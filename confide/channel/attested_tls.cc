#include "confide/channel/attested_tls.h"

#include "confide/attest/verifier.h"
#include "confide/crypto/x509_issue.h"

namespace confide::channel {

Result<AttestedIdentity> MakeAttestedIdentity(tee::Platform& platform,
                                              const AttestedIdentityOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  attest::BindingClaims claims;
  claims.pubkey_hash = attest::PubkeyHashOf(key.public_key().ToDer());
  claims.hpke_pub = opts.hpke_pub;
  claims.workload = opts.workload;
  Bytes claims_cbor = attest::EncodeBindingClaims(claims);
  CONFIDE_ASSIGN_OR_RETURN(tee::Evidence evidence,
                           platform.GetEvidence(attest::ReportDataFor(claims_cbor)));
  attest::EvidenceBundle bundle{.tee = evidence.tee,
                                .evidence = std::move(evidence.report),
                                .claims = std::move(claims_cbor),
                                .endorsements = std::move(evidence.cert_table)};
  crypto::CertificateTemplate t{.subject_cn = opts.subject_cn,
                                .subject_o = "confide",
                                .not_before = opts.now,
                                .not_after = opts.now + opts.validity,
                                .signature_hash = crypto::HashAlg::kSha256};
  t.extensions.push_back({attest::kEvidenceExtensionOid, attest::EncodeEvidenceBundle(bundle),
                          /*critical=*/false});
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate cert,
                           crypto::IssueCertificate(t, key.public_key(), key));
  return AttestedIdentity{.tls_key = std::move(key), .certificate = std::move(cert),
                          .bundle = std::move(bundle)};
}

Result<attest::EvidenceBundle> ExtractEvidenceBundle(const crypto::Certificate& cert) {
  std::optional<Bytes> value = cert.Extension(attest::kEvidenceExtensionOid);
  if (!value) {
    return NotFoundError("the certificate carries no evidence (extension " +
                         std::string(attest::kEvidenceExtensionOid) + ")");
  }
  return attest::DecodeEvidenceBundle(*value);
}

AttestedTlsVerifier::AttestedTlsVerifier(attest::Policy policy, const Clock& clock,
                                         attest::BindingExpectations extra)
    : policy_(std::move(policy)), clock_(clock), extra_(std::move(extra)) {}

bool AttestedTlsVerifier::VerifyPeer(const crypto::Certificate& leaf) {
  Result<attest::Appraisal> result = [&]() -> Result<attest::Appraisal> {
    CONFIDE_ASSIGN_OR_RETURN(attest::EvidenceBundle bundle, ExtractEvidenceBundle(leaf));
    {
      std::lock_guard lock(mu_);
      last_bundle_ = bundle;
    }
    attest::AppraiseOptions opts{.now = clock_.Now(), .expect = extra_,
                                 .produced_at = leaf.not_before()};
    opts.expect.tls_spki_der = leaf.public_key().ToDer();
    return attest::AppraiseEvidence(bundle, policy_, opts);
  }();
  bool accepted = result.ok() && result->accepted;
  std::lock_guard lock(mu_);
  last_ = std::move(result);
  return accepted;
}

std::optional<Result<attest::Appraisal>> AttestedTlsVerifier::last_result() const {
  std::lock_guard lock(mu_);
  return last_;
}

std::optional<attest::EvidenceBundle> AttestedTlsVerifier::last_bundle() const {
  std::lock_guard lock(mu_);
  return last_bundle_;
}

std::string AttestedTlsVerifier::Explain() const {
  std::lock_guard lock(mu_);
  if (!last_) return "no attested TLS handshake reached certificate verification\n";
  if (!last_->ok()) return "could not appraise the server: " + last_->error().ToString() + "\n";
  return attest::ExplainAppraisal(last_->value());
}

}  // namespace confide::channel
