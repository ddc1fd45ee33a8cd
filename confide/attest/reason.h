// ReasonCode: the stable outcome of one appraisal check ("decided: no" has a reason; see
// STYLE.md §5). Names are part of confide's wire and log format: never rename or reuse one.
//
//   ReasonCode r = ReasonCode::kDebugNotAllowed;
//   std::cout << ReasonName(r) << ": " << ReasonSentence(r);  // "DEBUG_NOT_ALLOWED: The TEE ..."
#ifndef CONFIDE_ATTEST_REASON_H_
#define CONFIDE_ATTEST_REASON_H_

#include <optional>
#include <string_view>

namespace confide::attest {

// One value per way an appraisal can decide "no", plus kOk for a passing check. Values are
// grouped by what they judge; the numeric values are not stable (use the names), the names are.
enum class ReasonCode {
  kOk,
  // Evidence and its endorsement chain.
  kSignatureInvalid,
  kChainUntrusted,
  kCertExpired,
  kCertNotYetValid,
  kRevoked,
  kCrlInvalid,
  // Platform TCB.
  kTcbTooLow,
  kTcbMismatch,
  kChipIdMismatch,
  // Guest / workload identity and configuration.
  kMeasurementMismatch,
  kHostDataMismatch,
  kPolicyBitsNotAllowed,
  kVmplNotAllowed,
  kIdKeyMismatch,
  kDebugNotAllowed,
  // Binding and freshness.
  kKeyBindingMismatch,
  kNonceMismatch,
  kEvidenceTooOld,
  // Provenance.
  kSimulatedEvidenceNotAllowed,
  kTeeTypeNotAllowed,
  // Intel SGX/TDX (DCAP collateral).
  kTcbStatusNotAllowed,
  kAdvisoryNotAllowed,
  kCollateralExpired,
  kQeIdentityMismatch,
  // AWS Nitro.
  kPcrMismatch,
};

// Every code, in declaration order (for tests and documentation generators).
inline constexpr ReasonCode kAllReasonCodes[] = {
    ReasonCode::kOk,
    ReasonCode::kSignatureInvalid,
    ReasonCode::kChainUntrusted,
    ReasonCode::kCertExpired,
    ReasonCode::kCertNotYetValid,
    ReasonCode::kRevoked,
    ReasonCode::kCrlInvalid,
    ReasonCode::kTcbTooLow,
    ReasonCode::kTcbMismatch,
    ReasonCode::kChipIdMismatch,
    ReasonCode::kMeasurementMismatch,
    ReasonCode::kHostDataMismatch,
    ReasonCode::kPolicyBitsNotAllowed,
    ReasonCode::kVmplNotAllowed,
    ReasonCode::kIdKeyMismatch,
    ReasonCode::kDebugNotAllowed,
    ReasonCode::kKeyBindingMismatch,
    ReasonCode::kNonceMismatch,
    ReasonCode::kEvidenceTooOld,
    ReasonCode::kSimulatedEvidenceNotAllowed,
    ReasonCode::kTeeTypeNotAllowed,
    ReasonCode::kTcbStatusNotAllowed,
    ReasonCode::kAdvisoryNotAllowed,
    ReasonCode::kCollateralExpired,
    ReasonCode::kQeIdentityMismatch,
    ReasonCode::kPcrMismatch,
};

// The stable upper-case name, e.g. "DEBUG_NOT_ALLOWED" (kOk is "OK"). Never empty; the storage
// is static.
std::string_view ReasonName(ReasonCode code);

// One plain-English sentence saying what the code means, ending in a full stop. Static storage.
std::string_view ReasonSentence(ReasonCode code);

// The inverse of ReasonName (exact, case-sensitive match); nullopt for an unknown name.
std::optional<ReasonCode> ReasonFromName(std::string_view name);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_REASON_H_
