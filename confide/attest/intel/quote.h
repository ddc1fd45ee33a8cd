// Intel DCAP quotes: SGX ECDSA quote v3 and TDX quotes v4 and v5 (Intel SGX DCAP ECDSA Quote
// Library API, "Quote Format"; Intel TDX DCAP Quoting Library API, quote v4/v5;
// docs/formats/intel-quote.md). Parsing only: the structure, the signed byte range and the
// certification data. Nothing here is trusted until verify.h has checked it.
//
//   CONFIDE_ASSIGN_OR_RETURN(Quote q, ParseQuote(bytes));
//   if (q.td) use(q.td->mrtd); else use(q.sgx->mrenclave);
//   ByteSpan signed_part = q.signed_bytes;   // header || (descriptor ||) body
#ifndef CONFIDE_ATTEST_INTEL_QUOTE_H_
#define CONFIDE_ATTEST_INTEL_QUOTE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::attest::intel {

inline constexpr size_t kHeaderSize = 48;
inline constexpr size_t kSgxReportBodySize = 384;
inline constexpr size_t kTd10ReportBodySize = 584;
inline constexpr size_t kTd15ReportBodySize = 648;
inline constexpr uint16_t kAttKeyTypeEcdsaP256 = 2;
inline constexpr uint32_t kTeeTypeSgx = 0x00000000;
inline constexpr uint32_t kTeeTypeTdx = 0x00000081;
inline constexpr uint16_t kCertDataPckChain = 5;     // PEM PCK leaf || PCK CA || root
inline constexpr uint16_t kCertDataQeReport = 6;     // v4/v5 wrapper around QE report etc.
inline constexpr std::array<uint8_t, 16> kIntelQeVendorId = {
    0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
    0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

// The 48-byte quote header (same layout in v3, v4, v5).
struct QuoteHeader {
  uint16_t version = 0;                  // 3, 4 or 5
  uint16_t att_key_type = 0;             // 2 = ECDSA-256 with P-256
  uint32_t tee_type = 0;                 // v3: reserved (0); v4/v5: 0 SGX, 0x81 TDX
  uint16_t qe_svn = 0;
  uint16_t pce_svn = 0;
  std::array<uint8_t, 16> qe_vendor_id{};
  std::array<uint8_t, 20> user_data{};

  bool operator==(const QuoteHeader&) const = default;
};

// SGX REPORT body (384 B): the enclave body of SGX quotes and the QE report of every quote.
// Reserved ranges are skipped, not required to be zero (Intel does not promise it).
struct SgxReportBody {
  std::array<uint8_t, 16> cpusvn{};
  uint32_t miscselect = 0;                   // little-endian u32 at offset 16
  std::array<uint8_t, 16> isv_ext_prod_id{};
  std::array<uint8_t, 16> attributes{};      // flags u64 LE || XFRM u64 LE; flags bit 1 = DEBUG
  std::array<uint8_t, 32> mrenclave{};
  std::array<uint8_t, 32> mrsigner{};
  std::array<uint8_t, 64> config_id{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  uint16_t config_svn = 0;
  std::array<uint8_t, 16> isv_family_id{};
  std::array<uint8_t, 64> report_data{};

  bool debug() const { return (attributes[0] & 0x02) != 0; }
  bool operator==(const SgxReportBody&) const = default;
};

// TD report body: TD 1.0 (584 B) or TD 1.5 (648 B, adds TEE_TCB_SVN2 and MRSERVICETD).
struct TdReportBody {
  std::array<uint8_t, 16> tee_tcb_svn{};
  std::array<uint8_t, 48> mrseam{};
  std::array<uint8_t, 48> mrsignerseam{};
  std::array<uint8_t, 8> seam_attributes{};
  std::array<uint8_t, 8> td_attributes{};    // little-endian u64; bit 0 = DEBUG
  std::array<uint8_t, 8> xfam{};
  std::array<uint8_t, 48> mrtd{};
  std::array<uint8_t, 48> mrconfigid{};
  std::array<uint8_t, 48> mrowner{};
  std::array<uint8_t, 48> mrownerconfig{};
  std::array<std::array<uint8_t, 48>, 4> rtmr{};
  std::array<uint8_t, 64> report_data{};
  bool td15 = false;                         // the two fields below are present
  std::array<uint8_t, 16> tee_tcb_svn2{};
  std::array<uint8_t, 48> mrservicetd{};

  bool debug() const { return (td_attributes[0] & 0x01) != 0; }
  bool operator==(const TdReportBody&) const = default;
};

// v5 body descriptor types; v3 quotes are kSgx, v4 quotes kSgx or kTd10 by tee_type.
enum class BodyType : uint16_t { kSgx = 1, kTd10 = 2, kTd15 = 3 };
const char* BodyTypeName(BodyType type);  // "sgx", "td1.0", "td1.5"

// One parsed quote. Exactly one of `sgx` / `td` is set, as `body_type` says.
struct Quote {
  QuoteHeader header;
  BodyType body_type = BodyType::kSgx;
  std::optional<SgxReportBody> sgx;
  std::optional<TdReportBody> td;
  // quote[0 .. 48+body) (v5: including the 6-byte body descriptor): what the attestation key
  // signs. Owned copy.
  Bytes signed_bytes;
  uint32_t signature_data_len = 0;
  std::array<uint8_t, 64> signature{};        // r || s, big-endian, over signed_bytes
  std::array<uint8_t, 64> attestation_key{};  // P-256 x || y, big-endian (no 0x04 prefix)
  SgxReportBody qe_report;
  Bytes qe_report_bytes;                       // the 384 bytes the PCK key signs
  std::array<uint8_t, 64> qe_report_signature{};
  Bytes qe_auth_data;
  uint16_t cert_data_type = 0;                 // of the innermost certification data (5)
  std::string pck_chain_pem;                   // the type-5 certification data, as sent
  size_t quote_size = 0;                       // bytes used; the rest of the buffer is ignored

  bool is_tdx() const { return td.has_value(); }
  const std::array<uint8_t, 64>& report_data() const {
    return td ? td->report_data : sgx->report_data;
  }
};

// Parses the structure, trusting the length fields: bytes after the signature data (padding,
// test suffixes) are ignored and counted out of quote_size. kMalformed (naming the field and
// offset) for truncation, a v5 body size that does not fit its type, a certification-data size
// that overruns its region, bytes left inside the signature data, or a v4/v5 quote whose
// outer certification data is not type 6. kUnsupported for a version other than 3/4/5, an
// attestation key type other than 2, a v4/v5 TEE type other than SGX/TDX, a v5 body type
// other than 1/2/3, or PCK certification data other than type 5 (types 1-4 need a PCS fetch).
// Does not check signatures, the QE vendor or any measurement.
Result<Quote> ParseQuote(ByteSpan bytes);

// Parses one 384-byte SGX report body (kMalformed if `bytes` is not exactly 384 bytes).
Result<SgxReportBody> ParseSgxReportBody(ByteSpan bytes);

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_QUOTE_H_
