// The one seam between the hardware backends and the kernel: every file-system call and ioctl a
// backend makes goes through DeviceOps, so tests can replace the kernel (configfs-tsm, Gramine's
// /dev/attestation, /dev/nsm, /dev/sev-guest) with a fake that replays real evidence. Backends
// also take a root directory that prefixes every device path ("" in production).
//
//   SystemDeviceOps ops;                      // the real kernel
//   CONFIDE_ASSIGN_OR_RETURN(Bytes b, ops.Read("/sys/kernel/config/tsm/report/x/outblob", 1 << 24));
//   CONFIDE_TRY(ops.Ioctl("/dev/sev-guest", SNP_GET_DERIVED_KEY, &request));
#ifndef CONFIDE_TEE_DEVICE_DEVICE_OPS_H_
#define CONFIDE_TEE_DEVICE_DEVICE_OPS_H_

#include <string>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::tee {

// Errors carry the errno name in the message ("... : EBUSY"); the code is kNotFound for ENOENT
// and ENXIO (no such device / provider), kUnavailable for everything else the kernel refuses.
class DeviceOps {
 public:
  virtual ~DeviceOps() = default;
  virtual bool Exists(const std::string& path) = 0;
  virtual Status MakeDir(const std::string& path) = 0;
  virtual Status RemoveDir(const std::string& path) = 0;
  // Reads until EOF; kUnavailable if the content passes `max_size`.
  virtual Result<Bytes> Read(const std::string& path, size_t max_size) = 0;
  // One open(O_WRONLY), one write() of all of `bytes`, one close (configfs commits on close).
  virtual Status Write(const std::string& path, ByteSpan bytes) = 0;
  // open(O_RDWR), ioctl(request, arg), close. `arg` is the request's in/out struct.
  virtual Status Ioctl(const std::string& path, unsigned long request, void* arg) = 0;
};

// The real kernel (POSIX calls). Stateless, thread safe.
class SystemDeviceOps final : public DeviceOps {
 public:
  bool Exists(const std::string& path) override;
  Status MakeDir(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Result<Bytes> Read(const std::string& path, size_t max_size) override;
  Status Write(const std::string& path, ByteSpan bytes) override;
  Status Ioctl(const std::string& path, unsigned long request, void* arg) override;
};

// An Error for a failed system call on `path` with `err` (an errno value).
Error ErrnoError(const std::string& what, const std::string& path, int err);

}  // namespace confide::tee

#endif  // CONFIDE_TEE_DEVICE_DEVICE_OPS_H_
