// Small helpers shared by the .cc files of confide/crypto: RAII deleters for OpenSSL objects that
// the public handles do not cover, and error-queue draining. Nothing outside crypto/ includes this.
#ifndef CONFIDE_CRYPTO_INTERNAL_OPENSSL_UTIL_H_
#define CONFIDE_CRYPTO_INTERNAL_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/crypto/hash.h"

namespace confide::crypto::internal {

struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
struct BnFree { void operator()(BIGNUM* p) const { BN_clear_free(p); } };
struct PkeyCtxFree { void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); } };
struct MdCtxFree { void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); } };
struct EcGroupFree { void operator()(EC_GROUP* p) const { EC_GROUP_free(p); } };
struct EcPointFree { void operator()(EC_POINT* p) const { EC_POINT_free(p); } };

using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, EcGroupFree>;
using EcPointPtr = std::unique_ptr<EC_POINT, EcPointFree>;

// Clears OpenSSL's thread-local error queue and returns the first reason string (or "").
// The reason strings name OpenSSL's internal failure, never input bytes.
std::string DrainErrors();
// InternalError("<what>: <openssl reason>"); also clears the error queue.
Error OpensslError(const std::string& what);
// A read-only memory BIO over `bytes` (which must outlive it).
BioPtr MemBio(ByteSpan bytes);
// The bytes written to a memory BIO.
Bytes BioContents(BIO* bio);
// The EVP_MD of a confide hash (never null; OpenSSL owns it).
const EVP_MD* Md(HashAlg alg);

}  // namespace confide::crypto::internal

#endif  // CONFIDE_CRYPTO_INTERNAL_OPENSSL_UTIL_H_
