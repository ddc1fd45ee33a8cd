#include "confide/server/audit_trail.h"

#include <filesystem>

#include "confide/base/file.h"
#include "confide/crypto/hash.h"
#include "confide/server/key_cache.h"
#include "confide/server/log.h"

namespace confide::server {

namespace {

constexpr char kAuditKeyLabel[] = "confide-server audit key v1";

// The AAD digest that makes a sealed audit key open only as an audit key.
package::Digest AuditKeyDigest() { return crypto::Sha256(AsBytes(std::string_view(kAuditKeyLabel))); }

nlohmann::json LogFields(const audit::AuditEvent& e) {
  nlohmann::json f = {{"result", e.result}};
  if (!e.model_id.empty()) f["model"] = e.model_id;
  if (!e.claims_summary.empty()) f["summary"] = e.claims_summary;
  if (!e.reasons.empty()) f["reasons"] = e.reasons;
  if (!e.requester.empty()) f["requester"] = e.requester;
  return f;
}

}  // namespace

std::string SealedAuditKeyPath(const std::string& state_dir) {
  return state_dir + "/audit-key.sealed";
}

std::string AuditPublicKeyPath(const std::string& state_dir) { return state_dir + "/audit.pub"; }

Result<crypto::PrivateKey> LoadOrCreateAuditKey(tee::Platform& platform,
                                                const std::string& state_dir) {
  const std::string path = SealedAuditKeyPath(state_dir);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    CONFIDE_ASSIGN_OR_RETURN(Bytes file, ReadFile(path, 4096));
    auto raw = OpenCachedKey(platform, file, AuditKeyDigest());
    if (!raw.ok()) {
      return Error{raw.error().code, path + ": " + raw.error().message +
                                         " (sealed by another server build? archive the audit "
                                         "log and its key, then start a new log)"};
    }
    return crypto::PrivateKey::FromRaw(crypto::KeyType::kP256, raw->Expose());
  }
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(crypto::KeyType::kP256));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes raw, key.ToRaw());
  CONFIDE_ASSIGN_OR_RETURN(Bytes sealed, SealCachedKey(platform, raw, AuditKeyDigest()));
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return UnavailableError(state_dir + ": " + ec.message());
  CONFIDE_TRY(WriteFile(path, sealed, 0600));
  CONFIDE_TRY(WriteFile(AuditPublicKeyPath(state_dir), AsBytes(key.public_key().ToPem()), 0644));
  return key;
}

AuditTrail::AuditTrail(audit::AuditLog* log, const Clock& clock, attest::TeeType tee)
    : log_(log), clock_(clock), tee_type_(attest::TeeTypeName(tee)) {}

Result<uint64_t> AuditTrail::Record(audit::AuditEvent event,
                                    const nlohmann::json& log_fields) const {
  event.time = clock_.Now();
  if (event.tee_type.empty()) event.tee_type = tee_type_;
  nlohmann::json fields = LogFields(event);
  if (log_fields.is_object()) fields.update(log_fields);
  if (!log_) {
    AuditEvent(event.kind, fields);
    return uint64_t{0};
  }
  auto seq = log_->Append(event);
  if (!seq.ok()) {
    fields["audit_error"] = seq.error().ToString();
    LogEvent("error", event.kind, fields);
    return seq.error();
  }
  fields["audit_seq"] = *seq;
  AuditEvent(event.kind, fields);
  return *seq;
}

void AuditTrail::LogRefusal(audit::AuditEvent event, const nlohmann::json& log_fields) const {
  if (event.tee_type.empty()) event.tee_type = tee_type_;
  nlohmann::json fields = LogFields(event);
  if (log_fields.is_object()) fields.update(log_fields);
  fields["kind"] = event.kind;
  fields["audit"] = false;
  LogEvent("warn", "request_refused", fields);
}

}  // namespace confide::server
