// Asymmetric keys: generation, PEM/DER loading and saving, raw encodings.
// PrivateKey and PublicKey own an OpenSSL key; they are move-only and thread compatible
// (const methods may run concurrently).
//
//   CONFIDE_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(KeyType::kP256));
//   Bytes spki = key.public_key().ToDer();
//   CONFIDE_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromPem(pem_text));
#ifndef CONFIDE_CRYPTO_KEYS_H_
#define CONFIDE_CRYPTO_KEYS_H_

#include <memory>
#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"

namespace confide::crypto {

// kRsa keys can be loaded and verified with (AMD roots, X.509) but not generated here.
enum class KeyType { kP256, kP384, kP521, kX25519, kRsa, kOther };

const char* KeyTypeName(KeyType type);  // "P-256", "X25519", ...

struct KeyHandle;  // the OpenSSL EVP_PKEY, visible only to confide/crypto/internal

class PublicKey {
 public:
  ~PublicKey();
  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  PublicKey Clone() const;

  // SubjectPublicKeyInfo, DER or PEM ("PUBLIC KEY"). kMalformed if it does not parse, if the DER
  // is not canonical (BER lengths, trailing bytes), or if an EC point is not on the curve;
  // kUnsupported for EC keys with explicit curve parameters (only named curves, RFC 5480).
  static Result<PublicKey> FromDer(ByteSpan spki_der);
  static Result<PublicKey> FromPem(std::string_view pem);
  // Raw encodings: the uncompressed SEC1 point (0x04 || x || y) for P-256/384/521, the 32-byte
  // u-coordinate for X25519. kMalformed if not a valid point; kInvalidArgument for kRsa/kOther.
  static Result<PublicKey> FromRaw(KeyType type, ByteSpan raw);

  KeyType type() const;
  Bytes ToDer() const;        // SubjectPublicKeyInfo
  std::string ToPem() const;  // "-----BEGIN PUBLIC KEY-----"
  // The raw encoding FromRaw accepts. kInvalidArgument for kRsa/kOther.
  Result<Bytes> ToRaw() const;

  const KeyHandle& handle() const { return *handle_; }
  explicit PublicKey(std::unique_ptr<KeyHandle> handle);

 private:
  std::unique_ptr<KeyHandle> handle_;
};

class PrivateKey {
 public:
  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;

  // A fresh key from the CSPRNG. kInvalidArgument for kRsa/kOther.
  static Result<PrivateKey> Generate(KeyType type);
  // PKCS#8 or traditional ("EC PRIVATE KEY") PEM / PKCS#8 DER, unencrypted.
  // kMalformed if it does not parse (the message never quotes the input).
  static Result<PrivateKey> FromPem(ByteSpan pem);
  static Result<PrivateKey> FromDer(ByteSpan der);
  // Raw private scalar: big-endian, exactly the field size (32/48/66) for P-curves; 32 bytes for
  // X25519. kInvalidArgument on size or a scalar outside [1, n-1].
  static Result<PrivateKey> FromRaw(KeyType type, ByteSpan raw);

  KeyType type() const;
  PublicKey public_key() const;
  // PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), kept in SecretBytes.
  SecretBytes ToPem() const;
  // The raw scalar FromRaw accepts. kInvalidArgument for kRsa/kOther.
  Result<SecretBytes> ToRaw() const;

  const KeyHandle& handle() const { return *handle_; }
  explicit PrivateKey(std::unique_ptr<KeyHandle> handle);

 private:
  std::unique_ptr<KeyHandle> handle_;
};

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_KEYS_H_
