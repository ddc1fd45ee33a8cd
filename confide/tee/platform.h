// The attester side of confide: a Platform is the TEE the current process runs in. It produces
// evidence for 64 bytes of caller data and derives sealing keys. Backends: the simulator
// (tee/sim), configfs-tsm (SNP/TDX, tee/tsm), Gramine /dev/attestation (SGX, tee/gramine) and
// /dev/nsm (Nitro, tee/nitro); tee/detect.h picks one.
//
//   std::unique_ptr<Platform> tee = ...;               // e.g. sim::SimPlatform::Open(...)
//   CONFIDE_ASSIGN_OR_RETURN(Evidence ev, tee->GetEvidence(attest::ReportDataFor(claims)));
//   CONFIDE_ASSIGN_OR_RETURN(SecretBytes k, tee->SealingKey(SealBinding::kMeasurement, "models"));
#ifndef CONFIDE_TEE_PLATFORM_H_
#define CONFIDE_TEE_PLATFORM_H_

#include <array>
#include <string>
#include <string_view>

#include "confide/attest/evidence.h"
#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"

namespace confide::tee {

using ReportData = std::array<uint8_t, 64>;

// Evidence exactly as the TEE emits it, plus the endorsements that travel with it.
struct Evidence {
  attest::TeeType tee = attest::TeeType::kSevSnp;
  Bytes report;      // SNP ATTESTATION_REPORT, SGX/TDX quote, or Nitro attestation document
  Bytes cert_table;  // SNP only: the extended report's certificate table (VCEK, ASK, ARK)
};

// What a sealing key is bound to.
enum class SealBinding {
  kMeasurement,  // this exact code (SNP MEASUREMENT, SGX MRENCLAVE): an update cannot unseal
  kSigner,       // the code's signer (SGX MRSIGNER; the simulator's store): updates can unseal
};

struct PlatformInfo {
  std::string backend;   // "sim", "tsm", "sgx", "nitro"
  attest::TeeType tee = attest::TeeType::kSevSnp;
  bool simulated = false;
  attest::NamedValues details;  // e.g. {"measurement", hex}, {"sim_dir", path}
};

class Platform {
 public:
  virtual ~Platform() = default;
  virtual PlatformInfo Describe() const = 0;
  // Fresh evidence whose caller-data field is `report_data`. kUnavailable if the device fails.
  // Thread safe.
  virtual Result<Evidence> GetEvidence(const ReportData& report_data) = 0;
  // A 32-byte key bound to `binding` and `label`: the same on every start of the same code (or
  // signer) on the same platform, different for anything else. kUnsupported where the TEE has no
  // sealing key (TDX, Nitro) and for kSigner on SEV-SNP (its derived keys cannot select the
  // ID/author key). Thread safe.
  virtual Result<SecretBytes> SealingKey(SealBinding binding, std::string_view label) = 0;
};

}  // namespace confide::tee

#endif  // CONFIDE_TEE_PLATFORM_H_
