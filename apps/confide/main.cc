// The confide command-line tool: model owners, operators, clients and auditors use it.
#include <CLI/CLI.hpp>
#include <iostream>

#include "apps/confide/commands.h"
#include "apps/confide/exit_codes.h"
#include "confide/base/process.h"

#ifndef CONFIDE_VERSION
#error "CONFIDE_VERSION must be defined by the build"
#endif

int main(int argc, char** argv) {
  using namespace confide::cli;
  // Model keys, owner keys and plaintext models pass through this process: no core dumps.
  if (confide::Status s = confide::DisableCoreDumps(); !s.ok()) return Fail(s.error());
  CLI::App app(
      "confide: confidential AI inference in hardware TEEs (SGX, TDX, SEV-SNP, Nitro).\n\n"
      "Exit codes: 0 success/accepted, 1 verification failed or policy rejected,\n"
      "            2 usage error, 3 I/O or internal error.",
      "confide");
  app.set_version_flag("--version", "confide " CONFIDE_VERSION);
  app.require_subcommand(0, 1);
  int exit_code = kExitOk;
  AddSelftestCommand(app, &exit_code);
  AddModelCommand(app, &exit_code);
  AddRunCommand(app, &exit_code);
  AddAttestCommand(app, &exit_code);
  AddAttestRemoteCommand(app, &exit_code);
  AddInferCommand(app, &exit_code);
  AddProvisionCommand(app, &exit_code);
  AddSimCommand(app, &exit_code);
  AddTeeCommand(app, &exit_code);
  AddBundleCommand(app, &exit_code);
  AddKeygenCommand(app, &exit_code);
  AddPackCommand(app, &exit_code);
  AddInspectCommand(app, &exit_code);
  AddPackageCommand(app, &exit_code);
  AddUnpackCommand(app, &exit_code);
  AddKbsCommand(app, &exit_code);
  AddAuditCommand(app, &exit_code);
  AddCollateralCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return kExitUsage;
  }
  return exit_code;
}
