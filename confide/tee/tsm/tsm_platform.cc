#include "confide/tee/tsm/tsm_platform.h"

#include <unistd.h>

#include <charconv>

#include "confide/base/hex.h"
#include "confide/crypto/hmac.h"
#include "confide/tee/tsm/snp_derived_key.h"

namespace confide::tee::tsm {

namespace {

constexpr size_t kSnpReportDataOffset = 0x50;
constexpr size_t kTdxV4ReportDataOffset = 568;  // 48-byte header + 520 into the TD report body
constexpr size_t kTdxV5ReportDataOffset = 574;  // plus the v5 body descriptor (u16 type, u32 size)
constexpr size_t kSmallFileMax = 4096;

// "sev_guest\n" → "sev_guest".
std::string TrimNewline(const Bytes& b) {
  std::string s(b.begin(), b.end());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

Result<uint64_t> ReadGeneration(DeviceOps& ops, const std::string& path) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes b, ops.Read(path, kSmallFileMax));
  std::string text = TrimNewline(b);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return MalformedError("tsm: generation is not a decimal number");
  }
  return value;
}

Result<attest::TeeType> TeeForProvider(const std::string& provider) {
  if (provider == "sev_guest") return attest::TeeType::kSevSnp;
  if (provider == "tdx_guest") return attest::TeeType::kTdx;
  return UnsupportedError("tsm: provider \"" + provider + "\" is not supported");
}

// Removes the report entry when the attempt ends, whatever happened.
class EntryGuard {
 public:
  EntryGuard(DeviceOps& ops, std::string path) : ops_(ops), path_(std::move(path)) {}
  ~EntryGuard() { (void)ops_.RemoveDir(path_); }

 private:
  DeviceOps& ops_;
  std::string path_;
};

}  // namespace

Result<ByteSpan> OutblobReportData(attest::TeeType tee, ByteSpan outblob) {
  ByteReader r(outblob);
  ByteSpan data;
  size_t offset = 0;
  if (tee == attest::TeeType::kSevSnp) {
    offset = kSnpReportDataOffset;
  } else if (tee == attest::TeeType::kTdx) {
    uint16_t version = 0;
    if (!r.ReadU16Le(&version)) return MalformedError("tsm: quote shorter than its header");
    if (version == 4) {
      offset = kTdxV4ReportDataOffset;
    } else if (version == 5) {
      offset = kTdxV5ReportDataOffset;
    } else {
      return MalformedError("tsm: TDX quote version " + std::to_string(version));
    }
    r = ByteReader(outblob);
  } else {
    return UnsupportedError("tsm: no report data layout for this TEE");
  }
  if (!r.Skip(offset) || !r.ReadSpan(64, &data)) {
    return MalformedError("tsm: outblob too short for its report data");
  }
  return data;
}

TsmPlatform::TsmPlatform(DeviceOps& ops, TsmOptions options, attest::TeeType tee,
                         std::string provider)
    : ops_(ops), options_(std::move(options)), tee_(tee), provider_(std::move(provider)) {}

Result<std::unique_ptr<TsmPlatform>> TsmPlatform::Open(DeviceOps& ops, TsmOptions options) {
  const std::string dir = options.root + kReportDir;
  if (!ops.Exists(dir)) return NotFoundError("tsm: no " + dir + " (configfs-tsm absent)");
  const std::string probe = dir + "/confide-probe-" + std::to_string(::getpid());
  CONFIDE_TRY(ops.MakeDir(probe));
  Result<Bytes> provider = [&] {
    EntryGuard guard(ops, probe);
    return ops.Read(probe + "/provider", kSmallFileMax);
  }();
  if (!provider.ok()) return std::move(provider).error();
  std::string name = TrimNewline(*provider);
  CONFIDE_ASSIGN_OR_RETURN(attest::TeeType tee, TeeForProvider(name));
  return std::unique_ptr<TsmPlatform>(new TsmPlatform(ops, std::move(options), tee, name));
}

PlatformInfo TsmPlatform::Describe() const {
  return {.backend = "tsm",
          .tee = tee_,
          .simulated = false,
          .details = {{"provider", provider_}, {"report_dir", options_.root + kReportDir}}};
}

std::string TsmPlatform::NewEntryPath() {
  return options_.root + kReportDir + "/confide-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter_.fetch_add(1));
}

Result<Evidence> TsmPlatform::TryOnce(const ReportData& report_data, bool* raced) {
  *raced = false;
  const std::string entry = NewEntryPath();
  CONFIDE_TRY(ops_.MakeDir(entry));
  EntryGuard guard(ops_, entry);
  CONFIDE_ASSIGN_OR_RETURN(uint64_t before, ReadGeneration(ops_, entry + "/generation"));
  CONFIDE_TRY(ops_.Write(entry + "/inblob", report_data));
  CONFIDE_ASSIGN_OR_RETURN(Bytes outblob, ops_.Read(entry + "/outblob", kMaxBlobSize));
  Bytes auxblob;
  if (tee_ == attest::TeeType::kSevSnp) {
    // Present only when the host supplies certificates; then it belongs to the same generation.
    if (ops_.Exists(entry + "/auxblob")) {
      CONFIDE_ASSIGN_OR_RETURN(auxblob, ops_.Read(entry + "/auxblob", kMaxBlobSize));
    }
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes provider, ops_.Read(entry + "/provider", kSmallFileMax));
  CONFIDE_ASSIGN_OR_RETURN(uint64_t after, ReadGeneration(ops_, entry + "/generation"));
  if (after != before + 1) {
    *raced = true;
    return UnavailableError("tsm: generation moved from " + std::to_string(before) + " to " +
                            std::to_string(after) + " (another writer)");
  }
  if (TrimNewline(provider) != provider_) {
    return UnavailableError("tsm: provider changed to \"" + TrimNewline(provider) + "\"");
  }
  CONFIDE_ASSIGN_OR_RETURN(ByteSpan echoed, OutblobReportData(tee_, outblob));
  if (!Equal(echoed, report_data)) {
    return UnavailableError("tsm: outblob does not carry the report data written (stale report)");
  }
  return Evidence{.tee = tee_, .report = std::move(outblob), .cert_table = std::move(auxblob)};
}

Result<Evidence> TsmPlatform::GetEvidence(const ReportData& report_data) {
  Error last = UnavailableError("tsm: no attempt made");
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts); ++attempt) {
    bool raced = false;
    Result<Evidence> ev = TryOnce(report_data, &raced);
    if (ev.ok() || !raced) return ev;
    last = std::move(ev).error();
  }
  return UnavailableError(last.message + "; gave up after " +
                          std::to_string(options_.max_attempts) + " attempts");
}

Result<SecretBytes> TsmPlatform::SealingKey(SealBinding binding, std::string_view label) {
  if (tee_ != attest::TeeType::kSevSnp) {
    return UnsupportedError(
        "tdx has no hardware sealing key: obtain keys from the key broker instead");
  }
  if (binding == SealBinding::kSigner) {
    // MSG_KEY_REQ can mix in POLICY, IMAGE_ID, FAMILY_ID, MEASUREMENT, GUEST_SVN and TCB_VERSION,
    // but not the ID or author key: any ID key can sign an ID block with the same family and
    // image ids, so a key selected by them is not bound to a signer.
    return UnsupportedError(
        "sev-snp cannot seal to a signer (derived keys cannot select the ID/author key): seal "
        "to the measurement, or obtain the key from the key broker");
  }
  CONFIDE_ASSIGN_OR_RETURN(
      SecretBytes root,
      SnpDerivedKey(ops_, options_.root + kSevGuestDevice, kSnpFieldMeasurement | kSnpFieldPolicy));
  ByteWriter info;
  info.WriteBytes(AsBytes("confide-snp-sealing-v1"));
  info.WriteU8(1);  // kMeasurement
  info.WriteBytes(AsBytes(label));
  return crypto::Hkdf(crypto::HashAlg::kSha256, AsBytes("confide-snp"), root.Expose(),
                      info.data(), 32);
}

}  // namespace confide::tee::tsm
