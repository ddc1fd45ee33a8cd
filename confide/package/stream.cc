#include "confide/package/stream.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "confide/base/secret.h"

namespace confide::package {

namespace {

Error IoError(const std::string& path, int err) {
  return UnavailableError(path + ": " + std::strerror(err));
}

}  // namespace

Result<size_t> ReadFull(ByteSource& source, MutableByteSpan out) {
  size_t done = 0;
  while (done < out.size()) {
    CONFIDE_ASSIGN_OR_RETURN(size_t n, source.Read(out.subspan(done)));
    if (n == 0) break;
    done += n;
  }
  return done;
}

Result<size_t> SpanSource::Read(MutableByteSpan out) {
  size_t n = std::min(out.size(), reader_.remaining());
  ByteSpan s;
  CONFIDE_CHECK(reader_.ReadSpan(n, &s));
  std::copy_n(s.data(), n, out.data());  // pointers, so it compiles to memmove
  return n;
}

Result<FileSource> FileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFoundError(path + ": no such file");
    return IoError(path, err);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return IoError(path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(path + ": is a directory");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  uint64_t size = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  return FileSource(fd, path, size);
}

FileSource::FileSource(FileSource&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), size_(other.size_) {}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> FileSource::Read(MutableByteSpan out) {
  for (;;) {
    ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return IoError(path_, errno);
  }
}

Result<MappedFile> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFoundError(path + ": no such file");
    return IoError(path, err);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return IoError(path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError(path + ": not a regular file");
  }
  size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedFile(nullptr, 0);
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  int err = errno;
  ::close(fd);  // the mapping keeps the file
  if (p == MAP_FAILED) return IoError(path, err);
  ::madvise(p, size, MADV_SEQUENTIAL);
  return MappedFile(static_cast<const uint8_t*>(p), size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

Result<AtomicFileSink> AtomicFileSink::Create(const std::string& path, unsigned mode) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) return InvalidArgumentError(path + ": is a directory");
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return IoError(path, errno);
    return AtomicFileSink(fd, path, std::string(), mode);
  }
  std::string tmp = path + ".partial.XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // created 0600: plaintext is never world-readable
  if (fd < 0) return IoError(tmp, errno);
  return AtomicFileSink(fd, path, std::move(tmp), mode);
}

AtomicFileSink::AtomicFileSink(AtomicFileSink&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      tmp_(std::move(other.tmp_)),
      mode_(other.mode_) {}

AtomicFileSink::~AtomicFileSink() { Discard(); }

Status AtomicFileSink::Write(ByteSpan bytes) {
  if (fd_ < 0) return InternalError(path_ + ": write after commit or discard");
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(tmp_.empty() ? path_ : tmp_, errno);
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status AtomicFileSink::Commit() {
  if (fd_ < 0) return InternalError(path_ + ": commit after commit or discard");
  if (tmp_.empty()) {
    int rc = ::close(std::exchange(fd_, -1));
    return rc == 0 ? OkStatus() : IoError(path_, errno);
  }
  if (::fchmod(fd_, mode_) != 0 || ::fdatasync(fd_) != 0) {
    Status s = IoError(tmp_, errno);
    Discard();
    return s;
  }
  if (::close(std::exchange(fd_, -1)) != 0 || ::rename(tmp_.c_str(), path_.c_str()) != 0) {
    Status s = IoError(path_, errno);
    ::unlink(tmp_.c_str());
    return s;
  }
  return OkStatus();
}

void AtomicFileSink::Discard() {
  if (fd_ < 0) return;
  ::close(std::exchange(fd_, -1));
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

Status BufferSink::Write(ByteSpan bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return OkStatus();
}

Status BufferSink::Commit() {
  committed_ = true;
  return OkStatus();
}

void BufferSink::Discard() {
  SecureWipe(bytes_);
  bytes_.clear();
  discarded_ = true;
}

}  // namespace confide::package
