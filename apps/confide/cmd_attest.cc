// `confide attest verify` and `confide attest show`: appraise or display SEV-SNP evidence;
// `confide attest verify --tee sgx|tdx`: appraise an Intel DCAP quote with its collateral;
// `confide attest verify --tee nitro`: appraise an AWS Nitro Enclaves attestation document.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

#include "apps/confide/commands.h"
#include "apps/confide/evidence_files.h"
#include "apps/confide/exit_codes.h"
#include "confide/attest/appraisal.h"
#include "confide/attest/intel/collateral.h"
#include "confide/attest/intel/collateral_store.h"
#include "confide/attest/intel/pck_extensions.h"
#include "confide/attest/intel/quote.h"
#include "confide/attest/intel_appraise.h"
#include "confide/attest/nitro_appraise.h"
#include "confide/attest/policy.h"
#include "confide/attest/snp/report.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::cli {

namespace {

namespace snp = attest::snp;

// Without --policy: check the evidence itself (signature, chain, TCB, chip id, debug) and accept
// any measurement. Said loudly in the output, because it proves authenticity, not identity.
constexpr const char* kVerifyOnlyPolicy = R"(
tee_types = ["sev-snp"]
[binding]
required = false
[snp]
allow_any_measurement_insecure = true
vmpls = [0, 1, 2, 3]
)";

// The same for Intel quotes: any measurement, but Intel's own TCB verdict (UpToDate) stands.
constexpr const char* kVerifyOnlyIntelPolicy = R"(
tee_types = ["sgx", "tdx"]
[binding]
required = false
[sgx]
allow_any_measurement_insecure = true
[tdx]
allow_any_measurement_insecure = true
)";

// And for Nitro documents: any PCRs; debug mode (PCR0..2 all zero) is still refused.
constexpr const char* kVerifyOnlyNitroPolicy = R"(
tee_types = ["nitro"]
[binding]
required = false
[nitro]
allow_any_pcrs_insecure = true
)";

struct VerifyArgs {
  EvidenceSources sources;
  std::string tee = "sev-snp";
  std::string collateral_path;  // Intel: a collateral JSON file or a `collateral import` folder
  std::string sim_root_path;    // Nitro: a simulator's Nitro root certificate (PEM); SGX/TDX:
                                // that or the hex SHA-256 of the sim Intel root's public key
  std::string policy_path;
  std::string at;
  bool json = false;
};

// --collateral: a file (dcap-qvl JSON = the bundle endorsements encoding) or a folder written by
// `confide collateral import`, looked up by the quote's FMSPC and PCK CA.
Result<std::optional<attest::intel::IntelCollateral>> LoadIntelCollateral(
    const std::string& path, const attest::intel::Quote& quote) {
  namespace intel = attest::intel;
  if (path.empty()) return std::optional<intel::IntelCollateral>();
  if (!std::filesystem::is_directory(path)) {
    CONFIDE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, 1 << 22));
    CONFIDE_ASSIGN_OR_RETURN(intel::IntelCollateral c, intel::DecodeIntelCollateral(bytes));
    return std::optional<intel::IntelCollateral>(std::move(c));
  }
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate leaf,
                           crypto::Certificate::FromPem(quote.pck_chain_pem));
  CONFIDE_ASSIGN_OR_RETURN(intel::PckExtensions ext, intel::ParsePckExtensions(leaf));
  CONFIDE_ASSIGN_OR_RETURN(intel::PckCaKind ca, intel::PckCaKindOf(leaf));
  CONFIDE_ASSIGN_OR_RETURN(intel::IntelCollateral c,
                           intel::LoadStoredCollateral(path, ext.fmspc, quote.is_tdx(), ca));
  return std::optional<intel::IntelCollateral>(std::move(c));
}

// --sim-root for SGX/TDX: 64 hex digits (SHA-256 of the sim root's SubjectPublicKeyInfo, as
// `confide sim init` prints it) or a PEM certificate file (the sim store's intel_root.pem).
Result<attest::Digest32> IntelSimRootDigest(const std::string& arg) {
  if (arg.size() == 64 && !std::filesystem::exists(arg)) {
    CONFIDE_ASSIGN_OR_RETURN(Bytes digest, HexDecode(arg));
    attest::Digest32 out;
    std::copy(digest.begin(), digest.end(), out.begin());
    return out;
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes pem, ReadFile(arg));
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate root, crypto::Certificate::FromPem(ToString(pem)));
  return crypto::Sha256(root.public_key().ToDer());
}

// The quote's embedded PCK root is offered as a simulator root only when it is self-signed and
// its key is one the user trusts (--sim-root or the policy's sim_roots); the policy's
// "simulated" check then decides. Otherwise a foreign root stays CHAIN_UNTRUSTED.
std::optional<crypto::Certificate> OfferedSimRoot(const attest::intel::Quote& quote,
                                                  const std::vector<attest::Digest32>& trusted) {
  auto chain = crypto::Certificate::ChainFromPem(quote.pck_chain_pem);
  if (!chain.ok() || chain->size() < 2 || !chain->back().IsSelfSigned()) return std::nullopt;
  const attest::Digest32 digest = crypto::Sha256(chain->back().public_key().ToDer());
  if (std::find(trusted.begin(), trusted.end(), digest) == trusted.end()) return std::nullopt;
  return chain->back();
}

int RunVerifyIntel(const VerifyArgs& args, attest::Policy policy, Time now) {
  auto bytes = ReadFile(args.sources.evidence_path, 1 << 20);
  if (!bytes.ok()) return Fail(bytes.error());
  auto quote = attest::intel::ParseQuote(*bytes);
  if (!quote.ok()) return Fail(quote.error());
  if (quote->is_tdx() != (args.tee == "tdx")) {
    return Fail(InvalidArgumentError("--tee " + args.tee + ": the quote is " +
                                     (quote->is_tdx() ? "a TDX" : "an SGX") + " quote"));
  }
  auto collateral = LoadIntelCollateral(args.collateral_path, *quote);
  if (!collateral.ok()) return Fail(collateral.error());
  std::vector<attest::Digest32> trusted_sim_roots = policy.sim_roots;
  if (!args.sim_root_path.empty()) {
    auto digest = IntelSimRootDigest(args.sim_root_path);
    if (!digest.ok()) return Fail(InvalidArgumentError("--sim-root: " + digest.error().message));
    trusted_sim_roots.push_back(*digest);
    if (args.policy_path.empty()) {  // the authenticity-only policy accepts this sim root
      policy.allow_simulated = true;
      policy.sim_roots.push_back(*digest);
    }
  }
  attest::IntelEvidence ev{.quote = *std::move(bytes),
                           .collateral = *std::move(collateral),
                           .sim_root = OfferedSimRoot(*quote, trusted_sim_roots),
                           .claims = std::nullopt,
                           .produced_at = std::nullopt};
  attest::IntelAppraiseOptions opts;
  opts.now = now;
  opts.verifier.build = "confide " CONFIDE_VERSION;
  auto appraisal = attest::AppraiseIntel(ev, policy, opts);
  if (!appraisal.ok()) return Fail(appraisal.error());
  if (args.json) {
    std::cout << attest::AppraisalToJson(*appraisal).dump(2) << "\n";
  } else {
    if (args.policy_path.empty()) {
      std::cout << "note: no --policy given: checking authenticity and Intel's TCB verdict only "
                   "(any measurement accepted)\n";
    }
    if (args.collateral_path.empty()) {
      std::cout << "note: no --collateral given: the TCB cannot be appraised\n";
    }
    std::cout << attest::ExplainAppraisal(*appraisal);
  }
  return appraisal->accepted ? kExitOk : kExitRejected;
}

// The document alone (it carries its certificate chain); --sim-root offers a simulator's Nitro
// root, which the policy must still list in sim_roots.
int RunVerifyNitro(const VerifyArgs& args, const attest::Policy& policy, Time now) {
  auto bytes = ReadFile(args.sources.evidence_path, 1 << 16);
  if (!bytes.ok()) return Fail(bytes.error());
  attest::NitroEvidence ev{.document = *std::move(bytes)};
  if (!args.sim_root_path.empty()) {
    auto pem = ReadFile(args.sim_root_path);
    if (!pem.ok()) return Fail(pem.error());
    auto root = crypto::Certificate::FromPem(ToString(*pem));
    if (!root.ok()) return Fail(root.error());
    ev.sim_root = *std::move(root);
  }
  attest::NitroAppraiseOptions opts{.now = now};
  opts.verifier.build = "confide " CONFIDE_VERSION;
  auto appraisal = attest::AppraiseNitro(ev, policy, opts);
  if (!appraisal.ok()) return Fail(appraisal.error());
  if (args.json) {
    std::cout << attest::AppraisalToJson(*appraisal).dump(2) << "\n";
  } else {
    if (args.policy_path.empty()) {
      std::cout << "note: no --policy given: checking authenticity only (any PCRs accepted)\n";
    }
    std::cout << attest::ExplainAppraisal(*appraisal);
  }
  return appraisal->accepted ? kExitOk : kExitRejected;
}

int RunVerify(const VerifyArgs& args) {
  const bool intel = args.tee == "sgx" || args.tee == "tdx";
  const bool nitro = args.tee == "nitro";
  std::string policy_text = intel   ? kVerifyOnlyIntelPolicy
                            : nitro ? kVerifyOnlyNitroPolicy
                                    : kVerifyOnlyPolicy;
  if (!args.policy_path.empty()) {
    auto text = ReadFile(args.policy_path);
    if (!text.ok()) return Fail(text.error());
    policy_text = ToString(*text);
  }
  auto policy = attest::ParsePolicy(policy_text);
  if (!policy.ok()) return Fail(policy.error());
  Time now = SystemClock().Now();
  if (!args.at.empty()) {
    auto at = ParseRfc3339(args.at);
    if (!at.ok()) return Fail(InvalidArgumentError("--at: " + at.error().message));
    now = *at;
  }
  if (intel) return RunVerifyIntel(args, *policy, now);
  if (nitro) return RunVerifyNitro(args, *policy, now);
  auto evidence = LoadSnpEvidence(args.sources);
  if (!evidence.ok()) return Fail(evidence.error());
  attest::SnpAppraiseOptions opts{.now = now};
  opts.verifier.build = "confide " CONFIDE_VERSION;
  auto appraisal = attest::AppraiseSnp(*evidence, *policy, opts);
  if (!appraisal.ok()) return Fail(appraisal.error());
  if (args.json) {
    std::cout << attest::AppraisalToJson(*appraisal).dump(2) << "\n";
  } else {
    if (args.policy_path.empty()) {
      std::cout << "note: no --policy given: checking authenticity only (any measurement "
                   "accepted)\n";
    }
    std::cout << attest::ExplainAppraisal(*appraisal);
  }
  return appraisal->accepted ? kExitOk : kExitRejected;
}

void PrintTcb(const char* name, uint64_t raw, const snp::Report& r) {
  snp::Generation gen = snp::GenerationFromCpuid(r);
  auto layout = snp::TcbLayoutFor(gen == snp::Generation::kUnknown ? snp::Generation::kMilan : gen);
  snp::Tcb t = snp::DecodeTcb(raw, *layout);
  std::cout << "  " << name << ": bl=" << int(t.boot_loader) << " tee=" << int(t.tee)
            << " snp=" << int(t.snp) << " ucode=" << int(t.microcode);
  if (layout.value() == snp::TcbLayout::kTurin) std::cout << " fmc=" << int(t.fmc);
  std::cout << "\n";
}

int RunShow(const std::string& path) {
  auto bytes = ReadFile(path, 1 << 20);
  if (!bytes.ok()) return Fail(bytes.error());
  auto r = snp::ParseReport(*bytes);
  if (!r.ok()) return Fail(r.error());
  auto line = [](const char* name, const std::string& value) {
    std::cout << "  " << name << ": " << value << "\n";
  };
  std::cout << "SEV-SNP attestation report (not verified: use `confide attest verify`)\n";
  line("version", std::to_string(r->version));
  line("generation", snp::GenerationName(snp::GenerationFromCpuid(*r)));
  line("guest_svn", std::to_string(r->guest_svn));
  char policy[32];
  std::snprintf(policy, sizeof(policy), "0x%llx", static_cast<unsigned long long>(r->policy));
  line("policy", std::string(policy) + ((r->policy >> 19) & 1 ? " (DEBUG)" : ""));
  line("vmpl", std::to_string(r->vmpl));
  line("signing_key", r->signing_key == snp::SigningKey::kVlek ? "VLEK" : "VCEK");
  line("measurement", HexEncode(r->measurement));
  line("host_data", HexEncode(r->host_data));
  line("report_data", HexEncode(r->report_data));
  line("family_id", HexEncode(r->family_id));
  line("image_id", HexEncode(r->image_id));
  line("id_key_digest", HexEncode(r->id_key_digest));
  line("author_key_digest", HexEncode(r->author_key_digest));
  line("report_id", HexEncode(r->report_id));
  line("chip_id", HexEncode(r->chip_id));
  PrintTcb("reported_tcb", r->reported_tcb, *r);
  PrintTcb("current_tcb", r->current_tcb, *r);
  PrintTcb("committed_tcb", r->committed_tcb, *r);
  PrintTcb("launch_tcb", r->launch_tcb, *r);
  line("firmware", std::to_string(r->current_major) + "." + std::to_string(r->current_minor) +
                       "." + std::to_string(r->current_build));
  return kExitOk;
}

}  // namespace

void AddAttestCommand(CLI::App& app, int* exit_code) {
  CLI::App* attest = app.add_subcommand("attest", "Verify or display attestation evidence");
  attest->require_subcommand(1);

  auto args = std::make_shared<VerifyArgs>();
  CLI::App* verify = attest->add_subcommand(
      "verify",
      "Verify SEV-SNP evidence (signature, VCEK/VLEK chain to the AMD root, TCB, chip id) and "
      "appraise it against a policy; every check is explained. Exit 0 accepted, 1 rejected. "
      "With --tee sgx|tdx: an Intel DCAP quote (quote signature, QE report, PCK chain to the "
      "Intel root, collateral: CRLs, TCB info and QE identity) instead. With --tee nitro: an "
      "AWS Nitro Enclaves attestation document (COSE ES384 signature, chain to the AWS Nitro "
      "root, PCRs, debug mode).");
  verify->add_option("EVIDENCE", args->sources.evidence_path, "The attestation report file")
      ->required()->check(CLI::ExistingFile);
  verify->add_option("--certs", args->sources.certs_dir,
                     "Folder with vcek.der/vlek.der, ask.pem/asvk.pem, ark.pem and *.crl "
                     "(default: <evidence>.vcek.der etc. beside the evidence, then the "
                     "certificate table, then AMD's built-in ASK)");
  verify->add_option("--cert-table", args->sources.cert_table_path,
                     "An extended-report certificate table (default: EVIDENCE.certs if present)");
  verify->add_option("--tee", args->tee, "Evidence kind: sev-snp (default), sgx, tdx or nitro")
      ->check(CLI::IsMember({"sev-snp", "sgx", "tdx", "nitro"}));
  verify->add_option("--sim-root", args->sim_root_path,
                     "Nitro: the simulator's Nitro root certificate (nitro_root.pem of the sim "
                     "store); accepted only if the policy allows simulation and lists it. "
                     "SGX/TDX: the sim Intel root as `confide sim init` prints it (hex SHA-256 "
                     "of its public key) or intel_root.pem; without --policy it is accepted, "
                     "with one the policy's allow_simulated and sim_roots decide");
  verify->add_option("--collateral", args->collateral_path,
                     "SGX/TDX: collateral as a dcap-qvl-style JSON file, or a folder written by "
                     "`confide collateral import`");
  verify->add_option("--policy", args->policy_path,
                     "Appraisal policy (TOML, see docs/policy.md). Without it, only "
                     "authenticity is checked");
  verify->add_option("--at", args->at, "Verify at this RFC 3339 time instead of now");
  verify->add_flag("--json", args->json, "Print an EAR-shaped JSON attestation result");
  verify->callback([args, exit_code] { *exit_code = RunVerify(*args); });

  auto show_path = std::make_shared<std::string>();
  CLI::App* show = attest->add_subcommand("show", "Print every field of an SEV-SNP report "
                                                  "(parsed, not verified)");
  show->add_option("EVIDENCE", *show_path, "The attestation report file")
      ->required()->check(CLI::ExistingFile);
  show->callback([show_path, exit_code] { *exit_code = RunShow(*show_path); });
}

}  // namespace confide::cli
