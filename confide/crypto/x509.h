// X.509 certificates and CRLs, and chain verification against given roots at an injected time.
//
//   CONFIDE_ASSIGN_OR_RETURN(Certificate vcek, Certificate::FromDer(vcek_der));
//   CONFIDE_ASSIGN_OR_RETURN(ChainResult r,
//                            VerifyChain(vcek, {&ask}, {&ark}, {}, {.now = at}));
//   if (!r.ok()) explain(r.failure, r.detail);
#ifndef CONFIDE_CRYPTO_X509_H_
#define CONFIDE_CRYPTO_X509_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/keys.h"

namespace confide::crypto {

struct CertHandle;
struct CrlHandle;

// An immutable parsed certificate. Copyable (shares the underlying OpenSSL object); thread safe.
class Certificate {
 public:
  // kMalformed if not a single canonical DER certificate (trailing bytes and BER rejected).
  // Every loader returns kUnsupported if the subject public key cannot be decoded (unknown
  // algorithm, invalid EC point), so public_key() always succeeds.
  static Result<Certificate> FromDer(ByteSpan der);
  // The first "CERTIFICATE" block of `pem`. kMalformed if none parses.
  static Result<Certificate> FromPem(std::string_view pem);
  // Every "CERTIFICATE" block, in order. kMalformed if none, or if any block is damaged.
  static Result<std::vector<Certificate>> ChainFromPem(std::string_view pem);

  Bytes ToDer() const;
  std::string ToPem() const;
  std::string subject() const;  // one-line RFC 2253 form, e.g. "CN=SEV-Milan,O=Advanced Micro..."
  std::string issuer() const;
  Bytes serial_number() const;  // big-endian magnitude, no leading zeros (empty for serial 0)
  Time not_before() const;
  Time not_after() const;
  PublicKey public_key() const;
  // The DER contents of the extension's OCTET STRING (extnValue), by dotted OID.
  // std::nullopt if absent.
  std::optional<Bytes> Extension(std::string_view oid) const;
  bool IsSelfSigned() const;  // issuer == subject and the signature verifies with its own key
  // True iff `issuer`'s key verifies this certificate's signature (RSA-PSS, ECDSA, ...).
  bool IsSignedBy(const Certificate& issuer) const;

  const CertHandle& handle() const { return *handle_; }
  explicit Certificate(std::shared_ptr<CertHandle> handle);

 private:
  std::shared_ptr<CertHandle> handle_;
};

// An immutable parsed CRL. Copyable; thread safe.
class Crl {
 public:
  static Result<Crl> FromDer(ByteSpan der);
  static Result<Crl> FromPem(std::string_view pem);
  std::string issuer() const;
  Time this_update() const;
  std::optional<Time> next_update() const;
  bool IsRevoked(const Certificate& cert) const;  // by serial number; does not check the issuer

  const CrlHandle& handle() const { return *handle_; }
  explicit Crl(std::shared_ptr<CrlHandle> handle);

 private:
  std::shared_ptr<CrlHandle> handle_;
};

// Why a chain did not verify. Stable: the attest layer maps these to reason codes.
enum class ChainFailure {
  kNone,
  kUntrusted,      // no path to a given root (unknown issuer, wrong root, bad CA flags)
  kBadSignature,   // a signature in the path does not verify
  kExpired,        // a certificate in the path is past notAfter at `now`
  kNotYetValid,    // a certificate in the path is before notBefore at `now`
  kRevoked,        // a certificate is listed in a CRL of its issuer
  kCrlInvalid,     // a CRL's signature does not verify, or no CRL for a required issuer
  kCrlExpired,     // a CRL is past nextUpdate (or before thisUpdate) at `now`
};

const char* ChainFailureName(ChainFailure f);  // "expired", "revoked", ...

struct ChainResult {
  ChainFailure failure = ChainFailure::kNone;
  std::string detail;  // which certificate and why, e.g. "depth 0 (CN=VCEK): expired ..."
  // The verified path, leaf first, root last (empty on failure).
  std::vector<Certificate> path;

  bool ok() const { return failure == ChainFailure::kNone; }
};

struct ChainOptions {
  Time now;                       // validity of every certificate (and CRL) is checked here
  bool require_crls = false;      // every CA in the path must have a CRL in `crls`
  bool allow_partial_chain = false;  // an intermediate in `roots` can be the trust anchor
};

// Builds a path from `leaf` through `intermediates` to one of `roots` and verifies it with
// OpenSSL's X509_verify_cert at `opts.now`, checking every `crls` entry that applies.
// Roots are trusted as given (their self-signature is still checked when it is in the path).
// "Decided: no" is a ChainResult with a failure; an Error (kInternal) only when OpenSSL itself
// fails. Thread safe.
Result<ChainResult> VerifyChain(const Certificate& leaf,
                                const std::vector<Certificate>& intermediates,
                                const std::vector<Certificate>& roots,
                                const std::vector<Crl>& crls, const ChainOptions& opts);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_X509_H_
