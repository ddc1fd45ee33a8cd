#include "confide/attest/reason.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "confide/attest/evidence.h"

namespace confide::attest {
namespace {

// The names are a wire and log format: this table must only ever grow.
TEST(ReasonTest, NamesAreStable) {
  EXPECT_EQ(ReasonName(ReasonCode::kOk), "OK");
  EXPECT_EQ(ReasonName(ReasonCode::kSignatureInvalid), "SIGNATURE_INVALID");
  EXPECT_EQ(ReasonName(ReasonCode::kChainUntrusted), "CHAIN_UNTRUSTED");
  EXPECT_EQ(ReasonName(ReasonCode::kCertExpired), "CERT_EXPIRED");
  EXPECT_EQ(ReasonName(ReasonCode::kCertNotYetValid), "CERT_NOT_YET_VALID");
  EXPECT_EQ(ReasonName(ReasonCode::kRevoked), "REVOKED");
  EXPECT_EQ(ReasonName(ReasonCode::kCrlInvalid), "CRL_INVALID");
  EXPECT_EQ(ReasonName(ReasonCode::kTcbTooLow), "TCB_TOO_LOW");
  EXPECT_EQ(ReasonName(ReasonCode::kTcbMismatch), "TCB_MISMATCH");
  EXPECT_EQ(ReasonName(ReasonCode::kChipIdMismatch), "CHIP_ID_MISMATCH");
  EXPECT_EQ(ReasonName(ReasonCode::kMeasurementMismatch), "MEASUREMENT_MISMATCH");
  EXPECT_EQ(ReasonName(ReasonCode::kHostDataMismatch), "HOST_DATA_MISMATCH");
  EXPECT_EQ(ReasonName(ReasonCode::kPolicyBitsNotAllowed), "POLICY_BITS_NOT_ALLOWED");
  EXPECT_EQ(ReasonName(ReasonCode::kVmplNotAllowed), "VMPL_NOT_ALLOWED");
  EXPECT_EQ(ReasonName(ReasonCode::kIdKeyMismatch), "ID_KEY_MISMATCH");
  EXPECT_EQ(ReasonName(ReasonCode::kDebugNotAllowed), "DEBUG_NOT_ALLOWED");
  EXPECT_EQ(ReasonName(ReasonCode::kKeyBindingMismatch), "KEY_BINDING_MISMATCH");
  EXPECT_EQ(ReasonName(ReasonCode::kNonceMismatch), "NONCE_MISMATCH");
  EXPECT_EQ(ReasonName(ReasonCode::kEvidenceTooOld), "EVIDENCE_TOO_OLD");
  EXPECT_EQ(ReasonName(ReasonCode::kSimulatedEvidenceNotAllowed), "SIMULATED_EVIDENCE_NOT_ALLOWED");
  EXPECT_EQ(ReasonName(ReasonCode::kTeeTypeNotAllowed), "TEE_TYPE_NOT_ALLOWED");
  EXPECT_EQ(ReasonName(ReasonCode::kTcbStatusNotAllowed), "TCB_STATUS_NOT_ALLOWED");
  EXPECT_EQ(ReasonName(ReasonCode::kAdvisoryNotAllowed), "ADVISORY_NOT_ALLOWED");
  EXPECT_EQ(ReasonName(ReasonCode::kCollateralExpired), "COLLATERAL_EXPIRED");
  EXPECT_EQ(ReasonName(ReasonCode::kQeIdentityMismatch), "QE_IDENTITY_MISMATCH");
  EXPECT_EQ(ReasonName(ReasonCode::kPcrMismatch), "PCR_MISMATCH");
  EXPECT_EQ(std::size(kAllReasonCodes), 26u);
}

TEST(ReasonTest, EveryCodeHasUniqueNameAndSentenceAndRoundTrips) {
  std::set<std::string_view> names;
  for (ReasonCode code : kAllReasonCodes) {
    std::string_view name = ReasonName(code);
    EXPECT_TRUE(names.insert(name).second) << name;
    std::string_view sentence = ReasonSentence(code);
    ASSERT_FALSE(sentence.empty()) << name;
    EXPECT_EQ(sentence.back(), '.') << name;
    EXPECT_EQ(ReasonFromName(name), code);
    for (char c : name) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '_') << name;
  }
  EXPECT_EQ(ReasonFromName("debug_not_allowed"), std::nullopt);
  EXPECT_EQ(ReasonFromName(""), std::nullopt);
}

TEST(TeeTypeTest, NamesAreStableAndRoundTrip) {
  EXPECT_EQ(TeeTypeName(TeeType::kSevSnp), "sev-snp");
  EXPECT_EQ(TeeTypeName(TeeType::kSgx), "sgx");
  EXPECT_EQ(TeeTypeName(TeeType::kTdx), "tdx");
  EXPECT_EQ(TeeTypeName(TeeType::kNitro), "nitro");
  for (TeeType tee : kAllTeeTypes) EXPECT_EQ(TeeTypeFromName(TeeTypeName(tee)), tee);
  EXPECT_EQ(TeeTypeFromName("snp"), std::nullopt);
}

}  // namespace
}  // namespace confide::attest
