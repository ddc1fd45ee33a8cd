// The SGX backend under Gramine (Linux-SGX PAL): the /dev/attestation pseudo-filesystem
// (../shared/notes/protocols.md §2.1). Evidence: write the 64-byte `user_report_data`, read
// `quote` (an SGX DCAP quote v3 whose REPORTDATA is what was written). Sealing: Gramine's SGX
// sealing keys `keys/_sgx_mrenclave` (kMeasurement) and `keys/_sgx_mrsigner` (kSigner), 16 bytes
// each, never used directly: HKDF-SHA256 turns them into a 32-byte key per label.
//
//   CONFIDE_ASSIGN_OR_RETURN(auto tee, GraminePlatform::Open(ops, {}));
//   CONFIDE_ASSIGN_OR_RETURN(Evidence ev, tee->GetEvidence(report_data));
#ifndef CONFIDE_TEE_GRAMINE_GRAMINE_PLATFORM_H_
#define CONFIDE_TEE_GRAMINE_GRAMINE_PLATFORM_H_

#include <memory>
#include <mutex>
#include <string>

#include "confide/tee/device/device_ops.h"
#include "confide/tee/platform.h"

namespace confide::tee::gramine {

inline constexpr char kAttestationDir[] = "/dev/attestation";
inline constexpr size_t kMaxQuoteSize = 64 * 1024;
inline constexpr size_t kSgxQuoteReportDataOffset = 368;  // 48-byte header + 320 into the body

struct GramineOptions {
  std::string root;  // prefixed to /dev/attestation; "" in production
};

class GraminePlatform final : public Platform {
 public:
  // Reads `attestation_type` ("dcap", "epid" or "none"). kNotFound if /dev/attestation or that
  // file is absent (not under Gramine-SGX). `ops` must outlive the platform.
  static Result<std::unique_ptr<GraminePlatform>> Open(DeviceOps& ops, GramineOptions options);

  PlatformInfo Describe() const override;
  // kUnsupported when attestation_type is "none" (remote attestation off in the manifest);
  // kUnavailable if Gramine refuses (EACCES) or the quote does not carry `report_data` at
  // offset 368 (not a v3 quote over what was written). Thread safe (serialised: the
  // user_report_data → quote exchange is process-global state).
  Result<Evidence> GetEvidence(const ReportData& report_data) override;
  // HKDF-SHA256(salt "confide-sgx", key file, info "confide-sgx-sealing-v1" || binding || label).
  // kUnavailable if the key file cannot be read or is not 16 bytes.
  Result<SecretBytes> SealingKey(SealBinding binding, std::string_view label) override;

 private:
  GraminePlatform(DeviceOps& ops, GramineOptions options, std::string type)
      : ops_(ops), options_(std::move(options)), attestation_type_(std::move(type)) {}
  std::string Path(const char* name) const;

  DeviceOps& ops_;
  GramineOptions options_;
  std::string attestation_type_;
  std::mutex mu_;
};

}  // namespace confide::tee::gramine

#endif  // CONFIDE_TEE_GRAMINE_GRAMINE_PLATFORM_H_
