#include "confide/tee/tsm/snp_derived_key.h"

#include <linux/sev-guest.h>
#include <sys/ioctl.h>

#include <cstring>

namespace confide::tee::tsm {

namespace {

// MSG_KEY_RSP inside snp_derived_key_resp.data: status u32, 28 reserved bytes, the key.
constexpr size_t kKeyOffset = 32;
constexpr size_t kKeySize = 32;

}  // namespace

Result<SecretBytes> SnpDerivedKey(DeviceOps& ops, const std::string& device,
                                  uint64_t guest_field_select) {
  snp_derived_key_req req{};
  req.root_key_select = 0;  // VCEK
  req.guest_field_select = guest_field_select;
  snp_derived_key_resp resp{};
  snp_guest_request_ioctl io{};
  io.msg_version = 1;
  io.req_data = reinterpret_cast<uintptr_t>(&req);
  io.resp_data = reinterpret_cast<uintptr_t>(&resp);
  Status s = ops.Ioctl(device, SNP_GET_DERIVED_KEY, &io);
  if (!s.ok()) {
    return UnavailableError(s.error().message + "; fw_error " + std::to_string(io.fw_error) +
                            " vmm_error " + std::to_string(io.vmm_error));
  }
  ByteReader r(ByteSpan(resp.data, sizeof resp.data));
  uint32_t status = 0;
  ByteSpan key;
  if (!r.ReadU32Le(&status) || !r.Skip(kKeyOffset - 4) || !r.ReadSpan(kKeySize, &key)) {
    return InternalError("snp derived key: short response");
  }
  if (status != 0) {
    SecureWipe(MutableByteSpan(resp.data, sizeof resp.data));
    return UnavailableError("snp derived key: MSG_KEY_RSP status " + std::to_string(status));
  }
  SecretBytes out = SecretBytes::CopyFrom(key);
  SecureWipe(MutableByteSpan(resp.data, sizeof resp.data));
  return out;
}

}  // namespace confide::tee::tsm
