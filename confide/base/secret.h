// SecretBytes: owns key material; wiped on destruction and when moved from (STYLE.md §7).
//
//   SecretBytes key(32);
//   RandomFill(key.MutableExpose());
//   aead.Seal(key.Expose(), ...);   // grep for Expose() to audit every use
#ifndef CONFIDE_BASE_SECRET_H_
#define CONFIDE_BASE_SECRET_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "confide/base/bytes.h"

namespace confide {

// Overwrites `bytes` with zeros in a way the compiler may not elide.
void SecureWipe(MutableByteSpan bytes);

class SecretBytes {
 public:
  SecretBytes() = default;
  // `size` zero bytes.
  explicit SecretBytes(size_t size);
  // Copies `bytes` (the caller wipes its own copy if it must).
  static SecretBytes CopyFrom(ByteSpan bytes);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The only accessors of the raw bytes. Valid until this object is destroyed, moved or resized.
  std::span<const uint8_t> Expose() const { return {data_, size_}; }
  std::span<uint8_t> MutableExpose() { return {data_, size_}; }
  // Wipes the bytes beyond `new_size`. Precondition: new_size <= size().
  void Truncate(size_t new_size);

 private:
  void Release();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace confide

#endif  // CONFIDE_BASE_SECRET_H_
