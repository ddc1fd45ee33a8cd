// Byte sources and sinks for streaming packages: the writer reads a model from a ByteSource and
// writes the package to a ByteSink; the reader hands verified plaintext to a PlaintextSink (a
// file, or the engine's loader inside the TEE). Files are written to a temporary name in the
// target folder and renamed into place only on Commit, so a failure leaves nothing behind.
//
//   CONFIDE_ASSIGN_OR_RETURN(FileSource in, FileSource::Open("model.cfpkg"));
//   CONFIDE_ASSIGN_OR_RETURN(AtomicFileSink out, AtomicFileSink::Create("model.onnx", 0600));
//   CONFIDE_TRY(reader.Decrypt(key, in, out));   // commits or discards `out`
#ifndef CONFIDE_PACKAGE_STREAM_H_
#define CONFIDE_PACKAGE_STREAM_H_

#include <cstdint>
#include <functional>
#include <string>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::package {

// Called with (bytes done, bytes total) after each chunk; for progress bars only.
using ProgressFn = std::function<void(uint64_t, uint64_t)>;

// Bytes read front to back.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes and returns how many; 0 only at the end of the input.
  // kUnavailable on an I/O error.
  virtual Result<size_t> Read(MutableByteSpan out) = 0;
};

// Reads until `out` is full or the input ends; returns the bytes read (< out.size() at the end).
Result<size_t> ReadFull(ByteSource& source, MutableByteSpan out);

// Reads a borrowed span; it must outlive the source.
class SpanSource final : public ByteSource {
 public:
  explicit SpanSource(ByteSpan bytes) : reader_(bytes) {}
  Result<size_t> Read(MutableByteSpan out) override;

 private:
  ByteReader reader_;
};

// Reads a file (or a pipe). Move-only; closes the descriptor on destruction.
class FileSource final : public ByteSource {
 public:
  // kNotFound if missing, kInvalidArgument for a folder, kUnavailable for other errors.
  static Result<FileSource> Open(const std::string& path);
  FileSource(FileSource&& other) noexcept;
  FileSource& operator=(FileSource&&) = delete;
  ~FileSource() override;
  Result<size_t> Read(MutableByteSpan out) override;
  // Size of a regular file at open time; 0 for pipes and devices.
  uint64_t size() const { return size_; }

 private:
  FileSource(int fd, std::string path, uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  int fd_;
  std::string path_;
  uint64_t size_;
};

// A regular file mapped read-only (for packing without copying the model). Move-only; unmaps on
// destruction. The bytes are only valid while nobody truncates the file.
class MappedFile {
 public:
  // kNotFound if missing, kInvalidArgument if not a regular file, kUnavailable for other errors.
  static Result<MappedFile> Open(const std::string& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile();
  ByteSpan bytes() const { return {data_, size_}; }

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_;
  size_t size_;
};

// Where a package's bytes go.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends all of `bytes` (borrowed for the call). kUnavailable on an I/O error.
  virtual Status Write(ByteSpan bytes) = 0;
};

// Receives a package's plaintext from the reader.
class PlaintextSink {
 public:
  virtual ~PlaintextSink() = default;
  // Called once per chunk, in order, only with plaintext whose tag verified. The span is
  // borrowed for the call. An error stops decryption (the reader then calls Discard).
  virtual Status Consume(ByteSpan plaintext) = 0;
  // Called once, after the final chunk verified and every package check passed.
  virtual Status Commit() = 0;
  // Called instead of Commit when any check fails: drop everything consumed so far.
  virtual void Discard() = 0;
};

// A file written under a temporary name (mode 0600, same folder) and renamed to `path` on Commit;
// the destructor discards it if Commit did not happen. If `path` is an existing non-regular file
// (/dev/null, /dev/stdout, a FIFO), bytes go to it directly and Commit/Discard only close it.
// Move-only; not thread safe.
class AtomicFileSink final : public ByteSink, public PlaintextSink {
 public:
  // The final file gets permission bits `mode`. kUnavailable if the temporary cannot be created.
  static Result<AtomicFileSink> Create(const std::string& path, unsigned mode);
  AtomicFileSink(AtomicFileSink&& other) noexcept;
  AtomicFileSink& operator=(AtomicFileSink&&) = delete;
  ~AtomicFileSink() override;

  Status Write(ByteSpan bytes) override;
  Status Consume(ByteSpan plaintext) override { return Write(plaintext); }
  // fdatasync, then rename into place. kUnavailable on failure (the temporary is removed).
  Status Commit() override;
  void Discard() override;

 private:
  AtomicFileSink(int fd, std::string path, std::string tmp, unsigned mode)
      : fd_(fd), path_(std::move(path)), tmp_(std::move(tmp)), mode_(mode) {}
  int fd_;
  std::string path_;
  std::string tmp_;  // empty when writing straight to a device
  unsigned mode_;
};

// Collects everything in memory (tests, small models). Discard wipes and clears the buffer.
class BufferSink final : public ByteSink, public PlaintextSink {
 public:
  Status Write(ByteSpan bytes) override;
  Status Consume(ByteSpan plaintext) override { return Write(plaintext); }
  Status Commit() override;
  void Discard() override;
  const Bytes& bytes() const { return bytes_; }
  bool committed() const { return committed_; }
  bool discarded() const { return discarded_; }

 private:
  Bytes bytes_;
  bool committed_ = false;
  bool discarded_ = false;
};

}  // namespace confide::package

#endif  // CONFIDE_PACKAGE_STREAM_H_
