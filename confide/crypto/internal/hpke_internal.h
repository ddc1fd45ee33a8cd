// The pieces HPKE (confide/crypto/hpke.h) is built from, for hpke_*.cc and the tests: labeled
// HKDF, the DHKEM Encap/Decap, the key schedule and its intermediate values, and the test-only
// hooks (a fixed ephemeral key, a settable sequence number). Only confide/crypto and its tests
// include this header.
//
//   // RFC 9180 Appendix A: the ephemeral key comes from ikmE instead of the CSPRNG.
//   CONFIDE_ASSIGN_OR_RETURN(PrivateKey skE, hpke::DeriveKeyPair(suite.kem, ikmE));
//   SenderInputs in{.mode = Mode::kBase, .ephemeral_insecure = &skE};
//   CONFIDE_ASSIGN_OR_RETURN(SenderSetup s, SetupS(suite, pkR, info, in));
#ifndef CONFIDE_CRYPTO_INTERNAL_HPKE_INTERNAL_H_
#define CONFIDE_CRYPTO_INTERNAL_HPKE_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/hpke.h"
#include "confide/crypto/keys.h"

namespace confide::crypto::hpke::internal {

// kUnsupported unless every id of `suite` is listed in hpke.h.
Status CheckSuite(const Suite& suite);
HashAlg KemHash(KemId kem);  // the KEM's own KDF: SHA-256 for 0x0010/0x0020, SHA-512 for 0x0012
HashAlg KdfHash(KdfId kdf);
// "KEM" || I2OSP(kem_id, 2), RFC 9180 §4.1.
Bytes KemSuiteId(KemId kem);
// "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2), RFC 9180 §5.1.
Bytes HpkeSuiteId(const Suite& suite);

// RFC 9180 §4: HKDF-Extract(salt, "HPKE-v1" || suite_id || label || ikm).
SecretBytes LabeledExtract(HashAlg alg, ByteSpan suite_id, ByteSpan salt, std::string_view label,
                           ByteSpan ikm);
// RFC 9180 §4: HKDF-Expand(prk, I2OSP(length, 2) || "HPKE-v1" || suite_id || label || info,
// length). kInvalidArgument if length > 255 * DigestSize(alg).
Result<SecretBytes> LabeledExpand(HashAlg alg, ByteSpan suite_id, ByteSpan prk,
                                  std::string_view label, ByteSpan info, size_t length);

// DHKEM Encap / AuthEncap, RFC 9180 §4.1. `skS` selects AuthEncap. `ephemeral_insecure`, when
// set, replaces the fresh ephemeral key: TEST ONLY (a reused ephemeral key breaks HPKE).
struct EncapResult {
  SecretBytes shared_secret;  // Nsecret bytes
  Bytes enc;                  // Nenc bytes
};
Result<EncapResult> Encap(KemId kem, const PublicKey& pkR, const PrivateKey* skS,
                          const PrivateKey* ephemeral_insecure);
// DHKEM Decap / AuthDecap, RFC 9180 §4.1. `pkS` selects AuthDecap.
Result<SecretBytes> Decap(KemId kem, ByteSpan enc, const PrivateKey& skR, const PublicKey* pkS);

// The values KeySchedule derives (RFC 9180 §5.1), kept for the tests to compare with Appendix A.
struct KeyScheduleValues {
  Bytes key_schedule_context;  // mode || psk_id_hash || info_hash (public)
  SecretBytes secret;
  SecretBytes key;         // Nk bytes (empty for export-only)
  SecretBytes base_nonce;  // Nn bytes (empty for export-only)
  SecretBytes exporter_secret;
};
// KeySchedule minus building the context, including VerifyPSKInputs (§5.1) and the 32-byte psk
// minimum (§5.1.2): kInvalidArgument on inconsistent psk inputs for `mode`.
Result<KeyScheduleValues> KeySchedule(const Suite& suite, Mode mode, ByteSpan shared_secret,
                                      ByteSpan info, ByteSpan psk, ByteSpan psk_id);

// The state behind SenderContext / RecipientContext.
struct ContextState {
  Suite suite;
  std::optional<Aead> aead;  // empty for export-only
  SecretBytes base_nonce;
  SecretBytes exporter_secret;
  uint64_t seq = 0;
};
Result<SenderContext> MakeSenderContext(const Suite& suite, KeyScheduleValues values);
Result<RecipientContext> MakeRecipientContext(const Suite& suite, KeyScheduleValues values);

// The mode-generic setup behind the public Setup*S functions. `mode` decides which of psk,
// psk_id and skS must be present; a present input the mode does not use is kInvalidArgument.
struct SenderInputs {
  Mode mode = Mode::kBase;
  ByteSpan psk = {};
  ByteSpan psk_id = {};
  const PrivateKey* skS = nullptr;
  // TEST ONLY: the ephemeral key Encap uses instead of a fresh one (RFC 9180 Appendix A derives
  // it from ikmE; RFC 9458 Appendix A fixes skE). Never set this outside tests.
  const PrivateKey* ephemeral_insecure = nullptr;
};
Result<SenderSetup> SetupS(const Suite& suite, const PublicKey& pkR, ByteSpan info,
                           const SenderInputs& in);
struct RecipientInputs {
  Mode mode = Mode::kBase;
  ByteSpan psk = {};
  ByteSpan psk_id = {};
  const PublicKey* pkS = nullptr;
};
Result<RecipientContext> SetupR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                ByteSpan info, const RecipientInputs& in);

// TEST ONLY: sets the sequence number the next Seal/Open uses, to reach the seq values of the
// vectors quickly or to test the message limit (2^64 - 1 is refused by Seal/Open).
struct ContextAccess {
  static ContextState& State(SenderContext& c) { return *c.state_; }
  static ContextState& State(RecipientContext& c) { return *c.state_; }
  static SenderContext MakeSender(std::unique_ptr<ContextState> s) {
    return SenderContext(std::move(s));
  }
  static RecipientContext MakeRecipient(std::unique_ptr<ContextState> s) {
    return RecipientContext(std::move(s));
  }
};
inline void SetSequenceNumberForTesting(SenderContext& c, uint64_t seq) {
  ContextAccess::State(c).seq = seq;
}
inline void SetSequenceNumberForTesting(RecipientContext& c, uint64_t seq) {
  ContextAccess::State(c).seq = seq;
}

}  // namespace confide::crypto::hpke::internal

#endif  // CONFIDE_CRYPTO_INTERNAL_HPKE_INTERNAL_H_
