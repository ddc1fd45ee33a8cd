#include "confide/base/secret.h"

#include <string.h>  // explicit_bzero (glibc)

#include <algorithm>
#include <utility>

#include "confide/base/check.h"

namespace confide {

// base sits below crypto and may not include OpenSSL, so the wipe uses glibc's explicit_bzero,
// which like OPENSSL_cleanse is guaranteed not to be optimised away.
void SecureWipe(MutableByteSpan bytes) {
  if (!bytes.empty()) explicit_bzero(bytes.data(), bytes.size());
}

SecretBytes::SecretBytes(size_t size) : data_(size ? new uint8_t[size]() : nullptr), size_(size) {}

SecretBytes SecretBytes::CopyFrom(ByteSpan bytes) {
  SecretBytes s(bytes.size());
  std::ranges::copy(bytes, s.data_);
  return s;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { Release(); }

void SecretBytes::Truncate(size_t new_size) {
  CONFIDE_CHECK(new_size <= size_);
  SecureWipe({data_ + new_size, size_ - new_size});
  size_ = new_size;
}

void SecretBytes::Release() {
  SecureWipe({data_, size_});
  delete[] data_;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace confide
