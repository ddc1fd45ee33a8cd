#include "apps/confide/bundle_layout.h"

#include <sstream>

namespace confide::cli {

namespace {

struct TargetInfo {
  BundleTarget target;
  std::string_view name, backend;
};
constexpr TargetInfo kTargets[] = {{BundleTarget::kSim, "sim", "sim"},
                                   {BundleTarget::kSnp, "snp", "tsm"},
                                   {BundleTarget::kTdx, "tdx", "tsm"},
                                   {BundleTarget::kSgx, "sgx", "sgx"},
                                   {BundleTarget::kNitro, "nitro", "nitro"}};

const TargetInfo& Info(BundleTarget t) {
  for (const TargetInfo& i : kTargets) {
    if (i.target == t) return i;
  }
  return kTargets[0];
}

// Replaces the single occurrence of `key`; false if absent.
bool ReplaceOnce(std::string* s, std::string_view key, std::string_view value) {
  size_t at = s->find(key);
  if (at == std::string::npos) return false;
  s->replace(at, key.size(), value);
  return true;
}

// What an operator does to obtain a real TEE's reference values (reference-values.toml).
std::string_view HowToMeasure(BundleTarget t) {
  switch (t) {
    case BundleTarget::kSnp:
      return "# SEV-SNP measures the whole confidential VM (firmware, kernel, initrd, command "
             "line,\n"
             "# vCPU count and type), not this bundle alone. Compute the launch digest of the VM\n"
             "# image that contains this bundle with the SNP launch digest tool, e.g.\n"
             "#   sev-snp-measure --mode snp --vcpus N --vcpu-type EPYC-v4 --ovmf OVMF.fd \\\n"
             "#     --kernel vmlinuz --initrd initrd.img --append \"...\"\n"
             "# or read MEASUREMENT from a report of the booted VM: `confide attest show`.\n"
             "measurement = \"FILL IN: 96 hex digits (SHA-384 launch digest)\"\n";
    case BundleTarget::kTdx:
      return "# TDX measures the trust domain: MRTD (TDVF firmware) and RTMR0..3 (firmware\n"
             "# configuration, kernel, command line and initrd as the boot chain extends them).\n"
             "# Take them from a quote of the booted TD (`confide attest show`) or from the TD\n"
             "# image tooling of your cloud; pin at least mrtd and the RTMRs that cover the "
             "image.\n"
             "mrtd = \"FILL IN: 96 hex digits\"\n";
    case BundleTarget::kSgx:
      return "# Under Gramine the enclave measurement covers the manifest and every trusted file.\n"
             "# In this directory: gramine-manifest gramine/confide-server.manifest.template \\\n"
             "#   confide-server.manifest && gramine-sgx-sign --manifest confide-server.manifest "
             "\\\n"
             "#   --output confide-server.manifest.sgx   (prints mrenclave; or run\n"
             "#   gramine-sgx-sigstruct-view confide-server.sig). mrsigner is the SHA-256 of the\n"
             "#   signing key's modulus, printed by the same tools.\n"
             "mrenclave = \"FILL IN: 64 hex digits\"\n";
    case BundleTarget::kNitro:
      return "# A Nitro enclave is measured as its enclave image file (EIF): `nitro-cli\n"
             "# build-enclave --docker-uri IMAGE --output-file confide.eif` prints PCR0 (image),\n"
             "# PCR1 (kernel and boot ramfs) and PCR2 (application); PCR8 if the EIF is signed.\n"
             "pcr0 = \"FILL IN: 96 hex digits\"\n";
    case BundleTarget::kSim:
      break;
  }
  return "";
}

std::string_view PolicySection(BundleTarget t) {
  switch (t) {
    case BundleTarget::kSnp:
      return "tee_types = [\"sev-snp\"]\n\n[snp]\nmeasurements = [\"FILL IN "
             "(reference-values.toml)\"]\n";
    case BundleTarget::kTdx:
      return "tee_types = [\"tdx\"]\n\n[tdx]\nmrtds = [\"FILL IN (reference-values.toml)\"]\n";
    case BundleTarget::kSgx:
      return "tee_types = [\"sgx\"]\n\n[sgx]\nmrenclaves = [\"FILL IN (reference-values.toml)\"]\n";
    case BundleTarget::kNitro:
      return "tee_types = [\"nitro\"]\n\n[nitro]\npcr0 = [\"FILL IN (reference-values.toml)\"]\n";
    case BundleTarget::kSim:
      break;
  }
  return "";
}

}  // namespace

Result<BundleTarget> ParseBundleTarget(std::string_view name) {
  for (const TargetInfo& i : kTargets) {
    if (i.name == name) return i.target;
  }
  return InvalidArgumentError("--tee: expected sim, snp, tdx, sgx or nitro, got '" +
                              std::string(name) + "'");
}

std::string_view BundleTargetName(BundleTarget t) { return Info(t).name; }
std::string_view ServerBackend(BundleTarget t) { return Info(t).backend; }

Result<std::string> TomlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return InvalidArgumentError("control character in '" + std::string(s) + "'");
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Result<std::string> RenderServerConfig(const ServerConfigValues& v) {
  std::ostringstream o;
  o << "# confide-server configuration, written by `confide bundle`. Each key is a long option\n"
       "# of confide-server (see `confide-server --help`); options given to run.sh override it.\n"
       "# Relative paths are relative to the bundle directory (run.sh starts the server there).\n";
  CONFIDE_ASSIGN_OR_RETURN(std::string tee, TomlString(ServerBackend(v.target)));
  o << "tee = " << tee << "\n";
  if (v.target == BundleTarget::kSim) {
    CONFIDE_ASSIGN_OR_RETURN(std::string dir, TomlString(v.sim_dir));
    o << "# The simulator's store plays the hardware: it stays outside the bundle.\n"
      << "sim-dir = " << dir << "\n";
  }
  CONFIDE_ASSIGN_OR_RETURN(std::string trust, TomlString(v.trust));
  o << "trust = " << trust << "\nmodel = [";
  for (size_t i = 0; i < v.models.size(); ++i) {
    CONFIDE_ASSIGN_OR_RETURN(std::string m, TomlString(v.models[i]));
    o << (i ? ", " : "") << m;
  }
  o << "]\n";
  CONFIDE_ASSIGN_OR_RETURN(std::string state, TomlString(v.state_dir));
  o << "# The TEE-sealed model-key cache.\nstate-dir = " << state << "\n";
  if (v.host) {
    CONFIDE_ASSIGN_OR_RETURN(std::string host, TomlString(*v.host));
    o << "host = " << host << "\n";
  }
  if (v.port) o << "port = " << *v.port << "\n";
  if (!v.kbs.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(std::string kbs, TomlString(v.kbs));
    CONFIDE_ASSIGN_OR_RETURN(std::string pin, TomlString(v.kbs_pin));
    o << "# Key broker: releases model keys missing from the sealed cache after attestation.\n"
      << "kbs = " << kbs << "\nkbs-pin = " << pin << "\n";
  }
  return o.str();
}

std::string RenderRunScript() {
  return R"sh(#!/bin/sh
# Starts confide-server from this bundle (written by `confide bundle`; deploy/README.md).
# The bundle directory may be moved anywhere: the server runs with it as working directory,
# loads only the libraries in ./lib besides the C runtime of this system, and reads
# confide-server.toml. Arguments are passed to confide-server and override the file, e.g.
#   ./run.sh --port 0 --port-file /tmp/port
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
LD_LIBRARY_PATH="$here/lib"
export LD_LIBRARY_PATH
exec "$here/bin/confide-server" --config "$here/confide-server.toml" "$@"
)sh";
}

std::string RenderReferenceValues(const ReferenceValues& v) {
  std::ostringstream o;
  o << "# Reference values for client policies of this bundle, written by `confide bundle` at "
    << v.generated_at << ".\n"
    << "tee = \"" << BundleTargetName(v.target) << "\"\n\n"
    << "[server]\n# bin/confide-server\nsha384 = \"" << v.server_sha384 << "\"\nsha256 = \""
    << v.server_sha256 << "\"\n\n";
  if (v.target == BundleTarget::kSim) {
    o << "[sim]\n"
      << "# The simulator reports SHA-384 of the running executable as the SEV-SNP MEASUREMENT:\n"
      << "# policy [snp] measurements.\nmeasurement = \"" << v.server_sha384 << "\"\n"
      << "# SHA-256 of the simulator's ARK public key: policy sim_roots.\nsim_root = \""
      << v.sim_root << "\"\n";
  } else {
    o << "[" << BundleTargetName(v.target) << "]\n"
      << "# Not computable by `confide bundle`: the measurement covers more than this bundle.\n"
      << HowToMeasure(v.target);
  }
  return o.str();
}

std::string RenderClientPolicy(const ReferenceValues& v) {
  std::ostringstream o;
  if (v.target == BundleTarget::kSim) {
    o << "# Client policy for this bundle on the TEE simulator (written by `confide bundle`):\n"
      << "# accepts only this build of confide-server (SHA-384 of bin/confide-server) with\n"
      << "# evidence signed by this simulator. Simulated evidence: never in production.\n"
      << "tee_types = [\"sev-snp\"]\nallow_simulated = true\nsim_roots = [\"" << v.sim_root
      << "\"]\nmax_evidence_age_seconds = 86400\n\n[snp]\nmeasurements = [\"" << v.server_sha384
      << "\"]\n";
    return o.str();
  }
  o << "# Client policy template for this bundle on " << BundleTargetName(v.target)
    << " (written by `confide bundle`).\n"
    << "# Fill in the measurement from reference-values.toml, review docs/policy.md\n"
    << "# (TCB levels, collateral, debug), then save as client-policy.toml.\n"
    << "# Until filled in, policy parsing refuses the placeholder.\n"
    << "max_evidence_age_seconds = 86400\n"
    << PolicySection(v.target);
  return o.str();
}

Result<std::string> RenderGramineManifest(std::string_view tmpl,
                                          const std::vector<TrustedFile>& files,
                                          std::string_view enclave_size, int max_threads) {
  std::string list;
  for (const TrustedFile& f : files) {
    CONFIDE_ASSIGN_OR_RETURN(std::string uri, TomlString("file:" + f.path));
    list += "  { uri = " + uri + ", sha256 = \"" + f.sha256 + "\" },\n";
  }
  if (!list.empty()) list.pop_back();  // the template's line break follows the placeholder
  std::string out(tmpl);
  CONFIDE_ASSIGN_OR_RETURN(std::string size, TomlString(enclave_size));
  size = size.substr(1, size.size() - 2);
  if (!ReplaceOnce(&out, "%%TRUSTED_FILES%%", list) ||
      !ReplaceOnce(&out, "%%ENCLAVE_SIZE%%", size) ||
      !ReplaceOnce(&out, "%%MAX_THREADS%%", std::to_string(max_threads))) {
    return InvalidArgumentError("Gramine manifest template lacks a %%...%% placeholder");
  }
  return out;
}

}  // namespace confide::cli
