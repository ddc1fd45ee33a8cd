#include "apps/confide/evidence_files.h"

#include <filesystem>

#include "confide/attest/snp/amd_roots.h"
#include "confide/attest/snp/cert_table.h"
#include "confide/attest/snp/report.h"
#include "confide/base/file.h"

namespace confide::cli {

namespace {

namespace fs = std::filesystem;
namespace snp = attest::snp;
using crypto::Certificate;

Result<Certificate> LoadCertificate(const fs::path& path) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path.string()));
  auto cert = ToString(bytes).find("-----BEGIN") != std::string::npos
                  ? Certificate::FromPem(ToString(bytes))
                  : Certificate::FromDer(bytes);
  if (!cert.ok()) return MalformedError(path.string() + ": " + cert.error().message);
  return cert;
}

// The first existing file among `names` in each of `dirs`, as a certificate.
Result<std::optional<Certificate>> FindCertificate(const std::vector<fs::path>& candidates) {
  for (const fs::path& p : candidates) {
    if (fs::is_regular_file(p)) {
      CONFIDE_ASSIGN_OR_RETURN(Certificate c, LoadCertificate(p));
      return std::optional<Certificate>(std::move(c));
    }
  }
  return std::optional<Certificate>();
}

std::vector<fs::path> Candidates(const EvidenceSources& s, const std::string& kind) {
  std::vector<fs::path> out;
  fs::path evidence(s.evidence_path);
  for (const char* ext : {".der", ".pem"}) {
    if (!s.certs_dir.empty()) out.push_back(fs::path(s.certs_dir) / (kind + ext));
    out.push_back(evidence.parent_path() / (evidence.stem().string() + "." + kind + ext));
  }
  return out;
}

Result<std::vector<crypto::Crl>> LoadCrls(const std::string& dir) {
  std::vector<crypto::Crl> crls;
  if (dir.empty() || !fs::is_directory(dir)) return crls;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".crl") continue;
    CONFIDE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(entry.path().string()));
    auto crl = ToString(bytes).find("-----BEGIN") != std::string::npos
                   ? crypto::Crl::FromPem(ToString(bytes))
                   : crypto::Crl::FromDer(bytes);
    if (!crl.ok()) return MalformedError(entry.path().string() + ": " + crl.error().message);
    crls.push_back(*std::move(crl));
  }
  return crls;
}

}  // namespace

Result<attest::SnpEvidence> LoadSnpEvidence(const EvidenceSources& s) {
  if (!s.certs_dir.empty() && !fs::is_directory(s.certs_dir)) {
    return NotFoundError("--certs " + s.certs_dir + ": not a directory");
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes report_bytes, ReadFile(s.evidence_path, 1 << 20));
  CONFIDE_ASSIGN_OR_RETURN(snp::Report report, snp::ParseReport(report_bytes));
  bool vlek = report.signing_key == snp::SigningKey::kVlek;

  std::optional<snp::CertTable> table;
  std::string table_path = s.cert_table_path.empty() ? s.evidence_path + ".certs"
                                                     : s.cert_table_path;
  if (!s.cert_table_path.empty() || fs::is_regular_file(table_path)) {
    CONFIDE_ASSIGN_OR_RETURN(Bytes blob, ReadFile(table_path, 1 << 20));
    CONFIDE_ASSIGN_OR_RETURN(table, snp::ParseCertTable(blob));
  }
  auto from_table = [&](const snp::Guid& guid) -> Result<std::optional<Certificate>> {
    if (!table) return std::optional<Certificate>();
    const snp::CertTableEntry* e = table->Find(guid);
    if (!e) return std::optional<Certificate>();
    CONFIDE_ASSIGN_OR_RETURN(Certificate c, Certificate::FromDer(e->data));
    return std::optional<Certificate>(std::move(c));
  };

  CONFIDE_ASSIGN_OR_RETURN(auto vek, FindCertificate(Candidates(s, vlek ? "vlek" : "vcek")));
  if (!vek) {
    CONFIDE_ASSIGN_OR_RETURN(vek, from_table(vlek ? snp::kVlekGuid : snp::kVcekGuid));
  }
  if (!vek) {
    return NotFoundError(std::string("no ") + (vlek ? "VLEK" : "VCEK") + " certificate: give --certs "
                         "DIR with " + (vlek ? "vlek" : "vcek") + ".der, or a certificate table");
  }
  CONFIDE_ASSIGN_OR_RETURN(auto ca, FindCertificate(Candidates(s, vlek ? "asvk" : "ask")));
  if (!ca) {
    CONFIDE_ASSIGN_OR_RETURN(ca, from_table(snp::kAskGuid));
  }
  CONFIDE_ASSIGN_OR_RETURN(auto ark, from_table(snp::kArkGuid));
  if (!ark) {
    CONFIDE_ASSIGN_OR_RETURN(ark, FindCertificate(Candidates(s, "ark")));
  }

  attest::SnpEvidence ev{.report = std::move(report_bytes), .chain = {.vek = *std::move(vek)}};
  if (!ca) {
    // Fall back to AMD's own CA for the product named by the report or the VEK.
    snp::Generation gen = snp::GenerationFromCpuid(report);
    auto ext = snp::ParseVekExtensions(ev.chain.vek);
    if (gen == snp::Generation::kUnknown && ext.ok()) {
      gen = snp::GenerationFromProductName(ext->product_name);
    }
    if (gen != snp::Generation::kUnknown) {
      auto amd = snp::AmdRootCertificate(gen, vlek ? snp::AmdRootKind::kAsvk : snp::AmdRootKind::kAsk);
      if (amd.ok()) ca = *std::move(amd);
    }
  }
  if (vlek) {
    ev.chain.asvk = std::move(ca);
  } else {
    ev.chain.ask = std::move(ca);
  }
  CONFIDE_ASSIGN_OR_RETURN(ev.chain.crls, LoadCrls(s.certs_dir));
  ev.sim_ark = std::move(ark);
  return ev;
}

}  // namespace confide::cli
