#include "confide/attest/verifier.h"

#include "confide/attest/intel/collateral.h"
#include "confide/attest/intel/quote.h"
#include "confide/attest/intel_appraise.h"
#include "confide/attest/nitro_appraise.h"
#include "confide/attest/snp/amd_roots.h"
#include "confide/attest/snp/cert_table.h"
#include "confide/attest/snp_appraise.h"

namespace confide::attest {

namespace {

using crypto::Certificate;

Result<std::optional<Certificate>> FromTable(const snp::CertTable& table, const snp::Guid& guid) {
  const snp::CertTableEntry* entry = table.Find(guid);
  if (!entry) return std::optional<Certificate>();
  auto cert = Certificate::FromDer(entry->data);
  if (!cert.ok()) {
    return MalformedError("certificate table entry " + snp::FormatGuid(guid) + ": " +
                          cert.error().message);
  }
  return std::optional<Certificate>(*std::move(cert));
}

// The CA that signs the VEK: from the table, else AMD's own for the report's product.
Result<std::optional<Certificate>> SignerCa(const snp::CertTable& table, const snp::Report& report,
                                            bool vlek) {
  // The GHCB table has no ASVK GUID: a VLEK's CA travels under the ASK GUID.
  CONFIDE_ASSIGN_OR_RETURN(auto ca, FromTable(table, snp::kAskGuid));
  if (ca) return ca;
  snp::Generation gen = snp::GenerationFromCpuid(report);
  if (gen == snp::Generation::kUnknown) return std::optional<Certificate>();
  auto amd = snp::AmdRootCertificate(gen, vlek ? snp::AmdRootKind::kAsvk : snp::AmdRootKind::kAsk);
  if (!amd.ok()) return std::optional<Certificate>();
  return std::optional<Certificate>(*std::move(amd));
}

Result<Appraisal> AppraiseSnpBundle(const EvidenceBundle& bundle, const Policy& policy,
                                    const AppraiseOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(snp::Report report, snp::ParseReport(bundle.evidence));
  CONFIDE_ASSIGN_OR_RETURN(snp::CertTable table, snp::ParseCertTable(bundle.endorsements));
  bool vlek = report.signing_key == snp::SigningKey::kVlek;
  CONFIDE_ASSIGN_OR_RETURN(auto vek, FromTable(table, vlek ? snp::kVlekGuid : snp::kVcekGuid));
  if (!vek) {
    return NotFoundError(std::string("SEV-SNP evidence without a ") + (vlek ? "VLEK" : "VCEK") +
                         " certificate in its certificate table");
  }
  CONFIDE_ASSIGN_OR_RETURN(auto ca, SignerCa(table, report, vlek));
  CONFIDE_ASSIGN_OR_RETURN(auto ark, FromTable(table, snp::kArkGuid));
  SnpEvidence ev{.report = bundle.evidence, .chain = {.vek = *std::move(vek)}};
  if (vlek) {
    ev.chain.asvk = std::move(ca);
  } else {
    ev.chain.ask = std::move(ca);
  }
  ev.sim_ark = std::move(ark);  // trusted only if the chain misses AMD and the policy lists it
  ev.claims = bundle.claims;
  ev.produced_at = opts.produced_at;
  return AppraiseSnp(ev, policy, {.now = opts.now, .expect = opts.expect,
                                  .verifier = opts.verifier});
}

// Nitro: the document alone, or with the simulator's root certificate (DER) as endorsements.
Result<Appraisal> AppraiseNitroBundle(const EvidenceBundle& bundle, const Policy& policy,
                                      const AppraiseOptions& opts) {
  NitroEvidence ev{.document = bundle.evidence, .claims = bundle.claims};
  if (!bundle.endorsements.empty()) {
    auto root = Certificate::FromDer(bundle.endorsements);
    if (!root.ok()) {
      return MalformedError("Nitro evidence: endorsements are not one DER certificate: " +
                            root.error().message);
    }
    ev.sim_root = *std::move(root);  // trusted only if the policy lists it (sim_roots)
  }
  return AppraiseNitro(ev, policy, {.now = opts.now, .expect = opts.expect,
                                    .verifier = opts.verifier});
}

// SGX / TDX: the quote, with its collateral as endorsements (EncodeIntelCollateral's JSON,
// docs/formats/intel-quote.md). The quote's embedded root is offered as a simulator root: it is
// trusted only if the PCK chain misses Intel's root and the policy lists it (sim_roots).
Result<Appraisal> AppraiseIntelBundle(const EvidenceBundle& bundle, const Policy& policy,
                                      const AppraiseOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(intel::Quote quote, intel::ParseQuote(bundle.evidence));
  IntelEvidence ev{.quote = bundle.evidence,
                   .collateral = std::nullopt,
                   .sim_root = std::nullopt,
                   .claims = bundle.claims,
                   .produced_at = opts.produced_at};
  if (!bundle.endorsements.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(ev.collateral, intel::DecodeIntelCollateral(bundle.endorsements));
  }
  auto chain = Certificate::ChainFromPem(quote.pck_chain_pem);
  if (chain.ok() && chain->size() >= 2 && chain->back().IsSelfSigned()) {
    ev.sim_root = chain->back();
  }
  return AppraiseIntel(ev, policy, {.now = opts.now, .expect = opts.expect,
                                    .verifier = opts.verifier});
}

}  // namespace

Result<Appraisal> AppraiseEvidence(const EvidenceBundle& bundle, const Policy& policy,
                                   const AppraiseOptions& opts) {
  switch (bundle.tee) {
    case TeeType::kSevSnp:
      return AppraiseSnpBundle(bundle, policy, opts);
    case TeeType::kSgx:
    case TeeType::kTdx:
      return AppraiseIntelBundle(bundle, policy, opts);
    case TeeType::kNitro:
      return AppraiseNitroBundle(bundle, policy, opts);
  }
  return UnsupportedError(std::string("appraisal of ") + std::string(TeeTypeName(bundle.tee)) +
                          " evidence is not available in this build");
}

}  // namespace confide::attest
