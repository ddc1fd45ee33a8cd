// SEV-SNP sealing: MSG_KEY_REQ through the SNP_GET_DERIVED_KEY ioctl of /dev/sev-guest
// (uapi linux/sev-guest.h; SNP ABI spec 56860, "MSG_KEY_REQ"). The PSP mixes a root key (the
// chip-unique VCEK secret) with the guest fields selected, so the key is the same on every launch
// of the same guest on the same chip and different for anything else.
//
//   CONFIDE_ASSIGN_OR_RETURN(SecretBytes k, SnpDerivedKey(ops, "/dev/sev-guest",
//                                                         kSnpFieldMeasurement | kSnpFieldPolicy));
#ifndef CONFIDE_TEE_TSM_SNP_DERIVED_KEY_H_
#define CONFIDE_TEE_TSM_SNP_DERIVED_KEY_H_

#include <cstdint>
#include <string>

#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/tee/device/device_ops.h"

namespace confide::tee::tsm {

// GUEST_FIELD_SELECT bits (MSG_KEY_REQ).
inline constexpr uint64_t kSnpFieldPolicy = 1u << 0;
inline constexpr uint64_t kSnpFieldImageId = 1u << 1;
inline constexpr uint64_t kSnpFieldFamilyId = 1u << 2;
inline constexpr uint64_t kSnpFieldMeasurement = 1u << 3;
inline constexpr uint64_t kSnpFieldGuestSvn = 1u << 4;
inline constexpr uint64_t kSnpFieldTcbVersion = 1u << 5;

// The 32-byte derived key (VCEK root, VMPL 0, guest_svn and tcb_version 0). kUnavailable if the
// ioctl fails (the message carries fw_error / vmm_error) or the response status is non-zero.
Result<SecretBytes> SnpDerivedKey(DeviceOps& ops, const std::string& device,
                                  uint64_t guest_field_select);

}  // namespace confide::tee::tsm

#endif  // CONFIDE_TEE_TSM_SNP_DERIVED_KEY_H_
