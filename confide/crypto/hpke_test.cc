// HPKE: every field of the 28 RFC 9180 Appendix A vectors, the RFC 9458 Appendix A OHTTP example,
// round trips over every suite and mode, and the rejections (bad inputs, tampering, limits).
#include "confide/crypto/hpke.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/hmac.h"
#include "confide/crypto/internal/hpke_internal.h"

namespace confide::crypto::hpke {
namespace {

using json = nlohmann::json;

json LoadJson(std::string_view relative) {
  Bytes bytes = confide::testing::ReadSharedFile(relative);
  return json::parse(bytes.begin(), bytes.end());
}

Bytes Hex(const json& j) {
  Result<Bytes> b = HexDecode(j.get<std::string>());
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

std::string HexOf(ByteSpan b) { return HexEncode(b); }

// Counts every comparison so the vector test can report how much it checked.
struct Checker {
  int checks = 0;
  std::string where;
  void Eq(ByteSpan actual, const json& expected_hex, std::string_view field) {
    ++checks;
    EXPECT_EQ(HexOf(actual), expected_hex.get<std::string>()) << where << " field " << field;
  }
};

PrivateKey MustDerive(KemId kem, ByteSpan ikm) {
  Result<PrivateKey> k = DeriveKeyPair(kem, ikm);
  CONFIDE_CHECK(k.ok());
  return std::move(k).value();
}

Bytes PublicRaw(const PrivateKey& k) { return *k.public_key().ToRaw(); }

// Checks the DeriveKeyPair outputs of one party ("E", "R" or "S").
PrivateKey CheckDerived(Checker& c, const json& v, KemId kem, const std::string& who) {
  PrivateKey sk = MustDerive(kem, Hex(v["ikm" + who]));
  Result<SecretBytes> sk_raw = sk.ToRaw();
  EXPECT_TRUE(sk_raw.ok());
  if (sk_raw.ok()) c.Eq(sk_raw->Expose(), v["sk" + who + "m"], "sk" + who + "m");
  c.Eq(PublicRaw(sk), v["pk" + who + "m"], "pk" + who + "m");
  return sk;
}

Result<RecipientContext> PublicSetupR(const Suite& suite, Mode mode, ByteSpan enc,
                                      const PrivateKey& skR, ByteSpan info, ByteSpan psk,
                                      ByteSpan psk_id, const PublicKey* pkS) {
  switch (mode) {
    case Mode::kBase:
      return SetupBaseR(suite, enc, skR, info);
    case Mode::kPsk:
      return SetupPSKR(suite, enc, skR, info, psk, psk_id);
    case Mode::kAuth:
      return SetupAuthR(suite, enc, skR, info, *pkS);
    case Mode::kAuthPsk:
      return SetupAuthPSKR(suite, enc, skR, info, psk, psk_id, *pkS);
  }
  return InternalError("bad mode");
}

// One Appendix A vector: key derivation, KEM, key schedule, every encryption and export.
void CheckVector(Checker& c, const json& v) {
  Result<Suite> suite_or = SuiteFromIds(v["kem_id"].get<uint16_t>(), v["kdf_id"].get<uint16_t>(),
                                        v["aead_id"].get<uint16_t>());
  ASSERT_TRUE(suite_or.ok()) << c.where;
  const Suite suite = *suite_or;
  const Mode mode = static_cast<Mode>(v["mode"].get<int>());
  const bool auth = mode == Mode::kAuth || mode == Mode::kAuthPsk;
  const Bytes info = Hex(v["info"]);
  const Bytes psk = v.contains("psk") ? Hex(v["psk"]) : Bytes{};
  const Bytes psk_id = v.contains("psk_id") ? Hex(v["psk_id"]) : Bytes{};

  PrivateKey skE = CheckDerived(c, v, suite.kem, "E");
  PrivateKey skR = CheckDerived(c, v, suite.kem, "R");
  std::optional<PrivateKey> skS;
  std::optional<PublicKey> pkS;
  if (auth) {
    skS = CheckDerived(c, v, suite.kem, "S");
    pkS = skS->public_key();
  }

  // KEM, both directions.
  Result<internal::EncapResult> encap =
      internal::Encap(suite.kem, skR.public_key(), auth ? &*skS : nullptr, &skE);
  ASSERT_TRUE(encap.ok()) << c.where << encap.error().ToString();
  c.Eq(encap->enc, v["enc"], "enc");
  c.Eq(encap->shared_secret.Expose(), v["shared_secret"], "shared_secret (encap)");
  Result<SecretBytes> decap =
      internal::Decap(suite.kem, Hex(v["enc"]), skR, auth ? &*pkS : nullptr);
  ASSERT_TRUE(decap.ok()) << c.where << decap.error().ToString();
  c.Eq(decap->Expose(), v["shared_secret"], "shared_secret (decap)");

  // Key schedule.
  Result<internal::KeyScheduleValues> ks =
      internal::KeySchedule(suite, mode, decap->Expose(), info, psk, psk_id);
  ASSERT_TRUE(ks.ok()) << c.where << ks.error().ToString();
  c.Eq(ks->key_schedule_context, v["key_schedule_context"], "key_schedule_context");
  c.Eq(ks->secret.Expose(), v["secret"], "secret");
  c.Eq(ks->key.Expose(), v["key"], "key");
  c.Eq(ks->base_nonce.Expose(), v["base_nonce"], "base_nonce");
  c.Eq(ks->exporter_secret.Expose(), v["exporter_secret"], "exporter_secret");

  // Contexts: the sender with the injected ephemeral, the recipient through the public API.
  internal::SenderInputs in{.mode = mode,
                            .psk = psk,
                            .psk_id = psk_id,
                            .skS = auth ? &*skS : nullptr,
                            .ephemeral_insecure = &skE};
  Result<SenderSetup> setup = internal::SetupS(suite, skR.public_key(), info, in);
  ASSERT_TRUE(setup.ok()) << c.where << setup.error().ToString();
  c.Eq(setup->enc, v["enc"], "enc (setup)");
  SenderContext& sender = setup->context;
  Result<RecipientContext> recipient_or =
      PublicSetupR(suite, mode, setup->enc, skR, info, psk, psk_id, auth ? &*pkS : nullptr);
  ASSERT_TRUE(recipient_or.ok()) << c.where << recipient_or.error().ToString();
  RecipientContext& recipient = *recipient_or;

  const Bytes dummy = {'s', 'k', 'i', 'p'};
  for (const json& e : v["encryptions"]) {
    const uint64_t seq = e["seq"].get<uint64_t>();
    // Reach `seq` by really sealing and opening the skipped messages in step.
    while (sender.sequence_number() < seq) {
      Result<Bytes> ct = sender.Seal({}, dummy);
      ASSERT_TRUE(ct.ok());
      ASSERT_TRUE(recipient.Open({}, *ct).ok()) << c.where << " skipped seq";
    }
    ASSERT_EQ(recipient.sequence_number(), seq);
    c.where = c.where.substr(0, c.where.find(" seq ")) + " seq " + std::to_string(seq);
    // nonce = base_nonce XOR I2OSP(seq, 12): recomputed here from the derived base_nonce.
    Bytes nonce(ks->base_nonce.Expose().begin(), ks->base_nonce.Expose().end());
    for (size_t i = 0; i < 8; ++i)
      nonce[nonce.size() - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
    c.Eq(nonce, e["nonce"], "nonce");
    Result<Bytes> ct = sender.Seal(Hex(e["aad"]), Hex(e["pt"]));
    ASSERT_TRUE(ct.ok()) << c.where;
    c.Eq(*ct, e["ct"], "ct");
    Result<Bytes> pt = recipient.Open(Hex(e["aad"]), Hex(e["ct"]));
    ASSERT_TRUE(pt.ok()) << c.where << pt.error().ToString();
    c.Eq(*pt, e["pt"], "pt");
  }
  for (const json& x : v["exports"]) {
    const size_t length = x["L"].get<size_t>();
    Result<SecretBytes> s = sender.Export(Hex(x["exporter_context"]), length);
    Result<SecretBytes> r = recipient.Export(Hex(x["exporter_context"]), length);
    ASSERT_TRUE(s.ok() && r.ok()) << c.where;
    c.Eq(s->Expose(), x["exported_value"], "exported_value (sender)");
    c.Eq(r->Expose(), x["exported_value"], "exported_value (recipient)");
  }
  // The single-shot Open<MODE> opens the seq-0 message.
  if (!v["encryptions"].empty()) {
    const json& e0 = v["encryptions"][0];
    const Bytes enc = Hex(v["enc"]), aad = Hex(e0["aad"]), ct = Hex(e0["ct"]);
    Result<Bytes> pt = InternalError("unset");
    switch (mode) {
      case Mode::kBase:
        pt = OpenBase(suite, enc, skR, info, aad, ct);
        break;
      case Mode::kPsk:
        pt = OpenPSK(suite, enc, skR, info, aad, ct, psk, psk_id);
        break;
      case Mode::kAuth:
        pt = OpenAuth(suite, enc, skR, info, aad, ct, *pkS);
        break;
      case Mode::kAuthPsk:
        pt = OpenAuthPSK(suite, enc, skR, info, aad, ct, psk, psk_id, *pkS);
        break;
    }
    ASSERT_TRUE(pt.ok()) << c.where << pt.error().ToString();
    c.Eq(*pt, e0["pt"], "pt (single-shot)");
  }
}

TEST(HpkeVectors, Rfc9180AppendixAEveryField) {
  const json vectors = LoadJson("vectors/hpke/rfc9180-appendix-a.json");
  ASSERT_EQ(vectors.size(), 28u);
  Checker c;
  int index = 0;
  for (const json& v : vectors) {
    c.where = "vector " + std::to_string(index++) + " (" + v["suite"].get<std::string>() +
              ", mode " + std::to_string(v["mode"].get<int>()) + ")";
    CheckVector(c, v);
  }
  std::cout << vectors.size() << " vectors, " << c.checks << " checks\n";
  RecordProperty("checks", c.checks);
}

// RFC 9458 Appendix A: the client's request encapsulation with its fixed skE, the gateway's
// decapsulation, and the response keys derived from the exported secret.
TEST(HpkeVectors, Rfc9458OhttpExample) {
  const json v = LoadJson("vectors/hpke/rfc9458-ohttp-appendix-a.json");
  const Suite suite{KemId::kX25519HkdfSha256, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
  Result<PrivateKey> skR = PrivateKey::FromRaw(KeyType::kX25519, Hex(v["gateway_sk"]));
  Result<PrivateKey> skE = PrivateKey::FromRaw(KeyType::kX25519, Hex(v["client_ephemeral_sk"]));
  ASSERT_TRUE(skR.ok() && skE.ok());
  EXPECT_EQ(HexOf(PublicRaw(*skE)), v["client_ephemeral_pk"].get<std::string>());
  const Bytes info = Hex(v["info"]);
  const Bytes request = Hex(v["encapsulated_request"]);
  const size_t hdr_size = 7;  // key_id(1) kem_id(2) kdf_id(2) aead_id(2), RFC 9458 §4.3
  const ByteSpan enc = ByteSpan(request).subspan(hdr_size, EncSize(suite.kem));
  const ByteSpan ct = ByteSpan(request).subspan(hdr_size + EncSize(suite.kem));

  internal::SenderInputs in{.mode = Mode::kBase, .ephemeral_insecure = &*skE};
  Result<SenderSetup> setup = internal::SetupS(suite, skR->public_key(), info, in);
  ASSERT_TRUE(setup.ok());
  EXPECT_EQ(HexOf(setup->enc), HexOf(enc));
  Result<Bytes> sealed = setup->context.Seal({}, Hex(v["request_bhttp"]));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexOf(*sealed), HexOf(ct));

  Result<RecipientContext> gateway = SetupBaseR(suite, enc, *skR, info);
  ASSERT_TRUE(gateway.ok());
  Result<Bytes> opened = gateway->Open({}, ct);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(HexOf(*opened), v["request_bhttp"].get<std::string>());

  // RFC 9458 §4.4: secret = Export("message/bhttp response", max(Nn, Nk)).
  Result<SecretBytes> secret = gateway->Export(AsBytes("message/bhttp response"), 16);
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(HexOf(secret->Expose()), v["response_export_secret"].get<std::string>());
  const Bytes response = Hex(v["encapsulated_response"]);
  const ByteSpan response_nonce = ByteSpan(response).first(16);
  const Bytes salt = Concat({enc, response_nonce});
  EXPECT_EQ(HexOf(salt), v["response_salt"].get<std::string>());
  SecretBytes prk = HkdfExtract(HashAlg::kSha256, salt, secret->Expose());
  EXPECT_EQ(HexOf(prk.Expose()), v["response_prk"].get<std::string>());
  Result<SecretBytes> key = HkdfExpand(HashAlg::kSha256, prk.Expose(), AsBytes("key"), 16);
  Result<SecretBytes> nonce = HkdfExpand(HashAlg::kSha256, prk.Expose(), AsBytes("nonce"), 12);
  ASSERT_TRUE(key.ok() && nonce.ok());
  EXPECT_EQ(HexOf(key->Expose()), v["response_aead_key"].get<std::string>());
  EXPECT_EQ(HexOf(nonce->Expose()), v["response_aead_nonce"].get<std::string>());
  Result<Bytes> body = AeadOpen(AeadAlg::kAes128Gcm, key->Expose(), nonce->Expose(), {},
                                ByteSpan(response).subspan(16));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(HexOf(*body), v["response_bhttp"].get<std::string>());
}

// --- Round trips -----------------------------------------------------------------------------

const Suite kX25519Aes{KemId::kX25519HkdfSha256, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
const Suite kP256Aes{KemId::kP256HkdfSha256, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
const Bytes kPsk(32, 0x42);
const Bytes kPskId = {'i', 'd'};
const Bytes kInfo = {'i', 'n', 'f', 'o'};
const Bytes kAad = {'a', 'a', 'd'};
const Bytes kMessage = {'h', 'e', 'l', 'l', 'o'};

PrivateKey MustGenerate(KemId kem) {
  Result<PrivateKey> k = GenerateKeyPair(kem);
  CONFIDE_CHECK(k.ok());
  return std::move(k).value();
}

TEST(Hpke, RoundTripsEverySuiteAndMode) {
  for (KemId kem : {KemId::kX25519HkdfSha256, KemId::kP256HkdfSha256, KemId::kP521HkdfSha512}) {
    for (KdfId kdf : {KdfId::kHkdfSha256, KdfId::kHkdfSha384, KdfId::kHkdfSha512}) {
      for (AeadId aead : {AeadId::kAes128Gcm, AeadId::kAes256Gcm, AeadId::kChaCha20Poly1305}) {
        const Suite suite{kem, kdf, aead};
        SCOPED_TRACE(static_cast<int>(kem) * 1000 + static_cast<int>(kdf) * 10 +
                     static_cast<int>(aead));
        PrivateKey skR = MustGenerate(kem);
        PrivateKey skS = MustGenerate(kem);
        PublicKey pkR = skR.public_key();
        PublicKey pkS = skS.public_key();
        Result<Sealed> base = SealBase(suite, pkR, kInfo, kAad, kMessage);
        Result<Sealed> psk = SealPSK(suite, pkR, kInfo, kAad, kMessage, kPsk, kPskId);
        Result<Sealed> auth = SealAuth(suite, pkR, kInfo, kAad, kMessage, skS);
        Result<Sealed> auth_psk = SealAuthPSK(suite, pkR, kInfo, kAad, kMessage, kPsk, kPskId, skS);
        ASSERT_TRUE(base.ok() && psk.ok() && auth.ok() && auth_psk.ok());
        EXPECT_EQ(base->enc.size(), EncSize(kem));
        EXPECT_EQ(base->ciphertext.size(), kMessage.size() + AeadTagSize(aead));
        Result<Sealed> split = SplitSealed(suite, base->Concatenated());
        ASSERT_TRUE(split.ok());
        EXPECT_EQ(*OpenBase(suite, split->enc, skR, kInfo, kAad, split->ciphertext), kMessage);
        EXPECT_EQ(*OpenPSK(suite, psk->enc, skR, kInfo, kAad, psk->ciphertext, kPsk, kPskId),
                  kMessage);
        EXPECT_EQ(*OpenAuth(suite, auth->enc, skR, kInfo, kAad, auth->ciphertext, pkS), kMessage);
        EXPECT_EQ(*OpenAuthPSK(suite, auth_psk->enc, skR, kInfo, kAad, auth_psk->ciphertext, kPsk,
                               kPskId, pkS),
                  kMessage);
        // Modes do not open each other's messages.
        EXPECT_FALSE(OpenBase(suite, psk->enc, skR, kInfo, kAad, psk->ciphertext).ok());
      }
    }
  }
}

TEST(Hpke, SingleShotExportAgrees) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Result<SentExport> sent = SendExportBase(kX25519Aes, skR.public_key(), kInfo, AsBytes("ctx"), 48);
  ASSERT_TRUE(sent.ok());
  Result<SecretBytes> received =
      ReceiveExportBase(kX25519Aes, sent->enc, skR, kInfo, AsBytes("ctx"), 48);
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(HexOf(sent->secret.Expose()), HexOf(received->Expose()));
  EXPECT_EQ(received->size(), 48u);
}

TEST(Hpke, ContextsAreMovable) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Result<SenderSetup> setup = SetupBaseS(kX25519Aes, skR.public_key(), kInfo);
  ASSERT_TRUE(setup.ok());
  SenderContext moved = std::move(setup->context);
  Result<Bytes> ct = moved.Seal(kAad, kMessage);
  ASSERT_TRUE(ct.ok());
  Result<RecipientContext> r = SetupBaseR(kX25519Aes, setup->enc, skR, kInfo);
  ASSERT_TRUE(r.ok());
  RecipientContext r2 = std::move(*r);
  EXPECT_EQ(*r2.Open(kAad, *ct), kMessage);
  EXPECT_EQ(r2.sequence_number(), 1u);
}

// --- Rejections --------------------------------------------------------------------------------

struct Fixture {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Sealed sealed = *SealBase(kX25519Aes, skR.public_key(), kInfo, kAad, kMessage);
};

ErrorCode OpenCode(const Suite& suite, ByteSpan enc, const PrivateKey& skR, ByteSpan info,
                   ByteSpan aad, ByteSpan ct) {
  Result<Bytes> pt = OpenBase(suite, enc, skR, info, aad, ct);
  EXPECT_FALSE(pt.ok());
  return pt.ok() ? ErrorCode::kInternal : pt.error().code;
}

TEST(Hpke, WrongRecipientKeyFailsVerification) {
  Fixture f;
  PrivateKey other = MustGenerate(KemId::kX25519HkdfSha256);
  EXPECT_EQ(OpenCode(kX25519Aes, f.sealed.enc, other, kInfo, kAad, f.sealed.ciphertext),
            ErrorCode::kVerificationFailed);
}

TEST(Hpke, TamperedEncCiphertextAadOrInfoFailVerification) {
  Fixture f;
  Bytes enc = f.sealed.enc;
  enc[7] ^= 0x01;
  EXPECT_EQ(OpenCode(kX25519Aes, enc, f.skR, kInfo, kAad, f.sealed.ciphertext),
            ErrorCode::kVerificationFailed);
  for (size_t i = 0; i < f.sealed.ciphertext.size(); ++i) {
    Bytes ct = f.sealed.ciphertext;
    ct[i] ^= 0x80;
    EXPECT_EQ(OpenCode(kX25519Aes, f.sealed.enc, f.skR, kInfo, kAad, ct),
              ErrorCode::kVerificationFailed)
        << "byte " << i;
  }
  EXPECT_EQ(OpenCode(kX25519Aes, f.sealed.enc, f.skR, kInfo, AsBytes("aae"), f.sealed.ciphertext),
            ErrorCode::kVerificationFailed);
  EXPECT_EQ(OpenCode(kX25519Aes, f.sealed.enc, f.skR, AsBytes("infx"), kAad, f.sealed.ciphertext),
            ErrorCode::kVerificationFailed);
  const ByteSpan truncated = ByteSpan(f.sealed.ciphertext).first(kAeadTagSize - 1);
  EXPECT_EQ(OpenCode(kX25519Aes, f.sealed.enc, f.skR, kInfo, kAad, truncated),
            ErrorCode::kVerificationFailed);
}

TEST(Hpke, OutOfOrderMessageFailsAndDoesNotAdvance) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Result<SenderSetup> s = SetupBaseS(kX25519Aes, skR.public_key(), kInfo);
  ASSERT_TRUE(s.ok());
  Bytes ct0 = *s->context.Seal(kAad, kMessage);
  Bytes ct1 = *s->context.Seal(kAad, kMessage);
  Result<RecipientContext> r = SetupBaseR(kX25519Aes, s->enc, skR, kInfo);
  ASSERT_TRUE(r.ok());
  Result<Bytes> early = r->Open(kAad, ct1);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kVerificationFailed);
  EXPECT_EQ(r->sequence_number(), 0u);
  EXPECT_TRUE(r->Open(kAad, ct0).ok());
  EXPECT_TRUE(r->Open(kAad, ct1).ok());
}

TEST(Hpke, PskInBaseModeIsInvalidArgument) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Result<SenderSetup> s = internal::SetupS(kX25519Aes, skR.public_key(), kInfo,
                                           {.mode = Mode::kBase, .psk = kPsk, .psk_id = kPskId});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  const Bytes ss(32, 1);
  Result<internal::KeyScheduleValues> ks =
      internal::KeySchedule(kX25519Aes, Mode::kAuth, ss, kInfo, kPsk, kPskId);
  ASSERT_FALSE(ks.ok());
  EXPECT_EQ(ks.error().code, ErrorCode::kInvalidArgument);
}

TEST(Hpke, MissingOrInconsistentPskIsInvalidArgument) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  PrivateKey skS = MustGenerate(KemId::kX25519HkdfSha256);
  const PublicKey pkR = skR.public_key();
  auto code = [](const Result<SenderSetup>& r) {
    return r.ok() ? ErrorCode::kInternal : r.error().code;
  };
  EXPECT_EQ(code(SetupPSKS(kX25519Aes, pkR, kInfo, {}, {})), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(SetupAuthPSKS(kX25519Aes, pkR, kInfo, {}, {}, skS)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(SetupPSKS(kX25519Aes, pkR, kInfo, kPsk, {})), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(SetupPSKS(kX25519Aes, pkR, kInfo, {}, kPskId)), ErrorCode::kInvalidArgument);
  const Bytes short_psk(31, 7);
  EXPECT_EQ(code(SetupPSKS(kX25519Aes, pkR, kInfo, short_psk, kPskId)),
            ErrorCode::kInvalidArgument);
  Fixture f;
  Result<RecipientContext> r = SetupPSKR(kX25519Aes, f.sealed.enc, f.skR, kInfo, {}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Hpke, ExportLengthAboveLimitIsInvalidArgument) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Result<SenderSetup> s = SetupBaseS(kX25519Aes, skR.public_key(), kInfo);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->context.Export({}, 255 * 32).ok());
  Result<SecretBytes> too_long = s->context.Export({}, 255 * 32 + 1);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
}

TEST(Hpke, ExportOnlySuiteRefusesSealAndOpen) {
  const Suite suite{KemId::kX25519HkdfSha256, KdfId::kHkdfSha256, AeadId::kExportOnly};
  PrivateKey skR = MustGenerate(suite.kem);
  Result<SenderSetup> s = SetupBaseS(suite, skR.public_key(), kInfo);
  ASSERT_TRUE(s.ok());
  Result<Bytes> ct = s->context.Seal(kAad, kMessage);
  ASSERT_FALSE(ct.ok());
  EXPECT_EQ(ct.error().code, ErrorCode::kInvalidArgument);
  Result<RecipientContext> r = SetupBaseR(suite, s->enc, skR, kInfo);
  ASSERT_TRUE(r.ok());
  Result<Bytes> pt = r->Open(kAad, Bytes(32, 0));
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(HexOf(s->context.Export(AsBytes("x"), 32)->Expose()),
            HexOf(r->Export(AsBytes("x"), 32)->Expose()));
  Result<Sealed> one_shot = SealBase(suite, skR.public_key(), kInfo, kAad, kMessage);
  ASSERT_FALSE(one_shot.ok());
  EXPECT_EQ(one_shot.error().code, ErrorCode::kInvalidArgument);
}

TEST(Hpke, X25519LowOrderEncIsRejected) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Bytes zero(32, 0);  // u = 0: the order-2 point; X25519 gives all zeros (RFC 7748 §6.1)
  Bytes one(32, 0);
  one[0] = 1;  // u = 1 (little-endian): order 4, also all-zero output
  for (const Bytes& enc : {zero, one}) {
    Result<RecipientContext> r = SetupBaseR(kX25519Aes, enc, skR, kInfo);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
  }
  // The sender side refuses a low-order recipient key the same way.
  Result<PublicKey> bad_pk = PublicKey::FromRaw(KeyType::kX25519, zero);
  ASSERT_TRUE(bad_pk.ok());
  Result<SenderSetup> s = SetupBaseS(kX25519Aes, *bad_pk, kInfo);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kVerificationFailed);
}

TEST(Hpke, P256EncOffCurveOrWrongSizeIsMalformed) {
  PrivateKey skR = MustGenerate(KemId::kP256HkdfSha256);
  Result<Sealed> sealed = SealBase(kP256Aes, skR.public_key(), kInfo, kAad, kMessage);
  ASSERT_TRUE(sealed.ok());
  ASSERT_EQ(sealed->enc.size(), 65u);
  Bytes off_curve = sealed->enc;
  off_curve[64] ^= 0x01;  // y changed: (x, y') is not on the curve
  Bytes hybrid = sealed->enc;
  hybrid[0] = static_cast<uint8_t>(0x06 | (sealed->enc[64] & 1));  // valid hybrid encoding
  const Bytes too_short(sealed->enc.begin(), sealed->enc.end() - 1);
  const Bytes compressed = [&] {
    Bytes c(sealed->enc.begin(), sealed->enc.begin() + 33);
    c[0] = static_cast<uint8_t>(0x02 | (sealed->enc[64] & 1));
    return c;
  }();
  for (const Bytes& enc : {off_curve, hybrid, too_short, compressed, Bytes(65, 0)}) {
    EXPECT_EQ(OpenCode(kP256Aes, enc, skR, kInfo, kAad, sealed->ciphertext), ErrorCode::kMalformed)
        << HexOf(enc);
  }
  EXPECT_EQ(*OpenBase(kP256Aes, sealed->enc, skR, kInfo, kAad, sealed->ciphertext), kMessage);
}

TEST(Hpke, SequenceNumberOverflowIsRefused) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Result<SenderSetup> s = SetupBaseS(kX25519Aes, skR.public_key(), kInfo);
  ASSERT_TRUE(s.ok());
  Result<RecipientContext> r = SetupBaseR(kX25519Aes, s->enc, skR, kInfo);
  ASSERT_TRUE(r.ok());
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  internal::SetSequenceNumberForTesting(s->context, kMax - 1);
  internal::SetSequenceNumberForTesting(*r, kMax - 1);
  Result<Bytes> last = s->context.Seal(kAad, kMessage);  // the last usable seq, 2^64 - 2
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*r->Open(kAad, *last), kMessage);
  EXPECT_EQ(s->context.sequence_number(), kMax);
  Result<Bytes> over = s->context.Seal(kAad, kMessage);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s->context.sequence_number(), kMax);
  Result<Bytes> over_open = r->Open(kAad, *last);
  ASSERT_FALSE(over_open.ok());
  EXPECT_EQ(over_open.error().code, ErrorCode::kInvalidArgument);
}

TEST(Hpke, KeyOfWrongTypeIsInvalidArgument) {
  PrivateKey p256 = MustGenerate(KemId::kP256HkdfSha256);
  Result<SenderSetup> s = SetupBaseS(kX25519Aes, p256.public_key(), kInfo);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  Fixture f;
  EXPECT_EQ(OpenCode(kX25519Aes, f.sealed.enc, p256, kInfo, kAad, f.sealed.ciphertext),
            ErrorCode::kInvalidArgument);
}

TEST(Hpke, AuthWithWrongSenderKeyFailsVerification) {
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  PrivateKey skS = MustGenerate(KemId::kX25519HkdfSha256);
  PrivateKey impostor = MustGenerate(KemId::kX25519HkdfSha256);
  Result<Sealed> sealed = SealAuth(kX25519Aes, skR.public_key(), kInfo, kAad, kMessage, skS);
  ASSERT_TRUE(sealed.ok());
  Result<Bytes> pt = OpenAuth(kX25519Aes, sealed->enc, skR, kInfo, kAad, sealed->ciphertext,
                              impostor.public_key());
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.error().code, ErrorCode::kVerificationFailed);
}

TEST(Hpke, UnlistedIdsAreUnsupported) {
  EXPECT_EQ(SuiteFromIds(0x0011, 1, 1).error().code, ErrorCode::kUnsupported);  // P-384
  EXPECT_EQ(SuiteFromIds(0x0020, 4, 1).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(SuiteFromIds(0x0020, 1, 4).error().code, ErrorCode::kUnsupported);
  EXPECT_TRUE(SuiteFromIds(0x0012, 3, 0xFFFF).ok());
  const Suite cast{static_cast<KemId>(0x0021), KdfId::kHkdfSha256, AeadId::kAes128Gcm};
  PrivateKey skR = MustGenerate(KemId::kX25519HkdfSha256);
  Result<SenderSetup> s = SetupBaseS(cast, skR.public_key(), kInfo);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
}

TEST(Hpke, DeriveKeyPairRejectsShortIkmAndIsDeterministic) {
  Result<PrivateKey> k = DeriveKeyPair(KemId::kP521HkdfSha512, Bytes(65, 1));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code, ErrorCode::kInvalidArgument);
  const Bytes ikm(66, 9);
  EXPECT_EQ(PublicRaw(MustDerive(KemId::kP521HkdfSha512, ikm)),
            PublicRaw(MustDerive(KemId::kP521HkdfSha512, ikm)));
}

TEST(Hpke, SplitSealedRejectsShortInput) {
  Result<Sealed> s = SplitSealed(kX25519Aes, Bytes(32 + 15, 0));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kMalformed);
  Result<Sealed> ok = SplitSealed(kX25519Aes, Bytes(32 + 16, 0));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->enc.size(), 32u);
  EXPECT_EQ(ok->ciphertext.size(), 16u);
}

}  // namespace
}  // namespace confide::crypto::hpke
