// The key broker's request handling, independent of HTTP: challenges, key release (RATS
// background-check model, docs/kbs-protocol.md) and the admin API. Every decision is appended
// to the audit log before the reply leaves; a release whose audit entry cannot be committed is
// not made.
//
//   KbsService service(store, log, std::move(tokens), import_key, clock, {});
//   Reply r = service.Release(request_body, "127.0.0.1");   // r.status, r.body (JSON)
#ifndef CONFIDE_KBS_SERVICE_H_
#define CONFIDE_KBS_SERVICE_H_

#include <string>
#include <string_view>

#include "confide/attest/appraisal.h"
#include "confide/audit/log.h"
#include "confide/base/clock.h"
#include "confide/crypto/keys.h"
#include "confide/kbs/admin_tokens.h"
#include "confide/kbs/nonce_store.h"
#include "confide/kbs/protocol.h"
#include "confide/kbs/rate_limiter.h"
#include "confide/kbs/store.h"

namespace confide::kbs {

struct Reply {
  int status = 200;
  std::string body;  // JSON
};

struct KbsServiceOptions {
  NonceOptions nonces;
  RateLimitOptions rate_limit;
  attest::VerifierId verifier{"confide", "confide kbs"};
};

// An admin request, already routed: `action` is one of "list", "add", "rotate", "policy",
// "retire"; `model_id` comes from the path (empty for list and add).
struct AdminCall {
  std::string action;
  std::string model_id;
  std::string_view body;
  std::string authorization;  // the Authorization header
  std::string requester;
};

// Thread safe. The store, log, import key and clock must outlive the service.
class KbsService {
 public:
  // `import_key` is the KBS's X25519 key that `confide pack --seal-to` seals model keys to.
  KbsService(KeyStore& store, audit::AuditLog& log, AdminTokens tokens,
             const crypto::PrivateKey& import_key, const Clock& clock, KbsServiceOptions opts);

  // POST /v1/challenge: 200 {"nonce", "expires_at"}; 429 when rate limited; 503 when too many
  // challenges are outstanding. Issuing a nonce is not audited (no decision is made).
  Reply Challenge(const std::string& requester);
  // POST /v1/release: 200 ReleaseResponse, or a Refusal (400 malformed, 403 refused, 404 unknown
  // model or key version, 429 rate limited, 503 audit unavailable), each audited.
  Reply Release(std::string_view body, const std::string& requester);
  // The admin API (admin.cc). 401 without a valid token, 403 outside the token's scope.
  Reply Admin(const AdminCall& call);
  // A refusal decided before the body was read (e.g. BODY_TOO_LARGE), audited.
  Reply RefuseEarly(int status, const std::string& reason, const std::string& requester);

 private:
  // Everything one request led to. Filled step by step; the audit entry is made from it.
  struct Decision {
    std::string requester;
    std::string model_id;
    uint32_t key_version = 0;
    Bytes evidence_digest;
    std::string tee_type, claims_summary, policy_digest, collateral;
    int status = 403;
    std::vector<std::string> reasons;
    std::string detail;
    nlohmann::json appraisal;
  };
  Reply Refuse(Decision& d);
  Reply Decide(Decision& d, const ReleaseRequest& req);
  uint64_t Audit(audit::AuditEvent event);
  Result<Bytes> OpenImportedKey(std::string_view sealed_hex, SecretBytes* key);
  Reply AdminAdd(const AdminIdentity& who, const AdminCall& call);
  Reply AdminRotate(const AdminIdentity& who, const AdminCall& call);
  Reply AdminPolicy(const AdminIdentity& who, const AdminCall& call);
  Reply AdminRetire(const AdminIdentity& who, const AdminCall& call);
  Reply AdminList(const AdminIdentity& who);
  Reply AdminResult(const AdminCall& call, const std::string& who, const Status& status,
                    nlohmann::json ok_body, int ok_status = 200);

  KeyStore& store_;
  audit::AuditLog& log_;
  AdminTokens tokens_;
  const crypto::PrivateKey& import_key_;
  const Clock& clock_;
  KbsServiceOptions opts_;
  NonceStore nonces_;
  RateLimiter limiter_;
};

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_SERVICE_H_
