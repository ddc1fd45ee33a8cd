#include "confide/crypto/selftest.h"

#include <string>
#include <string_view>
#include <vector>

#include "confide/base/hex.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/ecdh.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/hmac.h"
#include "confide/crypto/hpke.h"
#include "confide/crypto/internal/hpke_internal.h"
#include "confide/crypto/keys.h"

namespace confide::crypto {
namespace {

// Embedded vectors are trusted constants; a bad one is a bug, so decoding aborts on failure.
Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

// Each check returns "" when it passes, else what differed (never key material).
using SelfTestFn = std::string (*)();

std::string Expect(bool ok, const char* what) { return ok ? "" : what; }

std::string Sha2Kat() {  // FIPS 180-4 examples, "abc"
  ByteSpan abc = AsBytes("abc");
  if (Hash(HashAlg::kSha256, abc) !=
      H("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")) {
    return "SHA-256 digest differs";
  }
  if (Hash(HashAlg::kSha384, abc) !=
      H("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca1"
        "34c825a7")) {
    return "SHA-384 digest differs";
  }
  return Expect(Hash(HashAlg::kSha512, abc) ==
                    H("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274f"
                      "c1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
                "SHA-512 digest differs");
}

std::string HmacKat() {  // RFC 4231 §4.2, test case 1
  Bytes key(20, 0x0b);
  Bytes tag = Hmac(HashAlg::kSha256, key, AsBytes("Hi There"));
  return Expect(tag == H("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                "HMAC-SHA256 tag differs");
}

std::string HkdfKat() {  // RFC 5869 A.1
  Bytes ikm(22, 0x0b);
  auto okm = Hkdf(HashAlg::kSha256, H("000102030405060708090a0b0c"), ikm,
                  H("f0f1f2f3f4f5f6f7f8f9"), 42);
  if (!okm.ok()) return okm.error().ToString();
  Bytes expected = H("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b8"
                     "87185865");
  return Expect(Equal(okm->Expose(), expected), "HKDF-SHA256 output differs");
}

// Seals and opens one vector; checks ciphertext || tag.
std::string AeadKat(AeadAlg alg, std::string_view key, std::string_view nonce, std::string_view aad,
                    std::string_view pt, std::string_view ct_tag) {
  auto sealed = AeadSeal(alg, H(key), H(nonce), H(aad), H(pt));
  if (!sealed.ok()) return sealed.error().ToString();
  if (*sealed != H(ct_tag)) return "ciphertext or tag differs";
  auto opened = AeadOpen(alg, H(key), H(nonce), H(aad), *sealed);
  if (!opened.ok() || *opened != H(pt)) return "open did not return the plaintext";
  Bytes bad = *sealed;
  bad.back() ^= 1;
  return Expect(!AeadOpen(alg, H(key), H(nonce), H(aad), bad).ok(), "forged tag accepted");
}

constexpr std::string_view kGcmPt =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
    "b525b16aedf5aa0de657ba637b391aafd255";

std::string Aes128GcmKat() {  // McGrew-Viega GCM spec, test case 3
  return AeadKat(AeadAlg::kAes128Gcm, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
                 "", kGcmPt,
                 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f"
                 "6a5aac84aa051ba30b396a0aac973d58e091473f5985"
                 "4d5c2af327cd64a62cf35abd2ba6fab4");
}

std::string Aes256GcmKat() {  // McGrew-Viega GCM spec, test case 15
  return AeadKat(AeadAlg::kAes256Gcm,
                 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
                 "cafebabefacedbaddecaf888", "", kGcmPt,
                 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b0"
                 "8b1056828838c5f61e6393ba7a0abcc9f662898015ad"
                 "b094dac5d93471bdec1a502270e3cc6c");
}

std::string ChaChaKat() {  // RFC 8439 §2.8.2
  return AeadKat(
      AeadAlg::kChaCha20Poly1305, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
      "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
      "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a20496620"
      "4920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572"
      "652c2073756e73637265656e20776f756c642062652069742e",
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da"
      "92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad6759455"
      "85808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
      "1ae10b594f09e26a7e902ecbd0600691");
}

std::string EcdsaP256Kat() {  // Wycheproof ecdsa_secp256r1_sha256 tcId 1, then sign/verify
  auto pub = PublicKey::FromDer(H(
      "3059301306072a8648ce3d020106082a8648ce3d0301070342000404aaec73635726f213fb8a9e64da3b8632e414"
      "95a944d0045b522eba7240fad587d9315798aaa3a5ba01775787ced05eaaf7b4e09fc81d6d1aa546e8365d525d"));
  if (!pub.ok()) return pub.error().ToString();
  Bytes sig = H("3045022100b292a619339f6e567a305c951c0dcbcc42d16e47f219f9e98e76e09d8770b34a02200177"
                "e60492c5a8242f76f07bfe3661bde59ec2a17ce5bd2dab2abebdf89a62e2");
  if (!EcdsaVerify(*pub, HashAlg::kSha256, {}, sig, SigFormat::kDer)) return "known signature rejected";
  sig.back() ^= 1;
  if (EcdsaVerify(*pub, HashAlg::kSha256, {}, sig, SigFormat::kDer)) return "bad signature accepted";
  auto key = PrivateKey::Generate(KeyType::kP384);
  if (!key.ok()) return key.error().ToString();
  auto fresh = EcdsaSign(*key, HashAlg::kSha384, AsBytes("confide"), SigFormat::kRawLittleEndian, 72);
  if (!fresh.ok()) return fresh.error().ToString();
  return Expect(EcdsaVerify(key->public_key(), HashAlg::kSha384, AsBytes("confide"), *fresh,
                            SigFormat::kRawLittleEndian, 72),
                "P-384 sign/verify round trip failed");
}

std::string X25519Kat() {  // RFC 7748 §6.1
  auto alice = PrivateKey::FromRaw(
      KeyType::kX25519, H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = PublicKey::FromRaw(
      KeyType::kX25519, H("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  if (!alice.ok() || !bob.ok()) return "cannot load keys";
  auto shared = Ecdh(*alice, *bob);
  if (!shared.ok()) return shared.error().ToString();
  return Expect(Equal(shared->Expose(),
                      H("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")),
                "X25519 shared secret differs");
}

std::string EcdhP256Kat() {  // Wycheproof ecdh_secp256r1 tcId 1
  auto own = PrivateKey::FromRaw(
      KeyType::kP256, H("0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346"));
  auto peer = PublicKey::FromDer(H(
      "3059301306072a8648ce3d020106082a8648ce3d0301070342000462d5bd3372af75fe85a040715d0f502428e0"
      "7046868b0bfdfa61d731afe44f26ac333a93a9e70a81cd5a95b5bf8d13990eb741c8c38872b4a07d275a014e30"
      "cf"));
  if (!own.ok() || !peer.ok()) return "cannot load keys";
  auto shared = Ecdh(*own, *peer);
  if (!shared.ok()) return shared.error().ToString();
  return Expect(Equal(shared->Expose(),
                      H("53020d908b0219328b658b525f26780e3ae12bcd952bb25a93bc0895e1714285")),
                "P-256 shared secret differs");
}

std::string HpkeKat() {  // RFC 9180 A.1.1: base, X25519, HKDF-SHA256, AES-128-GCM; seq 0
  namespace hpke = confide::crypto::hpke;
  const hpke::Suite suite{hpke::KemId::kX25519HkdfSha256, hpke::KdfId::kHkdfSha256,
                          hpke::AeadId::kAes128Gcm};
  auto skE = hpke::DeriveKeyPair(
      suite.kem, H("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234"));
  auto skR = hpke::DeriveKeyPair(
      suite.kem, H("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037"));
  if (!skE.ok() || !skR.ok()) return "DeriveKeyPair failed";
  const Bytes info = H("4f6465206f6e2061204772656369616e2055726e");
  const Bytes pt = H("4265617574792069732074727574682c20747275746820626561757479");
  const Bytes aad = H("436f756e742d30");
  // The vector's published ephemeral key is injected: a known answer, never a live key.
  auto sender = hpke::internal::SetupS(suite, skR->public_key(), info,
                                       {.mode = hpke::Mode::kBase, .ephemeral_insecure = &*skE});
  if (!sender.ok()) return sender.error().ToString();
  if (sender->enc != H("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431")) {
    return "HPKE enc differs";
  }
  auto ct = sender->context.Seal(aad, pt);
  if (!ct.ok() || *ct != H("f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d87"
                           "70ac83d07bea87e13c512a")) {
    return "HPKE ciphertext differs";
  }
  auto recipient = hpke::SetupBaseR(suite, sender->enc, *skR, info);
  if (!recipient.ok()) return recipient.error().ToString();
  auto opened = recipient->Open(aad, *ct);
  if (!opened.ok() || *opened != pt) return "HPKE open did not return the plaintext";
  auto exported = recipient->Export({}, 32);
  const Bytes expected = H("3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee");
  return Expect(exported.ok() && Equal(exported->Expose(), expected),
                "HPKE exported secret differs");
}

struct SelfTest {
  const char* name;
  SelfTestFn run;
};

// The registry. To add a self-test (e.g. HPKE, RFC 9180 Appendix A), append one line here with a
// function that returns "" on success; keep vectors embedded, never read from disk.
const SelfTest kSelfTests[] = {
    {"SHA-256/384/512 (FIPS 180-4 KAT)", Sha2Kat},
    {"HMAC-SHA256 (RFC 4231 KAT)", HmacKat},
    {"HKDF-SHA256 (RFC 5869 KAT)", HkdfKat},
    {"AES-128-GCM (GCM spec KAT)", Aes128GcmKat},
    {"AES-256-GCM (GCM spec KAT)", Aes256GcmKat},
    {"ChaCha20-Poly1305 (RFC 8439 KAT)", ChaChaKat},
    {"ECDSA P-256 verify + P-384 sign/verify", EcdsaP256Kat},
    {"X25519 (RFC 7748 KAT)", X25519Kat},
    {"ECDH P-256 (Wycheproof KAT)", EcdhP256Kat},
    {"HPKE base X25519/HKDF-SHA256/AES-128-GCM (RFC 9180 A.1.1 KAT)", HpkeKat},
};

}  // namespace

std::vector<SelfTestResult> RunSelfTests() {
  std::vector<SelfTestResult> results;
  for (const SelfTest& t : kSelfTests) {
    std::string detail = t.run();
    results.push_back({t.name, detail.empty(), detail});
  }
  return results;
}

}  // namespace confide::crypto
