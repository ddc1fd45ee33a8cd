// The TEE side of the key release protocol, and a small admin client. A TEE (the inference
// server, or `confide kbs release` on the simulator) asks for a challenge, builds binding claims
// with its fresh HPKE public key and the nonce, gets evidence for them from its Platform, posts
// them, and opens the sealed key. The KBS is authenticated by pinning its TLS public key.
//
//   KbsClient kbs({.host = "127.0.0.1", .port = 8443, .pinned_spki_sha256 = pin});
//   CONFIDE_ASSIGN_OR_RETURN(ReleasedKey k, ObtainModelKey(kbs, platform, "resnet"));
//   // k.key (SecretBytes) opens the package whose manifest digest is k.manifest_digest.
#ifndef CONFIDE_KBS_CLIENT_H_
#define CONFIDE_KBS_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "confide/attest/evidence_bundle.h"
#include "confide/base/secret.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/keys.h"
#include "confide/kbs/protocol.h"
#include "confide/tee/platform.h"

namespace confide::kbs {

struct KbsClientOptions {
  std::string host = "127.0.0.1";
  int port = 8443;
  crypto::Sha256Digest pinned_spki_sha256{};  // SHA-256 of the KBS certificate's public key DER
  std::chrono::seconds timeout{30};
};

struct HttpResult {
  int status = 0;
  std::string body;
};

// One keep-alive HTTPS connection to the KBS. Not thread safe: use one client per thread.
class KbsClient {
 public:
  explicit KbsClient(KbsClientOptions opts);
  ~KbsClient();

  // kUnavailable when the KBS cannot be reached or its key does not match the pin (the
  // handshake fails before any byte is sent); kMalformed for a bad answer.
  Result<Challenge> RequestChallenge();
  // The release answer: a ReleaseResponse (200) or the Refusal with its reasons. Errors as above.
  Result<std::variant<ReleaseResponse, Refusal>> PostRelease(const ReleaseRequest& req);
  // Raw call for the admin API: method "GET", "POST" or "PUT"; `bearer` may be empty.
  Result<HttpResult> Call(const std::string& method, const std::string& path,
                          const std::string& body, const std::string& bearer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Binding claims {"hpke-pub": hpke_pub, "nonce": nonce}, and evidence for them from `platform`.
Result<attest::EvidenceBundle> MakeReleaseEvidence(tee::Platform& platform, ByteSpan hpke_pub,
                                                   ByteSpan nonce);

struct ReleasedKey {
  std::string model_id;
  uint32_t key_version = 0;
  SecretBytes key;        // 32 bytes
  Bytes manifest_digest;  // the package it opens (zeros if the KBS did not know it)
  uint64_t audit_seq = 0;
};

// Opens a release response with the TEE's HPKE private key. kVerificationFailed if it does not
// open (wrong key, or model id / version / nonce differ from what was sealed); kInvalidArgument
// if the response names another nonce or model than `expected_model`.
Result<ReleasedKey> OpenReleasedKey(const ReleaseResponse& resp, const crypto::PrivateKey& hpke_key,
                                    ByteSpan expected_nonce, const std::string& expected_model);

// The whole flow with a fresh X25519 HPKE key. A refusal is kVerificationFailed whose message
// lists the reason codes ("kbs refused: MEASUREMENT_MISMATCH, ..."); transport errors as above.
Result<ReleasedKey> ObtainModelKey(KbsClient& kbs, tee::Platform& platform,
                                   const std::string& model_id, uint32_t key_version = 0);

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_CLIENT_H_
