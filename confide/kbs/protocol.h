// The key release protocol's messages (docs/kbs-protocol.md): JSON bodies of POST /v1/challenge
// and POST /v1/release, the KBS's own refusal reasons, and the HPKE `info` that binds a released
// key to its model id, key version and nonce.
//
//   CONFIDE_ASSIGN_OR_RETURN(ReleaseRequest req, ParseReleaseRequest(body));
//   Bytes info = ReleaseInfo(req.model_id, version, req.nonce);
//   crypto::hpke::SealBase(kReleaseSuite, tee_pub, info, {}, key.Expose());
#ifndef CONFIDE_KBS_PROTOCOL_H_
#define CONFIDE_KBS_PROTOCOL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/crypto/hpke.h"

namespace confide::kbs {

// DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM: the suite of every released key.
inline constexpr crypto::hpke::Suite kReleaseSuite{crypto::hpke::KemId::kX25519HkdfSha256,
                                                   crypto::hpke::KdfId::kHkdfSha256,
                                                   crypto::hpke::AeadId::kAes256Gcm};
inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kMaxModelIdSize = 128;
inline constexpr size_t kMaxEvidenceSize = 32 * 1024;

// The KBS's own refusal reasons (appraisal refusals carry attest::ReasonName codes instead).
// Stable wire names: never rename or reuse.
namespace reason {
inline constexpr char kBadRequest[] = "BAD_REQUEST";
inline constexpr char kBodyTooLarge[] = "BODY_TOO_LARGE";
inline constexpr char kRateLimited[] = "RATE_LIMITED";
inline constexpr char kNonceUnknown[] = "NONCE_UNKNOWN";
inline constexpr char kNonceReplayed[] = "NONCE_REPLAYED";
inline constexpr char kNonceExpired[] = "NONCE_EXPIRED";
inline constexpr char kModelNotFound[] = "MODEL_NOT_FOUND";
inline constexpr char kModelRetired[] = "MODEL_RETIRED";
inline constexpr char kKeyVersionNotFound[] = "KEY_VERSION_NOT_FOUND";
inline constexpr char kEvidenceMalformed[] = "EVIDENCE_MALFORMED";
inline constexpr char kEvidenceUndecidable[] = "EVIDENCE_UNDECIDABLE";
inline constexpr char kUnauthorized[] = "UNAUTHORIZED";
inline constexpr char kOutOfScope[] = "OUT_OF_SCOPE";
}  // namespace reason

// True for 1..kMaxModelIdSize characters of [A-Za-z0-9._-] (ids appear in URLs and logs).
bool IsValidModelId(std::string_view id);

struct ReleaseRequest {
  std::string model_id;
  uint32_t key_version = 0;  // 0: the newest active version
  Bytes nonce;               // kNonceSize bytes, from POST /v1/challenge
  Bytes hpke_pub;            // the TEE's X25519 public key (32 bytes): the key is sealed to it
  Bytes evidence;            // EncodeEvidenceBundle bytes; its claims bind hpke_pub and nonce
};
// Parses the JSON body {"model_id", "key_version"?, "nonce", "hpke_pub", "evidence"} (hex for
// the byte fields). kMalformed for invalid JSON, missing or mistyped fields, unknown fields,
// bad hex, wrong sizes, an invalid model id or evidence over kMaxEvidenceSize. Never throws.
// Does not look at the evidence's content.
Result<ReleaseRequest> ParseReleaseRequest(std::string_view body);
std::string SerializeReleaseRequest(const ReleaseRequest& req);

struct ReleaseResponse {
  std::string model_id;
  uint32_t key_version = 0;
  Bytes nonce;
  Bytes manifest_digest;  // the package the key opens (32 bytes; zeros when not known)
  Bytes enc;              // HPKE encapsulated key (32 bytes)
  Bytes ciphertext;       // sealed model key || tag (48 bytes)
  uint64_t audit_seq = 0;  // the audit entry that records this release
};
Result<ReleaseResponse> ParseReleaseResponse(std::string_view body);
std::string SerializeReleaseResponse(const ReleaseResponse& resp);

// A refusal body: {"error": "refused", "reasons": [...], "detail": ..., "audit_seq": n,
// "appraisal": {...}?}.
struct Refusal {
  int status = 403;
  std::vector<std::string> reasons;
  std::string detail;
  uint64_t audit_seq = 0;
  nlohmann::json appraisal;  // null unless an appraisal ran
};
std::string SerializeRefusal(const Refusal& refusal);
// kMalformed when `body` is not a refusal.
Result<Refusal> ParseRefusal(int status, std::string_view body);

struct Challenge {
  Bytes nonce;
  std::string expires_at;  // RFC 3339
};
std::string SerializeChallenge(const Challenge& c);
Result<Challenge> ParseChallenge(std::string_view body);

// "confide-kbs-v1 release" || 0x00 || u16be len || model_id || u32be key_version || u16be len ||
// nonce: the HPKE info of a released key. The aad is empty.
Bytes ReleaseInfo(std::string_view model_id, uint32_t key_version, ByteSpan nonce);

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_PROTOCOL_H_
