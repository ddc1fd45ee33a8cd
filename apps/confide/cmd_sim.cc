// `confide sim init` and `confide sim evidence`: the TEE simulator's PKI and evidence.
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/attest/intel/collateral.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"
#include "confide/tee/measure.h"
#include "confide/tee/sim/sim_intel.h"
#include "confide/tee/sim/sim_nitro.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::cli {

namespace {

using tee::sim::DefaultSimDir;

std::string SimRootDigest(const tee::sim::SimStore& store) {
  return HexEncode(crypto::Sha256(store.ark.public_key().ToDer()));
}

int RunInit(const std::string& dir, bool force) {
  Status s = tee::sim::InitSimStore(dir, SystemClock().Now(), force);
  if (!s.ok()) return Fail(s.error());
  auto store = tee::sim::LoadSimStore(dir);
  if (!store.ok()) return Fail(store.error());
  std::cout << "simulator store created in " << dir << "\n"
            << "  simulated AMD PKI: " << store->ark.subject() << "\n"
            << "  sim root (SHA-256 of the ARK public key): " << SimRootDigest(*store) << "\n"
            << "To accept its evidence, a policy must say:\n"
            << "  allow_simulated = true\n"
            << "  sim_roots = [\"" << SimRootDigest(*store) << "\"]\n";
  if (store->nitro) {
    std::cout << "  simulated AWS Nitro PKI: " << store->nitro->root.subject()
              << "\n  sim Nitro root (for Nitro policies' sim_roots): "
              << HexEncode(crypto::Sha256(store->nitro->root.public_key().ToDer())) << "\n";
  }
  if (store->intel) {
    std::cout << "  simulated Intel PKI: " << store->intel->root.subject()
              << "\n  sim Intel root (for SGX/TDX policies' sim_roots): "
              << HexEncode(crypto::Sha256(store->intel->root.public_key().ToDer())) << "\n";
  }
  return kExitOk;
}

struct EvidenceArgs {
  std::string dir;
  std::string report_data_hex;
  std::string measurement_hex;
  std::string host_data_hex;
  std::string out;
  bool debug = false;
  std::string tee = "sev-snp";
};

// Copies hex into a fixed array; the hex must be exactly N bytes (or, for report data, at most).
template <size_t N>
Status FixedHex(const std::string& hex, const char* name, bool allow_shorter,
                std::array<uint8_t, N>* out) {
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() > N || (!allow_shorter && bytes->size() != N)) {
    return InvalidArgumentError(std::string(name) + ": expected " +
                                (allow_shorter ? "at most " : "") + std::to_string(N) +
                                " bytes of hex");
  }
  out->fill(0);
  std::copy(bytes->begin(), bytes->end(), out->begin());
  return OkStatus();
}

// SGX: a quote v3 with MRENCLAVE = the measurement's first 32 bytes; TDX: a quote v4 with
// MRTD = the measurement. The collateral (as `attest verify --collateral` reads it) goes beside
// it as OUT.collateral.json, valid for 30 days from now.
int WriteIntelEvidence(const EvidenceArgs& a, tee::sim::SimStore store,
                       const tee::sim::SimLaunch& launch, const tee::ReportData& report_data) {
  const bool tdx = a.tee == "tdx";
  if (!store.intel) return Fail(tee::sim::OlderSimStoreError(store, "Intel"));
  const std::string root = HexEncode(crypto::Sha256(store.intel->root.public_key().ToDer()));
  tee::sim::SimQuoteRequest req = tee::sim::SimQuoteRequestFor(tdx, launch.measurement);
  req.report_data = report_data;
  req.debug = a.debug;
  auto quote = tee::sim::EmitSimIntelQuote(*store.intel, req);
  if (!quote.ok()) return Fail(quote.error());
  auto collateral = tee::sim::SimIntelCollateral(*store.intel, tdx, SystemClock().Now());
  if (!collateral.ok()) return Fail(collateral.error());
  const std::string collateral_path = a.out + ".collateral.json";
  Status w = WriteFile(a.out, *quote, 0644);
  const Bytes collateral_json = attest::intel::EncodeIntelCollateral(*collateral);
  if (w.ok()) w = WriteFile(collateral_path, collateral_json, 0644);
  if (!w.ok()) return Fail(w.error());
  std::cout << "wrote " << a.out << " (" << (tdx ? "TDX quote v4" : "SGX quote v3")
            << ", simulated) and " << collateral_path << " (its collateral, valid 30 days)\n  "
            << (tdx ? "mr_td: " + HexEncode(req.mrtd) : "mr_enclave: " + HexEncode(req.mrenclave))
            << "\n  sim Intel root: " << root << "\n";
  return kExitOk;
}

int RunEvidence(const EvidenceArgs& a) {
  auto store = tee::sim::LoadSimStore(a.dir);
  if (!store.ok()) return Fail(store.error());
  tee::sim::SimLaunch launch;
  tee::ReportData report_data{};
  Status s = FixedHex(a.report_data_hex, "--report-data", true, &report_data);
  if (s.ok() && !a.host_data_hex.empty()) s = FixedHex(a.host_data_hex, "--host-data", false, &launch.host_data);
  if (s.ok() && !a.measurement_hex.empty()) {
    s = FixedHex(a.measurement_hex, "--measurement", false, &launch.measurement);
  } else if (s.ok()) {
    auto m = tee::MeasureFile("/proc/self/exe");
    if (!m.ok()) return Fail(m.error());
    launch.measurement = *m;
  }
  if (!s.ok()) return Fail(s.error());
  if (a.tee == "sgx" || a.tee == "tdx") {
    return WriteIntelEvidence(a, *std::move(store), launch, report_data);
  }
  if (a.tee == "nitro") {
    // PCR0 = the measurement; --debug zeroes PCR0..2 as an enclave in debug mode reports.
    tee::sim::SimNitroLaunch nitro_launch =
        a.debug ? tee::sim::SimNitroLaunch{} : tee::sim::SimNitroLaunchFor(launch.measurement);
    SystemClock clock;
    auto platform = tee::sim::SimNitroPlatform::Open(*std::move(store), nitro_launch, clock);
    if (!platform.ok()) return Fail(platform.error());
    auto ev = (*platform)->GetEvidence(report_data);
    if (!ev.ok()) return Fail(ev.error());
    Status w = WriteFile(a.out, ev->report, 0644);
    if (!w.ok()) return Fail(w.error());
    std::cout << "wrote " << a.out << " (AWS Nitro attestation document, simulated; its root is "
              << a.dir << "/nitro_root.pem)\n  pcr0: "
              << (a.debug ? std::string(96, '0') : HexEncode(launch.measurement)) << "\n";
    return kExitOk;
  }
  if (a.debug) launch.policy |= uint64_t{1} << 19;
  tee::sim::SimPlatform platform(*std::move(store), launch);
  auto ev = platform.GetEvidence(report_data);
  if (!ev.ok()) return Fail(ev.error());
  Status w = WriteFile(a.out, ev->report, 0644);
  if (w.ok()) w = WriteFile(a.out + ".certs", ev->cert_table, 0644);
  if (!w.ok()) return Fail(w.error());
  std::cout << "wrote " << a.out << " (SEV-SNP report, simulated) and " << a.out
            << ".certs (certificate table)\n  measurement: " << HexEncode(launch.measurement)
            << "\n";
  return kExitOk;
}

}  // namespace

void AddSimCommand(CLI::App& app, int* exit_code) {
  CLI::App* sim = app.add_subcommand(
      "sim", "The TEE simulator: a local stand-in for SEV-SNP, SGX, TDX and Nitro hardware. Its "
             "evidence has real formats but local roots, which every policy rejects unless it "
             "allows simulation.");
  sim->require_subcommand(1);

  auto init_dir = std::make_shared<std::string>(DefaultSimDir());
  auto force = std::make_shared<bool>(false);
  CLI::App* init = sim->add_subcommand(
      "init", "Create the simulated AMD PKI (ARK -> ASK -> VCEK, P-384), the simulated AWS Nitro "
              "and Intel SGX/TDX PKIs and the sealing root in the simulator folder (mode 0700)");
  init->add_option("--dir", *init_dir, "Simulator folder (default: $CONFIDE_SIM_DIR, else "
                                       "$XDG_DATA_HOME/confide/sim)")->capture_default_str();
  init->add_flag("--force", *force, "Replace an existing simulator store");
  init->callback([init_dir, force, exit_code] { *exit_code = RunInit(*init_dir, *force); });

  auto args = std::make_shared<EvidenceArgs>();
  args->dir = DefaultSimDir();
  CLI::App* evidence = sim->add_subcommand(
      "evidence", "Write a simulated SEV-SNP report for the given report data (and its "
                  "certificate table beside it, as OUT.certs); with --tee sgx|tdx an Intel quote "
                  "(and its collateral beside it, as OUT.collateral.json)");
  evidence->add_option("--report-data", args->report_data_hex,
                       "Up to 64 bytes of hex for REPORT_DATA (zero-padded)")->required();
  evidence->add_option("-o,--out", args->out, "Output file")->required();
  evidence->add_option("--measurement", args->measurement_hex,
                       "48-byte hex MEASUREMENT (default: SHA-384 of this executable)");
  evidence->add_option("--host-data", args->host_data_hex, "32-byte hex HOST_DATA");
  evidence->add_flag("--debug", args->debug,
                     "Simulate a debug guest (SNP policy bit 19; Nitro: PCR0..2 all zero; SGX: "
                     "ATTRIBUTES.DEBUG; TDX: TDATTRIBUTES.DEBUG)");
  evidence->add_option("--tee", args->tee,
                       "sev-snp (default: a report and OUT.certs) or nitro (an attestation "
                       "document with user_data = the report data, PCR0 = the measurement), sgx "
                       "(quote v3, MRENCLAVE = the measurement's first 32 bytes) or tdx (quote v4, "
                       "MRTD = the measurement)")
      ->check(CLI::IsMember({"sev-snp", "nitro", "sgx", "tdx"}));
  evidence->add_option("--dir", args->dir, "Simulator folder")->capture_default_str();
  evidence->callback([args, exit_code] { *exit_code = RunEvidence(*args); });
}

}  // namespace confide::cli
