#include "confide/tee/sim/sim_intel.h"

#include <cctype>
#include <chrono>
#include <string>

#include "confide/attest/intel/quote.h"
#include "confide/base/hex.h"
#include "confide/crypto/crl_der.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/x509_issue.h"
#include "confide/attest/evidence.h"
#include "confide/tee/sim/internal/sim_certificate.h"

namespace confide::tee::sim {
namespace {

namespace intel = attest::intel;
using std::chrono::hours;

Bytes BytesOf(std::string_view s) { return Bytes(s.begin(), s.end()); }

constexpr uint16_t kQeSvn = 8;
constexpr uint16_t kQeProdIdSgx = 1;
constexpr uint16_t kQeProdIdTdx = 2;
// The sim QE's attributes (INIT | MODE64BIT | PROVISIONKEY, not DEBUG) and XFRM, as Intel's QE;
// its identity requires (attributes & FBFF..) == 0x11 (INIT | PROVISIONKEY), as Intel's does.
constexpr std::array<uint8_t, 16> kQeAttributes = {0x15, 0, 0, 0, 0, 0, 0, 0,
                                                   0xe7, 0, 0, 0, 0, 0, 0, 0};

std::array<uint8_t, 32> QeMrsigner() {
  return crypto::Sha256(BytesOf(std::string_view("confide sim quoting enclave signer")));
}

// A certificate of the sim Intel PKI: O = kSimIntelOrganization, ECDSA-SHA256 as Intel's.
Result<crypto::Certificate> Issue(const std::string& cn, bool ca, Time now,
                                  const crypto::PrivateKey& subject,
                                  const crypto::PrivateKey& issuer_key,
                                  const crypto::Certificate* issuer,
                                  std::vector<crypto::CertificateExtension> ext = {}) {
  return IssueSimCertificate(cn, ca, now, subject, issuer_key, issuer, kSimIntelOrganization,
                             crypto::HashAlg::kSha256, std::move(ext));
}

void WriteSgxBody(ByteWriter& w, const std::array<uint8_t, 16>& cpusvn, uint32_t miscselect,
                  const std::array<uint8_t, 16>& attributes,
                  const std::array<uint8_t, 32>& mrenclave, const std::array<uint8_t, 32>& mrsigner,
                  uint16_t prod_id, uint16_t svn, const std::array<uint8_t, 64>& report_data) {
  w.WriteBytes(cpusvn);
  w.WriteU32Le(miscselect);
  w.WriteBytes(Bytes(12, 0));
  w.WriteBytes(Bytes(16, 0));  // ISVEXTPRODID
  w.WriteBytes(attributes);
  w.WriteBytes(mrenclave);
  w.WriteBytes(Bytes(32, 0));
  w.WriteBytes(mrsigner);
  w.WriteBytes(Bytes(32, 0));
  w.WriteBytes(Bytes(64, 0));  // CONFIGID
  w.WriteU16Le(prod_id);
  w.WriteU16Le(svn);
  w.WriteU16Le(0);             // CONFIGSVN
  w.WriteBytes(Bytes(42, 0));
  w.WriteBytes(Bytes(16, 0));  // ISVFAMILYID
  w.WriteBytes(report_data);
}

std::string Iso(Time t) { return FormatRfc3339(t); }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string SvnList(const std::array<uint8_t, 16>& svns) {
  std::string out = "[";
  for (size_t i = 0; i < svns.size(); ++i) {
    out += (i ? "," : "") + std::string("{\"svn\":") + std::to_string(svns[i]) + "}";
  }
  return out + "]";
}

std::string TcbInfoJson(const SimIntelPki& pki, bool tdx, Time now) {
  std::string j = "{\"id\":\"" + std::string(tdx ? "TDX" : "SGX") +
                  "\",\"version\":3,\"issueDate\":\"" + Iso(now - hours(1)) +
                  "\",\"nextUpdate\":\"" + Iso(now + hours(24 * 30)) + "\",\"fmspc\":\"" +
                  Upper(HexEncode(pki.pck_ext.fmspc)) + "\",\"pceId\":\"" +
                  Upper(HexEncode(pki.pck_ext.pce_id)) +
                  "\",\"tcbType\":0,\"tcbEvaluationDataNumber\":1,";
  if (tdx) {
    j += "\"tdxModule\":{\"mrsigner\":\"" + std::string(96, '0') +
         "\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},";
  }
  j += "\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":" + SvnList(pki.pck_ext.tcb.comp_svn) +
       ",\"pcesvn\":" + std::to_string(pki.pck_ext.tcb.pce_svn);
  if (tdx) j += ",\"tdxtcbcomponents\":" + SvnList({});
  j += "},\"tcbDate\":\"" + Iso(now - hours(24)) + "\",\"tcbStatus\":\"UpToDate\"}]}";
  return j;
}

std::string QeIdentityJson(bool tdx, Time now) {
  return "{\"id\":\"" + std::string(tdx ? "TD_QE" : "QE") + "\",\"version\":2,\"issueDate\":\"" +
         Iso(now - hours(1)) + "\",\"nextUpdate\":\"" + Iso(now + hours(24 * 30)) +
         "\",\"tcbEvaluationDataNumber\":1,\"miscselect\":\"00000000\",\"miscselectMask\":"
         "\"FFFFFFFF\",\"attributes\":\"11000000000000000000000000000000\","
         "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"" +
         Upper(HexEncode(QeMrsigner())) + "\",\"isvprodid\":" +
         std::to_string(tdx ? kQeProdIdTdx : kQeProdIdSgx) + ",\"tcbLevels\":[{\"tcb\":"
         "{\"isvsvn\":" + std::to_string(kQeSvn) + "},\"tcbDate\":\"" + Iso(now - hours(24)) +
         "\",\"tcbStatus\":\"UpToDate\"}]}";
}

}  // namespace

Result<SimIntelPki> MakeSimIntelPki(Time now) {
  using crypto::KeyType;
  using crypto::PrivateKey;
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey root_key, PrivateKey::Generate(KeyType::kP256));
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate root,
                           Issue("confide sim Intel SGX Root CA", true, now, root_key, root_key,
                                 nullptr));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey ca_key, PrivateKey::Generate(KeyType::kP256));
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate ca,
                           Issue("Intel SGX PCK Platform CA", true, now, ca_key, root_key, &root));
  intel::PckExtensions ext;
  for (size_t i = 0; i < ext.ppid.size(); ++i) ext.ppid[i] = static_cast<uint8_t>(i);
  ext.tcb.comp_svn = {4, 4, 3, 3, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  ext.tcb.pce_svn = 13;
  ext.tcb.cpu_svn = {4, 4, 3, 3, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  ext.pce_id = {0, 0};
  ext.fmspc = {0x00, 0xc0, 0xf1, 0x5e, 0x00, 0x00};
  ext.sgx_type = intel::SgxType::kStandard;
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey pck_key, PrivateKey::Generate(KeyType::kP256));
  CONFIDE_ASSIGN_OR_RETURN(
      crypto::Certificate pck,
      Issue("Intel SGX PCK Certificate", false, now, pck_key, ca_key, &ca,
            {{std::string(intel::kOidSgxExtensions), intel::SerializePckExtensions(ext), false}}));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey tcb_key, PrivateKey::Generate(KeyType::kP256));
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate tcb,
                           Issue("Intel SGX TCB Signing", false, now, tcb_key, root_key, &root));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey att_key, PrivateKey::Generate(KeyType::kP256));
  return SimIntelPki{.root_key = std::move(root_key),
                     .root = std::move(root),
                     .pck_ca_key = std::move(ca_key),
                     .pck_ca = std::move(ca),
                     .pck_key = std::move(pck_key),
                     .pck = std::move(pck),
                     .pck_ext = ext,
                     .tcb_signing_key = std::move(tcb_key),
                     .tcb_signing = std::move(tcb),
                     .attestation_key = std::move(att_key)};
}

Result<Bytes> EmitSimIntelQuote(const SimIntelPki& pki, const SimQuoteRequest& req) {
  // Header and body: what the attestation key signs.
  ByteWriter w;
  w.WriteU16Le(req.tdx ? 4 : 3);
  w.WriteU16Le(intel::kAttKeyTypeEcdsaP256);
  w.WriteU32Le(req.tdx ? intel::kTeeTypeTdx : intel::kTeeTypeSgx);
  w.WriteU16Le(req.tdx ? 0 : kQeSvn);
  w.WriteU16Le(req.tdx ? 0 : pki.pck_ext.tcb.pce_svn);
  w.WriteBytes(intel::kIntelQeVendorId);
  w.WriteBytes(Bytes(20, 0));
  if (req.tdx) {
    std::array<uint8_t, 16> tee_tcb_svn{3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    w.WriteBytes(tee_tcb_svn);
    w.WriteBytes(crypto::Sha384(BytesOf(std::string_view("confide sim TDX module"))));  // MRSEAM
    w.WriteBytes(Bytes(48, 0));  // MRSIGNERSEAM: Intel's module
    w.WriteBytes(Bytes(8, 0));   // SEAMATTRIBUTES
    std::array<uint8_t, 8> td_attributes{};
    td_attributes[0] = req.debug ? 0x01 : 0x00;
    td_attributes[3] = 0x10;  // SEPT_VE_DISABLE (bit 28)
    w.WriteBytes(td_attributes);
    w.WriteBytes(std::array<uint8_t, 8>{0xe7, 0x02, 0x06, 0, 0, 0, 0, 0});  // XFAM
    w.WriteBytes(req.mrtd);
    w.WriteBytes(Bytes(48 * 3, 0));  // MRCONFIGID, MROWNER, MROWNERCONFIG
    for (const auto& r : req.rtmr) w.WriteBytes(r);
    w.WriteBytes(req.report_data);
  } else {
    std::array<uint8_t, 16> attributes{0x05, 0, 0, 0, 0, 0, 0, 0, 0xe7, 0, 0, 0, 0, 0, 0, 0};
    if (req.debug) attributes[0] |= 0x02;
    WriteSgxBody(w, pki.pck_ext.tcb.cpu_svn, 0, attributes, req.mrenclave, req.mrsigner, 0, 0,
                 req.report_data);
  }
  const Bytes signed_part(w.data().begin(), w.data().end());
  CONFIDE_ASSIGN_OR_RETURN(Bytes signature,
                           crypto::EcdsaSign(pki.attestation_key, crypto::HashAlg::kSha256,
                                             signed_part, crypto::SigFormat::kRawBigEndian));
  CONFIDE_ASSIGN_OR_RETURN(Bytes point, pki.attestation_key.public_key().ToRaw());
  ByteSpan att_key = ByteSpan(point).subspan(1);  // drop the 0x04 prefix

  // The sim QE's report: REPORTDATA = SHA-256(attestation key || auth data) || 0^32.
  Bytes auth(32);
  for (size_t i = 0; i < auth.size(); ++i) auth[i] = static_cast<uint8_t>(i);
  std::array<uint8_t, 64> qe_report_data{};
  crypto::Sha256Digest binding = crypto::Sha256(Concat({att_key, auth}));
  std::copy(binding.begin(), binding.end(), qe_report_data.begin());
  ByteWriter qe;
  WriteSgxBody(qe, pki.pck_ext.tcb.cpu_svn, 0, kQeAttributes,
               crypto::Sha256(BytesOf(std::string_view("confide sim quoting enclave"))),
               QeMrsigner(), req.tdx ? kQeProdIdTdx : kQeProdIdSgx, kQeSvn, qe_report_data);
  CONFIDE_ASSIGN_OR_RETURN(Bytes qe_sig,
                           crypto::EcdsaSign(pki.pck_key, crypto::HashAlg::kSha256, qe.data(),
                                             crypto::SigFormat::kRawBigEndian));
  const std::string pem = pki.pck.ToPem() + pki.pck_ca.ToPem() + pki.root.ToPem();
  ByteWriter qe_part;
  qe_part.WriteBytes(qe.data());
  qe_part.WriteBytes(qe_sig);
  qe_part.WriteU16Le(static_cast<uint16_t>(auth.size()));
  qe_part.WriteBytes(auth);
  qe_part.WriteU16Le(intel::kCertDataPckChain);
  qe_part.WriteU32Le(static_cast<uint32_t>(pem.size()));
  qe_part.WriteBytes(BytesOf(pem));

  ByteWriter sig_data;
  sig_data.WriteBytes(signature);
  sig_data.WriteBytes(att_key);
  if (req.tdx) {
    sig_data.WriteU16Le(intel::kCertDataQeReport);
    sig_data.WriteU32Le(static_cast<uint32_t>(qe_part.data().size()));
  }
  sig_data.WriteBytes(qe_part.data());
  w.WriteU32Le(static_cast<uint32_t>(sig_data.data().size()));
  w.WriteBytes(sig_data.data());
  return std::move(w).Take();
}

Result<intel::IntelCollateral> SimIntelCollateral(const SimIntelPki& pki, bool tdx, Time now,
                                                  const std::vector<Bytes>& revoked_pck_serials) {
  intel::IntelCollateral c;
  c.tcb_info_json = TcbInfoJson(pki, tdx, now);
  c.qe_identity_json = QeIdentityJson(tdx, now);
  CONFIDE_ASSIGN_OR_RETURN(c.tcb_info_signature,
                           crypto::EcdsaSign(pki.tcb_signing_key, crypto::HashAlg::kSha256,
                                             BytesOf(c.tcb_info_json),
                                             crypto::SigFormat::kRawBigEndian));
  CONFIDE_ASSIGN_OR_RETURN(c.qe_identity_signature,
                           crypto::EcdsaSign(pki.tcb_signing_key, crypto::HashAlg::kSha256,
                                             BytesOf(c.qe_identity_json),
                                             crypto::SigFormat::kRawBigEndian));
  c.tcb_info_issuer_chain = pki.tcb_signing.ToPem() + pki.root.ToPem();
  c.qe_identity_issuer_chain = c.tcb_info_issuer_chain;
  crypto::CrlTemplate window{.this_update = now - hours(1),
                             .next_update = now + hours(24 * 30),
                             .revoked_serials = {},
                             .signature_hash = crypto::HashAlg::kSha256};
  CONFIDE_ASSIGN_OR_RETURN(crypto::Crl root_crl, crypto::IssueCrl(window, pki.root, pki.root_key));
  window.revoked_serials = revoked_pck_serials;
  CONFIDE_ASSIGN_OR_RETURN(crypto::Crl pck_crl,
                           crypto::IssueCrl(window, pki.pck_ca, pki.pck_ca_key));
  CONFIDE_ASSIGN_OR_RETURN(c.root_ca_crl, crypto::CrlToDer(root_crl));
  CONFIDE_ASSIGN_OR_RETURN(c.pck_crl, crypto::CrlToDer(pck_crl));
  c.pck_crl_issuer_chain = pki.pck_ca.ToPem() + pki.root.ToPem();
  return c;
}

Result<std::unique_ptr<SimIntelPlatform>> SimIntelPlatform::Open(
    bool tdx, const std::array<uint8_t, 48>& measurement, const Clock& clock) {
  CONFIDE_ASSIGN_OR_RETURN(SimIntelPki pki, MakeSimIntelPki(clock.Now()));
  return FromPki(std::move(pki), tdx, measurement, clock);
}

Result<std::unique_ptr<SimIntelPlatform>> SimIntelPlatform::Open(
    SimStore store, bool tdx, const std::array<uint8_t, 48>& measurement, const Clock& clock) {
  if (!store.intel) {
    return OlderSimStoreError(store, "Intel");
  }
  return FromPki(*std::move(store.intel), tdx, measurement, clock);
}

SimQuoteRequest SimQuoteRequestFor(bool tdx, const std::array<uint8_t, 48>& measurement) {
  SimQuoteRequest req;
  req.tdx = tdx;
  req.mrtd = measurement;
  std::copy(measurement.begin(), measurement.begin() + 32, req.mrenclave.begin());
  req.mrsigner = crypto::Sha256(BytesOf(std::string_view("confide sim enclave signer")));
  return req;
}

std::unique_ptr<SimIntelPlatform> SimIntelPlatform::FromPki(
    SimIntelPki pki, bool tdx, const std::array<uint8_t, 48>& measurement, const Clock& clock) {
  return std::unique_ptr<SimIntelPlatform>(
      new SimIntelPlatform(std::move(pki), SimQuoteRequestFor(tdx, measurement), clock));
}

SimIntelPlatform::SimIntelPlatform(SimIntelPki pki, SimQuoteRequest request, const Clock& clock)
    : pki_(std::move(pki)), request_(request), clock_(clock) {}

PlatformInfo SimIntelPlatform::Describe() const {
  PlatformInfo info{.backend = "sim",
                    .tee = request_.tdx ? attest::TeeType::kTdx : attest::TeeType::kSgx,
                    .simulated = true,
                    .details = {}};
  if (request_.tdx) {
    info.details.emplace_back("mr_td", HexEncode(request_.mrtd));
  } else {
    info.details.emplace_back("mr_enclave", HexEncode(request_.mrenclave));
    info.details.emplace_back("mr_signer", HexEncode(request_.mrsigner));
  }
  info.details.emplace_back("sim_root_spki_sha256",
                            HexEncode(crypto::Sha256(pki_.root.public_key().ToDer())));
  return info;
}

Result<Evidence> SimIntelPlatform::GetEvidence(const ReportData& report_data) {
  std::lock_guard<std::mutex> lock(mu_);
  SimQuoteRequest req = request_;
  req.report_data = report_data;
  CONFIDE_ASSIGN_OR_RETURN(Bytes quote, EmitSimIntelQuote(pki_, req));
  CONFIDE_ASSIGN_OR_RETURN(intel::IntelCollateral c,
                           SimIntelCollateral(pki_, request_.tdx, clock_.Now()));
  return Evidence{.tee = request_.tdx ? attest::TeeType::kTdx : attest::TeeType::kSgx,
                  .report = std::move(quote),
                  .cert_table = intel::EncodeIntelCollateral(c)};
}

Result<SecretBytes> SimIntelPlatform::SealingKey(SealBinding, std::string_view) {
  return UnsupportedError("the simulated Intel platform has no sealing key");
}

}  // namespace confide::tee::sim
