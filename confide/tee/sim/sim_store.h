// The simulator's persistent state: a simulated AMD PKI (ARK → ASK → VCEK, ECDSA P-384, with the
// X.509 extensions real AMD certificates carry), the simulated chip's CHIP_ID, and a sealing root
// secret. It lives in one directory (mode 0700), by default $XDG_DATA_HOME/confide/sim:
//
//   ark.pem ask.pem vcek.pem     certificates (the ARK is self-signed; its O says "simulated")
//   ark.key ask.key vcek.key     PKCS#8 PEM private keys, mode 0600
//   chip_id.bin                  64 bytes, = the VCEK's hwID
//   sealing_root.key             32 random bytes, mode 0600
//   nitro_{root,inter,leaf}.pem  the simulated AWS Nitro PKI (sim_nitro.h); .key files mode 0600
//   intel_{root,pck_ca,pck,tcb_signing}.pem  the simulated Intel PKI (sim_intel.h); their .key
//                                files and intel_attestation.key (the sim QE's key) mode 0600
//
//   CONFIDE_TRY(InitSimStore(dir, clock.Now(), /*overwrite=*/false));
//   CONFIDE_ASSIGN_OR_RETURN(SimStore store, LoadSimStore(dir));
#ifndef CONFIDE_TEE_SIM_SIM_STORE_H_
#define CONFIDE_TEE_SIM_SIM_STORE_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "confide/attest/intel/pck_extensions.h"
#include "confide/attest/snp/report.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/x509.h"

namespace confide::tee::sim {

// The TCB the simulated platform reports and its VCEK certifies (Milan layout).
inline constexpr attest::snp::Tcb kSimTcb{.boot_loader = 3, .tee = 0, .snp = 8, .microcode = 115};
// The O= of every simulated certificate: simulated evidence is recognisable at a glance.
inline constexpr const char* kSimOrganization = "confide simulator - NOT A REAL AMD KEY";
inline constexpr const char* kSimNitroOrganization = "confide simulator - NOT A REAL AWS KEY";
inline constexpr const char* kSimIntelOrganization = "confide simulator - NOT A REAL INTEL KEY";

// The simulated AWS Nitro PKI: root → intermediate → leaf (P-384), laid out as AWS's
// (the root is cabundle[0]); the leaf signs the simulated attestation documents (sim_nitro.h).
struct SimNitroPki {
  crypto::Certificate root, intermediate, leaf;
  crypto::PrivateKey leaf_key;
};

// The simulated Intel PKI: sim root → "Intel SGX PCK Platform CA" → PCK leaf carrying
// real-format SGX extensions (pck_ext, parsed back from the leaf on load); a sim "Intel SGX TCB
// Signing" certificate under the root; the sim quoting enclave's attestation key (sim_intel.h).
struct SimIntelPki {
  crypto::PrivateKey root_key;
  crypto::Certificate root;  // self-signed "confide sim Intel SGX Root CA"
  crypto::PrivateKey pck_ca_key;
  crypto::Certificate pck_ca;  // "Intel SGX PCK Platform CA" (O = kSimIntelOrganization)
  crypto::PrivateKey pck_key;
  crypto::Certificate pck;  // "Intel SGX PCK Certificate" with the SGX extensions below
  attest::intel::PckExtensions pck_ext;
  crypto::PrivateKey tcb_signing_key;
  crypto::Certificate tcb_signing;     // "Intel SGX TCB Signing" (sim)
  crypto::PrivateKey attestation_key;  // the sim QE's ECDSA P-256 attestation key
};

struct SimStore {
  std::string dir;
  crypto::Certificate ark, ask, vcek;
  crypto::PrivateKey vcek_key;
  std::array<uint8_t, 64> chip_id{};
  SecretBytes sealing_root;
  // Absent in stores made before Nitro simulation existed (`confide sim init --force` adds it).
  std::optional<SimNitroPki> nitro;
  // Absent in stores made before Intel simulation existed (`confide sim init --force` adds it).
  std::optional<SimIntelPki> intel;
};

// The default directory: $CONFIDE_SIM_DIR, else $XDG_DATA_HOME/confide/sim, else
// ~/.local/share/confide/sim. For the CLI and server (libraries take the path explicitly).
std::string DefaultSimDir();

// Creates a fresh store in `dir` (created with mode 0700, parents as needed), certificates valid
// from `now` - 1 day for 10 years. kInvalidArgument if `dir` already holds a store and
// !overwrite. kUnavailable on I/O errors.
Status InitSimStore(const std::string& dir, Time now, bool overwrite);

// Loads a store made by InitSimStore. kNotFound (with a hint to run `confide sim init`) if absent;
// kMalformed if a file is damaged; kInvalidArgument if the directory or a key file is readable by
// others than its owner.
Result<SimStore> LoadSimStore(const std::string& dir);

// The kNotFound error for `store` lacking the `pki` ("Nitro" or "Intel") PKI because an older
// confide made it; it tells the user to run `confide sim init --force`.
Error OlderSimStoreError(const SimStore& store, std::string_view pki);

}  // namespace confide::tee::sim

#endif  // CONFIDE_TEE_SIM_SIM_STORE_H_
