// The server's audit trail: attestation requests and model-key use, written both as a JSON log
// line ("audit": true) and, when configured, to the tamper-evident audit log of confide/audit
// (hash-chained records, signed checkpoints: the format the key broker uses, so `confide audit
// verify` checks either). The log's P-256 key is made inside the TEE on the first start and kept
// in the state folder sealed to the measurement (other code cannot unseal it, so it cannot extend
// the signed log); its public key is written next to the database for `confide audit verify --key`.
//
//   CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey key, LoadOrCreateAuditKey(platform, state_dir));
//   CONFIDE_ASSIGN_OR_RETURN(auto log, audit::AuditLog::Open(db, std::move(key), {}));
//   AuditTrail trail(log.get(), clock, platform.Describe().tee);
//   CONFIDE_ASSIGN_OR_RETURN(uint64_t seq, trail.Record({.kind = "attestation_request", ...}));
#ifndef CONFIDE_SERVER_AUDIT_TRAIL_H_
#define CONFIDE_SERVER_AUDIT_TRAIL_H_

#include <nlohmann/json.hpp>
#include <string>

#include "confide/attest/evidence.h"
#include "confide/audit/log.h"
#include "confide/base/clock.h"
#include "confide/crypto/keys.h"
#include "confide/tee/platform.h"

namespace confide::server {

// Audit event kinds the server writes (the `kind` field of audit::AuditEvent).
inline constexpr char kAuditAttestation[] = "attestation_request";
inline constexpr char kAuditKeyUse[] = "model_key_use";
inline constexpr char kAuditProvision[] = "model_key_provision";

// "<state_dir>/audit-key.sealed" and "<state_dir>/audit.pub".
std::string SealedAuditKeyPath(const std::string& state_dir);
std::string AuditPublicKeyPath(const std::string& state_dir);

// Unseals the audit log key from `state_dir`, or (no file yet) generates a P-256 key, seals it
// there (the sealed key-cache format, docs/formats/sealed-key-cache.md, with the AAD digest
// SHA-256("confide-server audit key v1")) and writes its public key PEM to AuditPublicKeyPath.
// Errors: kVerificationFailed when the sealed key exists but this code cannot unseal it (another
// server build: archive the old log and start a new one); the platform's; kUnavailable for I/O.
Result<crypto::PrivateKey> LoadOrCreateAuditKey(tee::Platform& platform,
                                                const std::string& state_dir);

// Thread safe (audit::AuditLog is). `log` may be null (JSON log lines only); it and `clock` must
// outlive the trail.
class AuditTrail {
 public:
  AuditTrail(audit::AuditLog* log, const Clock& clock, attest::TeeType tee);

  // Stamps the time (and the TEE type when empty), appends to the audit log, then writes the JSON
  // log line (`log_fields`, an object, are added to it). Returns the entry's seq (0 without a
  // log). The log's error when the append is not durable: callers fail closed (no evidence
  // served, no key accepted, no start).
  Result<uint64_t> Record(audit::AuditEvent event,
                          const nlohmann::json& log_fields = nlohmann::json::object()) const;
  // A refused request that is not a durable audit event: one "warn" JSON log line ("audit":
  // false), never an audit log entry. For refusals anyone can cause without authenticating
  // (malformed bodies, unsigned or wrongly signed pushes), so that they cannot grow the audit
  // log; callers count them in Metrics::CountRefused.
  void LogRefusal(audit::AuditEvent event,
                  const nlohmann::json& log_fields = nlohmann::json::object()) const;
  bool durable() const { return log_ != nullptr; }

 private:
  audit::AuditLog* log_;
  const Clock& clock_;
  std::string tee_type_;
};

}  // namespace confide::server

#endif  // CONFIDE_SERVER_AUDIT_TRAIL_H_
