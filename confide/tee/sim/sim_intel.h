// The simulator's Intel SGX and TDX evidence: a simulated Intel PKI (sim root → "Intel SGX PCK
// Platform CA" → PCK leaf carrying real-format SGX extensions; a sim TCB Signing certificate), a
// sim quoting enclave whose QE report is signed by the PCK key and commits to an attestation key,
// SGX quotes v3 and TDX quotes v4 signed by that attestation key, and matching collateral (TCB
// info and QE identity JSON signed by the sim TCB Signing key, root and PCK CA CRLs). The
// production verifier (attest/intel_appraise.h) checks all of it unchanged; only the root
// differs, so policies reject it unless `allow_simulated` lists the sim root (sim_roots).
// Not a secret-holding platform: for tests and demos. The PKI is made in memory
// (MakeSimIntelPki) or kept in the persistent sim store (sim_store.h, `confide sim init`).
//
//   CONFIDE_ASSIGN_OR_RETURN(SimIntelPki pki, MakeSimIntelPki(now));
//   CONFIDE_ASSIGN_OR_RETURN(Bytes quote, EmitSimIntelQuote(pki, {.tdx = true, ...}));
//   CONFIDE_ASSIGN_OR_RETURN(intel::IntelCollateral c, SimIntelCollateral(pki, true, now));
#ifndef CONFIDE_TEE_SIM_SIM_INTEL_H_
#define CONFIDE_TEE_SIM_SIM_INTEL_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "confide/attest/intel/collateral.h"
#include "confide/attest/intel/pck_extensions.h"
#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/x509.h"
#include "confide/tee/platform.h"
#include "confide/tee/sim/sim_store.h"

namespace confide::tee::sim {

// A fresh PKI (SimIntelPki is declared in sim_store.h), certificates valid from `now` - 1 day
// for 10 years. kInternal on crypto failure.
Result<SimIntelPki> MakeSimIntelPki(Time now);

struct SimQuoteRequest {
  bool tdx = false;                           // TDX quote v4, else SGX quote v3
  std::array<uint8_t, 64> report_data{};
  std::array<uint8_t, 32> mrenclave{};        // SGX
  std::array<uint8_t, 32> mrsigner{};         // SGX
  std::array<uint8_t, 48> mrtd{};             // TDX
  std::array<std::array<uint8_t, 48>, 4> rtmr{};  // TDX
  bool debug = false;  // SGX ATTRIBUTES bit 1 / TDX TDATTRIBUTES bit 0
};

// The request SimIntelPlatform makes for `measurement`: MRENCLAVE = its first 32 bytes (SGX),
// MRTD = it (TDX), MRSIGNER = SHA-256("confide sim enclave signer"); report data zero, not debug.
SimQuoteRequest SimQuoteRequestFor(bool tdx, const std::array<uint8_t, 48>& measurement);

// The quote bytes, as the real quoting enclave lays them out (type-5 PCK chain; v4 wraps it in
// type-6 certification data).
Result<Bytes> EmitSimIntelQuote(const SimIntelPki& pki, const SimQuoteRequest& request);

// Collateral for the sim platform: TCB info ("SGX" or "TDX", version 3, one UpToDate level at the
// PCK's SVNs) and QE identity ("QE" or "TD_QE"), signed by the sim TCB Signing key, valid from
// `now` - 1 hour for 30 days; root and PCK CA CRLs for the same window, the PCK CA's revoking
// `revoked_pck_serials` (big-endian serial numbers; none by default).
Result<attest::intel::IntelCollateral> SimIntelCollateral(
    const SimIntelPki& pki, bool tdx, Time now, const std::vector<Bytes>& revoked_pck_serials = {});

// A Platform whose evidence is a sim quote (SGX v3 or TDX v4) with the given measurement, and
// whose Evidence::cert_table carries the sim collateral (EncodeIntelCollateral JSON; it becomes
// the bundle's endorsements), so attested TLS and the key broker verify it with the production
// AppraiseEvidence. The PKI is made in memory at Open (or taken from the sim store) and lives as
// long as the platform; a verifier must list its root (sim_root_spki_sha256) in sim_roots. No
// sealing key (kUnsupported).
class SimIntelPlatform final : public Platform {
 public:
  // Measurement: MRENCLAVE (first 32 bytes) for SGX, MRTD for TDX. `clock` must outlive it.
  static Result<std::unique_ptr<SimIntelPlatform>> Open(bool tdx,
                                                        const std::array<uint8_t, 48>& measurement,
                                                        const Clock& clock);
  // The same with the PKI of the persistent sim store, so verifiers can pin its root across
  // processes. kNotFound (with a hint to run `confide sim init --force`) if the store predates
  // Intel simulation.
  static Result<std::unique_ptr<SimIntelPlatform>> Open(SimStore store, bool tdx,
                                                        const std::array<uint8_t, 48>& measurement,
                                                        const Clock& clock);

  PlatformInfo Describe() const override;
  Result<Evidence> GetEvidence(const ReportData& report_data) override;
  Result<SecretBytes> SealingKey(SealBinding binding, std::string_view label) override;

  const SimIntelPki& pki() const { return pki_; }

 private:
  SimIntelPlatform(SimIntelPki pki, SimQuoteRequest request, const Clock& clock);
  static std::unique_ptr<SimIntelPlatform> FromPki(SimIntelPki pki, bool tdx,
                                                   const std::array<uint8_t, 48>& measurement,
                                                   const Clock& clock);

  SimIntelPki pki_;
  SimQuoteRequest request_;
  const Clock& clock_;
  std::mutex mu_;
};

}  // namespace confide::tee::sim

#endif  // CONFIDE_TEE_SIM_SIM_INTEL_H_
