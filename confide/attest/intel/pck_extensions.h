// The Intel SGX extensions of a PCK certificate (Intel "SGX PCK Certificate and CRL Profile
// Specification", section "Intel SGX PCK Certificate extensions"; notes §1): OID
// 1.2.840.113741.1.13.1, whose extnValue is a DER SEQUENCE of SEQUENCE { OID, value }:
//   .1 PPID (OCTET STRING, 16 B)
//   .2 TCB: SEQUENCE of { .2.1 .. .2.16 component SVN (INTEGER 0..255), .2.17 PCESVN
//      (INTEGER 0..65535), .2.18 CPUSVN (OCTET STRING, 16 B) }
//   .3 PCE-ID (OCTET STRING, 2 B)       .4 FMSPC (OCTET STRING, 6 B)
//   .5 SGX type (ENUMERATED: 0 standard, 1 scalable, 2 scalable with integrity)
//   .6 platform instance id (OCTET STRING, 16 B) and .7 configuration (SEQUENCE of BOOLEANs:
//      .7.1 dynamic platform, .7.2 cached keys, .7.3 SMT enabled): Platform CA PCKs only.
// Entries may come in any order; unknown entries are skipped (Intel adds new ones).
//
//   CONFIDE_ASSIGN_OR_RETURN(PckExtensions ext, ParsePckExtensions(pck_leaf));
//   if (ext.fmspc != tcb_info.fmspc) ...
#ifndef CONFIDE_ATTEST_INTEL_PCK_EXTENSIONS_H_
#define CONFIDE_ATTEST_INTEL_PCK_EXTENSIONS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::intel {

inline constexpr std::string_view kOidSgxExtensions = "1.2.840.113741.1.13.1";

enum class SgxType : uint8_t { kStandard = 0, kScalable = 1, kScalableWithIntegrity = 2 };

// The TCB the PCK certificate certifies (what TCB info levels are matched against).
struct PckTcb {
  std::array<uint8_t, 16> comp_svn{};  // SGX TCB component SVNs 1..16 at [0..15]
  uint16_t pce_svn = 0;
  std::array<uint8_t, 16> cpu_svn{};

  bool operator==(const PckTcb&) const = default;
};

// .7 configuration (Platform CA PCKs only); each flag absent when the SEQUENCE omits it.
struct PckPlatformConfiguration {
  std::optional<bool> dynamic_platform;
  std::optional<bool> cached_keys;
  std::optional<bool> smt_enabled;

  bool operator==(const PckPlatformConfiguration&) const = default;
};

struct PckExtensions {
  std::array<uint8_t, 16> ppid{};
  PckTcb tcb;
  std::array<uint8_t, 2> pce_id{};  // as in the certificate (TCB info "pceId" hex is these bytes)
  std::array<uint8_t, 6> fmspc{};   // as in the certificate (TCB info "fmspc" hex is these bytes)
  SgxType sgx_type = SgxType::kStandard;
  std::optional<std::array<uint8_t, 16>> platform_instance_id;
  std::optional<PckPlatformConfiguration> configuration;

  bool operator==(const PckExtensions&) const = default;
};

// Reads the SGX extensions of `pck` (the leaf of a quote's PCK chain). kMalformed when the
// extension is absent, when PPID, TCB, PCE-ID, FMSPC or SGX type is missing or duplicated, when
// any known entry has the wrong type or size (component SVN > 255, PCESVN > 65535, a fixed-size
// OCTET STRING of another length), or when the DER is not strict (indefinite or non-minimal
// lengths, trailing bytes). Does not check the certificate's signature, issuer or validity.
Result<PckExtensions> ParsePckExtensions(const crypto::Certificate& pck);

// The same, over the extnValue contents (the outer SEQUENCE) directly: for tests and fuzzing.
Result<PckExtensions> ParsePckExtensionsDer(ByteSpan extn_value);

// The DER extnValue that encodes `ext` (OID order .1 .. .7, minimal DER), for the simulator's
// PCK certificates. ParsePckExtensionsDer(SerializePckExtensions(e)) == e.
Bytes SerializePckExtensions(const PckExtensions& ext);

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_PCK_EXTENSIONS_H_
