// Appraisal: the verifier's decision about one piece of evidence (an RFC 9334 "attestation
// result"), as a list of named checks with stable reason codes, plus its JSON form (shaped like
// an EAT Attestation Result, draft-ietf-rats-ear) and a human explanation.
//
//   Appraisal a = ...;                       // from a format's Appraise function
//   if (!a.accepted) std::cerr << ExplainAppraisal(a);
//   nlohmann::json ear = AppraisalToJson(a);  // {"ear_status": "contraindicated", ...}
#ifndef CONFIDE_ATTEST_APPRAISAL_H_
#define CONFIDE_ATTEST_APPRAISAL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "confide/attest/evidence.h"
#include "confide/attest/reason.h"
#include "confide/base/clock.h"

namespace confide::attest {

// The outcome of one check. Invariant: passed == (reason == ReasonCode::kOk). Build with
// PassCheck/FailCheck so it holds.
struct Check {
  std::string name;  // stable snake_case id of what was checked, e.g. "measurement", "debug"
  ReasonCode reason = ReasonCode::kOk;
  bool passed = true;
  std::string detail;  // precise, secret-free explanation, e.g. "policy bit 19 (DEBUG) is set"
};

// A passing check.
Check PassCheck(std::string name, std::string detail);
// A failing check; `reason` must not be kOk (CONFIDE_CHECK).
Check FailCheck(std::string name, ReasonCode reason, std::string detail);

// The identity of the verifier that produced an appraisal (EAR "ear_verifier_id").
struct VerifierId {
  std::string developer = "confide";
  std::string build = "confide";  // e.g. "confide 0.1.0"
};

// The decision. Build with FinishAppraisal (or keep `accepted` consistent yourself): accepted is
// true iff `checks` is non-empty and every check passed. An appraisal with no checks is rejected:
// nothing was shown.
struct Appraisal {
  bool accepted = false;
  TeeType tee = TeeType::kSevSnp;
  bool simulated = false;     // the evidence chains to a simulator root, not a vendor root
  std::vector<Check> checks;  // in the order they ran; every check is listed, pass or fail
  Claims claims;              // the claims of the (verified) evidence
  Time appraised_at{};        // the `now` the appraisal used
  VerifierId verifier;
  std::string policy_id;  // e.g. "sha256:<PolicyDigest>"; empty when no policy
};

// Sets `accepted` from `checks` (true iff non-empty and all passed) and returns it.
bool FinishAppraisal(Appraisal& appraisal);

// The failing checks, in order.
std::vector<Check> FailedChecks(const Appraisal& appraisal);

// EAR profile string emitted as "eat_profile".
inline constexpr char kEarProfile[] = "tag:ietf.org,2026:rats/ear#03";

// JSON attestation result shaped like EAR (draft-ietf-rats-ear, JSON serialisation):
//   {"eat_profile": kEarProfile, "iat": <unix seconds>, "ear_verifier_id": {developer, build},
//    "ear_status": "affirming"|"contraindicated",
//    "submods": {"<tee name>": {"ear_status": ..., "ear_appraisal_policy_ids": [policy_id]?,
//        "confide_simulated": bool, "confide_checks": [{"name","status","reason","sentence",
//        "detail"}], "confide_claims": {"measurements": {...}, "report_data": hex, "debug",
//        "tcb", "fields": {...}}}}}
// Status per check is "affirming" when passed, else "contraindicated". The accepted flag, not
// the checks, decides the top-level status. Private claim names carry the "confide_" prefix as
// EAR allows for unregistered claims. Not signed: wrap it (JWT/CWT) where it leaves the process.
nlohmann::json AppraisalToJson(const Appraisal& appraisal);

// Human-readable multi-line text: a verdict line, then one line per check:
//   "[ok]   measurement: <detail>"
//   "[FAIL] debug: DEBUG_NOT_ALLOWED - <sentence> (<detail>)"
// ASCII only, every line ends in '\n'.
std::string ExplainAppraisal(const Appraisal& appraisal);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_APPRAISAL_H_
