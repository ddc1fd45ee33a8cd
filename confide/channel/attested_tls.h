// Attested TLS 1.3 (docs/formats/evidence-bundle.md, DESIGN "The binding between evidence and
// keys"). The server makes its TLS key inside the TEE and a self-signed certificate whose
// extension 2.23.133.5.4.9 carries evidence whose report data binds that key. The client appraises
// the evidence against its policy and checks the binding to the certificate key inside the
// handshake, before any application byte is sent; on failure the handshake fails and the caller
// reads the appraisal's reasons.
//
//   // Server, inside the TEE:
//   CONFIDE_ASSIGN_OR_RETURN(AttestedIdentity id, MakeAttestedIdentity(platform, {.now = now}));
//   crypto::ConfigureTlsServer(ctx, id.certificate, id.tls_key);
//   // Client:
//   AttestedTlsVerifier verifier(policy, clock);
//   crypto::ConfigureTlsClient(ctx, &verifier);
//   ... if the request fails: verifier.Explain() says why.
#ifndef CONFIDE_CHANNEL_ATTESTED_TLS_H_
#define CONFIDE_CHANNEL_ATTESTED_TLS_H_

#include <array>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "confide/attest/appraisal.h"
#include "confide/attest/binding.h"
#include "confide/attest/evidence_bundle.h"
#include "confide/attest/policy.h"
#include "confide/base/clock.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/tls.h"
#include "confide/crypto/x509.h"
#include "confide/tee/platform.h"

namespace confide::channel {

struct AttestedIdentityOptions {
  Time now;                                           // certificate notBefore
  std::chrono::seconds validity = std::chrono::hours(24);
  std::optional<Bytes> hpke_pub;                      // bound as the "hpke-pub" claim
  std::optional<std::array<uint8_t, 32>> workload;    // bound as the "workload" claim
  std::string subject_cn = "confide attested TLS";  // the server uses "confide-server"
};

// A TLS identity whose key never leaves the TEE, and the evidence that vouches for it.
struct AttestedIdentity {
  crypto::PrivateKey tls_key;     // P-256, generated inside the TEE
  crypto::Certificate certificate;  // self-signed, carries the evidence bundle
  attest::EvidenceBundle bundle;  // the evidence and its claims (also served by the API)
};

// Generates the TLS key, builds the binding claims (pubkey-hash of the key's SPKI, plus the
// optional hpke-pub and workload), asks `platform` for evidence over ReportDataFor(claims), and
// issues the certificate. Errors from the platform (kUnavailable) or crypto (kInternal).
Result<AttestedIdentity> MakeAttestedIdentity(tee::Platform& platform,
                                              const AttestedIdentityOptions& opts);

// The evidence bundle in a certificate's 2.23.133.5.4.9 extension. kNotFound if the certificate
// has none; DecodeEvidenceBundle's errors otherwise.
Result<attest::EvidenceBundle> ExtractEvidenceBundle(const crypto::Certificate& cert);

// Appraises the server inside the handshake: extracts the bundle, sets the binding expectation to
// the certificate's own public key (so evidence copied into another key's certificate fails with
// KEY_BINDING_MISMATCH), and accepts the handshake only if the appraisal is accepted. The
// evidence's age is counted from the certificate's notBefore. Thread safe; keeps the result of
// the latest handshake.
class AttestedTlsVerifier final : public crypto::TlsPeerVerifier {
 public:
  // `clock` must outlive the verifier. `extra` adds expectations (workloads, HPKE key).
  AttestedTlsVerifier(attest::Policy policy, const Clock& clock,
                      attest::BindingExpectations extra = {});

  bool VerifyPeer(const crypto::Certificate& leaf) override;

  // The latest appraisal, or the error that prevented one; nullopt before any handshake.
  std::optional<Result<attest::Appraisal>> last_result() const;
  // The latest peer certificate's evidence bundle (for display), if any.
  std::optional<attest::EvidenceBundle> last_bundle() const;
  // A multi-line explanation of the latest outcome (ExplainAppraisal, or the error).
  std::string Explain() const;

 private:
  attest::Policy policy_;
  const Clock& clock_;
  attest::BindingExpectations extra_;
  mutable std::mutex mu_;
  std::optional<Result<attest::Appraisal>> last_;
  std::optional<attest::EvidenceBundle> last_bundle_;
};

}  // namespace confide::channel

#endif  // CONFIDE_CHANNEL_ATTESTED_TLS_H_
