// The simulator's AWS Nitro Enclaves backend: a Platform whose evidence is an attestation
// document with the NSM's byte layout (untagged COSE_Sign1, ES384, the payload map in AWS's key
// order, 16 PCRs of 48 bytes), signed by the simulated Nitro leaf of a SimStore, whose chain is
// sim root → intermediate → leaf with the root first in `cabundle`, as AWS sends it. user_data
// carries the 64-byte report data; the document is dated by the injected clock. The production
// verifier (attest/nitro_appraise.h) checks it unchanged; only the root differs, so policies
// reject it unless `allow_simulated` lists the sim Nitro root. Evidence::cert_table carries the
// sim root's DER (the bundle's endorsements). Nitro has no sealing key.
//
//   CONFIDE_ASSIGN_OR_RETURN(SimStore store, LoadSimStore(DefaultSimDir()));
//   CONFIDE_ASSIGN_OR_RETURN(auto tee, SimNitroPlatform::Open(std::move(store),
//                                                             SimNitroLaunchFor(measurement), clock));
//   CONFIDE_ASSIGN_OR_RETURN(Evidence ev, tee->GetEvidence(report_data));
#ifndef CONFIDE_TEE_SIM_SIM_NITRO_H_
#define CONFIDE_TEE_SIM_SIM_NITRO_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "confide/base/clock.h"
#include "confide/crypto/hash.h"
#include "confide/tee/platform.h"
#include "confide/tee/sim/sim_store.h"

namespace confide::tee::sim {

inline constexpr uint32_t kSimNitroPcrCount = 16;  // as real enclaves report

// The enclave's measurements, as the Nitro hypervisor would record them.
struct SimNitroLaunch {
  std::map<uint32_t, crypto::Sha384Digest> pcrs;  // index (< 16) -> value; the others are zero
  std::string module_id = "i-00000000000000000-enc0000000000000000";
};

// PCR0 = `measurement` (the image), PCR1 = SHA-384("confide sim nitro kernel"), PCR2 =
// SHA-384("confide sim nitro application" || measurement): none zero, so not debug mode.
SimNitroLaunch SimNitroLaunchFor(const crypto::Sha384Digest& measurement);

class SimNitroPlatform final : public Platform {
 public:
  // kNotFound if `store` has no Nitro PKI (made before Nitro simulation: `confide sim init
  // --force`); kInvalidArgument for a PCR index >= 16. `clock` must outlive the platform.
  static Result<std::unique_ptr<SimNitroPlatform>> Open(SimStore store, SimNitroLaunch launch,
                                                        const Clock& clock);

  PlatformInfo Describe() const override;
  // Signs a fresh document whose user_data is `report_data` and timestamp the clock's now (ms).
  // Never fails except on an internal crypto error. Thread safe.
  Result<Evidence> GetEvidence(const ReportData& report_data) override;
  // kUnsupported: Nitro Enclaves have no hardware sealing key (confide uses the key broker).
  Result<SecretBytes> SealingKey(SealBinding binding, std::string_view label) override;

  const SimStore& store() const { return store_; }

 private:
  SimNitroPlatform(SimStore store, SimNitroLaunch launch, const Clock& clock);

  SimStore store_;
  SimNitroLaunch launch_;
  const Clock& clock_;
  std::mutex sign_mu_;  // EVP_PKEY signing with one key object is serialised
};

}  // namespace confide::tee::sim

#endif  // CONFIDE_TEE_SIM_SIM_NITRO_H_
