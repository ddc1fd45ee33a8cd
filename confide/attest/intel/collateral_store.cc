#include "confide/attest/intel/collateral_store.h"

#include <filesystem>
#include <map>
#include <utility>

#include "confide/attest/intel/internal/intel_names.h"
#include "confide/attest/intel/internal/json_fields.h"
#include "confide/base/base64.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/crl_signature.h"
#include "confide/crypto/ecdsa.h"

namespace confide::attest::intel {
namespace {

constexpr size_t kMaxFile = size_t{1} << 22;  // collateral files are tens of KB

using internal::HasCn;
using internal::kCnPlatform;
using internal::kCnProcessor;
using internal::kCnRoot;
using internal::kCnTcbSigning;

std::string_view KindName(PckCaKind k) {
  return k == PckCaKind::kPlatform ? "platform" : "processor";
}

std::optional<PckCaKind> KindFromName(const std::string& name) {
  if (HasCn(name, kCnPlatform)) return PckCaKind::kPlatform;
  if (HasCn(name, kCnProcessor)) return PckCaKind::kProcessor;
  return std::nullopt;
}

std::string Trimmed(ByteSpan bytes) {
  std::string s = ToString(bytes);
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

struct SignedPiece {
  std::string body;  // the PCS response body to store
  SignedJson signed_json;
  Time issue_date{};
  std::string rel_path;
};

// Everything recognised in the inputs.
struct Pieces {
  std::vector<SignedPiece> tcb_infos;
  std::vector<SignedPiece> qe_identities;
  std::string signing_chain;
  std::map<PckCaKind, std::string> pck_chains;
  std::optional<crypto::Crl> root_crl;
  Bytes root_crl_der;
  std::map<PckCaKind, std::pair<crypto::Crl, Bytes>> pck_crls;
};

std::string PcsBody(std::string_view key, const std::string& json, ByteSpan signature) {
  return "{\"" + std::string(key) + "\":" + json + ",\"signature\":\"" + HexEncode(signature) +
         "\"}";
}

Result<SignedPiece> TcbInfoPiece(std::string body, SignedJson s) {
  CONFIDE_ASSIGN_OR_RETURN(TcbInfo info, ParseTcbInfo(s.json));
  SignedPiece p{std::move(body), std::move(s), info.issue_date, ""};
  p.rel_path = std::string("tcb_info/") + (info.id == TcbInfoId::kTdx ? "tdx-" : "sgx-") +
               HexEncode(info.fmspc) + ".json";
  return p;
}

Result<SignedPiece> QeIdentityPiece(std::string body, SignedJson s) {
  CONFIDE_ASSIGN_OR_RETURN(QeIdentity id, ParseQeIdentity(s.json));
  if (id.id == QeIdentityId::kQve) return UnsupportedError("intel collateral: QVE identity");
  SignedPiece p{std::move(body), std::move(s), id.issue_date, ""};
  p.rel_path =
      std::string("qe_identity/") + (id.id == QeIdentityId::kTdQe ? "td_qe" : "qe") + ".json";
  return p;
}

Status AddChain(const std::string& pem, const std::string& name, Pieces& out) {
  CONFIDE_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certs,
                           crypto::Certificate::ChainFromPem(pem));
  const std::string subject = certs[0].subject();
  if (HasCn(subject, kCnTcbSigning)) {
    out.signing_chain = pem;
  } else if (std::optional<PckCaKind> k = KindFromName(subject)) {
    out.pck_chains[*k] = pem;
  } else {
    return MalformedError(name + ": a certificate chain that starts with " + subject);
  }
  return OkStatus();
}

Status AddCrl(Bytes der, const std::string& name, Pieces& out) {
  CONFIDE_ASSIGN_OR_RETURN(crypto::Crl crl, crypto::Crl::FromDer(der));
  const std::string issuer = crl.issuer();
  if (HasCn(issuer, kCnRoot)) {
    out.root_crl = crl;
    out.root_crl_der = std::move(der);
  } else if (std::optional<PckCaKind> k = KindFromName(issuer)) {
    out.pck_crls.insert_or_assign(*k, std::make_pair(crl, std::move(der)));
  } else {
    return MalformedError(name + ": a CRL issued by " + issuer);
  }
  return OkStatus();
}

Status AddDcapQvl(const IntelCollateral& c, const std::string& name, Pieces& out) {
  if (!c.tcb_info_json.empty()) {
    SignedJson s{c.tcb_info_json, c.tcb_info_signature};
    CONFIDE_ASSIGN_OR_RETURN(SignedPiece p,
                             TcbInfoPiece(PcsBody("tcbInfo", s.json, s.signature), s));
    out.tcb_infos.push_back(std::move(p));
  }
  if (!c.qe_identity_json.empty()) {
    SignedJson s{c.qe_identity_json, c.qe_identity_signature};
    CONFIDE_ASSIGN_OR_RETURN(SignedPiece p,
                             QeIdentityPiece(PcsBody("enclaveIdentity", s.json, s.signature), s));
    out.qe_identities.push_back(std::move(p));
  }
  for (const std::string* chain :
       {&c.tcb_info_issuer_chain, &c.qe_identity_issuer_chain, &c.pck_crl_issuer_chain}) {
    if (!chain->empty()) CONFIDE_TRY(AddChain(*chain, name, out));
  }
  if (!c.root_ca_crl.empty()) CONFIDE_TRY(AddCrl(c.root_ca_crl, name, out));
  if (!c.pck_crl.empty()) CONFIDE_TRY(AddCrl(c.pck_crl, name, out));
  return OkStatus();
}

Status Recognise(const ImportFile& f, Pieces& out) {
  const std::string text = Trimmed(f.bytes);
  if (text.starts_with("-----BEGIN CERTIFICATE-----")) return AddChain(text, f.name, out);
  if (text.starts_with("-----BEGIN X509 CRL-----")) {
    constexpr std::string_view kEnd = "-----END X509 CRL-----";
    const size_t begin = text.find('\n');
    const size_t end = text.find(kEnd);
    if (begin == std::string::npos || end == std::string::npos || end < begin) {
      return MalformedError(f.name + ": damaged PEM CRL");
    }
    std::string b64;
    for (char c : std::string_view(text).substr(begin, end - begin)) {
      if (c != '\n' && c != '\r') b64.push_back(c);
    }
    Result<Bytes> der = Base64Decode(b64);
    if (!der.ok()) return MalformedError(f.name + ": damaged PEM CRL");
    return AddCrl(std::move(der).value(), f.name, out);
  }
  if (text.starts_with("{")) {
    CONFIDE_ASSIGN_OR_RETURN(internal::Json j, internal::ParseJsonObject(text, f.name));
    if (internal::Find(j, "tcbInfo") != nullptr) {
      CONFIDE_ASSIGN_OR_RETURN(SignedJson s, ParsePcsSignedJson(text, "tcbInfo"));
      CONFIDE_ASSIGN_OR_RETURN(SignedPiece p, TcbInfoPiece(text, std::move(s)));
      out.tcb_infos.push_back(std::move(p));
      return OkStatus();
    }
    if (internal::Find(j, "enclaveIdentity") != nullptr) {
      CONFIDE_ASSIGN_OR_RETURN(SignedJson s, ParsePcsSignedJson(text, "enclaveIdentity"));
      CONFIDE_ASSIGN_OR_RETURN(SignedPiece p, QeIdentityPiece(text, std::move(s)));
      out.qe_identities.push_back(std::move(p));
      return OkStatus();
    }
    CONFIDE_ASSIGN_OR_RETURN(IntelCollateral c, ParseDcapQvlCollateral(text));
    if (c == IntelCollateral{}) return MalformedError(f.name + ": no collateral in this JSON");
    return AddDcapQvl(c, f.name, out);
  }
  if (Result<Bytes> der = HexDecode(text); der.ok() && !der->empty()) {
    return AddCrl(std::move(der).value(), f.name, out);
  }
  Result<crypto::Crl> crl = crypto::Crl::FromDer(f.bytes);
  if (!crl.ok()) return MalformedError(f.name + ": not recognised as Intel collateral");
  return AddCrl(f.bytes, f.name, out);
}

Error Rejected(const std::string& what) {
  return VerificationFailedError("intel collateral import: " + what);
}

// Verifies `pem` to the root at `at`; returns its first certificate.
Result<crypto::Certificate> CheckChain(const std::string& pem, const crypto::Certificate& root,
                                       Time at, const std::string& what) {
  CONFIDE_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certs,
                           crypto::Certificate::ChainFromPem(pem));
  std::vector<crypto::Certificate> rest(certs.begin() + 1, certs.end());
  CONFIDE_ASSIGN_OR_RETURN(crypto::ChainResult r,
                           crypto::VerifyChain(certs[0], rest, {root}, {}, {.now = at}));
  if (!r.ok()) {
    return Rejected(what + " chain at " + FormatRfc3339(at) + ": " +
                    crypto::ChainFailureName(r.failure) + ": " + r.detail);
  }
  return certs[0];
}

Result<std::string> ReadText(const std::filesystem::path& p) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes b, ReadFile(p.string(), kMaxFile));
  return ToString(b);
}

struct Write {
  std::string rel;
  Bytes bytes;
  std::optional<Time> issued;  // TCB info / identity issueDate, CRL thisUpdate
};

// The issue time of a stored TCB info, QE identity or CRL; nullopt when absent or unreadable.
std::optional<Time> StoredIssueTime(const std::filesystem::path& path) {
  Result<Bytes> b = ReadFile(path.string(), kMaxFile);
  if (!b.ok()) return std::nullopt;
  if (path.extension() == ".crl") {
    Result<crypto::Crl> crl = crypto::Crl::FromDer(*b);
    if (!crl.ok()) return std::nullopt;
    return crl->this_update();
  }
  const std::string text = ToString(*b);
  if (Result<SignedJson> t = ParsePcsSignedJson(text, "tcbInfo"); t.ok()) {
    if (Result<TcbInfo> info = ParseTcbInfo(t->json); info.ok()) return info->issue_date;
  }
  if (Result<SignedJson> q = ParsePcsSignedJson(text, "enclaveIdentity"); q.ok()) {
    if (Result<QeIdentity> id = ParseQeIdentity(q->json); id.ok()) return id->issue_date;
  }
  return std::nullopt;
}

}  // namespace

Result<PckCaKind> PckCaKindOf(const crypto::Certificate& pck_leaf) {
  std::optional<PckCaKind> k = KindFromName(pck_leaf.issuer());
  if (!k) return MalformedError("intel pck: unknown issuer " + pck_leaf.issuer());
  return *k;
}

Result<ImportReport> ImportCollateral(const std::string& dir, const std::vector<ImportFile>& files,
                                      const crypto::Certificate& intel_root,
                                      const ImportOptions& opts) {
  const std::filesystem::path root_dir(dir);
  Pieces p;
  for (const ImportFile& f : files) CONFIDE_TRY(Recognise(f, p));

  // The TCB signing chain: given, or already in the directory.
  std::string signing_chain = p.signing_chain;
  if (signing_chain.empty() && (!p.tcb_infos.empty() || !p.qe_identities.empty())) {
    Result<std::string> stored = ReadText(root_dir / "tcb_signing_chain.pem");
    if (!stored.ok()) return Rejected("no TCB signing chain given or stored");
    signing_chain = *stored;
  }
  std::vector<Write> writes;
  for (const std::vector<SignedPiece>* list : {&p.tcb_infos, &p.qe_identities}) {
    for (const SignedPiece& piece : *list) {
      CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate signer,
                               CheckChain(signing_chain, intel_root,
                                          opts.at.value_or(piece.issue_date), piece.rel_path));
      if (!crypto::EcdsaVerify(signer.public_key(), crypto::HashAlg::kSha256,
                               AsBytes(piece.signed_json.json), piece.signed_json.signature,
                               crypto::SigFormat::kRawBigEndian)) {
        return Rejected(piece.rel_path + ": signature does not verify");
      }
      writes.push_back(
          {piece.rel_path, Bytes(piece.body.begin(), piece.body.end()), piece.issue_date});
    }
  }
  if (!p.signing_chain.empty()) {
    if (p.tcb_infos.empty() && p.qe_identities.empty()) {
      CONFIDE_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certs,
                               crypto::Certificate::ChainFromPem(p.signing_chain));
      Result<crypto::Certificate> ok = CheckChain(
          p.signing_chain, intel_root, opts.at.value_or(certs[0].not_before()), "tcb signing");
      if (!ok.ok()) return ok.error();
    }
    writes.push_back({"tcb_signing_chain.pem",
                      Bytes(p.signing_chain.begin(), p.signing_chain.end()), std::nullopt});
  }
  if (p.root_crl) {
    if (!crypto::CrlIsSignedBy(*p.root_crl, intel_root)) {
      return Rejected("root CA CRL is not signed by the Intel root");
    }
    writes.push_back({"root_ca.crl", p.root_crl_der, p.root_crl->this_update()});
  }
  for (const auto& [kind, crl_der] : p.pck_crls) {
    const std::string chain_rel = "pck_crl/" + std::string(KindName(kind)) + "_chain.pem";
    std::string chain;
    if (auto it = p.pck_chains.find(kind); it != p.pck_chains.end()) {
      chain = it->second;
    } else {
      Result<std::string> stored = ReadText(root_dir / chain_rel);
      if (!stored.ok())
        return Rejected("no issuer chain for the " + std::string(KindName(kind)) + " PCK CRL");
      chain = *stored;
    }
    CONFIDE_ASSIGN_OR_RETURN(
        crypto::Certificate ca,
        CheckChain(chain, intel_root, opts.at.value_or(crl_der.first.this_update()), chain_rel));
    if (!crypto::CrlIsSignedBy(crl_der.first, ca)) {
      return Rejected(std::string(KindName(kind)) + " PCK CRL is not signed by its CA");
    }
    writes.push_back({"pck_crl/" + std::string(KindName(kind)) + ".crl", crl_der.second,
                      crl_der.first.this_update()});
  }
  for (const auto& [kind, chain] : p.pck_chains) {
    CONFIDE_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certs,
                             crypto::Certificate::ChainFromPem(chain));
    const std::string rel = "pck_crl/" + std::string(KindName(kind)) + "_chain.pem";
    if (!p.pck_crls.contains(kind)) {
      Result<crypto::Certificate> ok =
          CheckChain(chain, intel_root, opts.at.value_or(certs[0].not_before()), rel);
      if (!ok.ok()) return ok.error();
    }
    writes.push_back({rel, Bytes(chain.begin(), chain.end()), std::nullopt});
  }
  if (writes.empty()) return Rejected("nothing to import");

  ImportReport report;
  std::error_code ec;
  for (const char* sub : {"tcb_info", "qe_identity", "pck_crl"}) {
    std::filesystem::create_directories(root_dir / sub, ec);
    if (ec) return UnavailableError("cannot create " + (root_dir / sub).string());
  }
  for (const Write& w : writes) {
    if (w.issued) {
      std::optional<Time> stored = StoredIssueTime(root_dir / w.rel);
      if (stored && *stored > *w.issued) {
        report.kept_newer.push_back(w.rel);
        continue;
      }
    }
    CONFIDE_TRY(WriteFile((root_dir / w.rel).string(), w.bytes, 0644));
    report.written.push_back(w.rel);
  }
  return report;
}

Result<IntelCollateral> LoadStoredCollateral(const std::string& dir,
                                             const std::array<uint8_t, 6>& fmspc, bool tdx,
                                             PckCaKind ca) {
  const std::filesystem::path root_dir(dir);
  IntelCollateral c;
  const std::string tcb_rel =
      std::string("tcb_info/") + (tdx ? "tdx-" : "sgx-") + HexEncode(fmspc) + ".json";
  CONFIDE_ASSIGN_OR_RETURN(std::string tcb_body, ReadText(root_dir / tcb_rel));
  CONFIDE_ASSIGN_OR_RETURN(SignedJson tcb, ParsePcsSignedJson(tcb_body, "tcbInfo"));
  c.tcb_info_json = std::move(tcb.json);
  c.tcb_info_signature = std::move(tcb.signature);
  CONFIDE_ASSIGN_OR_RETURN(c.tcb_info_issuer_chain, ReadText(root_dir / "tcb_signing_chain.pem"));
  if (Result<std::string> qe =
          ReadText(root_dir / "qe_identity" / (tdx ? "td_qe.json" : "qe.json"));
      qe.ok()) {
    CONFIDE_ASSIGN_OR_RETURN(SignedJson s, ParsePcsSignedJson(*qe, "enclaveIdentity"));
    c.qe_identity_json = std::move(s.json);
    c.qe_identity_signature = std::move(s.signature);
    c.qe_identity_issuer_chain = c.tcb_info_issuer_chain;
  } else if (qe.error().code != ErrorCode::kNotFound) {
    return qe.error();
  }
  auto optional_file = [](const std::filesystem::path& p, Bytes* out) -> Status {
    Result<Bytes> b = ReadFile(p.string(), kMaxFile);
    if (b.ok()) {
      *out = std::move(b).value();
    } else if (b.error().code != ErrorCode::kNotFound) {
      return b.error();
    }
    return OkStatus();
  };
  CONFIDE_TRY(optional_file(root_dir / "root_ca.crl", &c.root_ca_crl));
  const std::string kind(KindName(ca));
  CONFIDE_TRY(optional_file(root_dir / "pck_crl" / (kind + ".crl"), &c.pck_crl));
  Bytes chain;
  CONFIDE_TRY(optional_file(root_dir / "pck_crl" / (kind + "_chain.pem"), &chain));
  c.pck_crl_issuer_chain = ToString(chain);
  return c;
}

}  // namespace confide::attest::intel
