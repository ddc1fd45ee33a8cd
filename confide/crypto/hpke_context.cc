// HPKE key schedule, encryption contexts, setup and single-shot APIs (RFC 9180 §§5, 5.1-5.3, 6).
#include <limits>
#include <string>
#include <utility>

#include "confide/base/bytes.h"
#include "confide/base/check.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/hpke.h"
#include "confide/crypto/internal/hpke_internal.h"

namespace confide::crypto::hpke {
namespace {

// seq is a uint64 and Nn is 12 for every AEAD here, so 2^64 - 1 is reached long before RFC 9180's
// 2^(8*Nn) - 1; refusing to use it keeps seq + 1 from wrapping (§5.2 MessageLimitReachedError).
constexpr uint64_t kSeqLimit = std::numeric_limits<uint64_t>::max();

AeadAlg ToAeadAlg(AeadId aead) {
  switch (aead) {
    case AeadId::kAes128Gcm:
      return AeadAlg::kAes128Gcm;
    case AeadId::kAes256Gcm:
      return AeadAlg::kAes256Gcm;
    case AeadId::kChaCha20Poly1305:
      return AeadAlg::kChaCha20Poly1305;
    case AeadId::kExportOnly:
      break;
  }
  ::confide::internal::CheckFailed(__FILE__, __LINE__, "no AEAD algorithm for this id");
}

bool IsValidMode(Mode mode) {
  return mode == Mode::kBase || mode == Mode::kPsk || mode == Mode::kAuth || mode == Mode::kAuthPsk;
}
bool UsesPsk(Mode mode) { return mode == Mode::kPsk || mode == Mode::kAuthPsk; }
bool UsesAuth(Mode mode) { return mode == Mode::kAuth || mode == Mode::kAuthPsk; }

// VerifyPSKInputs, RFC 9180 §5.1, and the psk length floor of §5.1.2.
Status VerifyPskInputs(Mode mode, ByteSpan psk, ByteSpan psk_id) {
  if (!IsValidMode(mode)) return InvalidArgumentError("hpke: unknown mode");
  const bool got_psk = !psk.empty();
  if (got_psk != !psk_id.empty()) return InvalidArgumentError("hpke: inconsistent psk inputs");
  if (got_psk && !UsesPsk(mode)) {
    return InvalidArgumentError("hpke: psk input provided when not needed");
  }
  if (!got_psk && UsesPsk(mode)) return InvalidArgumentError("hpke: missing required psk input");
  // §5.1.2: "The PSK MUST have at least 32 bytes of entropy".
  if (got_psk && psk.size() < 32) return InvalidArgumentError("hpke: psk shorter than 32 bytes");
  return OkStatus();
}

// nonce = base_nonce XOR I2OSP(seq, Nn), RFC 9180 §5.2 ComputeNonce.
SecretBytes ComputeNonce(const SecretBytes& base_nonce, uint64_t seq) {
  SecretBytes nonce = SecretBytes::CopyFrom(base_nonce.Expose());
  MutableByteSpan n = nonce.MutableExpose();
  for (size_t i = 0; i < 8 && i < n.size(); ++i) {
    n[n.size() - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  }
  return nonce;
}

// The checks Seal and Open share before touching the AEAD.
Status CheckCanCrypt(const internal::ContextState& s) {
  if (!s.aead.has_value()) {
    return InvalidArgumentError("hpke: export-only suite cannot Seal or Open");
  }
  if (s.seq >= kSeqLimit) return InvalidArgumentError("hpke: message limit reached");
  return OkStatus();
}

Result<SecretBytes> ExportFrom(const internal::ContextState& s, ByteSpan exporter_context,
                               size_t length) {
  // RFC 9180 §5.3: L <= 255 * Nh (the limit of LabeledExpand).
  if (length > 255 * HashSize(s.suite.kdf)) {
    return InvalidArgumentError("hpke: export length " + std::to_string(length) +
                                " exceeds 255 * Nh");
  }
  return internal::LabeledExpand(internal::KdfHash(s.suite.kdf), internal::HpkeSuiteId(s.suite),
                                 s.exporter_secret.Expose(), "sec", exporter_context, length);
}

Result<std::unique_ptr<internal::ContextState>> MakeState(const Suite& suite,
                                                          internal::KeyScheduleValues values) {
  CONFIDE_TRY(internal::CheckSuite(suite));
  auto state = std::make_unique<internal::ContextState>();
  state->suite = suite;
  if (suite.aead != AeadId::kExportOnly) {
    CONFIDE_ASSIGN_OR_RETURN(Aead aead, Aead::Create(ToAeadAlg(suite.aead), values.key.Expose()));
    state->aead.emplace(std::move(aead));
  }
  state->base_nonce = std::move(values.base_nonce);
  state->exporter_secret = std::move(values.exporter_secret);
  return state;
}

}  // namespace

// --- Contexts ------------------------------------------------------------------------------

SenderContext::SenderContext(std::unique_ptr<internal::ContextState> state)
    : state_(std::move(state)) {}
SenderContext::SenderContext(SenderContext&&) noexcept = default;
SenderContext& SenderContext::operator=(SenderContext&&) noexcept = default;
SenderContext::~SenderContext() = default;

const Suite& SenderContext::suite() const {
  CONFIDE_CHECK(state_ != nullptr);
  return state_->suite;
}
uint64_t SenderContext::sequence_number() const {
  CONFIDE_CHECK(state_ != nullptr);
  return state_->seq;
}

Result<Bytes> SenderContext::Seal(ByteSpan aad, ByteSpan plaintext) {
  CONFIDE_CHECK(state_ != nullptr);
  CONFIDE_TRY(CheckCanCrypt(*state_));
  SecretBytes nonce = ComputeNonce(state_->base_nonce, state_->seq);
  CONFIDE_ASSIGN_OR_RETURN(Bytes ct, state_->aead->Seal(nonce.Expose(), aad, plaintext));
  ++state_->seq;
  return ct;
}

Result<SecretBytes> SenderContext::Export(ByteSpan exporter_context, size_t length) const {
  CONFIDE_CHECK(state_ != nullptr);
  return ExportFrom(*state_, exporter_context, length);
}

RecipientContext::RecipientContext(std::unique_ptr<internal::ContextState> state)
    : state_(std::move(state)) {}
RecipientContext::RecipientContext(RecipientContext&&) noexcept = default;
RecipientContext& RecipientContext::operator=(RecipientContext&&) noexcept = default;
RecipientContext::~RecipientContext() = default;

const Suite& RecipientContext::suite() const {
  CONFIDE_CHECK(state_ != nullptr);
  return state_->suite;
}
uint64_t RecipientContext::sequence_number() const {
  CONFIDE_CHECK(state_ != nullptr);
  return state_->seq;
}

Result<Bytes> RecipientContext::Open(ByteSpan aad, ByteSpan ciphertext) {
  CONFIDE_CHECK(state_ != nullptr);
  CONFIDE_TRY(CheckCanCrypt(*state_));
  // Too short to hold a tag: it cannot verify, which is what the caller needs to know.
  if (ciphertext.size() < kAeadTagSize) {
    return VerificationFailedError("hpke: ciphertext shorter than the tag");
  }
  SecretBytes nonce = ComputeNonce(state_->base_nonce, state_->seq);
  CONFIDE_ASSIGN_OR_RETURN(Bytes pt, state_->aead->Open(nonce.Expose(), aad, ciphertext));
  ++state_->seq;
  return pt;
}

Result<SecretBytes> RecipientContext::Export(ByteSpan exporter_context, size_t length) const {
  CONFIDE_CHECK(state_ != nullptr);
  return ExportFrom(*state_, exporter_context, length);
}

// --- Key schedule and setup ----------------------------------------------------------------

namespace internal {

Result<KeyScheduleValues> KeySchedule(const Suite& suite, Mode mode, ByteSpan shared_secret,
                                      ByteSpan info, ByteSpan psk, ByteSpan psk_id) {
  CONFIDE_TRY(CheckSuite(suite));
  CONFIDE_TRY(VerifyPskInputs(mode, psk, psk_id));
  const HashAlg alg = KdfHash(suite.kdf);
  const Bytes suite_id = HpkeSuiteId(suite);
  SecretBytes psk_id_hash = LabeledExtract(alg, suite_id, {}, "psk_id_hash", psk_id);
  SecretBytes info_hash = LabeledExtract(alg, suite_id, {}, "info_hash", info);
  KeyScheduleValues v;
  // Public: psk_id and info are not secret, so neither are their hashes.
  v.key_schedule_context.push_back(static_cast<uint8_t>(mode));
  v.key_schedule_context.insert(v.key_schedule_context.end(), psk_id_hash.Expose().begin(),
                                psk_id_hash.Expose().end());
  v.key_schedule_context.insert(v.key_schedule_context.end(), info_hash.Expose().begin(),
                                info_hash.Expose().end());
  v.secret = LabeledExtract(alg, suite_id, shared_secret, "secret", psk);
  const ByteSpan ksc = v.key_schedule_context;
  if (suite.aead != AeadId::kExportOnly) {
    CONFIDE_ASSIGN_OR_RETURN(v.key, LabeledExpand(alg, suite_id, v.secret.Expose(), "key", ksc,
                                                  AeadKeySize(suite.aead)));
    CONFIDE_ASSIGN_OR_RETURN(v.base_nonce,
                             LabeledExpand(alg, suite_id, v.secret.Expose(), "base_nonce", ksc,
                                           AeadNonceSize(suite.aead)));
  }
  CONFIDE_ASSIGN_OR_RETURN(v.exporter_secret, LabeledExpand(alg, suite_id, v.secret.Expose(), "exp",
                                                            ksc, HashSize(suite.kdf)));
  return v;
}

Result<SenderContext> MakeSenderContext(const Suite& suite, KeyScheduleValues values) {
  CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<ContextState> state,
                           MakeState(suite, std::move(values)));
  return ContextAccess::MakeSender(std::move(state));
}

Result<RecipientContext> MakeRecipientContext(const Suite& suite, KeyScheduleValues values) {
  CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<ContextState> state,
                           MakeState(suite, std::move(values)));
  return ContextAccess::MakeRecipient(std::move(state));
}

Result<SenderSetup> SetupS(const Suite& suite, const PublicKey& pkR, ByteSpan info,
                           const SenderInputs& in) {
  CONFIDE_TRY(CheckSuite(suite));
  CONFIDE_TRY(VerifyPskInputs(in.mode, in.psk, in.psk_id));
  if (UsesAuth(in.mode) != (in.skS != nullptr)) {
    return InvalidArgumentError("hpke: sender key must be given exactly in the auth modes");
  }
  CONFIDE_ASSIGN_OR_RETURN(EncapResult encap, Encap(suite.kem, pkR, in.skS, in.ephemeral_insecure));
  CONFIDE_ASSIGN_OR_RETURN(
      KeyScheduleValues values,
      KeySchedule(suite, in.mode, encap.shared_secret.Expose(), info, in.psk, in.psk_id));
  CONFIDE_ASSIGN_OR_RETURN(SenderContext context, MakeSenderContext(suite, std::move(values)));
  return SenderSetup{std::move(encap.enc), std::move(context)};
}

Result<RecipientContext> SetupR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                ByteSpan info, const RecipientInputs& in) {
  CONFIDE_TRY(CheckSuite(suite));
  CONFIDE_TRY(VerifyPskInputs(in.mode, in.psk, in.psk_id));
  if (UsesAuth(in.mode) != (in.pkS != nullptr)) {
    return InvalidArgumentError("hpke: sender key must be given exactly in the auth modes");
  }
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes shared_secret, Decap(suite.kem, enc, skR, in.pkS));
  CONFIDE_ASSIGN_OR_RETURN(
      KeyScheduleValues values,
      KeySchedule(suite, in.mode, shared_secret.Expose(), info, in.psk, in.psk_id));
  return MakeRecipientContext(suite, std::move(values));
}

}  // namespace internal

// --- Public setup (RFC 9180 §5.1.1-5.1.4) ---------------------------------------------------

Result<SenderSetup> SetupBaseS(const Suite& suite, const PublicKey& pkR, ByteSpan info) {
  return internal::SetupS(suite, pkR, info, {.mode = Mode::kBase});
}
Result<RecipientContext> SetupBaseR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                    ByteSpan info) {
  return internal::SetupR(suite, enc, skR, info, {.mode = Mode::kBase});
}
Result<SenderSetup> SetupPSKS(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan psk,
                              ByteSpan psk_id) {
  return internal::SetupS(suite, pkR, info, {.mode = Mode::kPsk, .psk = psk, .psk_id = psk_id});
}
Result<RecipientContext> SetupPSKR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                   ByteSpan info, ByteSpan psk, ByteSpan psk_id) {
  return internal::SetupR(suite, enc, skR, info,
                          {.mode = Mode::kPsk, .psk = psk, .psk_id = psk_id});
}
Result<SenderSetup> SetupAuthS(const Suite& suite, const PublicKey& pkR, ByteSpan info,
                               const PrivateKey& skS) {
  return internal::SetupS(suite, pkR, info, {.mode = Mode::kAuth, .skS = &skS});
}
Result<RecipientContext> SetupAuthR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                    ByteSpan info, const PublicKey& pkS) {
  return internal::SetupR(suite, enc, skR, info, {.mode = Mode::kAuth, .pkS = &pkS});
}
Result<SenderSetup> SetupAuthPSKS(const Suite& suite, const PublicKey& pkR, ByteSpan info,
                                  ByteSpan psk, ByteSpan psk_id, const PrivateKey& skS) {
  return internal::SetupS(suite, pkR, info,
                          {.mode = Mode::kAuthPsk, .psk = psk, .psk_id = psk_id, .skS = &skS});
}
Result<RecipientContext> SetupAuthPSKR(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                       ByteSpan info, ByteSpan psk, ByteSpan psk_id,
                                       const PublicKey& pkS) {
  return internal::SetupR(suite, enc, skR, info,
                          {.mode = Mode::kAuthPsk, .psk = psk, .psk_id = psk_id, .pkS = &pkS});
}

// --- Single-shot APIs (RFC 9180 §6) ---------------------------------------------------------

namespace {

Result<Sealed> SealWith(Result<SenderSetup> setup, ByteSpan aad, ByteSpan plaintext) {
  if (!setup.ok()) return std::move(setup).error();
  CONFIDE_ASSIGN_OR_RETURN(Bytes ct, setup->context.Seal(aad, plaintext));
  return Sealed{std::move(setup->enc), std::move(ct)};
}

Result<Bytes> OpenWith(Result<RecipientContext> context, ByteSpan aad, ByteSpan ciphertext) {
  if (!context.ok()) return std::move(context).error();
  return context->Open(aad, ciphertext);
}

}  // namespace

Bytes Sealed::Concatenated() const { return Concat({enc, ciphertext}); }

Result<Sealed> SplitSealed(const Suite& suite, ByteSpan enc_then_ciphertext) {
  CONFIDE_TRY(internal::CheckSuite(suite));
  if (suite.aead == AeadId::kExportOnly) {
    return InvalidArgumentError("hpke: export-only suite has no ciphertext");
  }
  ByteReader r(enc_then_ciphertext);
  Sealed out;
  if (!r.ReadBytes(EncSize(suite.kem), &out.enc) || r.remaining() < AeadTagSize(suite.aead) ||
      !r.ReadBytes(r.remaining(), &out.ciphertext)) {
    return MalformedError("hpke: sealed message shorter than enc + tag");
  }
  return out;
}

Result<Sealed> SealBase(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan aad,
                        ByteSpan plaintext) {
  return SealWith(SetupBaseS(suite, pkR, info), aad, plaintext);
}
Result<Sealed> SealPSK(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan aad,
                       ByteSpan plaintext, ByteSpan psk, ByteSpan psk_id) {
  return SealWith(SetupPSKS(suite, pkR, info, psk, psk_id), aad, plaintext);
}
Result<Sealed> SealAuth(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan aad,
                        ByteSpan plaintext, const PrivateKey& skS) {
  return SealWith(SetupAuthS(suite, pkR, info, skS), aad, plaintext);
}
Result<Sealed> SealAuthPSK(const Suite& suite, const PublicKey& pkR, ByteSpan info, ByteSpan aad,
                           ByteSpan plaintext, ByteSpan psk, ByteSpan psk_id,
                           const PrivateKey& skS) {
  return SealWith(SetupAuthPSKS(suite, pkR, info, psk, psk_id, skS), aad, plaintext);
}

Result<Bytes> OpenBase(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                       ByteSpan aad, ByteSpan ciphertext) {
  return OpenWith(SetupBaseR(suite, enc, skR, info), aad, ciphertext);
}
Result<Bytes> OpenPSK(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                      ByteSpan aad, ByteSpan ciphertext, ByteSpan psk, ByteSpan psk_id) {
  return OpenWith(SetupPSKR(suite, enc, skR, info, psk, psk_id), aad, ciphertext);
}
Result<Bytes> OpenAuth(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                       ByteSpan aad, ByteSpan ciphertext, const PublicKey& pkS) {
  return OpenWith(SetupAuthR(suite, enc, skR, info, pkS), aad, ciphertext);
}
Result<Bytes> OpenAuthPSK(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                          ByteSpan aad, ByteSpan ciphertext, ByteSpan psk, ByteSpan psk_id,
                          const PublicKey& pkS) {
  return OpenWith(SetupAuthPSKR(suite, enc, skR, info, psk, psk_id, pkS), aad, ciphertext);
}

Result<SentExport> SendExportBase(const Suite& suite, const PublicKey& pkR, ByteSpan info,
                                  ByteSpan exporter_context, size_t length) {
  CONFIDE_ASSIGN_OR_RETURN(SenderSetup setup, SetupBaseS(suite, pkR, info));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes secret, setup.context.Export(exporter_context, length));
  return SentExport{std::move(setup.enc), std::move(secret)};
}

Result<SecretBytes> ReceiveExportBase(const Suite& suite, ByteSpan enc, const PrivateKey& skR,
                                      ByteSpan info, ByteSpan exporter_context, size_t length) {
  CONFIDE_ASSIGN_OR_RETURN(RecipientContext context, SetupBaseR(suite, enc, skR, info));
  return context.Export(exporter_context, length);
}

}  // namespace confide::crypto::hpke
