// Chooses the Platform this process runs on: configfs-tsm (SEV-SNP / TDX VM), then Gramine's
// /dev/attestation (SGX), then /dev/nsm (Nitro), then the simulator. Only "absent" (kNotFound)
// moves on to the next backend: a device that is present but fails is an error, never a silent
// fallback to the simulator. `tee` overrides the order (the CLI's and server's --tee); only
// forcing picks the simulator's other evidence kinds: sim-sgx (SGX quote v3), sim-tdx (TDX quote
// v4) and sim-nitro (Nitro document), each through the sim store's PKI for that vendor.
//
//   CONFIDE_ASSIGN_OR_RETURN(Detection d, DetectPlatform(SystemDevices(), {.tee = "auto"}));
//   d.platform->GetEvidence(report_data);
#ifndef CONFIDE_TEE_DETECT_H_
#define CONFIDE_TEE_DETECT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "confide/base/clock.h"
#include "confide/crypto/hash.h"
#include "confide/tee/device/device_ops.h"
#include "confide/tee/platform.h"

namespace confide::tee {

inline constexpr const char* kTeeChoices[] = {"auto",    "tsm",     "sgx",      "nitro",
                                               "sim",     "sim-sgx", "sim-tdx",  "sim-nitro"};

struct DetectOptions {
  std::string tee = "auto";  // one of kTeeChoices
  std::string root;          // prefixed to every device path ("" in production; tests: a fake tree)
  std::string sim_dir;       // simulator store; "" = DefaultSimDir()
  // The simulator's MEASUREMENT (sim-sgx: MRENCLAVE = its first 32 bytes; sim-tdx: MRTD;
  // sim-nitro: PCR0 as SimNitroLaunchFor); unset = SHA-384 of /proc/self/exe.
  std::optional<crypto::Sha384Digest> sim_measurement;
  // Dates the sim-sgx, sim-tdx and sim-nitro evidence; must outlive the platform. nullptr = the
  // system clock (production callers).
  const Clock* clock = nullptr;
};

struct Detection {
  std::unique_ptr<Platform> platform;
  std::vector<std::string> probes;  // one line per backend tried, e.g. "tsm: not found (...)"
};

// kInvalidArgument for an unknown `tee`; a forced backend's own error (kNotFound if absent);
// for auto, the first present backend's error, or the simulator's (kNotFound when no store) if
// nothing else is present. `ops` must outlive the platform.
Result<Detection> DetectPlatform(DeviceOps& ops, const DetectOptions& options);

// The process-wide real kernel.
DeviceOps& SystemDevices();

}  // namespace confide::tee

#endif  // CONFIDE_TEE_DETECT_H_
