#include "confide/kbs/service.h"

#include <cstdio>

#include "confide/attest/evidence_bundle.h"
#include "confide/attest/policy.h"
#include "confide/attest/verifier.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/hpke.h"

namespace confide::kbs {


namespace {

std::string ClaimsSummary(const attest::Appraisal& a) {
  std::string out;
  for (const auto& [name, value] : a.claims.measurements) out += name + "=" + value + " ";
  out += std::string("debug=") + (a.claims.debug ? "1" : "0");
  out += std::string(" simulated=") + (a.simulated ? "1" : "0");
  return out;
}

// One stderr line per decision: never key material, never evidence bytes.
void LogLine(const std::string& kind, const std::string& model, const std::string& result,
             const std::vector<std::string>& reasons, const std::string& requester) {
  std::string why;
  for (const auto& r : reasons) why += (why.empty() ? "" : ",") + r;
  std::fprintf(stderr, "kbs: %s model=%s result=%s reasons=%s from=%s\n", kind.c_str(),
               model.c_str(), result.c_str(), why.c_str(), requester.c_str());
}

}  // namespace

KbsService::KbsService(KeyStore& store, audit::AuditLog& log, AdminTokens tokens,
                       const crypto::PrivateKey& import_key, const Clock& clock,
                       KbsServiceOptions opts)
    : store_(store), log_(log), tokens_(std::move(tokens)), import_key_(import_key),
      clock_(clock), opts_(std::move(opts)), nonces_(opts_.nonces), limiter_(opts_.rate_limit) {}

uint64_t KbsService::Audit(audit::AuditEvent event) {
  event.time = clock_.Now();
  LogLine(event.kind, event.model_id, event.result, event.reasons, event.requester);
  auto seq = log_.Append(std::move(event));
  if (!seq.ok()) {
    std::fprintf(stderr, "kbs: AUDIT FAILURE: %s\n", seq.error().ToString().c_str());
    return 0;
  }
  return *seq;
}

Reply KbsService::Challenge(const std::string& requester) {
  if (!limiter_.Allow(requester, std::chrono::steady_clock::now())) {
    return RefuseEarly(429, reason::kRateLimited, requester);
  }
  auto nonce = nonces_.Issue(clock_.Now());
  if (!nonce.ok()) return {503, SerializeRefusal({503, {"BUSY"}, nonce.error().message})};
  return {200, SerializeChallenge({nonce->nonce, FormatRfc3339(nonce->expires_at)})};
}

Reply KbsService::RefuseEarly(int status, const std::string& why, const std::string& requester) {
  Decision d;
  d.requester = requester;
  d.status = status;
  d.reasons = {why};
  return Refuse(d);
}

Reply KbsService::Refuse(Decision& d) {
  uint64_t seq = Audit({.kind = "refusal", .model_id = d.model_id, .key_version = d.key_version,
                        .evidence_digest = d.evidence_digest, .tee_type = d.tee_type,
                        .claims_summary = d.claims_summary, .policy_digest = d.policy_digest,
                        .collateral = d.collateral, .result = "refused", .reasons = d.reasons,
                        .requester = d.requester});
  if (seq == 0) d.detail += (d.detail.empty() ? "" : "; ") + std::string("audit unavailable");
  return {d.status, SerializeRefusal({d.status, d.reasons, d.detail, seq, d.appraisal})};
}

Reply KbsService::Release(std::string_view body, const std::string& requester) {
  Decision d;
  d.requester = requester;
  if (!limiter_.Allow(requester, std::chrono::steady_clock::now())) {
    d.status = 429;
    d.reasons = {reason::kRateLimited};
    return Refuse(d);
  }
  auto req = ParseReleaseRequest(body);
  if (!req.ok()) {
    d.status = 400;
    d.reasons = {reason::kBadRequest};
    d.detail = req.error().message;
    return Refuse(d);
  }
  d.model_id = req->model_id;
  d.key_version = req->key_version;
  auto digest = crypto::Sha256(req->evidence);
  d.evidence_digest.assign(digest.begin(), digest.end());
  // The nonce is used up by this request whatever its outcome (single use).
  switch (nonces_.Consume(req->nonce, clock_.Now())) {
    case NonceState::kFresh:
      return Decide(d, *req);
    case NonceState::kUnknown:
      d.reasons = {reason::kNonceUnknown};
      break;
    case NonceState::kReplayed:
      d.reasons = {reason::kNonceReplayed};
      break;
    case NonceState::kExpired:
      d.reasons = {reason::kNonceExpired};
      break;
  }
  return Refuse(d);
}

// Steps after a fresh nonce: model, key, policy, evidence, appraisal, seal, audit. Over 60
// lines on purpose: it reads top to bottom as docs/kbs-protocol.md §4, one audited refusal per step.
Reply KbsService::Decide(Decision& d, const ReleaseRequest& req) {
  auto model = store_.GetModel(req.model_id);
  if (!model.ok() || model->retired) {
    d.status = model.ok() ? 403 : 404;
    d.reasons = {model.ok() ? reason::kModelRetired : reason::kModelNotFound};
    return Refuse(d);
  }
  d.policy_digest = "sha256:" + model->policy_digest;
  auto key = store_.GetKey(req.model_id, req.key_version);
  if (!key.ok()) {
    d.status = 404;
    d.reasons = {reason::kKeyVersionNotFound};
    return Refuse(d);
  }
  d.key_version = key->version;
  auto policy = attest::ParsePolicy(model->policy);
  auto bundle = attest::DecodeEvidenceBundle(req.evidence);
  if (!policy.ok() || !bundle.ok()) {
    d.status = policy.ok() ? 400 : 500;
    d.reasons = {policy.ok() ? reason::kEvidenceMalformed : reason::kEvidenceUndecidable};
    d.detail = policy.ok() ? bundle.error().message : "stored policy does not parse";
    return Refuse(d);
  }
  d.tee_type = std::string(attest::TeeTypeName(bundle->tee));
  d.collateral = "cert_table_sha256=" + HexEncode(crypto::Sha256(bundle->endorsements));
  auto appraisal = attest::AppraiseEvidence(
      *bundle, *policy,
      {.now = clock_.Now(), .expect = {.nonce = req.nonce, .hpke_pub = req.hpke_pub},
       .verifier = opts_.verifier});
  if (!appraisal.ok()) {
    d.reasons = {reason::kEvidenceUndecidable};
    d.detail = appraisal.error().message;
    return Refuse(d);
  }
  d.claims_summary = ClaimsSummary(*appraisal);
  d.collateral += " tcb=" + appraisal->claims.tcb;
  if (!appraisal->accepted) {
    for (const attest::Check& c : attest::FailedChecks(*appraisal)) {
      d.reasons.emplace_back(attest::ReasonName(c.reason));
    }
    d.appraisal = attest::AppraisalToJson(*appraisal);
    return Refuse(d);
  }
  auto pub = crypto::PublicKey::FromRaw(crypto::KeyType::kX25519, req.hpke_pub);
  auto sealed = pub.ok() ? crypto::hpke::SealBase(kReleaseSuite, *pub,
                                                  ReleaseInfo(req.model_id, key->version, req.nonce),
                                                  {}, key->key.Expose())
                         : Result<crypto::hpke::Sealed>(pub.error());
  if (!sealed.ok()) {
    d.status = 400;
    d.reasons = {reason::kBadRequest};
    d.detail = "hpke_pub: " + sealed.error().message;
    return Refuse(d);
  }
  uint64_t seq = Audit({.kind = "release", .model_id = d.model_id, .key_version = d.key_version,
                        .evidence_digest = d.evidence_digest, .tee_type = d.tee_type,
                        .claims_summary = d.claims_summary, .policy_digest = d.policy_digest,
                        .collateral = d.collateral, .result = "released",
                        .requester = d.requester});
  if (seq == 0) return {503, SerializeRefusal({503, {"AUDIT_UNAVAILABLE"}, "not released"})};
  return {200, SerializeReleaseResponse({req.model_id, key->version, req.nonce,
                                         key->manifest_digest, sealed->enc, sealed->ciphertext,
                                         seq})};
}

}  // namespace confide::kbs
