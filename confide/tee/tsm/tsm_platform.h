// The configfs-tsm backend (Linux 6.7+; ../shared/notes/protocols.md §1.1): evidence of an SEV-SNP
// or TDX confidential VM through /sys/kernel/config/tsm/report. For each request it makes a fresh
// report entry, reads `generation`, writes the 64-byte `inblob`, reads `outblob`, `auxblob` and
// `provider`, re-reads `generation`, and removes the entry. A generation that moved by anything
// but our one write means another writer raced us: the attempt is discarded and retried.
// provider `sev_guest` → SNP report + certificate table (auxblob); `tdx_guest` → TDX quote.
// Sealing: SNP derives its key from /dev/sev-guest (snp_derived_key.h); TDX has none.
//
//   SystemDeviceOps ops;
//   CONFIDE_ASSIGN_OR_RETURN(auto tee, TsmPlatform::Open(ops, {}));
//   CONFIDE_ASSIGN_OR_RETURN(Evidence ev, tee->GetEvidence(report_data));
#ifndef CONFIDE_TEE_TSM_TSM_PLATFORM_H_
#define CONFIDE_TEE_TSM_TSM_PLATFORM_H_

#include <atomic>
#include <memory>
#include <string>

#include "confide/tee/device/device_ops.h"
#include "confide/tee/platform.h"

namespace confide::tee::tsm {

inline constexpr char kReportDir[] = "/sys/kernel/config/tsm/report";
inline constexpr char kSevGuestDevice[] = "/dev/sev-guest";
inline constexpr size_t kMaxBlobSize = size_t{16} << 20;  // TSM_REPORT_OUTBLOB_MAX (later trees)

struct TsmOptions {
  std::string root;        // prefixed to every device path; "" in production
  int max_attempts = 3;    // generation races tolerated before kUnavailable
};

class TsmPlatform final : public Platform {
 public:
  // Probes the report directory: makes one entry, reads `provider`, removes it. kNotFound when
  // configfs-tsm is absent (no report dir, or mkdir fails ENXIO: no provider registered);
  // kUnsupported for a provider other than sev_guest / tdx_guest. `ops` must outlive the platform.
  static Result<std::unique_ptr<TsmPlatform>> Open(DeviceOps& ops, TsmOptions options);

  PlatformInfo Describe() const override;
  // kUnavailable if the kernel refuses (EBUSY, EIO, ...), if every attempt raced, or if the
  // outblob does not carry `report_data` where its format puts it (a stale or foreign report).
  // Thread safe: each call uses its own report entry.
  Result<Evidence> GetEvidence(const ReportData& report_data) override;
  // SNP kMeasurement: SNP_GET_DERIVED_KEY through /dev/sev-guest (VCEK root, MEASUREMENT and
  // POLICY selected), then HKDF-SHA256 with `label`; kUnavailable if the device fails. SNP
  // kSigner: kUnsupported (MSG_KEY_REQ cannot select the ID/author key, and FAMILY_ID/IMAGE_ID
  // are not bound to a signer). TDX: kUnsupported (no hardware sealing key; use the key broker).
  Result<SecretBytes> SealingKey(SealBinding binding, std::string_view label) override;

  attest::TeeType tee() const { return tee_; }

 private:
  TsmPlatform(DeviceOps& ops, TsmOptions options, attest::TeeType tee, std::string provider);
  Result<Evidence> TryOnce(const ReportData& report_data, bool* raced);
  std::string NewEntryPath();

  DeviceOps& ops_;
  TsmOptions options_;
  attest::TeeType tee_;
  std::string provider_;
  std::atomic<uint64_t> counter_{0};
};

// Where a provider's outblob carries the 64 caller bytes: SNP report offset 0x50; TDX quote v4
// offset 568, v5 offset 574 (after the 6-byte body descriptor). kMalformed if the blob is too
// short or (TDX) of an unknown version. Exposed for tests.
Result<ByteSpan> OutblobReportData(attest::TeeType tee, ByteSpan outblob);

}  // namespace confide::tee::tsm

#endif  // CONFIDE_TEE_TSM_TSM_PLATFORM_H_
