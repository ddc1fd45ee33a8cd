#include "confide/attest/binding.h"

#include <algorithm>

#include "confide/attest/internal/det_cbor.h"
#include "confide/base/check.h"
#include "confide/base/hex.h"
#include "confide/crypto/constant_time.h"
#include "confide/crypto/hash.h"

namespace confide::attest {
namespace {

using internal::Head;
using internal::kMajorArray;
using internal::kMajorBytes;
using internal::kMajorMap;
using internal::kMajorText;
using internal::kMajorUint;

constexpr std::string_view kPubkeyHashKey = "pubkey-hash";
constexpr std::string_view kHpkePubKey = "hpke-pub";
constexpr std::string_view kNonceKey = "nonce";
constexpr std::string_view kWorkloadKey = "workload";
constexpr int kMaxDepth = 16;

bool IsKnownKey(std::string_view key) {
  return key == kPubkeyHashKey || key == kHpkePubKey || key == kNonceKey || key == kWorkloadKey;
}

// Digest size for a named-information alg id, or nullopt if unsupported.
std::optional<crypto::HashAlg> HashAlgFor(uint64_t alg) {
  switch (alg) {
    case kHashAlgSha256:
      return crypto::HashAlg::kSha256;
    case kHashAlgSha384:
      return crypto::HashAlg::kSha384;
    case kHashAlgSha512:
      return crypto::HashAlg::kSha512;
    default:
      return std::nullopt;
  }
}

Bytes EncodedKey(std::string_view key) {
  ByteWriter w;
  internal::WriteTextString(w, key);
  return std::move(w).Take();
}

Result<HashEntry> DecodeHashEntry(ByteReader& r) {
  const std::string where = "binding claims: pubkey-hash at offset " + std::to_string(r.offset());
  CONFIDE_ASSIGN_OR_RETURN(Head head, internal::ReadHead(r));
  if (head.major != kMajorArray || head.argument != 2) {
    return MalformedError(where + ": not a 2-element array");
  }
  CONFIDE_ASSIGN_OR_RETURN(Head alg, internal::ReadHead(r));
  if (alg.major != kMajorUint) return MalformedError(where + ": alg is not an unsigned integer");
  CONFIDE_ASSIGN_OR_RETURN(ByteSpan digest, internal::ReadString(r, kMajorBytes));
  std::optional<crypto::HashAlg> hash = HashAlgFor(alg.argument);
  if (!hash) return UnsupportedError(where + ": hash alg " + std::to_string(alg.argument));
  if (digest.size() != crypto::DigestSize(*hash)) {
    return UnsupportedError(where + ": digest size " + std::to_string(digest.size()) +
                            " does not match alg " + std::to_string(alg.argument));
  }
  return HashEntry{alg.argument, Bytes(digest.begin(), digest.end())};
}

// Decodes the value of one known key into `claims`.
Status DecodeKnown(std::string_view key, ByteReader& r, BindingClaims& claims) {
  if (key == kPubkeyHashKey) {
    CONFIDE_ASSIGN_OR_RETURN(claims.pubkey_hash, DecodeHashEntry(r));
    return OkStatus();
  }
  const size_t offset = r.offset();
  CONFIDE_ASSIGN_OR_RETURN(ByteSpan value, internal::ReadString(r, kMajorBytes));
  if (key == kWorkloadKey) {
    if (value.size() != 32) {
      return MalformedError("binding claims: workload at offset " + std::to_string(offset) +
                            " is " + std::to_string(value.size()) + " bytes, not 32");
    }
    std::array<uint8_t, 32> workload;
    std::copy(value.begin(), value.end(), workload.begin());
    claims.workload = workload;
  } else if (key == kHpkePubKey) {
    claims.hpke_pub = Bytes(value.begin(), value.end());
  } else {
    claims.nonce = Bytes(value.begin(), value.end());
  }
  return OkStatus();
}

Check CheckPubkeyHash(const BindingClaims& c, const BindingExpectations& expect) {
  if (!expect.tls_spki_der)
    return PassCheck("binding_pubkey_hash", "not checked: no TLS key given");
  if (!c.pubkey_hash) {
    return FailCheck("binding_pubkey_hash", ReasonCode::kKeyBindingMismatch,
                     "claims have no pubkey-hash but the connection has a TLS key");
  }
  // DecodeBindingClaims admits only algs HashAlgFor knows.
  const Bytes want = crypto::Hash(*HashAlgFor(c.pubkey_hash->alg), *expect.tls_spki_der);
  if (crypto::ConstantTimeEqual(want, c.pubkey_hash->digest)) {
    return PassCheck("binding_pubkey_hash", "pubkey-hash matches the TLS key");
  }
  return FailCheck("binding_pubkey_hash", ReasonCode::kKeyBindingMismatch,
                   "pubkey-hash " + HexEncode(c.pubkey_hash->digest) +
                       " is not the hash of this connection's TLS key " + HexEncode(want));
}

Check CheckNonce(const BindingClaims& c, const BindingExpectations& expect) {
  if (!expect.nonce) return PassCheck("binding_nonce", "not checked: no nonce sent");
  if (!c.nonce) {
    return FailCheck("binding_nonce", ReasonCode::kNonceMismatch,
                     "claims have no nonce but one was sent");
  }
  if (!crypto::ConstantTimeEqual(*c.nonce, *expect.nonce)) {
    return FailCheck("binding_nonce", ReasonCode::kNonceMismatch,
                     "nonce " + HexEncode(*c.nonce) + " is not the nonce sent");
  }
  return PassCheck("binding_nonce", "nonce matches the one sent");
}

Check CheckHpkePub(const BindingClaims& c, const BindingExpectations& expect) {
  if (!expect.hpke_pub) return PassCheck("binding_hpke_pub", "not checked: no HPKE key given");
  if (!c.hpke_pub) {
    return FailCheck("binding_hpke_pub", ReasonCode::kKeyBindingMismatch,
                     "claims have no hpke-pub");
  }
  if (!crypto::ConstantTimeEqual(*c.hpke_pub, *expect.hpke_pub)) {
    return FailCheck("binding_hpke_pub", ReasonCode::kKeyBindingMismatch,
                     "hpke-pub " + HexEncode(*c.hpke_pub) + " is not the expected HPKE key");
  }
  return PassCheck("binding_hpke_pub", "hpke-pub matches");
}

Check CheckWorkload(const BindingClaims& c, const BindingExpectations& expect) {
  if (expect.workloads.empty()) {
    return PassCheck("binding_workload", "not checked: any workload accepted");
  }
  if (!c.workload) {
    return FailCheck("binding_workload", ReasonCode::kKeyBindingMismatch,
                     "claims have no workload");
  }
  if (std::find(expect.workloads.begin(), expect.workloads.end(), *c.workload) ==
      expect.workloads.end()) {
    return FailCheck("binding_workload", ReasonCode::kKeyBindingMismatch,
                     "workload " + HexEncode(*c.workload) + " is not an accepted workload");
  }
  return PassCheck("binding_workload", "workload " + HexEncode(*c.workload));
}

}  // namespace

HashEntry PubkeyHashOf(ByteSpan spki_der) {
  crypto::Sha256Digest d = crypto::Sha256(spki_der);
  return HashEntry{kHashAlgSha256, Bytes(d.begin(), d.end())};
}

Bytes EncodeBindingClaims(const BindingClaims& claims) {
  std::vector<std::pair<Bytes, Bytes>> entries;  // (encoded key, encoded value)
  auto add_bytes = [&](std::string_view key, ByteSpan value) {
    ByteWriter w;
    internal::WriteByteString(w, value);
    entries.emplace_back(EncodedKey(key), std::move(w).Take());
  };
  if (claims.pubkey_hash) {
    ByteWriter w;
    internal::WriteHead(w, kMajorArray, 2);
    internal::WriteHead(w, kMajorUint, claims.pubkey_hash->alg);
    internal::WriteByteString(w, claims.pubkey_hash->digest);
    entries.emplace_back(EncodedKey(kPubkeyHashKey), std::move(w).Take());
  }
  if (claims.hpke_pub) add_bytes(kHpkePubKey, *claims.hpke_pub);
  if (claims.nonce) add_bytes(kNonceKey, *claims.nonce);
  if (claims.workload) add_bytes(kWorkloadKey, *claims.workload);
  for (const auto& [key, value] : claims.unknown) {
    CONFIDE_CHECK(!IsKnownKey(key));
    entries.emplace_back(EncodedKey(key), value);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return internal::CompareEncoded(a.first, b.first) < 0;
  });
  ByteWriter w;
  internal::WriteHead(w, kMajorMap, entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    CONFIDE_CHECK(i == 0 || internal::CompareEncoded(entries[i - 1].first, entries[i].first) != 0);
    w.WriteBytes(entries[i].first);
    w.WriteBytes(entries[i].second);
  }
  return std::move(w).Take();
}

Result<BindingClaims> DecodeBindingClaims(ByteSpan cbor) {
  ByteReader r(cbor);
  CONFIDE_ASSIGN_OR_RETURN(Head map, internal::ReadHead(r));
  if (map.major != kMajorMap) return MalformedError("binding claims: not a CBOR map");
  // Each entry takes at least 2 bytes: reject absurd counts before looping.
  if (map.argument > r.remaining() / 2)
    return MalformedError("binding claims: map count too large");
  BindingClaims claims;
  ByteSpan previous_key;
  for (uint64_t i = 0; i < map.argument; ++i) {
    const size_t key_offset = r.offset();
    ByteReader key_reader = r;
    CONFIDE_ASSIGN_OR_RETURN(ByteSpan encoded_key, internal::ReadItem(key_reader, 0));
    CONFIDE_ASSIGN_OR_RETURN(ByteSpan key_text, internal::ReadString(r, kMajorText));
    if (i > 0) {
      int order = internal::CompareEncoded(previous_key, encoded_key);
      if (order == 0) {
        return MalformedError("binding claims: duplicate key at offset " +
                              std::to_string(key_offset));
      }
      if (order > 0) {
        return MalformedError("binding claims: key at offset " + std::to_string(key_offset) +
                              " out of deterministic order");
      }
    }
    previous_key = encoded_key;
    const std::string key(key_text.begin(), key_text.end());
    if (IsKnownKey(key)) {
      CONFIDE_TRY(DecodeKnown(key, r, claims));
    } else {
      CONFIDE_ASSIGN_OR_RETURN(ByteSpan value, internal::ReadItem(r, kMaxDepth));
      claims.unknown.emplace_back(key, Bytes(value.begin(), value.end()));
    }
  }
  if (!r.empty()) {
    return MalformedError("binding claims: trailing bytes at offset " + std::to_string(r.offset()));
  }
  return claims;
}

std::array<uint8_t, 64> ReportDataFor(ByteSpan claims_cbor) {
  std::array<uint8_t, 64> out{};
  crypto::Sha256Digest d = crypto::Sha256(claims_cbor);
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

std::vector<Check> CheckBinding(ByteSpan claims_cbor, ByteSpan report_data,
                                const BindingExpectations& expect) {
  std::vector<Check> checks;
  if (!crypto::ConstantTimeEqual(ReportDataFor(claims_cbor), report_data)) {
    checks.push_back(FailCheck("binding_report_data", ReasonCode::kKeyBindingMismatch,
                               "report_data is not SHA-256(claims) || 32 zero bytes"));
    return checks;
  }
  checks.push_back(PassCheck("binding_report_data", "report_data = SHA-256(claims) || 0^32"));
  Result<BindingClaims> decoded = DecodeBindingClaims(claims_cbor);
  if (!decoded.ok()) {
    checks.push_back(FailCheck("binding_claims", ReasonCode::kKeyBindingMismatch,
                               "claims do not decode: " + decoded.error().message));
    return checks;
  }
  checks.push_back(PassCheck("binding_claims", "claims are deterministic CBOR"));
  checks.push_back(CheckPubkeyHash(*decoded, expect));
  checks.push_back(CheckNonce(*decoded, expect));
  checks.push_back(CheckHpkePub(*decoded, expect));
  checks.push_back(CheckWorkload(*decoded, expect));
  return checks;
}

}  // namespace confide::attest
