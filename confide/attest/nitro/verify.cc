#include "confide/attest/nitro/verify.h"

#include <utility>

#include "confide/crypto/ecdsa.h"

namespace confide::attest::nitro {
namespace {

CheckOutcome Pass(Check check, std::string detail) {
  return {.check = check, .passed = true, .detail = std::move(detail)};
}

CheckOutcome Fail(Check check, FailureKind failure, std::string detail) {
  return {.check = check, .passed = false, .detail = std::move(detail), .failure = failure};
}

FailureKind MapChainFailure(crypto::ChainFailure f) {
  switch (f) {
    case crypto::ChainFailure::kNone: return FailureKind::kNone;
    case crypto::ChainFailure::kExpired: return FailureKind::kCertExpired;
    case crypto::ChainFailure::kNotYetValid: return FailureKind::kCertNotYetValid;
    case crypto::ChainFailure::kUntrusted:
    case crypto::ChainFailure::kBadSignature:
    case crypto::ChainFailure::kRevoked:
    case crypto::ChainFailure::kCrlInvalid:
    case crypto::ChainFailure::kCrlExpired: break;
  }
  return FailureKind::kChainUntrusted;
}

CheckOutcome CheckSignature(const Document& doc, const std::optional<crypto::Certificate>& leaf) {
  if (!leaf) {
    return Fail(Check::kSignature, FailureKind::kSignatureInvalid,
                "the leaf certificate does not parse: no key to verify with");
  }
  const crypto::PublicKey key = leaf->public_key();
  if (key.type() != crypto::KeyType::kP384) {
    return Fail(Check::kSignature, FailureKind::kSignatureInvalid,
                "the leaf key is not P-384 (ES384 needs one)");
  }
  const Bytes tbs = SigStructure(doc.protected_header, doc.payload_bytes);
  if (!crypto::EcdsaVerify(key, crypto::HashAlg::kSha384, tbs, doc.signature,
                           crypto::SigFormat::kRawBigEndian)) {
    return Fail(Check::kSignature, FailureKind::kSignatureInvalid,
                "ES384 signature over the COSE Sig_structure does not verify with " +
                    leaf->subject());
  }
  return Pass(Check::kSignature, "ES384 by " + leaf->subject());
}

}  // namespace

const char* CheckName(Check check) {
  switch (check) {
    case Check::kSignature: return "signature";
    case Check::kChain: return "chain";
  }
  return "unknown";
}

const char* FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone: return "none";
    case FailureKind::kSignatureInvalid: return "signature_invalid";
    case FailureKind::kChainUntrusted: return "chain_untrusted";
    case FailureKind::kCertExpired: return "cert_expired";
    case FailureKind::kCertNotYetValid: return "cert_not_yet_valid";
  }
  return "unknown";
}

bool Verification::ok() const {
  for (const CheckOutcome& c : checks) {
    if (!c.passed) return false;
  }
  return !checks.empty();
}

std::vector<FailureKind> Verification::failures() const {
  std::vector<FailureKind> out;
  for (const CheckOutcome& c : checks) {
    if (!c.passed) out.push_back(c.failure);
  }
  return out;
}

Result<Verification> VerifyDocument(const Document& doc, const VerifyOptions& opts) {
  if (opts.trusted_roots.empty()) {
    return InvalidArgumentError("Nitro verify: no trusted roots given");
  }
  Verification v;
  std::optional<crypto::Certificate> leaf;
  if (Result<crypto::Certificate> c = crypto::Certificate::FromDer(doc.payload.certificate);
      c.ok()) {
    leaf = *std::move(c);
  }
  v.checks.push_back(CheckSignature(doc, leaf));

  // cabundle is root first; the path is leaf, INTERM_N..INTERM_1, root. Its own root entry is
  // offered as an untrusted intermediate only: trust comes from opts.trusted_roots.
  std::vector<crypto::Certificate> intermediates;
  std::string bad;
  for (size_t i = doc.payload.cabundle.size(); i-- > 0;) {
    Result<crypto::Certificate> c = crypto::Certificate::FromDer(doc.payload.cabundle[i]);
    if (!c.ok()) {
      bad = "cabundle[" + std::to_string(i) + "] does not parse: " + c.error().message;
      break;
    }
    intermediates.push_back(*std::move(c));
  }
  if (!leaf) {
    v.checks.push_back(Fail(Check::kChain, FailureKind::kChainUntrusted,
                            "the leaf certificate does not parse"));
  } else if (!bad.empty()) {
    v.checks.push_back(Fail(Check::kChain, FailureKind::kChainUntrusted, bad));
  } else if (intermediates.empty()) {
    v.checks.push_back(Fail(Check::kChain, FailureKind::kChainUntrusted,
                            "cabundle is empty: the leaf " + leaf->subject() +
                                " has no path to a trusted root"));
  } else {
    CONFIDE_ASSIGN_OR_RETURN(
        crypto::ChainResult r,
        crypto::VerifyChain(*leaf, intermediates, opts.trusted_roots, {},
                            {.now = opts.now, .allow_partial_chain = false}));
    if (r.ok()) {
      v.reached_root = r.path.back();
      v.checks.push_back(Pass(Check::kChain, leaf->subject() + " → " + std::to_string(
                                                 intermediates.size()) +
                                                 " cabundle certificates → " +
                                                 r.path.back().subject()));
    } else {
      v.checks.push_back(Fail(Check::kChain, MapChainFailure(r.failure),
                              std::string(crypto::ChainFailureName(r.failure)) + ": " + r.detail));
    }
  }
  return v;
}

}  // namespace confide::attest::nitro
