// Each file cmd_*.cc registers one subcommand on the CLI11 app. A command's callback stores its
// exit code in `*exit_code`; main() returns it.
#ifndef CONFIDE_APPS_CONFIDE_COMMANDS_H_
#define CONFIDE_APPS_CONFIDE_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace confide::cli {

void AddSelftestCommand(CLI::App& app, int* exit_code);
// Attestation (issue 3): attest verify/show, sim init/evidence.
void AddAttestCommand(CLI::App& app, int* exit_code);
void AddSimCommand(CLI::App& app, int* exit_code);
// Model packages (issue 5): keygen, pack, inspect, package verify, unpack.
void AddKeygenCommand(CLI::App& app, int* exit_code);
void AddPackCommand(CLI::App& app, int* exit_code);
void AddInspectCommand(CLI::App& app, int* exit_code);
void AddPackageCommand(CLI::App& app, int* exit_code);
void AddUnpackCommand(CLI::App& app, int* exit_code);
// Inference engine (issue 4): model info, run.
void AddModelCommand(CLI::App& app, int* exit_code);
void AddRunCommand(CLI::App& app, int* exit_code);
// Key broker and audit log (issue 6): kbs init/serve/admin/release, audit verify/export.
void AddKbsCommand(CLI::App& app, int* exit_code);
void AddAuditCommand(CLI::App& app, int* exit_code);
// Confidential inference client (issue 7): attest remote (needs AddAttestCommand first), infer.
void AddAttestRemoteCommand(CLI::App& app, int* exit_code);
void AddInferCommand(CLI::App& app, int* exit_code);
void AddProvisionCommand(CLI::App& app, int* exit_code);
// TEE backends (issue 9): tee info.
void AddTeeCommand(CLI::App& app, int* exit_code);
// Deployable bundle (issue 9): bundle.
void AddBundleCommand(CLI::App& app, int* exit_code);
// Intel collateral store (issue 8): collateral import/verify.
void AddCollateralCommand(CLI::App& app, int* exit_code);

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_COMMANDS_H_
