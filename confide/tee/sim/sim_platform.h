// The simulator backend: a Platform that behaves like an SEV-SNP guest. Its reports are
// byte-exact ATTESTATION_REPORTs (version 3, Milan CPUID), signed by the simulated VCEK of a
// SimStore; MEASUREMENT is what the caller measured (the server passes SHA-384 of its own
// executable), HOST_DATA the launch configuration digest, REPORT_DATA as asked. The same
// verifier code checks them; only the root differs, so policies reject them unless
// `allow_simulated` names the sim root.
//
//   CONFIDE_ASSIGN_OR_RETURN(SimStore store, LoadSimStore(DefaultSimDir()));
//   CONFIDE_ASSIGN_OR_RETURN(auto measurement, MeasureFile("/proc/self/exe"));
//   SimPlatform tee(std::move(store), {.measurement = measurement});
//   CONFIDE_ASSIGN_OR_RETURN(Evidence ev, tee.GetEvidence(report_data));
#ifndef CONFIDE_TEE_SIM_SIM_PLATFORM_H_
#define CONFIDE_TEE_SIM_SIM_PLATFORM_H_

#include <array>
#include <mutex>

#include "confide/crypto/hash.h"
#include "confide/tee/platform.h"
#include "confide/tee/sim/sim_store.h"

namespace confide::tee::sim {

// The guest's launch parameters, as a hypervisor would set them.
struct SimLaunch {
  crypto::Sha384Digest measurement{};   // MEASUREMENT
  std::array<uint8_t, 32> host_data{};  // HOST_DATA (launch configuration digest)
  // POLICY: bit 17 is reserved-must-be-one, bit 16 allows SMT. Set bit 19 for a debug guest.
  uint64_t policy = 0x30000;
  uint32_t vmpl = 0;
};

class SimPlatform final : public Platform {
 public:
  SimPlatform(SimStore store, SimLaunch launch);

  PlatformInfo Describe() const override;
  // Signs a fresh report; never fails except on an internal crypto error. Thread safe.
  Result<Evidence> GetEvidence(const ReportData& report_data) override;
  // HKDF-SHA256 over the sealing root, keyed to MEASUREMENT (kMeasurement) or to the simulated
  // signer (kSigner: the same for every measurement of this store), and to `label`.
  Result<SecretBytes> SealingKey(SealBinding binding, std::string_view label) override;

  const SimStore& store() const { return store_; }

 private:
  SimStore store_;
  SimLaunch launch_;
  std::array<uint8_t, 32> report_id_{};
  Bytes cert_table_;
  std::mutex sign_mu_;  // EVP_PKEY signing with one key object is serialised
};

}  // namespace confide::tee::sim

#endif  // CONFIDE_TEE_SIM_SIM_PLATFORM_H_
