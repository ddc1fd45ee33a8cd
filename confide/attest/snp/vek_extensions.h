// The AMD X.509 extensions of a VCEK or VLEK certificate (AMD pub. 57230 "VCEK Certificate and KDS
// Interface Specification", chapter "VCEK Certificate", and AMD's VLEK definition; notes §3): the
// certified SPLs, the product name and (VCEK only) the hwID. Each extension's extnValue holds a
// DER INTEGER (struct version, SPLs), a DER IA5String (productName) or the raw hwID bytes.
//
//   CONFIDE_ASSIGN_OR_RETURN(VekExtensions ext, ParseVekExtensions(vcek));
//   if (ext.hw_id) compare(*ext.hw_id, report.chip_id);
#ifndef CONFIDE_ATTEST_SNP_VEK_EXTENSIONS_H_
#define CONFIDE_ATTEST_SNP_VEK_EXTENSIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confide/attest/snp/report.h"
#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::snp {

// OIDs under AMD's arc 1.3.6.1.4.1.3704.1 (AMD pub. 57230, "VCEK Certificate Extensions").
inline constexpr std::string_view kOidStructVersion = "1.3.6.1.4.1.3704.1.1";
inline constexpr std::string_view kOidProductName = "1.3.6.1.4.1.3704.1.2";
inline constexpr std::string_view kOidBlSpl = "1.3.6.1.4.1.3704.1.3.1";
inline constexpr std::string_view kOidTeeSpl = "1.3.6.1.4.1.3704.1.3.2";
inline constexpr std::string_view kOidSnpSpl = "1.3.6.1.4.1.3704.1.3.3";
inline constexpr std::string_view kOidUcodeSpl = "1.3.6.1.4.1.3704.1.3.8";
inline constexpr std::string_view kOidFmcSpl = "1.3.6.1.4.1.3704.1.3.9";  // Turin
inline constexpr std::string_view kOidHwId = "1.3.6.1.4.1.3704.1.4";

// What a VEK certifies. `hw_id` is absent on a VLEK; 64 bytes (= CHIP_ID) on Milan/Genoa VCEKs,
// 8 bytes (= CHIP_ID[0..8]) on Turin VCEKs. `fmc_spl` is present on Turin VEKs only.
struct VekExtensions {
  uint64_t struct_version = 0;
  std::string product_name;  // "Milan-B0", "Milan", "Genoa", "Turin", ...
  uint8_t bl_spl = 0;
  uint8_t tee_spl = 0;
  uint8_t snp_spl = 0;
  uint8_t ucode_spl = 0;
  std::optional<uint8_t> fmc_spl;
  std::optional<Bytes> hw_id;

  bool operator==(const VekExtensions&) const = default;
};

// Reads the extensions of `vek`. kMalformed when productName, blSPL, teeSPL, snpSPL or ucodeSPL
// is missing, when any present extension does not decode (an SPL must be a DER INTEGER in
// 0..255), or when a hwID is neither 8 nor 64 bytes. Does not check the certificate's signature,
// validity, issuer, or that the SPLs match anything.
Result<VekExtensions> ParseVekExtensions(const crypto::Certificate& vek);

// The generation a productName names: "Milan*" Milan, "Genoa*" Genoa, "Turin*" Turin, else
// kUnknown. (KDS product names may carry a stepping suffix, e.g. "Milan-B0".)
Generation GenerationFromProductName(std::string_view product_name);

// The certified SPLs as a Tcb (fmc is 0 when absent).
Tcb VekTcb(const VekExtensions& ext);

// Strict DER decoders of one extnValue, the whole input (trailing bytes rejected):
// a non-negative INTEGER of at most 8 content bytes in minimal form, and an IA5String (7-bit
// ASCII). Only the short length form is accepted (these values are < 128 bytes). kMalformed else.
Result<uint64_t> ParseDerUnsigned(ByteSpan der);
Result<std::string> ParseDerIa5String(ByteSpan der);
// Their exact inverses (minimal DER). SerializeDerIa5String's precondition: text.size() < 128
// and 7-bit ASCII (aborts otherwise).
Bytes SerializeDerUnsigned(uint64_t value);
Bytes SerializeDerIa5String(std::string_view text);

// The (OID, extnValue contents) pairs that encode `ext`, in the order KDS certificates use: for
// the simulator's certificate builder. Round-trips through ParseVekExtensions.
std::vector<std::pair<std::string, Bytes>> SerializeVekExtensions(const VekExtensions& ext);

}  // namespace confide::attest::snp

#endif  // CONFIDE_ATTEST_SNP_VEK_EXTENSIONS_H_
