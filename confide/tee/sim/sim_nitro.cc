#include "confide/tee/sim/sim_nitro.h"

#include "confide/attest/nitro/document.h"
#include "confide/base/hex.h"
#include "confide/crypto/ecdsa.h"

namespace confide::tee::sim {

namespace nitro = attest::nitro;

SimNitroLaunch SimNitroLaunchFor(const crypto::Sha384Digest& measurement) {
  SimNitroLaunch launch;
  launch.pcrs[0] = measurement;
  launch.pcrs[1] = crypto::Sha384(AsBytes("confide sim nitro kernel"));
  launch.pcrs[2] = crypto::Sha384(
      Concat({AsBytes("confide sim nitro application"), ByteSpan(measurement)}));
  return launch;
}

Result<std::unique_ptr<SimNitroPlatform>> SimNitroPlatform::Open(SimStore store,
                                                                 SimNitroLaunch launch,
                                                                 const Clock& clock) {
  if (!store.nitro) {
    return OlderSimStoreError(store, "Nitro");
  }
  for (const auto& [index, value] : launch.pcrs) {
    if (index >= kSimNitroPcrCount) {
      return InvalidArgumentError("sim nitro: PCR index " + std::to_string(index) + " >= 16");
    }
  }
  return std::unique_ptr<SimNitroPlatform>(
      new SimNitroPlatform(std::move(store), std::move(launch), clock));
}

SimNitroPlatform::SimNitroPlatform(SimStore store, SimNitroLaunch launch, const Clock& clock)
    : store_(std::move(store)), launch_(std::move(launch)), clock_(clock) {}

PlatformInfo SimNitroPlatform::Describe() const {
  PlatformInfo info{.backend = "sim",
                    .tee = attest::TeeType::kNitro,
                    .simulated = true,
                    .details = {{"module_id", launch_.module_id}}};
  for (const auto& [index, value] : launch_.pcrs) {
    info.details.emplace_back("pcr" + std::to_string(index), HexEncode(value));
  }
  info.details.emplace_back("sim_dir", store_.dir);
  info.details.emplace_back("sim_root", store_.nitro->root.subject());
  return info;
}

Result<Evidence> SimNitroPlatform::GetEvidence(const ReportData& report_data) {
  const SimNitroPki& pki = *store_.nitro;
  nitro::Payload p;
  p.module_id = launch_.module_id;
  p.digest = "SHA384";
  p.timestamp_ms = static_cast<uint64_t>(clock_.Now().time_since_epoch().count()) * 1000;
  for (uint32_t i = 0; i < kSimNitroPcrCount; ++i) {
    auto it = launch_.pcrs.find(i);
    p.pcrs[i] = it == launch_.pcrs.end() ? Bytes(nitro::kPcrSize, 0)
                                         : Bytes(it->second.begin(), it->second.end());
  }
  p.certificate = pki.leaf.ToDer();
  p.cabundle = {pki.root.ToDer(), pki.intermediate.ToDer()};  // root first, as AWS
  p.user_data = Bytes(report_data.begin(), report_data.end());
  const Bytes protected_header = nitro::EncodeProtectedHeader();
  const Bytes payload = nitro::EncodePayload(p);
  Result<Bytes> sig = [&] {
    std::lock_guard lock(sign_mu_);
    return crypto::EcdsaSign(pki.leaf_key, crypto::HashAlg::kSha384,
                             nitro::SigStructure(protected_header, payload),
                             crypto::SigFormat::kRawBigEndian);
  }();
  if (!sig.ok()) return std::move(sig).error();
  if (sig->size() != nitro::kSignatureSize) {
    return InternalError("sim nitro: signature has an unexpected size");
  }
  return Evidence{.tee = attest::TeeType::kNitro,
                  .report = nitro::EncodeCoseSign1(protected_header, payload, *sig),
                  .cert_table = pki.root.ToDer()};
}

Result<SecretBytes> SimNitroPlatform::SealingKey(SealBinding, std::string_view) {
  return UnsupportedError(
      "Nitro Enclaves have no hardware sealing key: keys come from the key broker");
}

}  // namespace confide::tee::sim
