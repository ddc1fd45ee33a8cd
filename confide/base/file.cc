#include "confide/base/file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace confide {

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() { int fd = fd_; fd_ = -1; return fd; }

 private:
  int fd_;
};

std::string Describe(const std::string& path, int err) {
  return path + ": " + std::strerror(err);
}

}  // namespace

Result<Bytes> ReadFile(const std::string& path, size_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ENOENT) return NotFoundError(Describe(path, err));
    return UnavailableError(Describe(path, err));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return UnavailableError(Describe(path, errno));
  if (S_ISDIR(st.st_mode)) return InvalidArgumentError(path + ": is a directory");
  Bytes out;
  if (S_ISREG(st.st_mode)) {
    if (static_cast<size_t>(st.st_size) > max_size) {
      return InvalidArgumentError(path + ": larger than " + std::to_string(max_size) + " bytes");
    }
    out.reserve(static_cast<size_t>(st.st_size));
  }
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return UnavailableError(Describe(path, errno));
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size) {
      return InvalidArgumentError(path + ": larger than " + std::to_string(max_size) + " bytes");
    }
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

namespace {

// Creates a new temporary file beside `path` and returns its descriptor and name. The name has a
// random suffix and the file is created with O_EXCL | O_NOFOLLOW: whoever can write the folder
// cannot plant a file or symlink where the secret will be written (a predictable name would let
// them point it at a file they can read).
int CreateTemporaryBeside(const std::string& path, unsigned mode, std::string* tmp) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    uint64_t suffix = 0;
    if (::getrandom(&suffix, sizeof(suffix), 0) != static_cast<ssize_t>(sizeof(suffix))) {
      tmp->clear();  // the error names `path`, not an earlier attempt's name
      return -1;
    }
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(suffix));
    *tmp = path + ".tmp." + hex;
    int fd = ::open(tmp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;  // errno is EEXIST
}

}  // namespace

Status WriteFile(const std::string& path, ByteSpan bytes, unsigned mode) {
  std::string tmp;
  Fd fd(CreateTemporaryBeside(path, mode, &tmp));
  if (fd.get() < 0) return UnavailableError(Describe(tmp.empty() ? path : tmp, errno));
  if (::fchmod(fd.get(), mode) != 0) {  // umask must not widen or narrow the requested mode
    int err = errno;
    ::unlink(tmp.c_str());
    return UnavailableError(Describe(tmp, err));
  }
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return UnavailableError(Describe(tmp, err));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::close(fd.Release()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return UnavailableError(Describe(tmp, err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return UnavailableError(Describe(path, err));
  }
  return OkStatus();
}

}  // namespace confide
