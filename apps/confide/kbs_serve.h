// `confide kbs init` and `confide kbs serve` (cmd_kbs.cc registers them).
#ifndef CONFIDE_APPS_CONFIDE_KBS_SERVE_H_
#define CONFIDE_APPS_CONFIDE_KBS_SERVE_H_

#include <string>

namespace confide::cli {

// Creates a KBS folder: kbs.toml, import.pub, tls.crt, kbs.pin, data/ and secrets/ (0700, every
// file 0600: master key, import/TLS/audit keys, admin tokens). Returns an exit code.
int RunKbsInit(const std::string& dir, int port);
// Serves until SIGINT/SIGTERM, then writes the final audit checkpoint. Returns an exit code.
int RunKbsServe(const std::string& config_path);

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_KBS_SERVE_H_
