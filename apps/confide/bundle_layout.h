// The text files of a deployable bundle (`confide bundle`, deploy/README.md): the server's
// configuration, run.sh, the client policy, the reference values and the Gramine manifest
// template. Pure functions of their inputs; cmd_bundle.cc writes them.
//
// Layout (paths relative to the bundle directory, which run.sh makes the working directory):
//   run.sh  confide-server.toml  bin/confide-server  lib/*.so*  models/*.cfpkg  keys/*
//   trust/signers.toml  state/  gramine/confide-server.manifest.template
//   reference-values.toml  client-policy.toml (sim) or client-policy.toml.in  SHA256SUMS
#ifndef CONFIDE_APPS_CONFIDE_BUNDLE_LAYOUT_H_
#define CONFIDE_APPS_CONFIDE_BUNDLE_LAYOUT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/base/result.h"

namespace confide::cli {

// The TEE a bundle targets, and the confide-server --tee backend that serves it.
enum class BundleTarget { kSim, kSnp, kTdx, kSgx, kNitro };
Result<BundleTarget> ParseBundleTarget(std::string_view name);  // sim snp tdx sgx nitro
std::string_view BundleTargetName(BundleTarget t);
std::string_view ServerBackend(BundleTarget t);  // sim, tsm, tsm, sgx, nitro

// The Gramine manifest template of the repository (deploy/gramine/...), compiled in.
extern const char* const kGramineManifestTemplate;

// A TOML basic string ("..." with \\ and \" escaped). kInvalidArgument for control characters
// (bundle paths and addresses never need them).
Result<std::string> TomlString(std::string_view s);

struct ServerConfigValues {
  BundleTarget target = BundleTarget::kSim;
  std::string sim_dir;              // absolute; sim only
  std::vector<std::string> models;  // "models/x.cfpkg" or "models/x.cfpkg:keys/x.key"
  std::string trust = "trust/signers.toml";
  std::string state_dir = "state";
  std::optional<std::string> host;
  std::optional<int> port;
  std::string kbs, kbs_pin;  // empty: no key broker
};
// confide-server.toml: CLI11 config keys = confide-server's long options.
Result<std::string> RenderServerConfig(const ServerConfigValues& v);

// run.sh: cd to its own directory, LD_LIBRARY_PATH=<bundle>/lib only, exec the server with
// --config and the script's own arguments (which override the file).
std::string RenderRunScript();

struct ReferenceValues {
  BundleTarget target = BundleTarget::kSim;
  std::string server_sha384;  // hex, of bin/confide-server = the sim measurement
  std::string server_sha256;  // hex
  std::string sim_root;       // hex SHA-256 of the simulator's ARK public key; sim only
  std::string generated_at;   // RFC 3339
};
// reference-values.toml: the values a client policy pins, or (real TEEs) where to get them.
std::string RenderReferenceValues(const ReferenceValues& v);
// For sim: client-policy.toml accepted by `confide attest remote` / `confide infer`.
// For real TEEs: client-policy.toml.in, a policy with the measurement to fill in.
std::string RenderClientPolicy(const ReferenceValues& v);

struct TrustedFile {
  std::string path;    // relative to the bundle
  std::string sha256;  // hex
};
// The template with %%TRUSTED_FILES%%, %%ENCLAVE_SIZE%%, %%MAX_THREADS%% filled.
// kInvalidArgument if the template lacks a placeholder or a path needs escaping.
Result<std::string> RenderGramineManifest(std::string_view tmpl,
                                          const std::vector<TrustedFile>& files,
                                          std::string_view enclave_size, int max_threads);

}  // namespace confide::cli

#endif  // CONFIDE_APPS_CONFIDE_BUNDLE_LAYOUT_H_
