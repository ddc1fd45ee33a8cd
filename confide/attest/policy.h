// The appraisal policy (RFC 9334 "Appraisal Policy for Evidence"), written in TOML by a relying
// party or key-broker owner. docs/policy.md documents every key; docs/examples/policy-snp.toml
// is a complete commented example.
//
//   CONFIDE_ASSIGN_OR_RETURN(Policy policy, ParsePolicy(ReadTextFile("policy.toml")));
//   if (!policy.allow_simulated) ...;
//   std::string id = "sha256:" + PolicyDigest(policy);
#ifndef CONFIDE_ATTEST_POLICY_H_
#define CONFIDE_ATTEST_POLICY_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/attest/evidence.h"
#include "confide/base/result.h"

namespace confide::attest {

using Digest32 = std::array<uint8_t, 32>;
using Digest48 = std::array<uint8_t, 48>;

// Intel TCB statuses a policy may accept (PCS spelling): "UpToDate", "SWHardeningNeeded",
// "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", "OutOfDate",
// "OutOfDateConfigurationNeeded", "Revoked". "no matching TCB level" is never acceptable.
inline constexpr std::string_view kIntelTcbStatusNames[] = {
    "UpToDate",  "SWHardeningNeeded",           "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",        "OutOfDate",
    "OutOfDateConfigurationNeeded",             "Revoked"};

// What [sgx] and [tdx] share: the platform TCB appraisal from Intel's collateral.
struct IntelTcbPolicy {
  // The merged TCB status (platform, QE identity, TDX module) must be one of these.
  std::vector<std::string> accepted_tcb_statuses = {"UpToDate"};
  // Every advisory id (e.g. "INTEL-SA-00615") of the matched levels must be listed here.
  std::vector<std::string> allowed_advisories;
};

// The [sgx] table. MRENCLAVE must be in `mrenclaves` when that list is non-empty, MRSIGNER in
// `mrsigners` when that one is; with both empty every SGX quote fails MEASUREMENT_MISMATCH unless
// allow_any_measurement_insecure. Debug enclaves (ATTRIBUTES bit 1) need the top-level
// allow_debug.
struct SgxPolicy {
  std::vector<Digest32> mrenclaves;
  std::vector<Digest32> mrsigners;
  bool allow_any_measurement_insecure = false;
  std::optional<uint16_t> isv_prod_id;  // when set, ISVPRODID must equal it
  uint16_t min_isv_svn = 0;             // ISVSVN must be >= this
  IntelTcbPolicy tcb;                   // keys accepted_tcb_statuses, allowed_advisories
};

// The [tdx] table (48-byte values). MRTD must be in `mrtds` (empty: every TDX quote fails
// MEASUREMENT_MISMATCH unless allow_any_measurement_insecure); each set rtmrN / mrconfigid /
// mrowner / mrownerconfig must equal the report's. Debug TDs (TDATTRIBUTES bit 0) need the
// top-level allow_debug.
struct TdxPolicy {
  std::vector<Digest48> mrtds;
  bool allow_any_measurement_insecure = false;
  std::array<std::optional<Digest48>, 4> rtmrs;  // TOML keys rtmr0 .. rtmr3
  std::optional<Digest48> mrconfigid;
  std::optional<Digest48> mrowner;
  std::optional<Digest48> mrownerconfig;
  IntelTcbPolicy tcb;
};

// Minimum SNP TCB security patch levels (SNP ABI "TCB_VERSION"), per component. 0 = no bound.
// fmc exists on Turin and later only; a nonzero fmc bound fails on earlier products.
struct SnpMinTcb {
  uint8_t bootloader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;
  uint8_t fmc = 0;
};

// The [snp] table.
struct SnpPolicy {
  // Accepted launch measurements (48 bytes each). Empty fails every SNP report with
  // MEASUREMENT_MISMATCH, unless allow_any_measurement_insecure.
  std::vector<Digest48> measurements;
  bool allow_any_measurement_insecure = false;
  std::optional<Digest32> host_data;         // when set, HOST_DATA must equal it
  bool allow_migration_agent = false;        // guest policy bit 18 (MIGRATE_MA) may be set
  bool allow_smt = true;                     // guest policy bit 16 (SMT) may be set
  SnpMinTcb min_tcb;                         // compared with the report's reported_tcb
  std::vector<uint32_t> vmpls = {0};         // accepted VMPL values of the report request
  std::vector<Digest48> id_key_digests;      // when non-empty, ID_KEY_DIGEST must be one of them
  std::vector<Digest48> author_key_digests;  // when non-empty, AUTHOR_KEY_DIGEST must be listed
};

// The [nitro] table: expected PCR values (TOML keys pcr0, pcr1, pcr2, pcr3, pcr4, pcr8, each one
// hex string or a list of them, 48 bytes). A listed PCR must equal one of its values; an unlisted
// PCR is not constrained. Listing no PCR fails every Nitro document with PCR_MISMATCH, unless
// allow_any_pcrs_insecure.
struct NitroPolicy {
  std::map<uint32_t, std::vector<Digest48>> pcrs;  // PCR index -> accepted values
  bool allow_any_pcrs_insecure = false;
};

// The [binding] table: requirements on the binding claims (binding.h).
struct BindingPolicy {
  // Evidence must come with a claims buffer whose SHA-256 is in report_data. Default true;
  // false only for evidence made by other software (e.g. the shared test vectors).
  bool required = true;
  bool require_nonce = false;       // the verifier must have sent a nonce, and it must match
  std::vector<Digest32> workloads;  // when non-empty, the "workload" claim must be one of them
};

// A parsed policy. Plain data: copyable, immutable after parsing by convention.
struct Policy {
  std::vector<TeeType> tee_types;   // accepted TEE families; never empty after parsing
  bool allow_simulated = false;     // accept evidence chained to a listed simulator root
  std::vector<Digest32> sim_roots;  // SHA-256 of the simulator root's DER SubjectPublicKeyInfo
  // INSECURE: accept debug TEEs, whose memory the host can read. Written `allow_debug` (or
  // `allow_debug_insecure`) in TOML. Never set in production.
  bool allow_debug = false;
  std::optional<int64_t> max_evidence_age_seconds;  // unset: age not checked
  BindingPolicy binding;
  SnpPolicy snp;
  SgxPolicy sgx;
  TdxPolicy tdx;
  NitroPolicy nitro;
  std::string digest_hex;  // PolicyDigest(): SHA-256 of the exact input text
};

// Parses and validates a policy. Errors: kMalformed for TOML syntax errors (with line and
// column); kInvalidArgument for schema errors — unknown keys (typos must never silently weaken
// a policy), wrong types, hex of the wrong length, out-of-range integers, missing tee_types,
// unknown TEE names, both allow_debug spellings at once. Every message names the key path, e.g.
// "policy: snp.measurements[1]: expected 48 bytes of hex". Never throws. Thread safe.
Result<Policy> ParsePolicy(std::string_view toml_text);

// Lowercase hex SHA-256 of the exact text given to ParsePolicy (so `sha256sum policy.toml`
// reproduces it; reformatting the file changes it). Used as the EAR appraisal policy id.
std::string PolicyDigest(const Policy& policy);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_POLICY_H_
