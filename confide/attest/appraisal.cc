#include "confide/attest/appraisal.h"

#include <utility>

#include "confide/base/check.h"
#include "confide/base/hex.h"

namespace confide::attest {
namespace {

const char* Status(bool ok) { return ok ? "affirming" : "contraindicated"; }

nlohmann::json NamedValuesToJson(const NamedValues& values) {
  // nlohmann::json objects sort their keys; display order is not a contract, so that is fine.
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : values) out[name] = value;
  return out;
}

nlohmann::json ClaimsToJson(const Claims& claims) {
  return {
      {"measurements", NamedValuesToJson(claims.measurements)},
      {"report_data", HexEncode(claims.report_data)},
      {"debug", claims.debug},
      {"tcb", claims.tcb},
      {"fields", NamedValuesToJson(claims.fields)},
  };
}

}  // namespace

Check PassCheck(std::string name, std::string detail) {
  return Check{std::move(name), ReasonCode::kOk, true, std::move(detail)};
}

Check FailCheck(std::string name, ReasonCode reason, std::string detail) {
  CONFIDE_CHECK(reason != ReasonCode::kOk);
  return Check{std::move(name), reason, false, std::move(detail)};
}

bool FinishAppraisal(Appraisal& appraisal) {
  bool all = !appraisal.checks.empty();
  for (const Check& check : appraisal.checks) all = all && check.passed;
  appraisal.accepted = all;
  return all;
}

std::vector<Check> FailedChecks(const Appraisal& appraisal) {
  std::vector<Check> failed;
  for (const Check& check : appraisal.checks) {
    if (!check.passed) failed.push_back(check);
  }
  return failed;
}

nlohmann::json AppraisalToJson(const Appraisal& appraisal) {
  nlohmann::json checks = nlohmann::json::array();
  for (const Check& check : appraisal.checks) {
    checks.push_back({
        {"name", check.name},
        {"status", Status(check.passed)},
        {"reason", ReasonName(check.reason)},
        {"sentence", ReasonSentence(check.reason)},
        {"detail", check.detail},
    });
  }
  nlohmann::json submod = {
      {"ear_status", Status(appraisal.accepted)},
      {"confide_simulated", appraisal.simulated},
      {"confide_checks", std::move(checks)},
      {"confide_claims", ClaimsToJson(appraisal.claims)},
  };
  if (!appraisal.policy_id.empty()) {
    submod["ear_appraisal_policy_ids"] = nlohmann::json::array({appraisal.policy_id});
  }
  nlohmann::json out = {
      {"eat_profile", kEarProfile},
      {"iat", appraisal.appraised_at.time_since_epoch().count()},
      {"ear_verifier_id",
       {{"developer", appraisal.verifier.developer}, {"build", appraisal.verifier.build}}},
      {"ear_status", Status(appraisal.accepted)},
  };
  out["submods"][std::string(TeeTypeName(appraisal.tee))] = std::move(submod);
  return out;
}

std::string ExplainAppraisal(const Appraisal& appraisal) {
  std::string out = appraisal.accepted ? "ACCEPTED" : "REJECTED";
  out += ": ";
  out += TeeTypeName(appraisal.tee);
  out += appraisal.simulated ? " (SIMULATED - no hardware protection)" : "";
  out += " evidence appraised at " + FormatRfc3339(appraisal.appraised_at);
  if (!appraisal.policy_id.empty()) out += " against policy " + appraisal.policy_id;
  out += "\n";
  if (appraisal.checks.empty()) out += "  (no checks ran)\n";
  for (const Check& check : appraisal.checks) {
    if (check.passed) {
      out += "  [ok]   " + check.name + ": " + check.detail + "\n";
    } else {
      out += "  [FAIL] " + check.name + ": " + std::string(ReasonName(check.reason)) + " - " +
             std::string(ReasonSentence(check.reason)) + " (" + check.detail + ")\n";
    }
  }
  return out;
}

}  // namespace confide::attest
