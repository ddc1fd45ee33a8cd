#include "confide/crypto/internal/openssl_util.h"

#include <openssl/err.h>

#include <string>

#include "confide/base/check.h"

namespace confide::crypto::internal {

std::string DrainErrors() {
  unsigned long first = ERR_get_error();  // NOLINT(runtime/int): OpenSSL's type
  std::string reason;
  if (first != 0) {
    const char* r = ERR_reason_error_string(first);
    reason = r != nullptr ? r : "error " + std::to_string(ERR_GET_REASON(first));
  }
  ERR_clear_error();
  return reason;
}

Error OpensslError(const std::string& what) {
  std::string reason = DrainErrors();
  return InternalError(reason.empty() ? what : what + ": " + reason);
}

BioPtr MemBio(ByteSpan bytes) {
  static const uint8_t kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  BioPtr bio(BIO_new_mem_buf(data, static_cast<int>(bytes.size())));
  CONFIDE_CHECK(bio != nullptr);
  return bio;
}

Bytes BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);  // NOLINT(runtime/int)
  if (len <= 0 || data == nullptr) return {};
  return Bytes(reinterpret_cast<const uint8_t*>(data),
               reinterpret_cast<const uint8_t*>(data) + len);
}

const EVP_MD* Md(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return EVP_sha256();
    case HashAlg::kSha384: return EVP_sha384();
    case HashAlg::kSha512: return EVP_sha512();
  }
  CONFIDE_CHECK(false);
  return nullptr;
}

}  // namespace confide::crypto::internal
