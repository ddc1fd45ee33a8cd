#include "confide/attest/intel/verify.h"

#include <algorithm>
#include <array>

#include "confide/base/hex.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"

namespace confide::attest::intel {
namespace {

CheckOutcome Pass(Check check, std::string detail) {
  return {.check = check, .passed = true, .detail = std::move(detail),
          .failure = FailureKind::kNone};
}
CheckOutcome Fail(Check check, FailureKind kind, std::string detail) {
  return {.check = check, .passed = false, .detail = std::move(detail), .failure = kind};
}

// DCAP quote format: "ECDSA 256-bit Quote Signature", r || s big-endian, over header || body.
CheckOutcome CheckQuoteSignature(const Quote& q) {
  Bytes point = Concat({std::array<uint8_t, 1>{0x04}, q.attestation_key});
  auto key = crypto::PublicKey::FromRaw(crypto::KeyType::kP256, point);
  if (!key.ok()) {
    return Fail(Check::kQuoteSignature, FailureKind::kSignatureInvalid,
                "attestation key is not a P-256 point: " + key.error().message);
  }
  if (!crypto::EcdsaVerify(*key, crypto::HashAlg::kSha256, q.signed_bytes, q.signature,
                           crypto::SigFormat::kRawBigEndian)) {
    return Fail(Check::kQuoteSignature, FailureKind::kSignatureInvalid,
                "ECDSA P-256/SHA-256 over the " + std::to_string(q.signed_bytes.size()) +
                    " signed bytes does not verify under the attestation key");
  }
  return Pass(Check::kQuoteSignature, "verified under the attestation key");
}

// DCAP quote format, "QE Report": REPORTDATA = SHA-256(attestation key || QE auth data) || 0^32.
CheckOutcome CheckKeyBinding(const Quote& q) {
  crypto::Sha256Digest want = crypto::Sha256(Concat({q.attestation_key, q.qe_auth_data}));
  ByteSpan rd(q.qe_report.report_data);
  bool zero_tail = std::all_of(rd.begin() + 32, rd.end(), [](uint8_t b) { return b == 0; });
  if (!Equal(rd.first(32), want) || !zero_tail) {
    return Fail(Check::kKeyBinding, FailureKind::kKeyBindingInvalid,
                "QE REPORTDATA " + HexEncode(rd) + " != SHA-256(attestation key || auth data) " +
                    HexEncode(want) + " || 0^32");
  }
  return Pass(Check::kKeyBinding, "QE report commits to the attestation key");
}

CheckOutcome CheckQeReportSignature(const Quote& q, const crypto::Certificate* leaf) {
  if (leaf == nullptr) {
    return Fail(Check::kQeReportSignature, FailureKind::kSignatureInvalid,
                "no PCK certificate to verify the QE report with");
  }
  crypto::PublicKey key = leaf->public_key();
  if (key.type() != crypto::KeyType::kP256) {
    return Fail(Check::kQeReportSignature, FailureKind::kSignatureInvalid,
                std::string("PCK key is ") + crypto::KeyTypeName(key.type()) + ", not P-256");
  }
  if (!crypto::EcdsaVerify(key, crypto::HashAlg::kSha256, q.qe_report_bytes,
                           q.qe_report_signature, crypto::SigFormat::kRawBigEndian)) {
    return Fail(Check::kQeReportSignature, FailureKind::kSignatureInvalid,
                "ECDSA P-256/SHA-256 over the QE report does not verify under " +
                    leaf->subject());
  }
  return Pass(Check::kQeReportSignature, "verified under " + leaf->subject());
}

FailureKind MapChainFailure(crypto::ChainFailure f) {
  switch (f) {
    case crypto::ChainFailure::kNone: return FailureKind::kNone;
    case crypto::ChainFailure::kExpired: return FailureKind::kCertExpired;
    case crypto::ChainFailure::kNotYetValid: return FailureKind::kCertNotYetValid;
    case crypto::ChainFailure::kRevoked: return FailureKind::kRevoked;
    case crypto::ChainFailure::kCrlExpired: return FailureKind::kCrlExpired;
    case crypto::ChainFailure::kCrlInvalid: return FailureKind::kCrlInvalid;
    case crypto::ChainFailure::kUntrusted:
    case crypto::ChainFailure::kBadSignature: break;
  }
  return FailureKind::kChainUntrusted;
}

bool IsTrusted(const crypto::Certificate& cert, const std::vector<crypto::Certificate>& roots) {
  Bytes der = cert.ToDer();
  return std::any_of(roots.begin(), roots.end(),
                     [&](const crypto::Certificate& r) { return Equal(r.ToDer(), der); });
}

// Intel SGX PCK Certificate and CRL Profile: PCK leaf → "Intel SGX PCK Platform/Processor CA"
// → "Intel SGX Root CA". The quote carries all three; the last must be the pinned root itself
// (a damaged embedded root is a failure even though the pinned root would complete the path).
Result<CheckOutcome> CheckPckChain(const Verification& v, const std::string& parse_error,
                                   const VerifyOptions& opts) {
  if (v.pck_chain.empty()) {
    return Fail(Check::kPckChain, FailureKind::kChainUntrusted,
                "PCK chain does not parse: " + parse_error);
  }
  if (v.pck_chain.size() < 2) {
    return Fail(Check::kPckChain, FailureKind::kChainUntrusted,
                "PCK chain has " + std::to_string(v.pck_chain.size()) +
                    " certificate(s), expected leaf, CA and root");
  }
  const crypto::Certificate& last = v.pck_chain.back();
  if (v.pck_chain.size() >= 3 && !IsTrusted(last, opts.trusted_roots)) {
    return Fail(Check::kPckChain, FailureKind::kChainUntrusted,
                "the embedded root " + last.subject() + " is not the pinned Intel SGX Root CA");
  }
  std::vector<crypto::Certificate> intermediates(v.pck_chain.begin() + 1, v.pck_chain.end());
  CONFIDE_ASSIGN_OR_RETURN(
      crypto::ChainResult r,
      crypto::VerifyChain(v.pck_chain.front(), intermediates, opts.trusted_roots, opts.crls,
                          {.now = opts.now, .require_crls = opts.require_crls,
                           .allow_partial_chain = false}));
  if (!r.ok()) {
    return Fail(Check::kPckChain, MapChainFailure(r.failure),
                std::string(crypto::ChainFailureName(r.failure)) + ": " + r.detail);
  }
  return Pass(Check::kPckChain, v.pck_chain.front().subject() + " → " +
                                    v.pck_chain[1].subject() + " → pinned root");
}

}  // namespace

const char* CheckName(Check check) {
  switch (check) {
    case Check::kQuoteSignature: return "quote_signature";
    case Check::kKeyBinding: return "key_binding";
    case Check::kQeReportSignature: return "qe_report_signature";
    case Check::kPckChain: return "pck_chain";
  }
  return "unknown";
}

const char* FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone: return "none";
    case FailureKind::kSignatureInvalid: return "signature_invalid";
    case FailureKind::kKeyBindingInvalid: return "key_binding_invalid";
    case FailureKind::kChainUntrusted: return "chain_untrusted";
    case FailureKind::kCertExpired: return "cert_expired";
    case FailureKind::kCertNotYetValid: return "cert_not_yet_valid";
    case FailureKind::kRevoked: return "revoked";
    case FailureKind::kCrlExpired: return "crl_expired";
    case FailureKind::kCrlInvalid: return "crl_invalid";
  }
  return "unknown";
}

bool Verification::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const CheckOutcome& c) { return c.passed; });
}

std::vector<FailureKind> Verification::failures() const {
  std::vector<FailureKind> out;
  for (const CheckOutcome& c : checks) {
    if (!c.passed) out.push_back(c.failure);
  }
  return out;
}

Result<Verification> VerifyQuote(const Quote& quote, const VerifyOptions& opts) {
  if (opts.trusted_roots.empty()) return InvalidArgumentError("intel verify: no trusted root");
  Verification v{.quote = quote, .pck_chain = {}, .checks = {}};
  std::string parse_error;
  auto chain = crypto::Certificate::ChainFromPem(quote.pck_chain_pem);
  if (chain.ok()) {
    v.pck_chain = std::move(chain).value();
  } else {
    parse_error = chain.error().message;
  }
  v.checks.push_back(CheckQuoteSignature(quote));
  v.checks.push_back(CheckKeyBinding(quote));
  v.checks.push_back(CheckQeReportSignature(quote, v.pck_leaf()));
  CONFIDE_ASSIGN_OR_RETURN(CheckOutcome chain_outcome, CheckPckChain(v, parse_error, opts));
  v.checks.push_back(std::move(chain_outcome));
  return v;
}

Result<Verification> VerifyQuoteBytes(ByteSpan bytes, const VerifyOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(Quote quote, ParseQuote(bytes));
  return VerifyQuote(quote, opts);
}

}  // namespace confide::attest::intel
