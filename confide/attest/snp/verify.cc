#include "confide/attest/snp/verify.h"

#include <algorithm>

#include "confide/base/hex.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"

namespace confide::attest::snp {
namespace {

CheckOutcome Pass(Check check, std::string detail) {
  return {.check = check, .passed = true, .skipped = false, .detail = std::move(detail),
          .failure = FailureKind::kNone};
}
CheckOutcome Skip(Check check, std::string detail) {
  return {.check = check, .passed = true, .skipped = true, .detail = std::move(detail),
          .failure = FailureKind::kNone};
}
CheckOutcome Fail(Check check, FailureKind kind, std::string detail) {
  return {.check = check, .passed = false, .skipped = false, .detail = std::move(detail),
          .failure = kind};
}

// SNP ABI 1.58, "ECDSA P-384 with SHA-384 Signature": over bytes 0x000..0x29F, R and S as
// 72-byte little-endian integers.
CheckOutcome CheckSignature(const Report& report, const crypto::Certificate& vek) {
  crypto::PublicKey key = vek.public_key();
  if (key.type() != crypto::KeyType::kP384) {
    return Fail(Check::kSignature, FailureKind::kSignatureInvalid,
                std::string("VEK key is ") + crypto::KeyTypeName(key.type()) + ", not P-384");
  }
  Bytes bytes = SerializeReport(report);
  Bytes signature = Concat({report.signature_r, report.signature_s});
  if (!crypto::EcdsaVerify(key, crypto::HashAlg::kSha384, SignedRegion(bytes), signature,
                           crypto::SigFormat::kRawLittleEndian, kSignatureComponentSize)) {
    return Fail(Check::kSignature, FailureKind::kSignatureInvalid,
                "ECDSA P-384/SHA-384 signature does not verify under the VEK " +
                    vek.subject());
  }
  return Pass(Check::kSignature, "verified under " + vek.subject());
}

FailureKind MapChainFailure(crypto::ChainFailure f) {
  switch (f) {
    case crypto::ChainFailure::kNone: return FailureKind::kNone;
    case crypto::ChainFailure::kExpired: return FailureKind::kCertExpired;
    case crypto::ChainFailure::kNotYetValid: return FailureKind::kCertNotYetValid;
    case crypto::ChainFailure::kRevoked: return FailureKind::kRevoked;
    case crypto::ChainFailure::kCrlExpired: return FailureKind::kCrlExpired;
    case crypto::ChainFailure::kUntrusted:
    case crypto::ChainFailure::kBadSignature:
    case crypto::ChainFailure::kCrlInvalid: break;
  }
  return FailureKind::kChainUntrusted;
}

// AMD pub. 57230: VCEK → ASK → ARK; VLEK → ASVK → ARK (RSA-PSS/SHA-384 links).
Result<CheckOutcome> CheckChain(const crypto::Certificate& signer_ca, const VekChain& chain,
                                const VerifyOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(
      crypto::ChainResult r,
      crypto::VerifyChain(chain.vek, {signer_ca}, opts.trusted_arks, chain.crls,
                          {.now = opts.now, .require_crls = opts.require_crls,
                           .allow_partial_chain = false}));
  if (r.ok()) return Pass(Check::kChain, chain.vek.subject() + " → " + signer_ca.subject());
  return Fail(Check::kChain, MapChainFailure(r.failure),
              std::string(crypto::ChainFailureName(r.failure)) + ": " + r.detail);
}

// The KDS subject CN is "SEV-VCEK" or "SEV-VLEK" (AMD pub. 57230, "VCEK Certificate").
CheckOutcome CheckVekKind(const Report& report, const crypto::Certificate& vek) {
  std::string subject = vek.subject();
  bool vlek = report.signing_key == SigningKey::kVlek;
  std::string want = vlek ? "CN=SEV-VLEK" : "CN=SEV-VCEK";
  if (subject.find(want) == std::string::npos) {
    return Fail(Check::kVekKind, FailureKind::kChainUntrusted,
                "SIGNING_KEY says " + std::string(vlek ? "VLEK" : "VCEK") + " but the VEK is " +
                    subject);
  }
  return Pass(Check::kVekKind, want);
}

// SNP ABI 1.58 / AMD pub. 57230: the VEK certifies exactly the REPORTED_TCB it signs under.
CheckOutcome CheckTcb(const Report& report, const VekExtensions& ext, TcbLayout layout) {
  uint64_t want = EncodeTcb(VekTcb(ext), layout);
  Tcb got = DecodeTcb(report.reported_tcb, layout);
  auto describe = [](const Tcb& t) {
    return "fmc " + std::to_string(t.fmc) + " bl " + std::to_string(t.boot_loader) + " tee " +
           std::to_string(t.tee) + " snp " + std::to_string(t.snp) + " ucode " +
           std::to_string(t.microcode);
  };
  if (report.reported_tcb != want) {
    return Fail(Check::kTcb, FailureKind::kTcbMismatch,
                "REPORTED_TCB (" + describe(got) + ") != VEK SPLs (" + describe(VekTcb(ext)) + ")");
  }
  return Pass(Check::kTcb, describe(got));
}

// AMD pub. 57230: hwID == CHIP_ID; Turin VCEKs carry the first 8 bytes only.
CheckOutcome CheckChipId(const Report& report, const VekExtensions& ext) {
  if (report.mask_chip_key) {
    return Skip(Check::kChipId, "MASK_CHIP_KEY=1: the report carries no CHIP_ID");
  }
  ByteReader r(report.chip_id);
  ByteSpan prefix;
  bool has_prefix = r.ReadSpan(ext.hw_id->size(), &prefix);
  if (!has_prefix || !Equal(prefix, *ext.hw_id)) {
    return Fail(Check::kChipId, FailureKind::kChipIdMismatch,
                "CHIP_ID " + HexEncode(report.chip_id) + " != VCEK hwID " + HexEncode(*ext.hw_id));
  }
  return Pass(Check::kChipId, "hwID (" + std::to_string(ext.hw_id->size()) + " bytes) matches");
}

Result<Generation> ResolveGeneration(const Report& report, const VekExtensions& ext,
                                     const VerifyOptions& opts) {
  Generation gen = GenerationFromCpuid(report);
  if (gen == Generation::kUnknown) gen = opts.generation;
  if (gen == Generation::kUnknown) gen = GenerationFromProductName(ext.product_name);
  if (gen == Generation::kUnknown) {
    return InvalidArgumentError("snp verify: cannot tell the generation (no CPUID, no option, "
                                "productName \"" + ext.product_name + "\")");
  }
  return gen;
}

Status CheckInputs(const Report& report, const VekChain& chain, const VerifyOptions& opts) {
  if (opts.trusted_arks.empty()) return InvalidArgumentError("snp verify: no trusted ARK");
  if (report.signing_key == SigningKey::kNone) {
    return UnsupportedError("snp verify: SIGNING_KEY=7, the report is not signed");
  }
  if (report.signing_key == SigningKey::kVcek && !chain.ask) {
    return InvalidArgumentError("snp verify: VCEK-signed report but no ASK given");
  }
  if (report.signing_key == SigningKey::kVlek && !chain.asvk) {
    return InvalidArgumentError("snp verify: VLEK-signed report but no ASVK given");
  }
  return OkStatus();
}

}  // namespace

const char* CheckName(Check check) {
  switch (check) {
    case Check::kSignature: return "signature";
    case Check::kChain: return "chain";
    case Check::kVekKind: return "vek_kind";
    case Check::kTcb: return "tcb";
    case Check::kChipId: return "chip_id";
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
    case FailureKind::kRevoked: return "revoked";
    case FailureKind::kCrlExpired: return "crl_expired";
    case FailureKind::kTcbMismatch: return "tcb_mismatch";
    case FailureKind::kChipIdMismatch: return "chip_id_mismatch";
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

Result<Verification> VerifyReport(const Report& report, const VekChain& chain,
                                  const VerifyOptions& opts) {
  CONFIDE_TRY(CheckInputs(report, chain, opts));
  bool vlek = report.signing_key == SigningKey::kVlek;
  Verification v{.report = report, .generation = Generation::kUnknown, .vek = {}, .checks = {}};
  CONFIDE_ASSIGN_OR_RETURN(v.vek, ParseVekExtensions(chain.vek));
  CONFIDE_ASSIGN_OR_RETURN(v.generation, ResolveGeneration(report, v.vek, opts));
  CONFIDE_ASSIGN_OR_RETURN(TcbLayout layout, TcbLayoutFor(v.generation));
  if (layout == TcbLayout::kTurin && !v.vek.fmc_spl) {
    return MalformedError("snp verify: Turin VEK without fmcSPL");
  }
  if (!vlek && !v.vek.hw_id) return MalformedError("snp verify: VCEK without hwID");

  v.checks.push_back(CheckSignature(report, chain.vek));
  CONFIDE_ASSIGN_OR_RETURN(CheckOutcome chain_outcome,
                           CheckChain(vlek ? *chain.asvk : *chain.ask, chain, opts));
  v.checks.push_back(std::move(chain_outcome));
  v.checks.push_back(CheckVekKind(report, chain.vek));
  v.checks.push_back(CheckTcb(report, v.vek, layout));
  // SNP ABI 1.58: VLEK-signed reports are not bound to one chip; VLEKs carry no hwID.
  if (!vlek) v.checks.push_back(CheckChipId(report, v.vek));
  return v;
}

Result<Verification> VerifyReportBytes(ByteSpan report_bytes, const VekChain& chain,
                                       const VerifyOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(Report report, ParseReport(report_bytes));
  return VerifyReport(report, chain, opts);
}

}  // namespace confide::attest::snp
