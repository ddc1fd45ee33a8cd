// kbs.toml: where the key broker listens, where its files are, and its limits
// (docs/kbs-protocol.md §7 lists every key). Parsing only; the CLI reads the files it names.
//
//   CONFIDE_ASSIGN_OR_RETURN(KbsConfig c, ParseKbsConfig(toml_text, "/etc/confide-kbs"));
#ifndef CONFIDE_KBS_CONFIG_H_
#define CONFIDE_KBS_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "confide/base/result.h"

namespace confide::kbs {

struct KbsConfig {
  std::string host = "127.0.0.1";  // loopback by default
  int port = 8443;                 // 0: any free port (see port_file)
  std::string port_file;           // when set, the bound port is written there once listening
  std::string database;            // the key store (SQLite)
  std::string audit_database;      // the audit log (SQLite)
  std::string master_key_file;     // 32 bytes, or 64 hex digits; mode 0600; not beside database
  std::string master_key_env;      // or: name of an environment variable holding 64 hex digits
  std::string import_key_file;     // X25519 PEM: `confide pack --seal-to` seals to its public key
  std::string tls_key_file;        // P-256 PEM, mode 0600
  std::string tls_cert_file;       // PEM; clients pin its public key
  std::string audit_key_file;      // P-256 PEM, mode 0600: signs the audit checkpoints
  std::string admin_tokens_file;   // "NAME TOKEN SCOPE" lines, mode 0600
  size_t max_body_bytes = 64 * 1024;
  int64_t nonce_ttl_seconds = 60;
  double rate_limit_per_second = 20;
  double rate_limit_burst = 40;
  int threads = 8;
  uint64_t checkpoint_every = 100;
  bool audit_sync_full = true;
};

// Parses kbs.toml; relative paths are taken relative to `base_dir`. kMalformed for TOML syntax;
// kInvalidArgument for unknown keys, wrong types, a missing required path, out-of-range limits,
// both or neither of master_key_file / master_key_env, or a master key file in the same folder
// as the database.
Result<KbsConfig> ParseKbsConfig(std::string_view toml_text, const std::string& base_dir);

}  // namespace confide::kbs

#endif  // CONFIDE_KBS_CONFIG_H_
