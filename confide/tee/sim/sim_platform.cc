#include "confide/tee/sim/sim_platform.h"

#include "confide/attest/snp/cert_table.h"
#include "confide/base/hex.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hmac.h"
#include "confide/crypto/random.h"

namespace confide::tee::sim {

namespace snp = attest::snp;

namespace {

// SNP ABI 1.58, CPUID_FAM_ID/CPUID_MOD_ID/CPUID_STEP of a Milan part (family 19h, model 01h).
constexpr uint8_t kMilanFamily = 0x19;
constexpr uint8_t kMilanModel = 0x01;
constexpr uint8_t kMilanStepping = 0x01;
// Firmware version the simulated PSP claims (CURRENT/COMMITTED_MAJOR.MINOR.BUILD).
constexpr uint8_t kFirmwareMajor = 1, kFirmwareMinor = 55, kFirmwareBuild = 21;

Bytes MakeCertTable(const SimStore& store) {
  snp::CertTable table;
  table.entries.push_back({snp::kVcekGuid, store.vcek.ToDer()});
  table.entries.push_back({snp::kAskGuid, store.ask.ToDer()});
  table.entries.push_back({snp::kArkGuid, store.ark.ToDer()});
  return snp::SerializeCertTable(table);
}

}  // namespace

SimPlatform::SimPlatform(SimStore store, SimLaunch launch)
    : store_(std::move(store)), launch_(launch), cert_table_(MakeCertTable(store_)) {
  crypto::RandomFill(report_id_);  // REPORT_ID: a fresh guest per platform instance
}

PlatformInfo SimPlatform::Describe() const {
  return {.backend = "sim",
          .tee = attest::TeeType::kSevSnp,
          .simulated = true,
          .details = {{"measurement", HexEncode(launch_.measurement)},
                      {"host_data", HexEncode(launch_.host_data)},
                      {"sim_dir", store_.dir},
                      {"sim_root", store_.ark.subject()}}};
}

Result<Evidence> SimPlatform::GetEvidence(const ReportData& report_data) {
  uint64_t tcb = snp::EncodeTcb(kSimTcb, snp::TcbLayout::kMilanGenoa);
  snp::Report r{.version = 3,
                .policy = launch_.policy,
                .vmpl = launch_.vmpl,
                .signature_algo = snp::kSigAlgoEcdsaP384Sha384,
                .current_tcb = tcb,
                .platform_info = 0x1,  // SMT enabled
                .signing_key = snp::SigningKey::kVcek,
                .report_data = report_data,
                .measurement = launch_.measurement,
                .host_data = launch_.host_data,
                .report_id = report_id_,
                .reported_tcb = tcb,
                .cpuid_fam_id = kMilanFamily,
                .cpuid_mod_id = kMilanModel,
                .cpuid_step = kMilanStepping,
                .chip_id = store_.chip_id,
                .committed_tcb = tcb,
                .current_build = kFirmwareBuild,
                .current_minor = kFirmwareMinor,
                .current_major = kFirmwareMajor,
                .committed_build = kFirmwareBuild,
                .committed_minor = kFirmwareMinor,
                .committed_major = kFirmwareMajor,
                .launch_tcb = tcb};
  Bytes unsigned_bytes = snp::SerializeReport(r);
  Result<Bytes> sig = [&] {
    std::lock_guard lock(sign_mu_);
    return crypto::EcdsaSign(store_.vcek_key, crypto::HashAlg::kSha384,
                             snp::SignedRegion(unsigned_bytes), crypto::SigFormat::kRawLittleEndian,
                             snp::kSignatureComponentSize);
  }();
  if (!sig.ok()) return std::move(sig).error();
  ByteReader reader(*sig);
  if (!reader.ReadArray(&r.signature_r) || !reader.ReadArray(&r.signature_s) || !reader.empty()) {
    return InternalError("sim: signature has an unexpected size");
  }
  return Evidence{.tee = attest::TeeType::kSevSnp,
                  .report = snp::SerializeReport(r),
                  .cert_table = cert_table_};
}

Result<SecretBytes> SimPlatform::SealingKey(SealBinding binding, std::string_view label) {
  // Like SNP's MSG_KEY_REQ derived key: root secret mixed with the guest field selected.
  ByteWriter info;
  info.WriteBytes(AsBytes("confide-sim-sealing-v1"));
  if (binding == SealBinding::kMeasurement) {
    info.WriteU8(1);
    info.WriteBytes(launch_.measurement);
  } else {
    info.WriteU8(2);  // the simulated signer: one per store
    info.WriteBytes(store_.ark.public_key().ToDer());
  }
  info.WriteBytes(AsBytes(label));
  return crypto::Hkdf(crypto::HashAlg::kSha256, AsBytes("confide-sim"),
                      store_.sealing_root.Expose(), info.data(), 32);
}

}  // namespace confide::tee::sim
