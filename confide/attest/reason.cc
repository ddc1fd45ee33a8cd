#include "confide/attest/reason.h"

namespace confide::attest {
namespace {

struct ReasonInfo {
  std::string_view name;
  std::string_view sentence;
};

// The switch (rather than a table indexed by value) lets -Wswitch catch a code added without text.
ReasonInfo Info(ReasonCode code) {
  switch (code) {
    case ReasonCode::kOk:
      return {"OK", "The check passed."};
    case ReasonCode::kSignatureInvalid:
      return {"SIGNATURE_INVALID",
              "The evidence signature does not verify with the attestation key."};
    case ReasonCode::kChainUntrusted:
      return {"CHAIN_UNTRUSTED",
              "The attestation key's certificate chain does not lead to a trusted vendor root."};
    case ReasonCode::kCertExpired:
      return {"CERT_EXPIRED", "A certificate in the chain had expired at the verification time."};
    case ReasonCode::kCertNotYetValid:
      return {"CERT_NOT_YET_VALID",
              "A certificate in the chain was not yet valid at the verification time."};
    case ReasonCode::kRevoked:
      return {"REVOKED", "A certificate in the chain is on the issuer's revocation list."};
    case ReasonCode::kCrlInvalid:
      return {"CRL_INVALID", "A revocation list is badly signed, expired or unusable."};
    case ReasonCode::kTcbTooLow:
      return {"TCB_TOO_LOW",
              "The platform's firmware or microcode version is below the policy's minimum."};
    case ReasonCode::kTcbMismatch:
      return {"TCB_MISMATCH",
              "The TCB version in the evidence differs from the one its signing certificate "
              "was issued for."};
    case ReasonCode::kChipIdMismatch:
      return {"CHIP_ID_MISMATCH",
              "The chip identifier in the evidence differs from the one in its signing "
              "certificate."};
    case ReasonCode::kMeasurementMismatch:
      return {"MEASUREMENT_MISMATCH",
              "The launch measurement is not one of the reference values the policy accepts."};
    case ReasonCode::kHostDataMismatch:
      return {"HOST_DATA_MISMATCH",
              "The host-provided data differs from the value the policy requires."};
    case ReasonCode::kPolicyBitsNotAllowed:
      return {"POLICY_BITS_NOT_ALLOWED",
              "The guest was launched with options the policy forbids, such as a migration agent "
              "or SMT."};
    case ReasonCode::kVmplNotAllowed:
      return {"VMPL_NOT_ALLOWED",
              "The evidence was requested from a privilege level the policy does not accept."};
    case ReasonCode::kIdKeyMismatch:
      return {"ID_KEY_MISMATCH", "The guest's ID key or author key is not one the policy accepts."};
    case ReasonCode::kDebugNotAllowed:
      return {"DEBUG_NOT_ALLOWED",
              "The TEE runs in debug mode, so the host can read its memory, and the policy does "
              "not allow debug."};
    case ReasonCode::kKeyBindingMismatch:
      return {"KEY_BINDING_MISMATCH",
              "The evidence is not bound to the keys, workload or claims seen by the verifier."};
    case ReasonCode::kNonceMismatch:
      return {"NONCE_MISMATCH", "The evidence does not carry the nonce the verifier sent."};
    case ReasonCode::kEvidenceTooOld:
      return {"EVIDENCE_TOO_OLD",
              "The evidence is older than the policy allows, or its age cannot be established."};
    case ReasonCode::kSimulatedEvidenceNotAllowed:
      return {"SIMULATED_EVIDENCE_NOT_ALLOWED",
              "The evidence comes from a simulated TEE with no hardware protection, and the "
              "policy does not accept it."};
    case ReasonCode::kTeeTypeNotAllowed:
      return {"TEE_TYPE_NOT_ALLOWED", "The policy does not accept this kind of TEE."};
    case ReasonCode::kTcbStatusNotAllowed:
      return {"TCB_STATUS_NOT_ALLOWED",
              "The vendor rates the platform's TCB with a status the policy does not accept."};
    case ReasonCode::kAdvisoryNotAllowed:
      return {"ADVISORY_NOT_ALLOWED",
              "The platform is affected by a security advisory the policy does not accept."};
    case ReasonCode::kCollateralExpired:
      return {"COLLATERAL_EXPIRED",
              "The vendor collateral (TCB info, identity or revocation data) had expired."};
    case ReasonCode::kQeIdentityMismatch:
      return {"QE_IDENTITY_MISMATCH",
              "The quoting enclave is not the one the vendor's identity data describes."};
    case ReasonCode::kPcrMismatch:
      return {"PCR_MISMATCH", "A platform configuration register differs from the policy's value."};
  }
  return {"UNKNOWN", "Unknown reason code."};  // unreachable for valid enum values
}

}  // namespace

std::string_view ReasonName(ReasonCode code) { return Info(code).name; }

std::string_view ReasonSentence(ReasonCode code) { return Info(code).sentence; }

std::optional<ReasonCode> ReasonFromName(std::string_view name) {
  for (ReasonCode code : kAllReasonCodes) {
    if (ReasonName(code) == name) return code;
  }
  return std::nullopt;
}

}  // namespace confide::attest
