#include "confide/tee/sim/sim_store.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "confide/attest/snp/vek_extensions.h"
#include "confide/base/file.h"
#include "confide/crypto/random.h"
#include "confide/crypto/x509_issue.h"
#include "confide/tee/sim/internal/sim_certificate.h"
#include "confide/tee/sim/sim_intel.h"

namespace confide::tee::sim {

namespace {

namespace fs = std::filesystem;
using crypto::Certificate;
using crypto::KeyType;
using crypto::PrivateKey;

constexpr const char* kMarker = "vcek.pem";

Status WriteText(const std::string& path, std::string_view text, unsigned mode) {
  return WriteFile(path, AsBytes(text), mode);
}

Status WriteKey(const std::string& path, const PrivateKey& key) {
  SecretBytes pem = key.ToPem();
  return WriteFile(path, pem.Expose(), 0600);
}

std::vector<crypto::CertificateExtension> VcekExtensions(const std::array<uint8_t, 64>& chip_id) {
  attest::snp::VekExtensions ext{.struct_version = 1, .product_name = "Milan-B0",
                                 .bl_spl = kSimTcb.boot_loader, .tee_spl = kSimTcb.tee,
                                 .snp_spl = kSimTcb.snp, .ucode_spl = kSimTcb.microcode,
                                 .hw_id = Bytes(chip_id.begin(), chip_id.end())};
  std::vector<crypto::CertificateExtension> out;
  for (auto& [oid, der] : attest::snp::SerializeVekExtensions(ext)) {
    out.push_back({oid, std::move(der), false});
  }
  return out;
}

Status CheckOwnerOnly(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return NotFoundError(path + ": missing");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return InvalidArgumentError(path + ": accessible to others (mode " + mode +
                                "); run chmod go-rwx on it");
  }
  return OkStatus();
}

Result<Certificate> LoadCert(const std::string& path) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes pem, ReadFile(path));
  auto cert = Certificate::FromPem(ToString(pem));
  if (!cert.ok()) return MalformedError(path + ": " + cert.error().message);
  return cert;
}

Result<PrivateKey> LoadKey(const std::string& path) {
  CONFIDE_TRY(CheckOwnerOnly(path));
  CONFIDE_ASSIGN_OR_RETURN(Bytes key_pem, ReadFile(path));
  SecretBytes key_secret = SecretBytes::CopyFrom(key_pem);
  SecureWipe(key_pem);
  auto key = PrivateKey::FromPem(key_secret.Expose());
  if (!key.ok()) return MalformedError(path + ": " + key.error().message);
  return key;
}

// The Nitro PKI, if the store has one (stores made before it existed do not).
Result<std::optional<SimNitroPki>> LoadNitroPki(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / "nitro_leaf.pem")) return std::optional<SimNitroPki>();
  CONFIDE_ASSIGN_OR_RETURN(Certificate root, LoadCert(dir + "/nitro_root.pem"));
  CONFIDE_ASSIGN_OR_RETURN(Certificate inter, LoadCert(dir + "/nitro_inter.pem"));
  CONFIDE_ASSIGN_OR_RETURN(Certificate leaf, LoadCert(dir + "/nitro_leaf.pem"));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey leaf_key, LoadKey(dir + "/nitro_leaf.key"));
  return std::optional<SimNitroPki>(SimNitroPki{.root = std::move(root),
                                                .intermediate = std::move(inter),
                                                .leaf = std::move(leaf),
                                                .leaf_key = std::move(leaf_key)});
}

// The Intel PKI's files: certificate and key per role, then the sim QE's attestation key.
constexpr const char* kIntelRoles[] = {"intel_root", "intel_pck_ca", "intel_pck",
                                       "intel_tcb_signing"};

Status WriteIntelPki(const std::string& dir, const SimIntelPki& pki) {
  const std::pair<const Certificate*, const PrivateKey*> parts[] = {
      {&pki.root, &pki.root_key},
      {&pki.pck_ca, &pki.pck_ca_key},
      {&pki.pck, &pki.pck_key},
      {&pki.tcb_signing, &pki.tcb_signing_key}};
  for (size_t i = 0; i < std::size(kIntelRoles); ++i) {
    const std::string base = dir + "/" + kIntelRoles[i];
    CONFIDE_TRY(WriteKey(base + ".key", *parts[i].second));
    CONFIDE_TRY(WriteText(base + ".pem", parts[i].first->ToPem(), 0644));
  }
  return WriteKey(dir + "/intel_attestation.key", pki.attestation_key);
}

// The Intel PKI, if the store has one (stores made before it existed do not). The PCK's SGX
// extensions are parsed back from the certificate rather than stored twice.
Result<std::optional<SimIntelPki>> LoadIntelPki(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / "intel_attestation.key")) return std::optional<SimIntelPki>();
  std::vector<Certificate> certs;
  std::vector<PrivateKey> keys;
  for (const char* role : kIntelRoles) {
    CONFIDE_ASSIGN_OR_RETURN(Certificate cert, LoadCert(dir + "/" + role + ".pem"));
    CONFIDE_ASSIGN_OR_RETURN(PrivateKey key, LoadKey(dir + "/" + role + ".key"));
    certs.push_back(std::move(cert));
    keys.push_back(std::move(key));
  }
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey attestation_key, LoadKey(dir + "/intel_attestation.key"));
  auto ext = attest::intel::ParsePckExtensions(certs[2]);
  if (!ext.ok()) return MalformedError(dir + "/intel_pck.pem: " + ext.error().message);
  return std::optional<SimIntelPki>(SimIntelPki{.root_key = std::move(keys[0]),
                                                .root = std::move(certs[0]),
                                                .pck_ca_key = std::move(keys[1]),
                                                .pck_ca = std::move(certs[1]),
                                                .pck_key = std::move(keys[2]),
                                                .pck = std::move(certs[2]),
                                                .pck_ext = *ext,
                                                .tcb_signing_key = std::move(keys[3]),
                                                .tcb_signing = std::move(certs[3]),
                                                .attestation_key = std::move(attestation_key)});
}

}  // namespace

std::string DefaultSimDir() {
  if (const char* dir = std::getenv("CONFIDE_SIM_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/confide/sim";
  }
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/share/confide/sim";
}

Status InitSimStore(const std::string& dir, Time now, bool overwrite) {
  std::error_code ec;
  if (fs::exists(fs::path(dir) / kMarker, ec) && !overwrite) {
    return InvalidArgumentError(dir + " already holds a simulator store (use --force to replace)");
  }
  fs::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), 0700) != 0) {
    return UnavailableError(dir + ": cannot create: " + ec.message());
  }
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey ark_key, PrivateKey::Generate(KeyType::kP384));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey ask_key, PrivateKey::Generate(KeyType::kP384));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey vcek_key, PrivateKey::Generate(KeyType::kP384));
  std::array<uint8_t, 64> chip_id;
  crypto::RandomFill(chip_id);
  CONFIDE_ASSIGN_OR_RETURN(Certificate ark, IssueSimCertificate("ARK-Milan", true, now, ark_key,
                                                                ark_key, nullptr,
                                                                kSimOrganization));
  CONFIDE_ASSIGN_OR_RETURN(Certificate ask, IssueSimCertificate("SEV-Milan", true, now, ask_key,
                                                                ark_key, &ark, kSimOrganization));
  CONFIDE_ASSIGN_OR_RETURN(
      Certificate vcek,
      IssueSimCertificate("SEV-VCEK", false, now, vcek_key, ask_key, &ask, kSimOrganization,
                          crypto::HashAlg::kSha384, VcekExtensions(chip_id)));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey nitro_root_key, PrivateKey::Generate(KeyType::kP384));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey nitro_inter_key, PrivateKey::Generate(KeyType::kP384));
  CONFIDE_ASSIGN_OR_RETURN(PrivateKey nitro_leaf_key, PrivateKey::Generate(KeyType::kP384));
  CONFIDE_ASSIGN_OR_RETURN(Certificate nitro_root,
                           IssueSimCertificate("sim.nitro-enclaves", true, now, nitro_root_key,
                                               nitro_root_key, nullptr, kSimNitroOrganization));
  CONFIDE_ASSIGN_OR_RETURN(Certificate nitro_inter,
                           IssueSimCertificate("sim.zonal.nitro-enclaves", true, now,
                                               nitro_inter_key, nitro_root_key, &nitro_root,
                                               kSimNitroOrganization));
  CONFIDE_ASSIGN_OR_RETURN(Certificate nitro_leaf,
                           IssueSimCertificate("i-00000000000000000-enc0000000000000000.sim",
                                               false, now, nitro_leaf_key, nitro_inter_key,
                                               &nitro_inter, kSimNitroOrganization));
  CONFIDE_ASSIGN_OR_RETURN(SimIntelPki intel, MakeSimIntelPki(now));
  SecretBytes sealing_root = crypto::RandomSecret(32);
  CONFIDE_TRY(WriteIntelPki(dir, intel));
  CONFIDE_TRY(WriteKey(dir + "/nitro_root.key", nitro_root_key));
  CONFIDE_TRY(WriteKey(dir + "/nitro_inter.key", nitro_inter_key));
  CONFIDE_TRY(WriteKey(dir + "/nitro_leaf.key", nitro_leaf_key));
  CONFIDE_TRY(WriteText(dir + "/nitro_root.pem", nitro_root.ToPem(), 0644));
  CONFIDE_TRY(WriteText(dir + "/nitro_inter.pem", nitro_inter.ToPem(), 0644));
  CONFIDE_TRY(WriteText(dir + "/nitro_leaf.pem", nitro_leaf.ToPem(), 0644));
  CONFIDE_TRY(WriteKey(dir + "/ark.key", ark_key));
  CONFIDE_TRY(WriteKey(dir + "/ask.key", ask_key));
  CONFIDE_TRY(WriteKey(dir + "/vcek.key", vcek_key));
  CONFIDE_TRY(WriteFile(dir + "/sealing_root.key", sealing_root.Expose(), 0600));
  CONFIDE_TRY(WriteFile(dir + "/chip_id.bin", chip_id, 0644));
  CONFIDE_TRY(WriteText(dir + "/ark.pem", ark.ToPem(), 0644));
  CONFIDE_TRY(WriteText(dir + "/ask.pem", ask.ToPem(), 0644));
  return WriteText(dir + "/vcek.pem", vcek.ToPem(), 0644);  // last: it marks a complete store
}

Result<SimStore> LoadSimStore(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / kMarker)) {
    return NotFoundError("no simulator store in " + dir + " (run `confide sim init`)");
  }
  CONFIDE_TRY(CheckOwnerOnly(dir));
  CONFIDE_TRY(CheckOwnerOnly(dir + "/vcek.key"));
  CONFIDE_TRY(CheckOwnerOnly(dir + "/sealing_root.key"));
  CONFIDE_ASSIGN_OR_RETURN(Certificate ark, LoadCert(dir + "/ark.pem"));
  CONFIDE_ASSIGN_OR_RETURN(Certificate ask, LoadCert(dir + "/ask.pem"));
  CONFIDE_ASSIGN_OR_RETURN(Certificate vcek, LoadCert(dir + "/vcek.pem"));
  CONFIDE_ASSIGN_OR_RETURN(Bytes key_pem, ReadFile(dir + "/vcek.key"));
  SecretBytes key_secret = SecretBytes::CopyFrom(key_pem);
  SecureWipe(key_pem);
  auto vcek_key = PrivateKey::FromPem(key_secret.Expose());
  if (!vcek_key.ok()) return MalformedError(dir + "/vcek.key: " + vcek_key.error().message);
  CONFIDE_ASSIGN_OR_RETURN(Bytes chip_id, ReadFile(dir + "/chip_id.bin"));
  CONFIDE_ASSIGN_OR_RETURN(Bytes root, ReadFile(dir + "/sealing_root.key"));
  if (chip_id.size() != 64 || root.size() != 32) {
    SecureWipe(root);
    return MalformedError(dir + ": chip_id.bin must be 64 bytes and sealing_root.key 32 bytes");
  }
  SimStore store{.dir = dir, .ark = std::move(ark), .ask = std::move(ask),
                 .vcek = std::move(vcek), .vcek_key = *std::move(vcek_key),
                 .sealing_root = SecretBytes::CopyFrom(root)};
  SecureWipe(root);
  std::copy(chip_id.begin(), chip_id.end(), store.chip_id.begin());
  CONFIDE_ASSIGN_OR_RETURN(store.nitro, LoadNitroPki(dir));
  CONFIDE_ASSIGN_OR_RETURN(store.intel, LoadIntelPki(dir));
  return store;
}

Error OlderSimStoreError(const SimStore& store, std::string_view pki) {
  return NotFoundError("the simulator store in " + store.dir + " has no " + std::string(pki) +
                       " PKI (made by an older confide: run `confide sim init --force`)");
}

}  // namespace confide::tee::sim
