// The AWS Nitro Enclaves backend: attestation documents from the Nitro Secure Module, /dev/nsm
// (../shared/notes/protocols.md §4). One ioctl, NSM_IOCTL_REQUEST = _IOWR(0x0A, 0, struct
// nsm_message { struct iovec request; struct iovec response; }), carries a CBOR Attestation
// request (nsm_message.h) whose user_data is the 64-byte report data; the response holds the
// COSE_Sign1 document, returned as Evidence::report unchanged. Nitro has no sealing key.
//
//   CONFIDE_ASSIGN_OR_RETURN(auto tee, NsmPlatform::Open(ops, {}));
//   CONFIDE_ASSIGN_OR_RETURN(Evidence ev, tee->GetEvidence(report_data));
#ifndef CONFIDE_TEE_NITRO_NSM_PLATFORM_H_
#define CONFIDE_TEE_NITRO_NSM_PLATFORM_H_

#include <sys/uio.h>

#include <memory>
#include <string>

#include "confide/tee/device/device_ops.h"
#include "confide/tee/platform.h"

namespace confide::tee::nitro {

inline constexpr char kNsmDevice[] = "/dev/nsm";

// The driver's message (include/uapi/linux/nsm.h in 6.8+; nsm-api src/driver/mod.rs).
struct NsmMessage {
  struct iovec request;
  struct iovec response;
};
// _IOWR(0x0A, 0, struct nsm_message) = 0xC0200A00 on 64-bit.
inline constexpr unsigned long kNsmIoctlRequest =
    (3ul << 30) | (static_cast<unsigned long>(sizeof(NsmMessage)) << 16) | (0x0Aul << 8) | 0ul;

struct NsmOptions {
  std::string root;  // prefixed to /dev/nsm; "" in production
};

class NsmPlatform final : public Platform {
 public:
  // kNotFound if /dev/nsm does not exist. `ops` must outlive the platform.
  static Result<std::unique_ptr<NsmPlatform>> Open(DeviceOps& ops, NsmOptions options);

  PlatformInfo Describe() const override;
  // kUnavailable if the ioctl fails or the NSM answers an Error; kMalformed if its answer does
  // not parse. Thread safe (each call owns its buffers).
  Result<Evidence> GetEvidence(const ReportData& report_data) override;
  // Always kUnsupported: Nitro has no hardware sealing key (keys come from the key broker / KMS).
  Result<SecretBytes> SealingKey(SealBinding binding, std::string_view label) override;

 private:
  NsmPlatform(DeviceOps& ops, NsmOptions options) : ops_(ops), options_(std::move(options)) {}
  DeviceOps& ops_;
  NsmOptions options_;
};

}  // namespace confide::tee::nitro

#endif  // CONFIDE_TEE_NITRO_NSM_PLATFORM_H_
