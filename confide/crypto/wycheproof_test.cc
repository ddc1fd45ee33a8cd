// Runs every Wycheproof file in ${CONFIDE_SHARED_DIR}/vectors/wycheproof (README.md there) through
// the public crypto API. Each test's outcome is "accepted" (the operation succeeded) and "correct"
// (the output equals the vector's). Rules: `valid` must be accepted and correct; `invalid` must be
// rejected; `acceptable` must follow the choice documented per file below, and if accepted must be
// correct. Every file's totals must add up to its numberOfTests.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/ecdh.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hmac.h"
#include "confide/crypto/keys.h"

namespace confide::crypto {
namespace {

using nlohmann::json;

struct Outcome {
  bool accepted = false;
  bool correct = false;
};

// For an `acceptable` test: true = we accept it, false = we reject it.
using AcceptablePolicy = std::function<bool(const std::set<std::string>& flags)>;
using RunOne = std::function<Outcome(const json& group, const json& test)>;

Bytes Hex(const json& v) {
  auto b = HexDecode(v.get<std::string>());
  EXPECT_TRUE(b.ok()) << "bad hex in vector";
  return b.ok() ? *b : Bytes{};
}

HashAlg ShaByName(const std::string& name) {
  if (name == "SHA-256") return HashAlg::kSha256;
  if (name == "SHA-384") return HashAlg::kSha384;
  EXPECT_EQ(name, "SHA-512");
  return HashAlg::kSha512;
}

// Runs every test of `file`, checks each against the rules above and prints the counts.
void RunFile(const std::string& file, const RunOne& run, const AcceptablePolicy& policy) {
  Bytes text = testing::ReadSharedFile("vectors/wycheproof/" + file);
  ASSERT_FALSE(text.empty());
  json doc = json::parse(text.begin(), text.end());
  int valid_ok = 0, invalid_rejected = 0, acceptable_accepted = 0, acceptable_rejected = 0;
  int failures = 0;
  for (const json& group : doc["testGroups"]) {
    for (const json& test : group["tests"]) {
      const std::string result = test["result"];
      std::set<std::string> flags(test["flags"].begin(), test["flags"].end());
      Outcome o = run(group, test);
      bool ok = false;
      if (result == "valid") {
        ok = o.accepted && o.correct;
        valid_ok += ok;
      } else if (result == "invalid") {
        ok = !o.accepted;
        invalid_rejected += ok;
      } else {
        bool want = policy(flags);
        ok = o.accepted == want && (!o.accepted || o.correct);
        if (ok) (o.accepted ? acceptable_accepted : acceptable_rejected)++;
      }
      if (!ok) {
        ++failures;
        ADD_FAILURE() << file << " tcId " << test["tcId"] << " (" << result << ", "
                      << test["comment"] << "): accepted=" << o.accepted
                      << " correct=" << o.correct;
      }
    }
  }
  int total = doc["numberOfTests"];
  std::cout << file << ": " << total << " tests: " << valid_ok << " valid ok, " << invalid_rejected
            << " invalid rejected, " << acceptable_accepted + acceptable_rejected
            << " acceptable (" << acceptable_accepted << " accepted, " << acceptable_rejected
            << " rejected), " << failures << " failures\n";
  ::testing::Test::RecordProperty("tests", total);
  ::testing::Test::RecordProperty("failures", failures);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(valid_ok + invalid_rejected + acceptable_accepted + acceptable_rejected, total);
}

bool NoAcceptable(const std::set<std::string>&) {
  ADD_FAILURE() << "this file was not expected to have acceptable tests";
  return false;
}

// ---- AEAD (aead_test_schema_v1) ----

Outcome RunAead(bool chacha, const json& group, const json& t) {
  AeadAlg alg = chacha                     ? AeadAlg::kChaCha20Poly1305
                : group["keySize"] == 128  ? AeadAlg::kAes128Gcm
                : group["keySize"] == 192  ? AeadAlg::kAes192Gcm
                                           : AeadAlg::kAes256Gcm;
  Bytes key = Hex(t["key"]), iv = Hex(t["iv"]), aad = Hex(t["aad"]), msg = Hex(t["msg"]);
  Bytes sealed = Concat({Hex(t["ct"]), Hex(t["tag"])});
  auto aead = Aead::Create(alg, key);
  if (!aead.ok()) return {};
  auto opened = aead->Open(iv, aad, sealed);
  auto resealed = aead->Seal(iv, aad, msg);
  Outcome o;
  o.accepted = opened.ok();
  o.correct = opened.ok() && *opened == msg && resealed.ok() && *resealed == sealed;
  return o;
}

TEST(WycheproofTest, AesGcm) {
  // No acceptable tests. IVs of 8..2056 bits are valid; 0-bit IVs invalid (SP 800-38D).
  RunFile("aes_gcm_test.json",
          [](const json& g, const json& t) { return RunAead(false, g, t); }, NoAcceptable);
}

TEST(WycheproofTest, ChaCha20Poly1305) {
  RunFile("chacha20_poly1305_test.json",
          [](const json& g, const json& t) { return RunAead(true, g, t); }, NoAcceptable);
}

// ---- ECDH P-256 with DER public keys (ecdh_test_schema_v1) ----

// The private scalar as exactly `size` big-endian bytes (Wycheproof writes ASN.1-style integers
// that may carry a leading zero byte).
Bytes Scalar(const json& v, size_t size) {
  Bytes b = Hex(v);
  while (b.size() > size && b.front() == 0) b.erase(b.begin());
  if (b.size() < size) b.insert(b.begin(), size - b.size(), 0);
  return b;
}

TEST(WycheproofTest, EcdhP256) {
  // Acceptable choices (OpenSSL 3.0 decoding, which we keep):
  //  - CompressedPublic / CompressedPoint: accepted. SEC1 compressed points decode to a validated
  //    point on P-256; nothing weaker than the uncompressed form.
  //  - UnnamedCurve + UnusedParam (explicit parameters equal to P-256's apart from unused
  //    fields, e.g. cofactor, seed): rejected. We only take named curves.
  //  - InvalidAsn (non-DER length or integer encodings in the SubjectPublicKeyInfo): rejected.
  auto policy = [](const std::set<std::string>& flags) {
    return flags.count("CompressedPublic") > 0;
  };
  RunFile("ecdh_secp256r1_test.json", [](const json&, const json& t) {
    Outcome o;
    auto peer = PublicKey::FromDer(Hex(t["public"]));
    auto own = PrivateKey::FromRaw(KeyType::kP256, Scalar(t["private"], 32));
    if (!peer.ok() || !own.ok()) return o;
    auto shared = Ecdh(*own, *peer);
    o.accepted = shared.ok();
    o.correct = shared.ok() && Equal(shared->Expose(), Hex(t["shared"]));
    return o;
  }, policy);
}

// ---- ECDSA verify, DER and P1363 (ecdsa_verify_schema_v1, ecdsa_p1363_verify_schema_v1) ----

RunOne EcdsaRunner(SigFormat format) {
  return [format](const json& group, const json& t) {
    Outcome o;
    auto key = PublicKey::FromDer(Hex(group["publicKeyDer"]));
    EXPECT_TRUE(key.ok()) << "group public key must load";
    if (!key.ok()) return o;
    o.accepted = EcdsaVerify(*key, ShaByName(group["sha"]), Hex(t["msg"]), Hex(t["sig"]), format);
    o.correct = true;  // a verification has no output beyond accept/reject
    return o;
  };
}

TEST(WycheproofTest, EcdsaP256Der) {
  RunFile("ecdsa_secp256r1_sha256_test.json", EcdsaRunner(SigFormat::kDer), NoAcceptable);
}
TEST(WycheproofTest, EcdsaP256P1363) {
  RunFile("ecdsa_secp256r1_sha256_p1363_test.json", EcdsaRunner(SigFormat::kRawBigEndian),
          NoAcceptable);
}
TEST(WycheproofTest, EcdsaP384Der) {
  RunFile("ecdsa_secp384r1_sha384_test.json", EcdsaRunner(SigFormat::kDer), NoAcceptable);
}
TEST(WycheproofTest, EcdsaP384P1363) {
  RunFile("ecdsa_secp384r1_sha384_p1363_test.json", EcdsaRunner(SigFormat::kRawBigEndian),
          NoAcceptable);
}

// ---- HKDF (hkdf_test_schema_v1) ----

RunOne HkdfRunner(HashAlg alg) {
  return [alg](const json&, const json& t) {
    Outcome o;
    auto okm = Hkdf(alg, Hex(t["salt"]), Hex(t["ikm"]), Hex(t["info"]), t["size"].get<size_t>());
    o.accepted = okm.ok();
    o.correct = okm.ok() && Equal(okm->Expose(), Hex(t["okm"]));
    return o;
  };
}

TEST(WycheproofTest, HkdfSha256) {
  RunFile("hkdf_sha256_test.json", HkdfRunner(HashAlg::kSha256), NoAcceptable);
}
TEST(WycheproofTest, HkdfSha384) {
  RunFile("hkdf_sha384_test.json", HkdfRunner(HashAlg::kSha384), NoAcceptable);
}

// ---- HMAC-SHA256 with full and truncated tags (mac_test_schema_v1) ----

TEST(WycheproofTest, HmacSha256) {
  RunFile("hmac_sha256_test.json", [](const json& group, const json& t) {
    Outcome o;
    size_t tag_size = group["tagSize"].get<size_t>() / 8;
    Bytes key = Hex(t["key"]), msg = Hex(t["msg"]), tag = Hex(t["tag"]);
    o.accepted = HmacVerify(HashAlg::kSha256, key, msg, tag, /*min_tag_size=*/tag_size) &&
                 tag.size() == tag_size;
    Bytes full = Hmac(HashAlg::kSha256, key, msg);
    o.correct = Equal(ByteSpan(full).first(std::min(tag_size, full.size())), tag);
    return o;
  }, NoAcceptable);
}

// ---- X25519 (xdh_comp_schema_v1) ----

TEST(WycheproofTest, X25519) {
  // Acceptable choices:
  //  - ZeroSharedSecret (low-order public points, with or without LowOrderPublic/SmallPublicKey/
  //    Twist/NonCanonicalPublic): rejected, as RFC 7748 §6.1 allows and RFC 9180 §7.1.4 requires.
  //  - Every other acceptable flag (Twist, NonCanonicalPublic, SpecialPublicKey, EdgeCase*, Ktv):
  //    accepted with the RFC 7748 result (the top bit of u is masked, non-canonical u reduced).
  auto policy = [](const std::set<std::string>& flags) {
    return flags.count("ZeroSharedSecret") == 0;
  };
  RunFile("x25519_test.json", [](const json&, const json& t) {
    Outcome o;
    auto peer = PublicKey::FromRaw(KeyType::kX25519, Hex(t["public"]));
    auto own = PrivateKey::FromRaw(KeyType::kX25519, Hex(t["private"]));
    if (!peer.ok() || !own.ok()) return o;
    auto shared = Ecdh(*own, *peer);
    o.accepted = shared.ok();
    o.correct = shared.ok() && Equal(shared->Expose(), Hex(t["shared"]));
    return o;
  }, policy);
}

// Guards against a vector file added to the folder without a runner above.
TEST(WycheproofTest, EveryFileHasARunner) {
  const std::set<std::string> covered = {
      "aes_gcm_test.json", "chacha20_poly1305_test.json", "ecdh_secp256r1_test.json",
      "ecdsa_secp256r1_sha256_test.json", "ecdsa_secp256r1_sha256_p1363_test.json",
      "ecdsa_secp384r1_sha384_test.json", "ecdsa_secp384r1_sha384_p1363_test.json",
      "hkdf_sha256_test.json", "hkdf_sha384_test.json", "hmac_sha256_test.json",
      "x25519_test.json"};
  std::string dir = testing::SharedPath("vectors/wycheproof");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".json") {
      EXPECT_TRUE(covered.count(name)) << name;
    }
  }
}

}  // namespace
}  // namespace confide::crypto
