#include "confide/tee/gramine/gramine_platform.h"

#include "confide/crypto/hmac.h"

namespace confide::tee::gramine {

namespace {

constexpr size_t kSgxSealingKeySize = 16;

std::string Trim(const Bytes& b) {
  std::string s(b.begin(), b.end());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string GraminePlatform::Path(const char* name) const {
  return options_.root + kAttestationDir + "/" + name;
}

Result<std::unique_ptr<GraminePlatform>> GraminePlatform::Open(DeviceOps& ops,
                                                               GramineOptions options) {
  const std::string type_path = options.root + kAttestationDir + "/attestation_type";
  if (!ops.Exists(type_path)) return NotFoundError("gramine: no " + type_path);
  CONFIDE_ASSIGN_OR_RETURN(Bytes type, ops.Read(type_path, 64));
  return std::unique_ptr<GraminePlatform>(
      new GraminePlatform(ops, std::move(options), Trim(type)));
}

PlatformInfo GraminePlatform::Describe() const {
  return {.backend = "sgx",
          .tee = attest::TeeType::kSgx,
          .simulated = false,
          .details = {{"attestation_type", attestation_type_},
                      {"device", options_.root + kAttestationDir}}};
}

Result<Evidence> GraminePlatform::GetEvidence(const ReportData& report_data) {
  if (attestation_type_ == "none") {
    return UnsupportedError("gramine: remote attestation is off (attestation_type none); set "
                            "sgx.remote_attestation = \"dcap\" in the manifest");
  }
  Bytes quote;
  {
    std::lock_guard lock(mu_);
    CONFIDE_TRY(ops_.Write(Path("user_report_data"), report_data));
    CONFIDE_ASSIGN_OR_RETURN(quote, ops_.Read(Path("quote"), kMaxQuoteSize));
  }
  ByteReader r(quote);
  uint16_t version = 0;
  ByteSpan echoed;
  if (!r.ReadU16Le(&version) || version != 3 || !r.Skip(kSgxQuoteReportDataOffset - 2) ||
      !r.ReadSpan(64, &echoed)) {
    return UnavailableError("gramine: quote is not an SGX v3 quote");
  }
  if (!Equal(echoed, report_data)) {
    return UnavailableError("gramine: quote does not carry the report data written");
  }
  return Evidence{.tee = attest::TeeType::kSgx, .report = std::move(quote)};
}

Result<SecretBytes> GraminePlatform::SealingKey(SealBinding binding, std::string_view label) {
  const char* name =
      binding == SealBinding::kMeasurement ? "keys/_sgx_mrenclave" : "keys/_sgx_mrsigner";
  Result<Bytes> key = ops_.Read(Path(name), 256);
  if (!key.ok()) return UnavailableError("gramine: " + key.error().message);
  if (key->size() != kSgxSealingKeySize) {
    SecureWipe(*key);
    return UnavailableError(std::string("gramine: ") + name + " is not 16 bytes");
  }
  ByteWriter info;
  info.WriteBytes(AsBytes("confide-sgx-sealing-v1"));
  info.WriteU8(binding == SealBinding::kMeasurement ? 1 : 2);
  info.WriteBytes(AsBytes(label));
  auto out = crypto::Hkdf(crypto::HashAlg::kSha256, AsBytes("confide-sgx"), *key, info.data(), 32);
  SecureWipe(*key);
  return out;
}

}  // namespace confide::tee::gramine
