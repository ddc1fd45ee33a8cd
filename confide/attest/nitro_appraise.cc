#include "confide/attest/nitro_appraise.h"

#include <algorithm>
#include <string>
#include <vector>

#include "confide/attest/policy_checks.h"
#include "confide/base/hex.h"

namespace confide::attest {
namespace {

bool AllZero(ByteSpan bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

const nitro::CheckOutcome* ChainOutcome(const nitro::Verification& v) {
  for (const nitro::CheckOutcome& c : v.checks) {
    if (c.check == nitro::Check::kChain) return &c;
  }
  return nullptr;
}

// The path reached the given root, though it may have failed on time (expired leaf).
bool ChainReachedRoot(const nitro::Verification& v) {
  const nitro::CheckOutcome* c = ChainOutcome(v);
  return c != nullptr && c->failure != nitro::FailureKind::kChainUntrusted;
}

void AddVerificationChecks(const nitro::Verification& v, std::vector<Check>& checks) {
  for (const nitro::CheckOutcome& c : v.checks) {
    const std::string name = std::string("nitro_") + nitro::CheckName(c.check);
    checks.push_back(c.passed ? PassCheck(name, c.detail)
                              : FailCheck(name, ReasonForNitroFailure(c.failure), c.detail));
  }
}

Check CheckPcrs(const nitro::Payload& p, const NitroPolicy& policy) {
  if (policy.pcrs.empty()) {
    if (policy.allow_any_pcrs_insecure) {
      return PassCheck("pcrs", "any PCRs accepted: allow_any_pcrs_insecure (INSECURE)");
    }
    return FailCheck("pcrs", ReasonCode::kPcrMismatch, "the policy lists no PCR values");
  }
  std::string mismatch;
  std::string listed;
  for (const auto& [index, accepted] : policy.pcrs) {
    const std::string name = "PCR" + std::to_string(index);
    auto it = p.pcrs.find(index);
    if (it == p.pcrs.end()) {
      mismatch += name + " is absent; ";
      continue;
    }
    const bool ok = std::any_of(accepted.begin(), accepted.end(), [&](const Digest48& d) {
      return Equal(d, it->second);
    });
    if (!ok) {
      mismatch += name + " " + HexEncode(it->second) + " is not in nitro.pcr" +
                  std::to_string(index) + "; ";
    } else {
      listed += (listed.empty() ? "" : ", ") + name;
    }
  }
  if (!mismatch.empty()) {
    mismatch.resize(mismatch.size() - 2);
    return FailCheck("pcrs", ReasonCode::kPcrMismatch, mismatch);
  }
  return PassCheck("pcrs", listed + " match the policy");
}

}  // namespace

ReasonCode ReasonForNitroFailure(nitro::FailureKind kind) {
  switch (kind) {
    case nitro::FailureKind::kNone:
      return ReasonCode::kOk;
    case nitro::FailureKind::kSignatureInvalid:
      return ReasonCode::kSignatureInvalid;
    case nitro::FailureKind::kChainUntrusted:
      return ReasonCode::kChainUntrusted;
    case nitro::FailureKind::kCertExpired:
      return ReasonCode::kCertExpired;
    case nitro::FailureKind::kCertNotYetValid:
      return ReasonCode::kCertNotYetValid;
  }
  return ReasonCode::kChainUntrusted;  // unreachable for valid enum values; fail closed
}

bool NitroDebugMode(const nitro::Payload& p) {
  for (uint32_t i : {0u, 1u, 2u}) {
    auto it = p.pcrs.find(i);
    if (it == p.pcrs.end() || !AllZero(it->second)) return false;
  }
  return true;
}

Claims NitroClaims(const nitro::Document& doc) {
  const nitro::Payload& p = doc.payload;
  Claims c;
  c.tee = TeeType::kNitro;
  for (const auto& [index, value] : p.pcrs) {
    c.measurements.emplace_back("pcr" + std::to_string(index), HexEncode(value));
  }
  if (p.user_data) {
    std::copy_n(p.user_data->begin(), std::min(p.user_data->size(), c.report_data.size()),
                c.report_data.begin());
  }
  c.debug = NitroDebugMode(p);
  c.fields = {{"module_id", p.module_id},
              {"digest", p.digest},
              {"timestamp_ms", std::to_string(p.timestamp_ms)},
              {"user_data_size", p.user_data ? std::to_string(p.user_data->size()) : "null"},
              {"nonce", p.nonce ? HexEncode(*p.nonce) : "null"},
              {"public_key", p.public_key ? HexEncode(*p.public_key) : "null"},
              {"cabundle_size", std::to_string(p.cabundle.size())}};
  return c;
}

Result<Appraisal> AppraiseNitro(const NitroEvidence& evidence, const Policy& policy,
                                const NitroAppraiseOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(nitro::Document doc, nitro::ParseDocument(evidence.document));
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate aws, nitro::AwsNitroRoot());
  nitro::VerifyOptions vo{.now = opts.now, .trusted_roots = {aws}};
  CONFIDE_ASSIGN_OR_RETURN(nitro::Verification v, nitro::VerifyDocument(doc, vo));
  // Simulated: the chain misses the AWS root but reaches the offered simulator root (its time
  // failures, such as an expired leaf, are then reported as they are for AWS documents).
  bool simulated = false;
  if (!ChainReachedRoot(v) && evidence.sim_root) {
    vo.trusted_roots = {*evidence.sim_root};
    Result<nitro::Verification> sim = nitro::VerifyDocument(doc, vo);
    if (sim.ok() && ChainReachedRoot(*sim)) {
      v = std::move(sim).value();
      simulated = true;
    }
  }

  Appraisal a;
  a.tee = TeeType::kNitro;
  a.simulated = simulated;
  a.appraised_at = opts.now;
  a.verifier = opts.verifier;
  a.policy_id = "sha256:" + PolicyDigest(policy);
  a.claims = NitroClaims(doc);
  std::vector<Check>& checks = a.checks;
  checks.push_back(CheckTeeType(TeeType::kNitro, policy));
  AddVerificationChecks(v, checks);
  checks.push_back(CheckSimulation(
      simulated, simulated ? evidence.sim_root->public_key().ToDer() : Bytes{}, policy));
  checks.push_back(CheckPcrs(doc.payload, policy.nitro));
  checks.push_back(CheckDebug(a.claims.debug, "debug mode (PCR0, PCR1 and PCR2 all zero)", policy));
  // user_data must be exactly the 64-byte report data; any other size fails the comparison.
  const Bytes user_data = doc.payload.user_data.value_or(Bytes{});
  const Time produced_at{std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::milliseconds(static_cast<int64_t>(
          std::min<uint64_t>(doc.payload.timestamp_ms, uint64_t{1} << 52))))};
  AddBindingAndFreshnessChecks(evidence.claims, user_data, opts.expect, produced_at, opts.now,
                               policy, checks);
  FinishAppraisal(a);
  return a;
}

}  // namespace confide::attest
