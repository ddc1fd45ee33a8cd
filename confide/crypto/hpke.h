// Hybrid Public Key Encryption (RFC 9180), composed from the crypto primitives (OpenSSL 3.0 has
// no HPKE). Modes base, psk, auth and auth_psk; DHKEM X25519/P-256/P-521; HKDF-SHA256/384/512;
// AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 and export-only. HPKE fixes no wire format: the
// caller carries `enc` (EncSize(kem) bytes) and the ciphertexts; docs/formats/hpke.md.
//
//   const hpke::Suite suite{hpke::KemId::kX25519HkdfSha256, hpke::KdfId::kHkdfSha256,
//                           hpke::AeadId::kAes128Gcm};
//   // Recipient, once: a key pair; it publishes recipient_pub = recipient_key.public_key().
//   CONFIDE_ASSIGN_OR_RETURN(PrivateKey recipient_key, hpke::GenerateKeyPair(suite.kem));
//   // Sender:
//   CONFIDE_ASSIGN_OR_RETURN(hpke::SenderSetup s, hpke::SetupBaseS(suite, recipient_pub, info));
//   CONFIDE_ASSIGN_OR_RETURN(Bytes ct, s.context.Seal(aad, plaintext));   // send s.enc and ct
//   // Recipient:
//   CONFIDE_ASSIGN_OR_RETURN(hpke::RecipientContext r,
//                            hpke::SetupBaseR(suite, enc, recipient_key, info));
//   CONFIDE_ASSIGN_OR_RETURN(Bytes pt, r.Open(aad, ct));
//   // Or single-shot: SealBase(...) -> {enc, ciphertext}; OpenBase(...) -> plaintext.
//
// Test-only hooks (a fixed ephemeral key, the key-schedule values, the sequence number) live in
// confide/crypto/internal/hpke_internal.h, never here.
#ifndef CONFIDE_CRYPTO_HPKE_H_
#define CONFIDE_CRYPTO_HPKE_H_

#include <cstdint>
#include <memory>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/crypto/keys.h"

namespace confide::crypto::hpke {

// RFC 9180 §5, Table 1.
enum class Mode : uint8_t { kBase = 0x00, kPsk = 0x01, kAuth = 0x02, kAuthPsk = 0x03 };
// RFC 9180 §7.1, Table 2 (the supported subset).
enum class KemId : uint16_t {
  kP256HkdfSha256 = 0x0010,
  kP521HkdfSha512 = 0x0012,
  kX25519HkdfSha256 = 0x0020,
};
// RFC 9180 §7.2, Table 3.
enum class KdfId : uint16_t { kHkdfSha256 = 0x0001, kHkdfSha384 = 0x0002, kHkdfSha512 = 0x0003 };
// RFC 9180 §7.3, Table 5. kExportOnly contexts can Export but never Seal or Open.
enum class AeadId : uint16_t {
  kAes128Gcm = 0x0001,
  kAes256Gcm = 0x0002,
  kChaCha20Poly1305 = 0x0003,
  kExportOnly = 0xFFFF,
};

struct Suite {
  KemId kem;
  KdfId kdf;
  AeadId aead;
};

// Builds a Suite from wire identifiers (e.g. an OHTTP key config). kUnsupported for any id not
// listed above. Every function below also rejects a Suite holding an unlisted value
// (kUnsupported), so a Suite made by casting is safe to pass.
Result<Suite> SuiteFromIds(uint16_t kem_id, uint16_t kdf_id, uint16_t aead_id);

// Sizes (RFC 9180 Tables 2, 3, 5). Precondition: a listed id (CONFIDE_CHECK otherwise).
size_t EncSize(KemId kem);          // Nenc: 32 (X25519), 65 (P-256), 133 (P-521)
size_t PublicKeySize(KemId kem);    // Npk: equal to Nenc for these KEMs
size_t PrivateKeySize(KemId kem);   // Nsk: 32, 32, 66
size_t HashSize(KdfId kdf);         // Nh: 32, 48, 64
size_t AeadKeySize(AeadId aead);    // Nk: 16, 32, 32; 0 for kExportOnly
size_t AeadNonceSize(AeadId aead);  // Nn: 12; 0 for kExportOnly
size_t AeadTagSize(AeadId aead);    // Nt: 16; 0 for kExportOnly
// The key type of the KEM's keys: kX25519, kP256 or kP521.
KeyType KemKeyType(KemId kem);

// A fresh recipient (or sender-authentication) key pair from the CSPRNG. kUnsupported for an
// unlisted KEM.
Result<PrivateKey> GenerateKeyPair(KemId kem);
// DeriveKeyPair(ikm), RFC 9180 §7.1.3: deterministic; for P-256/P-521 the rejection-sampling loop
// (bitmask 0xff / 0x01). kInvalidArgument if ikm is shorter than PrivateKeySize(kem) (RFC 9180
// asks for at least Nsk bytes of entropy in ikm; confide enforces the length, it cannot see
// entropy) or, with negligible probability (< 2^-8000), no P-curve candidate is valid.
// `ikm` is borrowed for the call only.
Result<PrivateKey> DeriveKeyPair(KemId kem, ByteSpan ikm);

namespace internal {
struct ContextState;
struct ContextAccess;
}  // namespace internal

// The sender's encryption context (RFC 9180 §5.2 ContextS). Move-only; not thread safe (Seal
// advances a sequence number). Holds the AEAD key and the exporter secret, both wiped on
// destruction. A moved-from context must not be used (CONFIDE_CHECK).
class SenderContext {
 public:
  SenderContext(SenderContext&&) noexcept;
  SenderContext& operator=(SenderContext&&) noexcept;
  ~SenderContext();

  const Suite& suite() const;
  // The sequence number the next Seal uses (0 for a fresh context).
  uint64_t sequence_number() const;

  // Seals `plaintext` with nonce = base_nonce XOR I2OSP(seq, Nn) and advances seq (RFC 9180
  // §5.2). Returns ciphertext || tag (plaintext.size() + AeadTagSize bytes).
  // kInvalidArgument for an export-only suite, or when the message limit is reached: seq is a
  // uint64, so the last usable seq is 2^64 - 2 (below RFC's 2^96 - 2; the check stands for
  // MessageLimitReachedError). On error seq does not advance. Spans are borrowed for the call.
  Result<Bytes> Seal(ByteSpan aad, ByteSpan plaintext);
  // Secret export, RFC 9180 §5.3: LabeledExpand(exporter_secret, "sec", exporter_context, length).
  // kInvalidArgument if length > 255 * HashSize(kdf). Works for every AEAD, export-only included.
  Result<SecretBytes> Export(ByteSpan exporter_context, size_t length) const;

 private:
  friend struct internal::ContextAccess;
  explicit SenderContext(std::unique_ptr<internal::ContextState> state);
  std::unique_ptr<internal::ContextState> state_;
};

// The recipient's decryption context (RFC 9180 §5.2 ContextR). Same ownership, wiping and
// threading rules as SenderContext.
class RecipientContext {
 public:
  RecipientContext(RecipientContext&&) noexcept;
  RecipientContext& operator=(RecipientContext&&) noexcept;
  ~RecipientContext();

  const Suite& suite() const;
  // The sequence number the next Open uses (0 for a fresh context).
  uint64_t sequence_number() const;

  // Opens `ciphertext` (ct || tag) at the current seq and advances seq on success only.
  // kVerificationFailed if the tag does not verify (wrong key, wrong info/aad, tampered or
  // reordered message); kInvalidArgument for an export-only suite or when the message limit is
  // reached (as for Seal). Never returns partial plaintext.
  Result<Bytes> Open(ByteSpan aad, ByteSpan ciphertext);
  // As SenderContext::Export; both sides export equal secrets.
  Result<SecretBytes> Export(ByteSpan exporter_context, size_t length) const;

 private:
  friend struct internal::ContextAccess;
  explicit RecipientContext(std::unique_ptr<internal::ContextState> state);
  std::unique_ptr<internal::ContextState> state_;
};

// What a sender-side setup produces: `enc` (EncSize(kem) bytes) to send to the recipient, and the
// context.
struct SenderSetup {
  Bytes enc;
  SenderContext context;
};

// Errors shared by every Setup*, Seal*, Open*, *Export* function below:
//   kUnsupported      the suite holds an unlisted id.
//   kInvalidArgument  a key (pkR, skR, skS, pkS) is not of KemKeyType(suite.kem); psk/psk_id
//                     inconsistent (RFC 9180 §5.1 VerifyPSKInputs: both empty is "no psk", which
//                     the psk modes refuse; exactly one empty is refused); psk shorter than 32
//                     bytes (§5.1.2: at least 32 bytes of entropy).
//   kMalformed        (recipient) `enc` is not EncSize(kem) bytes, or not a valid public key
//                     (P-curves: not 0x04 || x || y on the curve).
//   kVerificationFailed  a Diffie-Hellman output is invalid: an X25519 low-order peer key gives
//                     the all-zero output (§7.1.4); from the recipient's side this is a bad `enc`.
// All spans are borrowed for the call only; psk is never copied out of the call except into the
// (wiped) key schedule.

// SetupBaseS / SetupBaseR, RFC 9180 §5.1.1.
Result<SenderSetup> SetupBaseS(const Suite& suite, const PublicKey& pkR, ByteSpan info);
Result<RecipientContext> SetupBaseR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                    ByteSpan info);
// SetupPSKS / SetupPSKR, RFC 9180 §5.1.2.
Result<SenderSetup> SetupPSKS(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan psk,
                              ByteSpan psk_id);
Result<RecipientContext> SetupPSKR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                   ByteSpan info, ByteSpan psk, ByteSpan psk_id);
// SetupAuthS / SetupAuthR, RFC 9180 §5.1.3: the sender authenticates with its KEM key skS.
Result<SenderSetup> SetupAuthS(const Suite& suite, const PublicKey& pkR, ByteSpan info,
                               const PrivateKey& skS);
Result<RecipientContext> SetupAuthR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                    ByteSpan info, const PublicKey& pkS);
// SetupAuthPSKS / SetupAuthPSKR, RFC 9180 §5.1.4.
Result<SenderSetup> SetupAuthPSKS(const Suite& suite, const PublicKey& pkR, ByteSpan info,
                                  ByteSpan psk, ByteSpan psk_id, const PrivateKey& skS);
Result<RecipientContext> SetupAuthPSKR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                       ByteSpan info, ByteSpan psk, ByteSpan psk_id,
                                       const PublicKey& pkS);

// Single-shot encryption (RFC 9180 §6.1): setup, then one Seal at seq 0.
struct Sealed {
  Bytes enc;         // EncSize(kem) bytes
  Bytes ciphertext;  // ct || tag
  // enc || ciphertext, the layout SplitSealed reads back.
  Bytes Concatenated() const;
};
// Splits enc || ciphertext. kMalformed if shorter than EncSize + AeadTagSize; kUnsupported as
// above, kInvalidArgument for an export-only suite. Does not validate enc itself.
Result<Sealed> SplitSealed(const Suite& suite, ByteSpan enc_then_ciphertext);

// Seal<MODE>: errors as for Setup*S plus Seal (export-only suites: kInvalidArgument).
Result<Sealed> SealBase(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan aad,
                        ByteSpan plaintext);
Result<Sealed> SealPSK(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan aad,
                       ByteSpan plaintext, ByteSpan psk, ByteSpan psk_id);
Result<Sealed> SealAuth(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan aad,
                        ByteSpan plaintext, const PrivateKey& skS);
Result<Sealed> SealAuthPSK(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan aad,
                           ByteSpan plaintext, ByteSpan psk, ByteSpan psk_id,
                           const PrivateKey& skS);
// Open<MODE>: errors as for Setup*R plus Open (kVerificationFailed on a bad tag).
Result<Bytes> OpenBase(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                       ByteSpan aad, ByteSpan ciphertext);
Result<Bytes> OpenPSK(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                      ByteSpan aad, ByteSpan ciphertext, ByteSpan psk, ByteSpan psk_id);
Result<Bytes> OpenAuth(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                       ByteSpan aad, ByteSpan ciphertext, const PublicKey& pkS);
Result<Bytes> OpenAuthPSK(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                          ByteSpan aad, ByteSpan ciphertext, ByteSpan psk, ByteSpan psk_id,
                          const PublicKey& pkS);

// Single-shot secret export in base mode (RFC 9180 §6.2 SendExportBase / ReceiveExportBase):
// the sender gets `enc` and the exported secret; the recipient re-derives the same secret from
// `enc`. Errors as for Setup*, plus kInvalidArgument if length > 255 * HashSize(kdf). For the
// other modes, set up a context and call Export.
struct SentExport {
  Bytes enc;
  SecretBytes secret;
};
Result<SentExport> SendExportBase(const Suite& suite, const PublicKey& pkR, ByteSpan info,
                                  ByteSpan exporter_context, size_t length);
Result<SecretBytes> ReceiveExportBase(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                      ByteSpan info, ByteSpan exporter_context, size_t length);

}  // namespace confide::crypto::hpke

#endif  // CONFIDE_CRYPTO_HPKE_H_
