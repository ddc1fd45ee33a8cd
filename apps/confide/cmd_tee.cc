// `confide tee info`: which TEE this process runs in, as the server would detect it
// (confide/tee/detect.h: configfs-tsm, then Gramine /dev/attestation, then /dev/nsm, then the
// simulator), and whether it can seal.
#include <iostream>
#include <utility>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/attest/evidence.h"
#include "confide/tee/detect.h"
#include "confide/tee/sim/sim_store.h"

namespace confide::cli {

namespace {

struct InfoArgs {
  std::string tee = "auto";
  std::string root;
  std::string sim_dir;
  bool verbose = false;
};

int RunInfo(const InfoArgs& a) {
  auto detected = tee::DetectPlatform(
      tee::SystemDevices(), {.tee = a.tee, .root = a.root, .sim_dir = a.sim_dir});
  if (!detected.ok()) return Fail(detected.error());
  tee::PlatformInfo info = detected->platform->Describe();
  std::cout << "backend:   " << info.backend << "\n"
            << "tee:       " << attest::TeeTypeName(info.tee) << "\n"
            << "simulated: " << (info.simulated ? "yes (no hardware protection)" : "no") << "\n";
  for (const auto& [key, value] : info.details) std::cout << "  " << key << ": " << value << "\n";
  for (auto [binding, name] : {std::pair{tee::SealBinding::kMeasurement, "measurement"},
                                std::pair{tee::SealBinding::kSigner, "signer"}}) {
    auto key = detected->platform->SealingKey(binding, "confide tee info");
    std::cout << "sealing to the " << name << ": "
              << (key.ok() ? std::string("available") : "unavailable: " + key.error().message)
              << "\n";
  }
  if (a.verbose) {
    std::cout << "probed:\n";
    for (const std::string& line : detected->probes) std::cout << "  " << line << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddTeeCommand(CLI::App& app, int* exit_code) {
  CLI::App* tee_cmd = app.add_subcommand(
      "tee", "The TEE this machine provides: configfs-tsm (SEV-SNP, TDX), Gramine SGX, Nitro, "
             "or the simulator");
  tee_cmd->require_subcommand(1);
  auto args = std::make_shared<InfoArgs>();
  args->sim_dir = tee::sim::DefaultSimDir();
  CLI::App* info = tee_cmd->add_subcommand(
      "info", "Detect the TEE (tsm -> sgx -> nitro -> sim) and describe it");
  info->add_option("--tee", args->tee,
                   "Force a backend: auto, tsm, sgx, nitro, sim, sim-sgx, sim-tdx or sim-nitro")
      ->capture_default_str();
  info->add_option("--root", args->root,
                   "Prefix for every device path (a fake device tree; default: none)");
  info->add_option("--sim-dir", args->sim_dir, "Simulator folder")->capture_default_str();
  info->add_flag("-v,--verbose", args->verbose, "List every backend probed and its answer");
  info->callback([args, exit_code] { *exit_code = RunInfo(*args); });
}

}  // namespace confide::cli
