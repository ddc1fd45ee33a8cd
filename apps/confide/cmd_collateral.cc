// `confide collateral import --dir DIR FILE...` and `confide collateral verify --dir DIR ...`:
// the local Intel collateral store (docs/formats/intel-collateral.md). Import recognises PCCS /
// PCS files (TCB info and QE identity responses, issuer chains, CRLs) and dcap-qvl collateral
// JSON, verifies every signature to the embedded Intel SGX Root CA and writes nothing unless
// all of them verify. Verify assembles one platform's collateral from the store and checks it
// (chains, signatures, CRLs, validity windows) at --at or now. No network access.
#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/attest/intel/collateral_store.h"
#include "confide/attest/intel/intel_roots.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"

namespace confide::cli {
namespace {

namespace intel = attest::intel;

struct CollateralArgs {
  std::string dir;
  std::vector<std::string> files;
  std::string at;
  std::string fmspc;
  bool tdx = false;
  std::string ca = "platform";
};

Result<std::optional<Time>> OptionalTime(const std::string& text) {
  if (text.empty()) return std::optional<Time>();
  Result<Time> t = ParseRfc3339(text);
  if (!t.ok()) return InvalidArgumentError("--at: " + t.error().message);
  return std::optional<Time>(*t);
}

int RunImport(const CollateralArgs& a) {
  auto at = OptionalTime(a.at);
  if (!at.ok()) return Fail(at.error());
  std::vector<intel::ImportFile> files;
  for (const std::string& path : a.files) {
    auto bytes = ReadFile(path, size_t{1} << 22);
    if (!bytes.ok()) return Fail(bytes.error());
    files.push_back({path, std::move(bytes).value()});
  }
  auto root = intel::IntelSgxRootCa();
  if (!root.ok()) return Fail(root.error());
  auto report = intel::ImportCollateral(a.dir, files, *root, {.at = *at});
  if (!report.ok()) return Fail(report.error());
  for (const std::string& rel : report->written) {
    std::cout << "imported " << a.dir << "/" << rel << "\n";
  }
  for (const std::string& rel : report->kept_newer) {
    std::cout << "kept " << a.dir << "/" << rel << " (the stored one was issued later)\n";
  }
  return kExitOk;
}

int RunVerify(const CollateralArgs& a) {
  auto at = OptionalTime(a.at);
  if (!at.ok()) return Fail(at.error());
  auto fmspc = HexDecode(a.fmspc);
  if (!fmspc.ok() || fmspc->size() != 6) {
    return Fail(InvalidArgumentError("--fmspc: want 12 hex digits"));
  }
  if (a.ca != "platform" && a.ca != "processor") {
    return Fail(InvalidArgumentError("--ca: platform or processor"));
  }
  std::array<uint8_t, 6> f{};
  std::copy(fmspc->begin(), fmspc->end(), f.begin());
  const intel::PckCaKind ca =
      a.ca == "platform" ? intel::PckCaKind::kPlatform : intel::PckCaKind::kProcessor;
  auto c = intel::LoadStoredCollateral(a.dir, f, a.tdx, ca);
  if (!c.ok()) return Fail(c.error());
  auto root = intel::IntelSgxRootCa();
  if (!root.ok()) return Fail(root.error());
  const Time now = at->value_or(SystemClock().Now());
  auto v = intel::VerifyCollateral(*c, *root, {.now = now});
  if (!v.ok()) return Fail(v.error());
  if (!v->ok()) {
    std::cout << "REJECTED: " << intel::CollateralFailureName(v->failure) << ": " << v->detail
              << "\n";
    return kExitRejected;
  }
  std::cout << "OK: collateral for fmspc " << HexEncode(f) << (a.tdx ? " (TDX)" : " (SGX)")
            << " at " << FormatRfc3339(now) << "\n  tcb info: evaluation data number "
            << v->tcb_info->tcb_evaluation_data_number << ", valid until "
            << FormatRfc3339(v->tcb_info->next_update) << ", " << v->tcb_info->tcb_levels.size()
            << " levels\n";
  if (v->qe_identity) {
    std::cout << "  qe identity: valid until " << FormatRfc3339(v->qe_identity->next_update)
              << "\n";
  }
  std::cout << "  crls: " << v->crls.size() << " verified\n";
  return kExitOk;
}

}  // namespace

void AddCollateralCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "collateral", "Manage the local Intel SGX/TDX collateral store (offline; no PCS fetch)");
  cmd->require_subcommand(1);
  auto im = std::make_shared<CollateralArgs>();
  CLI::App* import = cmd->add_subcommand(
      "import",
      "Verify and store PCCS/PCS files: TCB info and QE identity responses, TCB-Info / PCK-CRL "
      "issuer chains (PEM), CRLs (DER, PEM or hex), or dcap-qvl collateral JSON");
  import->add_option("--dir", im->dir, "Collateral store directory")->required();
  import->add_option("files", im->files, "Files to import")->required();
  import->add_option("--at", im->at,
                     "Check chains at this RFC 3339 time (default: each piece's issue time)");
  import->callback([im, exit_code] { *exit_code = RunImport(*im);
});

auto ve = std::make_shared<CollateralArgs>();
CLI::App* verify =
    cmd->add_subcommand("verify",
                        "Load one platform's collateral from the store and verify it; exit 0 ok, 1 "
                        "rejected (expired, bad signature, untrusted chain)");
verify->add_option("--dir", ve->dir, "Collateral store directory")->required();
verify->add_option("--fmspc", ve->fmspc, "FMSPC, 12 hex digits")->required();
verify->add_flag("--tdx", ve->tdx, "TDX TCB info and TD_QE identity (default SGX)");
verify->add_option("--ca", ve->ca, "PCK CA of the platform: platform (default) or processor");
verify->add_option("--at", ve->at, "Verification time, RFC 3339 (default: now)");
verify->callback([ve, exit_code] { *exit_code = RunVerify(*ve); });
}  // namespace confide::cli

}  // namespace confide::cli
