#include "confide/tee/device/device_ops.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace confide::tee {

namespace {

// Closes an fd on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Error ErrnoError(const std::string& what, const std::string& path, int err) {
  const char* name = strerrorname_np(err);
  std::string message = what + " " + path + ": " + (name != nullptr ? name : std::to_string(err)) +
                        " (" + std::strerror(err) + ")";
  if (err == ENOENT || err == ENXIO || err == ENODEV) return NotFoundError(std::move(message));
  return UnavailableError(std::move(message));
}

bool SystemDeviceOps::Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Status SystemDeviceOps::MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0) return ErrnoError("mkdir", path, errno);
  return OkStatus();
}

Status SystemDeviceOps::RemoveDir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return ErrnoError("rmdir", path, errno);
  return OkStatus();
}

Result<Bytes> SystemDeviceOps::Read(const std::string& path, size_t max_size) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return ErrnoError("open", path, errno);
  Bytes out;
  uint8_t buf[8192];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read", path, errno);
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size) {
      return UnavailableError("read " + path + ": larger than " + std::to_string(max_size) +
                              " bytes");
    }
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

Status SystemDeviceOps::Write(const std::string& path, ByteSpan bytes) {
  Fd f{::open(path.c_str(), O_WRONLY | O_CLOEXEC)};
  if (f.fd < 0) return ErrnoError("open", path, errno);
  ssize_t n = ::write(f.fd, bytes.data(), bytes.size());
  if (n < 0) return ErrnoError("write", path, errno);
  if (static_cast<size_t>(n) != bytes.size()) {
    return UnavailableError("write " + path + ": short write");
  }
  int fd = f.fd;
  f.fd = -1;
  if (::close(fd) != 0) return ErrnoError("close", path, errno);  // configfs commits here
  return OkStatus();
}

Status SystemDeviceOps::Ioctl(const std::string& path, unsigned long request, void* arg) {
  Fd f{::open(path.c_str(), O_RDWR | O_CLOEXEC)};
  if (f.fd < 0) return ErrnoError("open", path, errno);
  int rc;
  do {
    rc = ::ioctl(f.fd, request, arg);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return ErrnoError("ioctl", path, errno);
  return OkStatus();
}

}  // namespace confide::tee
