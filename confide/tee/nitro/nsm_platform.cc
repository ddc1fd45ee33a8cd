#include "confide/tee/nitro/nsm_platform.h"

#include <sys/ioctl.h>

#include "confide/tee/nitro/nsm_message.h"

namespace confide::tee::nitro {

static_assert(sizeof(NsmMessage) == 32 || sizeof(void*) != 8, "nsm_message layout");
static_assert(kNsmIoctlRequest == _IOWR(0x0A, 0, NsmMessage), "NSM ioctl number");

Result<std::unique_ptr<NsmPlatform>> NsmPlatform::Open(DeviceOps& ops, NsmOptions options) {
  const std::string device = options.root + kNsmDevice;
  if (!ops.Exists(device)) return NotFoundError("nitro: no " + device);
  return std::unique_ptr<NsmPlatform>(new NsmPlatform(ops, std::move(options)));
}

PlatformInfo NsmPlatform::Describe() const {
  return {.backend = "nitro",
          .tee = attest::TeeType::kNitro,
          .simulated = false,
          .details = {{"device", options_.root + kNsmDevice}}};
}

Result<Evidence> NsmPlatform::GetEvidence(const ReportData& report_data) {
  Bytes request = EncodeAttestationRequest({.user_data = Bytes(report_data.begin(),
                                                               report_data.end())});
  if (request.size() > kNsmMaxRequestSize) return InternalError("nitro: request too large");
  Bytes response(kNsmMaxResponseSize);
  NsmMessage msg{};
  msg.request = {.iov_base = request.data(), .iov_len = request.size()};
  msg.response = {.iov_base = response.data(), .iov_len = response.size()};
  CONFIDE_TRY(ops_.Ioctl(options_.root + kNsmDevice, kNsmIoctlRequest, &msg));
  if (msg.response.iov_len > response.size()) {
    return MalformedError("nitro: response length past its buffer");
  }
  response.resize(msg.response.iov_len);
  CONFIDE_ASSIGN_OR_RETURN(Bytes document, ParseAttestationResponse(response));
  return Evidence{.tee = attest::TeeType::kNitro, .report = std::move(document)};
}

Result<SecretBytes> NsmPlatform::SealingKey(SealBinding, std::string_view) {
  return UnsupportedError(
      "nitro has no hardware sealing key: obtain keys from the key broker instead");
}

}  // namespace confide::tee::nitro
